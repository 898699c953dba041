from __future__ import annotations

from django.contrib import admin

from core.models import AuditEvent, Branch, BranchStaff, CalendarDay, RegulatoryValue


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_repr", "target_id", "actor__username"]
    date_hierarchy = "at"

    # The trail is append-only: nobody edits or deletes it, not even an administrator.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]


@admin.register(RegulatoryValue)
class RegulatoryValueAdmin(admin.ModelAdmin):
    list_display = ["key", "loan_class", "value", "effective_from", "needs_verification", "source"]
    list_filter = ["key", "loan_class", "needs_verification"]
    date_hierarchy = "effective_from"


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_kk", "name_en"]


@admin.register(BranchStaff)
class BranchStaffAdmin(admin.ModelAdmin):
    """Who works at a branch and so sees only its files; nobody listed here works at head
    office and sees every branch (``core.branches``), save an integration account, which then
    sees nothing unless ``create_branch_token --all-branches`` granted it every branch."""

    list_display = ["user", "branch"]
    list_filter = ["branch"]
    search_fields = ["user__username", "user__last_name"]
    raw_id_fields = ["user"]
