from __future__ import annotations

from django.contrib import admin

from applications.models import (
    Applicant,
    Application,
    IdentityCorrection,
    LendingPolicy,
    Representative,
    RequiredDocument,
)


@admin.register(LendingPolicy)
class LendingPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "min_age", "max_age", "committee_quorum", "committee_majority"]

    def has_add_permission(self, request):
        return not LendingPolicy.objects.exists()  # one policy for the MFO

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(admin.ModelAdmin):
    list_display = ["product", "applicant_kind", "document_type"]
    list_filter = ["product", "applicant_kind"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the services, which validate and audit them; the admin only shows."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "region", "branch", "created_at"]
    list_filter = ["kind", "region", "branch"]
    search_fields = ["name", "iin", "bin"]
    inlines = [RepresentativeInline]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "applicant",
        "product",
        "stage",
        "requested_amount",
        "branch",
        "created_at",
    ]
    list_filter = ["stage", "product", "branch"]
    search_fields = ["number", "applicant__name"]


@admin.register(IdentityCorrection)
class IdentityCorrectionAdmin(ReadOnlyAdmin):
    """Requested and decided in the pages or the API (four eyes); the admin only shows."""

    list_display = ["applicant", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status"]
