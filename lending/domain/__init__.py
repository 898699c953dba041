"""The pure lending calculations: dates and day counts, schedules, GESV, limits, debt burden.

Plain Python and ``Decimal``, no ORM: applications, loans and prudential all build on them.
"""
