"""What happens to a loan after disbursement, over the API (DOMAIN.md §7–§9, §11): the payoff
quote, partial prepayments, schedule versions, changes of terms, demands, write-off, closure and
refunds, one module each; ``loan`` assembles the actions under ``loans/{id}/``.

As in ``loans.api.servicing``: reads are the loan's own rows; every change is one service
call, whose ``DomainError`` the exception handler turns into 400/403/409 naming the field; a
refused role is stopped before anything is read or written. Voting on a change of terms stays
with the committee (``applications.committee``).
"""
