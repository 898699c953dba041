from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollateralConfig(AppConfig):
    name = "collateral"
    verbose_name = _("Collateral")

    def ready(self) -> None:
        # the collateral's rules for the application beneath it (applications.hooks)
        from applications import hooks
        from applications.models import Stage
        from collateral.agenda_checks import check_coverage, collateral_gaps

        hooks.register_terms_check(check_coverage)
        hooks.register_stage_guard(Stage.COLLATERAL_APPRAISAL, Stage.ASSESSMENT, collateral_gaps)
