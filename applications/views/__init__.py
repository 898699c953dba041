"""Browser pages of applications, one module a page group: applicants, an application's page
and its actions, documents, the assessment, the queue, and the credit committee's pages
(``applications.views.committee``). Every page showing a borrower's file opens it through a
selector that writes the audit row (DOMAIN.md §14)."""
