"""Uploaded files go back out as attachments, under a name that cannot harm the header or the disk.

A file an applicant's scan came in as is whatever name the uploader's machine gave it: it may
carry a path, quotes, CR/LF (a header injection), or an extension that does not match what the
file is. ``attachment`` serves it as a download (never shown inline, so a browser does not
render it in the back office's origin), with ``nosniff`` and a name made safe:

- no directory part (``/`` or ``\\``), no control characters, quotes, ``;`` or reserved
  characters of Windows file names, no leading dots; at most ``MAX_NAME`` characters, the
  extension kept when the name is cut;
- the original extension kept, and the extension of what the file really is (checked by its
  content at upload, ``core.uploads``) added when it is another one: ``scan.html`` holding a
  PDF is saved as ``scan.html.pdf``;
- the ASCII ``filename=`` keeps only letters, digits, ``.``, ``-`` and ``_``; the name with
  its non-ASCII letters is given only in ``filename*=UTF-8''…`` (RFC 6266, percent-encoded).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse

MAX_NAME = 120
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\'`;:*?<>|]')
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
# the extensions each checked content type may keep (core.uploads stores these types)
_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}


def safe_filename(name: str, *, content_type: str = "", default: str = "document") -> str:
    """The name a download is saved under: see the module's docstring."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = f".{extension}" if extension else ""
    wanted = _EXTENSIONS.get(content_type, ())
    if wanted and extension.lower() not in wanted:
        stem, extension = f"{stem}{extension}", wanted[0]
    stem = stem.strip(" .") or default
    return stem[: MAX_NAME - len(extension)].rstrip(" .") + extension


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the full name in ``filename*``."""
    ascii_name = _NOT_ASCII_SAFE.sub("_", filename).strip("_") or "download"
    if ascii_name.startswith("."):
        ascii_name = f"download{ascii_name}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(file, *, filename: str, content_type: str, default: str = "document"):
    """A ``FileResponse`` that downloads ``file`` under a safe name."""
    name = safe_filename(filename, content_type=content_type, default=default)
    response = FileResponse(file, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
