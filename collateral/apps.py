from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollateralConfig(AppConfig):
    name = "collateral"
    verbose_name = _("Collateral")
