from __future__ import annotations

from django import forms
from django.utils import translation
from rest_framework import serializers

from core.errors import ConflictError, DomainError
from core.forms import add_domain_error
from core.identifiers import validate_iin


class _AmountForm(forms.Form):
    amount = forms.DecimalField()


def test_domain_error_is_shown_beside_the_field_it_names():
    form = _AmountForm({"amount": "10"})
    assert form.is_valid()
    add_domain_error(form, DomainError("Below the product minimum.", field="amount"))
    assert form.errors == {"amount": ["Below the product minimum."]}


def test_domain_error_without_a_known_field_goes_to_the_top_of_the_form():
    form = _AmountForm({"amount": "10"})
    form.is_valid()
    add_domain_error(form, ConflictError("Already disbursed.", field="status"))
    assert form.non_field_errors() == ["Already disbursed."]


class _ApplicantSerializer(serializers.Serializer):
    iin = serializers.CharField(validators=[validate_iin])


def test_iin_validator_works_in_a_serializer():
    assert _ApplicantSerializer(data={"iin": "900101300017"}).is_valid()
    with translation.override("en"):
        serializer = _ApplicantSerializer(data={"iin": "900101300018"})
        assert not serializer.is_valid()
        assert str(serializer.errors["iin"][0]) == "Invalid IIN: The control digit does not match."
