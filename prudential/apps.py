from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrudentialConfig(AppConfig):
    name = "prudential"
    verbose_name = _("Prudential")
