"""The declarative base every model registers on (its metadata is what Alembic compares), and `table_of`."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, Table
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base", "table_of"]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for statements on the hot path that skip the ORM's unit of work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
