from __future__ import annotations

from django.contrib import admin

from applications.admin import ReadOnlyAdmin
from collateral.models import CollateralItem, CollateralType, Guarantee


@admin.register(CollateralType)
class CollateralTypeAdmin(admin.ModelAdmin):
    """The MFO's liquidity coefficients and inspection frequencies: edited here."""

    list_display = ["kind", "liquidity_coefficient", "inspection_months"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CollateralItem)
class CollateralItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "application", "kind", "registered_at", "released_at"]
    list_filter = ["kind"]
    search_fields = ["description", "vin", "cadastral_number", "application__number"]


@admin.register(Guarantee)
class GuaranteeAdmin(ReadOnlyAdmin):
    list_display = ["guarantor_name", "application", "amount", "joint_and_several"]
