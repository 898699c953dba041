"""The ledger engine: the only writer of the rows that carry a loan's money (ledger entries,
snapshots and the closed days, instalments and schedule versions) and the day's arithmetic.

It calls no use-case (``loans.services``) and records no audit: the use-cases lock the loan
(``loans.guards``), call the engine, and audit. Modules, one concept each:

- ``days``       one loan's day, as the close computes it (shared with ``simulate``)
- ``close``      the close of a date, set-based; a loan's days brought up to or re-run from a date
- ``simulate``   reads that simulate the close in memory (a quote, a preview), never blocking
- ``posting``    the ledger entries a person's action posts
- ``repayment``  money in: a repayment, a partial prepayment, a reversal, and the close after it
- ``payoff``     what closes a loan on a date, the payoff as the last line, settling a loan
- ``schedules``  schedule versions stored as instalment rows
"""
