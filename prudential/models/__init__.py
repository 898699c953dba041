from prudential.models.k1 import (
    ActionPlan,
    Alert,
    K1Loan,
    K1Run,
    Measure,
    PlanNote,
    ReturnNotice,
    RiskSettings,
)
from prudential.models.norms import (
    BorrowerGroup,
    BorrowerGroupMember,
    MonthlyFinancials,
    NormsRun,
)

__all__ = [
    "ActionPlan",
    "Alert",
    "BorrowerGroup",
    "BorrowerGroupMember",
    "K1Loan",
    "K1Run",
    "Measure",
    "MonthlyFinancials",
    "NormsRun",
    "PlanNote",
    "ReturnNotice",
    "RiskSettings",
]
