"""Every upload in the product, page and API, refuses a file over ``MAX_UPLOAD_SIZE`` and a type
not on its list (found by content, whatever the name and the claimed content type), naming the
field and writing nothing: no row, no file on disk, no audit event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.models import Stage
from collateral import services as collateral
from collateral.models import Inspection, InspectionPhoto
from core.errors import DomainError
from core.models import AuditEvent
from core.roles import Role
from core.uploads import DOCUMENT_TYPES, check_text_upload, check_upload
from prudential.models import MonthlyFinancials

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 scan"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF photo"
PNG = b"\x89PNG\r\n\x1a\n photo"
EXE = b"MZ\x90\x00 a program"
CSV = b"month,own_capital,assets,liabilities\n2026-03,150000000.00,900000000.00,750000000.00\n"
LIMIT = 4096  # MAX_UPLOAD_SIZE in these tests


@pytest.fixture(autouse=True)
def _small_limit_and_own_media(settings, tmp_path, client, api_client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MAX_UPLOAD_SIZE = LIMIT
    settings.MEDIA_ROOT = tmp_path / "media"


def written_events() -> int:
    """Audit events of changes (re-showing the credit file audits its opening, not a change)."""
    return AuditEvent.objects.exclude(action__endswith=".opened").count()


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def too_big(content: bytes) -> bytes:
    """A file of the right type, one byte over the limit."""
    return content + b"0" * (LIMIT + 1 - len(content))


# --- the entry points -----------------------------------------------------------------------


@dataclass
class Target:
    """One upload entry point: how to send a file and how to count what it writes."""

    send: object  # (file) -> response
    written: object  # () -> int, rows written by an accepted upload
    field: str
    good: bytes
    good_name: str
    good_type: str
    is_api: bool


@pytest.fixture
def documents_stage(new_application, advance):
    return advance(new_application(), Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS)


def _received(application) -> int:
    return application.documents.filter(status="received").count()


@pytest.fixture
def item(new_application, advance, officer):
    application = advance(
        new_application("almaty-secured", "5000000", 36, "6"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
    )
    return collateral.collateral_item_register(
        application_id=application.pk,
        kind="vehicle",
        data={
            "description": "Toyota Hilux",
            "vin": "JTFST22P700123456",
            "make": "Toyota",
            "make_country": "JP",
            "year_of_manufacture": timezone.localdate().year - 2,
            "free_of_third_party_rights": True,
            "free_of_budget_arrears": True,
        },
        by=officer,
    )


def _document_page(client_as, documents_stage) -> Target:
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    url = reverse("applications:document-receive", args=[documents_stage.pk])
    return Target(
        send=lambda file: client.post(url, {"document_type": "identity", "file": file}),
        written=lambda: _received(documents_stage),
        field="file",
        good=PDF,
        good_name="scan.pdf",
        good_type="application/pdf",
        is_api=False,
    )


def _document_api(api_as, documents_stage) -> Target:
    client = api_as(Role.BRANCH_SYSTEM)
    url = f"/api/v1/applications/{documents_stage.pk}/documents/"
    return Target(
        send=lambda file: client.post(
            url, {"document_type": "identity", "file": file}, format="multipart"
        ),
        written=lambda: _received(documents_stage),
        field="file",
        good=PDF,
        good_name="scan.pdf",
        good_type="application/pdf",
        is_api=True,
    )


def _inspection_page(client_as, item) -> Target:
    client = client_as(Role.MONITORING_MANAGER)
    url = reverse("collateral:inspection-create", args=[item.pk])
    data = {"inspected_on": timezone.localdate().isoformat(), "present": "yes", "condition": "good"}
    return Target(
        send=lambda file: client.post(url, {**data, "photo": file}),
        written=lambda: Inspection.objects.count() + InspectionPhoto.objects.count(),
        field="photo",
        good=JPEG,
        good_name="car.jpg",
        good_type="image/jpeg",
        is_api=False,
    )


def _inspection_api(api_as, item, make_user) -> Target:
    inspection = collateral.inspection_record(
        item_id=item.pk,
        inspected_on=timezone.localdate(),
        present=True,
        condition="good",
        by=make_user(Role.MONITORING_MANAGER),
    )
    client = api_as(Role.MONITORING_MANAGER)
    url = f"/api/v1/collateral/items/{item.pk}/inspection-photos/"
    return Target(
        send=lambda file: client.post(
            url, {"inspection": inspection.pk, "photo": file}, format="multipart"
        ),
        written=lambda: InspectionPhoto.objects.count(),
        field="photo",
        good=PNG,
        good_name="car.png",
        good_type="image/png",
        is_api=True,
    )


def _financials_import_page(client_as) -> Target:
    client = client_as(Role.RISK_MANAGER)
    url = reverse("risk-norms:financials-import")
    return Target(
        send=lambda file: client.post(url, {"file": file}),
        written=lambda: MonthlyFinancials.objects.count(),
        field="file",
        good=CSV,
        good_name="figures.csv",
        good_type="text/csv",
        is_api=False,
    )


ENTRY_POINTS = [
    "document_page",
    "document_api",
    "inspection_page",
    "inspection_api",
    "financials_import_page",
]


@pytest.fixture
def target(request, client_as, api_as, make_user) -> Target:
    name = request.param
    if name.startswith("document"):
        documents_stage = request.getfixturevalue("documents_stage")
        maker = _document_page if name == "document_page" else _document_api
        return maker(client_as if name == "document_page" else api_as, documents_stage)
    if name == "inspection_page":
        return _inspection_page(client_as, request.getfixturevalue("item"))
    if name == "inspection_api":
        return _inspection_api(api_as, request.getfixturevalue("item"), make_user)
    return _financials_import_page(client_as)


def assert_refused(target: Target, response, message: str) -> None:
    assert response.status_code == 400, response.content[:500]
    if target.is_api:
        body = response.json()
        assert set(body) == {"detail", "code", "errors"}
        assert list(body["errors"]) == [target.field], body
        assert message in body["errors"][target.field][0]
    else:
        page = response.content.decode()
        shown = re.search(rf'data-error-for="{target.field}">([^<]*)<', page)
        assert shown, f"no error beside {target.field}"
        assert message in shown.group(1).replace("&#x27;", "'")


# --- the table ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ENTRY_POINTS, indirect=True)
def test_an_accepted_upload_is_stored(target, settings):
    response = target.send(upload(target.good_name, target.good, target.good_type))
    assert response.status_code in (200, 201, 302), response.content[:500]
    assert target.written() >= 1
    if target.field == "photo" or target.good_type == "application/pdf":
        assert stored_files(settings)  # the file itself was kept


@pytest.mark.parametrize("target", ENTRY_POINTS, indirect=True)
def test_a_file_over_the_size_limit_is_refused_and_nothing_is_written(target, settings):
    events = written_events()
    before = target.written()
    response = target.send(upload(target.good_name, too_big(target.good), target.good_type))
    assert_refused(target, response, "larger than")
    assert target.written() == before
    assert not stored_files(settings)
    assert written_events() == events


@pytest.mark.parametrize("target", ENTRY_POINTS, indirect=True)
def test_a_program_named_like_an_allowed_file_is_refused_and_nothing_is_written(target, settings):
    events = written_events()
    before = target.written()
    response = target.send(upload(target.good_name, EXE, target.good_type))
    assert_refused(target, response, "")
    assert target.written() == before
    assert not stored_files(settings)
    assert written_events() == events


@pytest.mark.parametrize(
    ("target", "wrong"),
    [
        ("document_api", b"GIF89a an image of a type not on the list"),
        ("inspection_page", PDF),  # a PDF is a document, not a photo
        ("inspection_api", PDF),
        ("financials_import_page", PNG),  # an image named figures.csv
        ("financials_import_page", b"PK\x03\x04 an xlsx workbook"),
        ("financials_import_page", b"month,own_capital\x00\x01\x02"),
    ],
    indirect=["target"],
)
def test_a_type_not_on_the_entry_points_list_is_refused(target, wrong, settings):
    before = target.written()
    response = target.send(upload(target.good_name, wrong, target.good_type))
    assert_refused(target, response, "")
    assert target.written() == before
    assert not stored_files(settings)


# --- the shared check -----------------------------------------------------------------------


def test_the_limit_is_the_setting_and_a_caller_may_only_lower_it(settings):
    settings.MAX_UPLOAD_SIZE = 1024 * 1024
    at_limit = upload("a.pdf", PDF + b"0" * (1024 * 1024 - len(PDF)), "application/pdf")
    assert check_upload(at_limit, allowed=DOCUMENT_TYPES, refusal="no").content_type == (
        "application/pdf"
    )
    with pytest.raises(DomainError, match="larger than 1 MB") as refused:
        check_upload(
            upload("a.pdf", PDF + b"0" * (1024 * 1024), "application/pdf"),
            allowed=DOCUMENT_TYPES,
            refusal="no",
            max_bytes=50 * 1024 * 1024,  # a caller's higher limit does not raise the setting
        )
    assert (refused.value.field, refused.value.code) == ("file", "too_large")
    with pytest.raises(DomainError, match=r"larger than 0\.5 MB"):
        check_upload(at_limit, allowed=DOCUMENT_TYPES, refusal="no", max_bytes=512 * 1024)


def test_the_type_is_read_from_the_content_and_the_file_is_rewound():
    file = upload("photo.pdf", PNG, "application/pdf")
    assert check_upload(file, allowed=DOCUMENT_TYPES, refusal="no").extension == ".png"
    assert file.read() == PNG  # stored from its first byte
    with pytest.raises(DomainError) as refused:
        check_upload(upload("x.png", b"\x89PNx", "image/png"), allowed=DOCUMENT_TYPES, refusal="no")
    assert (refused.value.message, refused.value.code) == ("no", "file_type")
    csv = upload("figures.csv", CSV, "text/csv")
    check_text_upload(csv, refusal="no")
    assert csv.read() == CSV
