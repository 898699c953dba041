"""Checks and page sections that the apps above add to the rules and pages of applications.

Applications sits beneath collateral, loans and prudential and imports none of them: each
registers here, in its ``AppConfig.ready()``, what the application's life needs of it (the
collateral's coverage and appraisal, the prudential k2 limit, the loans that fix a party's
identity).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

# check(application, *, amount): raise a DomainError when the terms put to the vote, or
# approved by it, are not acceptable (e.g. the collateral does not cover the amount).
TermsCheck = Callable[..., None]
# check(application, *, amount, on): raise a DomainError when the approval may not be recorded
# (e.g. the single-borrower limit); run in the decision's transaction.
ApprovalCheck = Callable[..., None]
# guard(application) -> the reasons the application may not move on, empty when it may.
StageGuard = Callable[..., list[str]]
# check(applicant) -> whether the applicant is a party to a signed contract.
IdentityCheck = Callable[..., bool]
# section(item, application, decision) -> context for the item's credit package page.
PackageSection = Callable[..., dict]

_TERMS_CHECKS: list[TermsCheck] = []
_APPROVAL_CHECKS: list[ApprovalCheck] = []
_STAGE_GUARDS: dict[tuple[str, str], list[StageGuard]] = {}
_IDENTITY_CHECKS: list[IdentityCheck] = []
_PACKAGE_SECTIONS: list[PackageSection] = []


def _add(registry: list, hook) -> None:
    if hook not in registry:
        registry.append(hook)


def register_terms_check(check: TermsCheck) -> None:
    _add(_TERMS_CHECKS, check)


def register_approval_check(check: ApprovalCheck) -> None:
    _add(_APPROVAL_CHECKS, check)


def register_stage_guard(source: str, target: str, guard: StageGuard) -> None:
    _add(_STAGE_GUARDS.setdefault((str(source), str(target)), []), guard)


def register_identity_check(check: IdentityCheck) -> None:
    _add(_IDENTITY_CHECKS, check)


def register_package_section(section: PackageSection) -> None:
    _add(_PACKAGE_SECTIONS, section)


def check_terms(application, *, amount: Decimal) -> None:
    for check in _TERMS_CHECKS:
        check(application, amount=amount)


def check_approval(application, *, amount: Decimal, on: date) -> None:
    for check in _APPROVAL_CHECKS:
        check(application, amount=amount, on=on)


def stage_gaps(application, target: str) -> list[str]:
    """The registered reasons why the application may not move from its stage to ``target``."""
    guards = _STAGE_GUARDS.get((str(application.stage), str(target)), [])
    return [reason for guard in guards for reason in guard(application)]


def identity_fixed(applicant) -> bool:
    return any(check(applicant) for check in _IDENTITY_CHECKS)


def package_sections(item, application, decision) -> dict:
    context: dict = {}
    for section in _PACKAGE_SECTIONS:
        context.update(section(item, application, decision))
    return context
