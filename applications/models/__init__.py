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
from applications.models.identity import IDENTITY_FIELDS, IdentityCorrection

__all__ = [
    "IDENTITY_FIELDS",
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
    "IdentityCorrection",
    "LendingPolicy",
    "Meeting",
    "RefusalGround",
    "Region",
    "Representative",
    "RequiredDocument",
    "Stage",
    "Vote",
]
