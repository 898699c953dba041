"""Who may use the collateral API, and the errors its operations document."""

from __future__ import annotations

from core.api.schema import error_response, read_errors, write_errors
from core.roles import Role

READ_ROLES = frozenset(
    {
        Role.CREDIT_ADMINISTRATOR,
        Role.COMMITTEE_MEMBER,
        Role.MONITORING_MANAGER,
        Role.RISK_MANAGER,
        Role.ADMINISTRATOR,
        Role.BRANCH_SYSTEM,
    }
)
# items, title documents, appraisals, guarantees, the encumbrance and insurance
WRITE_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR, Role.BRANCH_SYSTEM})
# inspections and insurance payouts: the monitoring of the collateral (DOMAIN.md §15)
MONITORING_ROLES = frozenset({Role.MONITORING_MANAGER, Role.ADMINISTRATOR})
# giving the originals back is the MFO's own act at closure, never a branch system's
RELEASE_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR})


READ_ERRORS = read_errors("No such collateral item.")
WRITE_ERRORS = write_errors()
REGISTER_ERRORS = {
    **WRITE_ERRORS,
    409: error_response(
        "The application takes no collateral now (unsecured, or its package is closed): "
        "`errors.application` says why."
    ),
}
