from __future__ import annotations

from django.contrib import admin

from loans.models import DayClose, LedgerEntry, Loan, Payment


class ReadOnlyAdmin(admin.ModelAdmin):
    """Servicing data changes only through the services (audited, locked): read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "amount", "annual_rate", "disbursed_on", "branch"]
    list_filter = ["status", "product", "branch"]
    search_fields = ["number"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["loan", "value_date", "kind", "component", "amount", "reason"]
    list_filter = ["kind", "component"]
    search_fields = ["loan__number"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["loan", "amount", "value_date", "channel", "received_by", "reversed_at"]
    search_fields = ["loan__number", "reference"]


@admin.register(DayClose)
class DayCloseAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "loans", "entries_posted", "runs", "finished_at"]
