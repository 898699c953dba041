"""Rows copied in with PostgreSQL's COPY: a model's rows built in Python (``Copy``), the ids
they take, the foreign-key triggers skipped while they are copied, and distinct valid IINs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from bench.common import ONE_DAY


def iins() -> Iterator[str]:
    """Distinct valid IINs: men born from 1960 on, serials in order."""
    from core.identifiers import check_digit

    day = date(1960, 1, 1)
    while True:
        for serial in range(10_000):
            first = f"{day:%y%m%d}3{serial:04d}"
            digit = check_digit(first)
            if digit is not None:
                yield first + str(digit)
        day += ONE_DAY


class Copy:
    """Rows of one model for COPY: the varying columns, then constants and the model's defaults."""

    def __init__(self, model, columns: list[str], constants: dict | None = None):
        now = timezone.now()
        constants = constants or {}
        self.model, self.columns, self.rows = model, list(columns), []
        fixed = []
        for model_field in model._meta.concrete_fields:
            name = model_field.attname
            if name in self.columns or (model_field.primary_key and name not in constants):
                continue
            if name in constants:
                value = constants[name]
            elif getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value = now
            else:
                value = model_field.get_default()
                if value is None and not model_field.null:
                    raise ValueError(f"{model.__name__}.{name} needs a value in the bench seed")
            fixed.append((name, model_field.get_db_prep_save(value, connection)))
        self.fixed_names = [name for name, _value in fixed]
        self.fixed_values = tuple(value for _name, value in fixed)

    def add(self, *values) -> None:
        self.rows.append(values)

    def copy(self) -> int:
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(n) for n in self.columns + self.fixed_names)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in self.rows:
                copy.write_row(row + self.fixed_values)
        count, self.rows = len(self.rows), []
        return count


def next_id(model) -> int:
    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def reset_sequences(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'(SELECT MAX(id) FROM "{table}"))'
            )


@contextmanager
def bulk_load():
    """Skip the per-row foreign-key triggers while copying rows built consistent (superuser)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = origin")
