from __future__ import annotations

import django_filters

from applications.branches import visible_applicants
from applications.models import Applicant, ApplicantKind, Application, Region, Stage
from core.branches import choices_seen_by
from lending.models import Product


class ApplicantFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ApplicantKind.choices)
    region = django_filters.ChoiceFilter(choices=Region.choices)

    class Meta:
        model = Applicant
        fields = ["kind", "region"]


class ApplicationFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all())
    applicant = django_filters.ModelChoiceFilter(queryset=choices_seen_by(visible_applicants))

    class Meta:
        model = Application
        fields = ["stage", "product", "applicant"]
