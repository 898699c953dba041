from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self) -> None:
        # loans plugs into the committee beneath it; the committee never imports loans
        from applications import agenda, hooks
        from collateral import hooks as collateral_hooks
        from loans.committee import RESTRUCTURING
        from loans.contract_parties import party_to_signed_contract
        from loans.selectors import secured_debt

        agenda.register_subject(RESTRUCTURING)
        hooks.register_identity_check(party_to_signed_contract)
        # what a loan still owes is what its collateral secures (collateral.hooks)
        collateral_hooks.register_secured_debt(secured_debt)
