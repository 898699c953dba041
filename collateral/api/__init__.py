"""The collateral API (issue 5, item 8), one module each: items (``items``), guarantees
(``guarantees``), coverage (``coverage``) and the inspection queue (``inspections``); who may
use them and the errors they document in ``common``, their shapes in ``serializers``.
"""
