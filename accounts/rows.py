"""Model instances from a row read in plain SQL, its values converted as the ORM would.

A cursor hands back what the driver made of each column: on SQLite a naive
datetime for an aware one and 0/1 for a boolean. ``QuerySet`` runs the
backend's and the field's converters on every value; so does this.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model


def instance_from_row(
    model: type[Model], values: Sequence[Any], fields: tuple[str, ...] | None = None
) -> Any:
    """An instance of ``model`` from the values of its concrete fields, in their order;
    or of only the ``fields`` named (attnames, in the model's order; the rest deferred)."""
    names, columns = _columns(model, fields)
    converted = []
    for (column, converters), value in zip(columns, values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


@cache
def _columns(
    model: type[Model], only: tuple[str, ...] | None
) -> tuple[list[str], list[tuple[Any, list[Any]]]]:
    fields = [f for f in model._meta.concrete_fields if only is None or f.attname in only]
    names = [field.attname for field in fields]
    columns = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        # The backend's first, then the field's: SQLCompiler.get_converters' order.
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        columns.append((column, converters))
    return names, columns
