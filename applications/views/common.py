"""What the pages of applicants and applications share."""

from __future__ import annotations

from django import forms


def bad_request(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200
