from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    """The product catalogue and the lending calculations, beneath every app that lends."""

    name = "lending"
    verbose_name = _("Lending products")
