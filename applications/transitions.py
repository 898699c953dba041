"""Which stage may follow which (DOMAIN.md §3), written as data.

Guards that depend on the application's content (documents received, debt burden, the
committee's votes) live in the services; this table only says what can ever follow what.
"""

from __future__ import annotations

from applications.models import Stage

ALLOWED: dict[Stage, frozenset[Stage]] = {
    Stage.CONSULTATION: frozenset({Stage.PREQUALIFICATION, Stage.WITHDRAWN}),
    Stage.PREQUALIFICATION: frozenset({Stage.APPLICATION, Stage.REFUSED, Stage.WITHDRAWN}),
    Stage.APPLICATION: frozenset({Stage.DOCUMENTS, Stage.REFUSED, Stage.WITHDRAWN}),
    Stage.DOCUMENTS: frozenset(
        {Stage.COLLATERAL_APPRAISAL, Stage.ASSESSMENT, Stage.REFUSED, Stage.WITHDRAWN}
    ),
    Stage.COLLATERAL_APPRAISAL: frozenset({Stage.ASSESSMENT, Stage.REFUSED, Stage.WITHDRAWN}),
    Stage.ASSESSMENT: frozenset({Stage.COMMITTEE, Stage.REFUSED, Stage.WITHDRAWN}),
    Stage.COMMITTEE: frozenset({Stage.APPROVED, Stage.REFUSED, Stage.WITHDRAWN}),
    Stage.APPROVED: frozenset({Stage.ACCEPTED, Stage.DECLINED}),
    Stage.REFUSED: frozenset(),
    Stage.WITHDRAWN: frozenset(),
    Stage.ACCEPTED: frozenset(),
    Stage.DECLINED: frozenset(),
}

# Only the committee's decision moves an application out of the committee stage this way.
DECIDED_BY_COMMITTEE = frozenset(
    {(Stage.COMMITTEE, Stage.APPROVED), (Stage.COMMITTEE, Stage.REFUSED)}
)
FINAL = frozenset(stage for stage, following in ALLOWED.items() if not following)


def can_follow(current: str, target: str) -> bool:
    return Stage(target) in ALLOWED[Stage(current)]
