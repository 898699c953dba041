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

__all__ = [
    "ActionPlan",
    "Alert",
    "K1Loan",
    "K1Run",
    "Measure",
    "PlanNote",
    "ReturnNotice",
    "RiskSettings",
]
