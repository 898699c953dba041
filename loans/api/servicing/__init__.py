"""The loans API (DOMAIN.md §8–§9): contracts, disbursement, repayments, state and collection,
one module each; ``loan`` assembles the loan's viewset, ``day_closes`` lists the closed dates.

Reads go through the selectors (opening a loan opens its credit file, audited); every change is
one service call, whose ``DomainError`` the exception handler turns into 400/403/409 naming the
field. A refused role is stopped before anything is read or written.
"""
