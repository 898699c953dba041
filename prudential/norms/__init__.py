"""The other MFO norms of res. 192 (DOMAIN.md §12): the monthly figures they read
(``financials``), the groups of related borrowers (``groups``), the norms run of a date
(``run``) and the exposures by group, a borrower's after a new loan among them (``exposure``).

The package's services are importable from here, as ``prudential.norms.norms_run``.
"""

from prudential.norms.exposure import ExposureAfter, exposure_after, exposures_on
from prudential.norms.financials import (
    financials_enter,
    financials_for,
    financials_import_csv,
    financials_list,
)
from prudential.norms.groups import borrower_group_delete, borrower_group_list, borrower_group_set
from prudential.norms.run import limits_on, norms_run, norms_run_list

__all__ = [
    "ExposureAfter",
    "borrower_group_delete",
    "borrower_group_list",
    "borrower_group_set",
    "exposure_after",
    "exposures_on",
    "financials_enter",
    "financials_for",
    "financials_import_csv",
    "financials_list",
    "limits_on",
    "norms_run",
    "norms_run_list",
]
