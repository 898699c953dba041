"""The loans API: ``servicing/`` (contracts, disbursement, repayments, state, collection, the
day closes), ``changes/`` (payoff, prepayments, schedule versions, changes of terms, demands,
write-off, closure, refunds), payout account changes (``payout_views``) and the calculator
(``views``); what their views share in ``common``."""
