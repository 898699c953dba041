"""Who works on applications and in the credit committee; the pages of this app and of the
apps above it (a loan's change of terms goes to the committee) share these sets."""

from __future__ import annotations

from core.roles import Role

# Applicants and applications: the credit administration registers and prepares them.
WRITE_ROLES = (Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR)
READ_ROLES = (
    *WRITE_ROLES,
    Role.COMMITTEE_MEMBER,
    Role.MONITORING_MANAGER,
    Role.RISK_MANAGER,
)
# The credit committee: who reads its meetings, who schedules them and puts items on the
# agenda, and who votes.
COMMITTEE_READERS = (Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR, Role.RISK_MANAGER)
AGENDA_SCHEDULERS = (Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR)
COMMITTEE_MEMBERS = (Role.COMMITTEE_MEMBER,)
