"""Uploaded files go back out as attachments under a safe name (issue 15, item 7).

The one page that serves an uploaded file, an application document, used the uploader's file
name as given (inline, a path or quotes or CR/LF in it). Now: ``attachment``, the name without
a path, control characters or quotes, its extension kept (and the checked type's added when it
is another), non-ASCII letters only in ``filename*``, ``nosniff`` and ``no-store``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import Stage
from core.downloads import content_disposition, safe_filename
from core.roles import Role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 scan"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF photo"


@pytest.fixture
def documents(new_application, advance, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    application = advance(
        new_application(), Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS
    )

    def download(client, name: str, content: bytes = PDF, content_type="application/pdf"):
        document = application.documents.order_by("pk").first()
        services.document_receive(
            application_id=application.pk,
            document_type=document.document_type,
            upload=SimpleUploadedFile(name, content, content_type=content_type),
            by=officer,
        )
        url = reverse("applications:document-file", args=[application.pk, document.document_type])
        return client.get(url)

    return download


def disposition(response) -> tuple[str, str]:
    """The ASCII ``filename`` and the decoded ``filename*`` of an attachment."""
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    found = re.fullmatch(
        r"attachment; filename=\"([A-Za-z0-9._-]+)\"; filename\*=UTF-8''(\S+)", header
    )
    assert found, header
    return found.group(1), unquote(found.group(2))


@pytest.mark.parametrize(
    ("uploaded", "ascii_name", "full_name"),
    [
        ("passport.pdf", "passport.pdf", "passport.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\clerk\\Desktop\\scan.pdf", "scan.pdf", "scan.pdf"),
        (
            'a"; filename="evil.html.pdf',
            "a___filename__evil.html.pdf",
            "a__ filename=_evil.html.pdf",
        ),
        (
            "scan\r\nSet-Cookie: sid=1.pdf",
            "scan__Set-Cookie__sid_1.pdf",
            "scan__Set-Cookie_ sid=1.pdf",
        ),
        ("удостоверение личности.pdf", "download.pdf", "удостоверение личности.pdf"),
        ("Жеке куәлік.PDF", "download.PDF", "Жеке куәлік.PDF"),
        ("page.html", "page.html.pdf", "page.html.pdf"),  # what it really is, added
        (".pdf", "pdf.pdf", "pdf.pdf"),
    ],
)
def test_a_document_downloads_as_an_attachment_under_a_safe_name(
    client_as, documents, uploaded, ascii_name, full_name
):
    response = documents(client_as(Role.CREDIT_ADMINISTRATOR), uploaded)
    assert response.status_code == 200
    assert disposition(response) == (ascii_name, full_name)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


def test_a_photo_keeps_its_own_extension(client_as, documents):
    response = documents(client_as(Role.CREDIT_ADMINISTRATOR), "фото.jpeg", JPEG, "image/jpeg")
    assert disposition(response) == ("download.jpeg", "фото.jpeg")
    assert response["Content-Type"] == "image/jpeg"


def test_a_long_name_is_cut_keeping_its_extension():
    name = safe_filename("x" * 300 + ".pdf", content_type="application/pdf")
    assert len(name) == 120 and name.endswith("x.pdf")


def test_an_empty_name_falls_back_to_the_document_type():
    assert safe_filename("", content_type="image/png", default="identity") == "identity.png"
    assert content_disposition("identity.png").startswith('attachment; filename="identity.png"')
