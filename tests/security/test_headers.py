"""Security headers: a Content-Security-Policy on every page (no inline script or style
anywhere), HSTS once the request came over TLS through the proxy, no sniffing, no framing, a
same-origin referrer; in production settings the cookies are Secure and HttpOnly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings

from core.roles import Role
from tests.production import production_probe

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def assert_strict_policy(response) -> None:
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, "/accounts/login/"),
        (Role.CREDIT_ADMINISTRATOR, "/"),
        (Role.CREDIT_ADMINISTRATOR, "/applications/applicants/new/"),
        (Role.RISK_MANAGER, "/risk/"),
        (Role.RISK_MANAGER, "/api/docs/"),
        (Role.RISK_MANAGER, "/api/v1/me/"),
        (Role.ACCOUNTANT, "/no-such-page/"),  # the 404 page too
    ],
)
def test_every_page_has_the_strict_content_security_policy(client, make_user, role, path):
    if role:
        client.force_login(make_user(role))
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert_strict_policy(response)


def test_the_api_docs_load_their_init_script_from_the_site_not_inline(client, make_user):
    client.force_login(make_user(Role.RISK_MANAGER))
    page = client.get("/api/docs/").content.decode()
    assert re.search(r"<script>", page) is None  # every script has a src
    assert "<style" not in page and "style=" not in page
    script = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', page)
    assert script, "the split view's init script"
    init = client.get(script.group(1).replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content
    assert b"validatorUrl" in init.content  # no badge fetched from validator.swagger.io


def _served_templates() -> list[Path]:
    """Templates rendered as pages; ``documents/`` are PDFs WeasyPrint renders offline."""
    return [
        path
        for path in TEMPLATES.rglob("*.html")
        if "documents" not in path.relative_to(TEMPLATES).parts
        and not path.name.endswith("_pdf.html")
    ]


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_page_template_has_inline_script_or_style():
    templates = _served_templates()
    assert len(templates) > 50
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in templates
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_basic_headers_on_every_response(client):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response.cookies["csrftoken"]["httponly"]


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_hsts_is_sent_when_the_request_came_over_tls_through_the_proxy(client, settings):
    assert settings.SECURE_HSTS_SECONDS == 31_536_000  # the production default
    over_tls = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert over_tls["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = client.get("/accounts/login/")
    assert "Strict-Transport-Security" not in plain  # HSTS over plain HTTP means nothing


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client, override_settings
# the only change: static files unhashed, as no collectstatic ran for this interpreter
override_settings(STORAGES={**s.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
client = Client()
insecure = client.get("/accounts/login/")
secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
cookie = secure.cookies["csrftoken"]
print(json.dumps({
    "redirect": [insecure.status_code, insecure.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "csrf_cookie": {"secure": bool(cookie["secure"]), "httponly": bool(cookie["httponly"])},
    "session_cookie": [s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_AGE],
    "language_cookie": [s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY],
}))
"""


@pytest.mark.slow
def test_production_settings_behind_the_tls_proxy(tmp_path):
    """A fresh interpreter on mfo.settings with what production sets (DEBUG off)."""
    seen = production_probe(
        PRODUCTION_PROBE,
        tmp_path,
        ALLOWED_HOSTS="testserver,backoffice.example.kz",
        BEHIND_TLS_PROXY="true",
    )
    assert seen["redirect"] == [301, "https://testserver/accounts/login/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in seen["csp"]
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True}
    assert seen["session_cookie"] == [True, True, 1800]
    assert seen["language_cookie"] == [True, True]
