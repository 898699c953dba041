from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from core.pdf import render_pdf

KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


@pytest.fixture
def kazakh_template(tmp_path, settings):
    (tmp_path / "doc.html").write_text(
        '{% extends "documents/base.html" %}{% block body %}<h1>'
        + KAZAKH_LETTERS
        + "</h1><p>{{ document_language }}</p>{% endblock %}",
        encoding="utf-8",
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    return "doc.html"


def test_pdf_keeps_every_kazakh_letter(kazakh_template):
    pdf = render_pdf(kazakh_template, {}, language="kk")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for letter in KAZAKH_LETTERS:
        assert letter in text
    assert "kk" in text
