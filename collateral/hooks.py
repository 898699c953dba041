"""What the apps above collateral tell it, registered in their ``AppConfig.ready()``.

Collateral sits beneath loans and imports none of it. Once the application became a loan, the
collateral secures the loan's outstanding debt: loans reads it and registers its reader here
(``LoansConfig.ready()``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

# reader(application) -> what a loan serviced for the application still owes; None without one
SecuredDebt = Callable[..., Decimal | None]

_SECURED_DEBT: list[SecuredDebt] = []


def register_secured_debt(reader: SecuredDebt) -> None:
    if reader not in _SECURED_DEBT:
        _SECURED_DEBT.append(reader)


def secured_debt(application) -> Decimal | None:
    """The outstanding debt of the loan serviced for ``application``; None while there is none."""
    for reader in _SECURED_DEBT:
        debt = reader(application)
        if debt is not None:
            return debt
    return None
