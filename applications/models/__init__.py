from applications.models.applicants import (
    Applicant,
    ApplicantKind,
    LendingPolicy,
    Region,
    Representative,
)
from applications.models.applications import (
    Application,
    ApplicationDocument,
    Conclusion,
    DebtBurdenAssessment,
    DocumentType,
    RefusalGround,
    RequiredDocument,
    Stage,
)
from applications.models.committee import AgendaItem, ConflictDeclaration, Decision, Meeting, Vote

__all__ = [
    "AgendaItem",
    "Applicant",
    "ApplicantKind",
    "Application",
    "ApplicationDocument",
    "Conclusion",
    "ConflictDeclaration",
    "DebtBurdenAssessment",
    "Decision",
    "DocumentType",
    "LendingPolicy",
    "Meeting",
    "RefusalGround",
    "Region",
    "Representative",
    "RequiredDocument",
    "Stage",
    "Vote",
]
