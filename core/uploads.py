"""Every uploaded file is checked here before anything is written: its size against one setting
(``MAX_UPLOAD_SIZE``, 10 MB unless set; a caller may only lower it) and its type by its content,
never by its name or the content type the client claims.

The page forms and the API serializers take the file; the service that stores it calls
``check_upload`` first, so a refused file raises ``DomainError`` on the form's field and the
transaction writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import DomainError

DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    signature: bytes  # the bytes the file starts with


PDF = FileType("application/pdf", ".pdf", b"%PDF")
JPEG = FileType("image/jpeg", ".jpg", b"\xff\xd8\xff")
PNG = FileType("image/png", ".png", b"\x89PNG\r\n\x1a\n")

DOCUMENT_TYPES = (PDF, JPEG, PNG)  # scans of an applicant's documents
PHOTO_TYPES = (JPEG, PNG)  # photos taken at an inspection

# What a text file (CSV) must not start with: documents, images, archives (XLSX), programs.
_BINARY_SIGNATURES = (
    PDF.signature,
    JPEG.signature,
    PNG.signature,
    b"PK\x03\x04",  # zip, xlsx, docx
    b"\xd0\xcf\x11\xe0",  # old Office files (xls)
    b"MZ",  # Windows programs
    b"\x7fELF",
    b"GIF8",
)


def max_upload_size() -> int:
    """The largest upload, in bytes, anywhere in the product."""
    return int(getattr(settings, "MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE))


def _megabytes(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.1f}".removesuffix(".0") if mb >= 0.1 else f"{mb:.2g}"


def check_size(upload: UploadedFile, *, field: str, max_bytes: int | None = None) -> None:
    limit = min(max_upload_size() if max_bytes is None else max_bytes, max_upload_size())
    if upload.size is None or upload.size > limit:
        raise DomainError(
            _("The file is larger than %(mb)s MB.") % {"mb": _megabytes(limit)},
            field=field,
            code="too_large",
        )


def check_upload(
    upload: UploadedFile,
    *,
    allowed: tuple[FileType, ...],
    refusal: str,
    field: str = "file",
    max_bytes: int | None = None,
) -> FileType:
    """The upload's type, found by its first bytes among ``allowed``; else ``refusal``."""
    check_size(upload, field=field, max_bytes=max_bytes)
    head = _head(upload)
    for file_type in allowed:
        if head.startswith(file_type.signature):
            return file_type
    raise DomainError(refusal, field=field, code="file_type")


def check_text_upload(
    upload: UploadedFile, *, refusal: str, field: str = "file", max_bytes: int | None = None
) -> None:
    """A text file (CSV): no known binary format, no NUL byte in it."""
    check_size(upload, field=field, max_bytes=max_bytes)
    head = _head(upload)
    binary = head.startswith(_BINARY_SIGNATURES)
    if not binary:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                binary = True
                break
        upload.seek(0)
    if binary:
        raise DomainError(refusal, field=field, code="file_type")


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return head
