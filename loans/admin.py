from __future__ import annotations

from django.contrib import admin

from loans.models import (
    Branch,
    BranchStaff,
    DayClose,
    LedgerEntry,
    Loan,
    Payment,
    Product,
    ProductPurpose,
)


class ProductPurposeInline(admin.TabularInline):
    model = ProductPurpose
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_ru",
        "min_amount",
        "max_amount",
        "max_rate",
        "gesv_cap",
        "secured",
    ]
    list_filter = ["secured", "is_active", "day_count"]
    search_fields = ["code", "name_ru", "name_kk", "name_en"]
    inlines = [ProductPurposeInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Servicing data changes only through the services (audited, locked): read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
