from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrudentialConfig(AppConfig):
    name = "prudential"
    verbose_name = _("Prudential")

    def ready(self) -> None:
        # the k2 limit at the committee's approval and on its credit package (applications.hooks)
        from applications import hooks
        from prudential.agenda_checks import check_single_borrower_risk, k2_section

        hooks.register_approval_check(check_single_borrower_risk)
        hooks.register_package_section(k2_section)
