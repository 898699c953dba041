from __future__ import annotations

from django.contrib import admin

from lending.models import Product, ProductPurpose


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
