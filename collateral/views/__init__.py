"""Browser pages for collateral, guarantees and inspections (DOMAIN.md §14–§15), one module a
page group: an application's collateral and guarantees (``applications``), an item and its
documents, appraisals, pledge, insurance and release (``items``), monitoring: inspections and
insurance payouts (``monitoring``), the inspection queue (``inspections``) and the documents as
PDF (``documents``).

Credit administrators register and document an application's collateral; monitoring managers
inspect it and record insurance payouts; committee members and risk managers read. One service
call per POST; a refusal re-renders the page with the reason beside its field, nothing written.
Every page that shows a pledgor opens the credit file through the logging selector (§14).
"""
