"""Reads compiled once and run on the database driver itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Select


class PreparedRead:
    """A SELECT compiled once per dialect and run on the driver itself (a raw
    pysqlite cursor, or asyncpg with its prepared-statement cache), with the
    column types' own conversions: the values SQLAlchemy would return, without
    its per-call statement handling (and, on PostgreSQL, without the BEGIN and
    ROLLBACK it wraps around a read)."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, CompiledRead] = {}

    def compiled(self, dialect: Dialect) -> CompiledRead:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = CompiledRead(self.statement, dialect)
        return found


class CompiledRead:
    """One dialect's SQL text, with the bind and result conversions of its column types."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._names = list(compiled.positiontup or ())
        self._binds = {name: bind.type._cached_bind_processor(dialect) for name, bind in compiled.binds.items()}
        self.columns = [column.name for column in statement.selected_columns]
        processors = [c.type._cached_result_processor(dialect, None) for c in statement.selected_columns]
        self._results = [(i, process) for i, process in enumerate(processors) if process is not None]

    def params(self, values: dict[str, Any]) -> list[Any]:
        out = []
        for name in self._names:
            value, process = values[name], self._binds[name]
            out.append(process(value) if process is not None and value is not None else value)
        return out

    def mapping(self, raw: Sequence[Any]) -> dict[str, Any]:
        row = list(raw)
        for i, process in self._results:
            row[i] = process(row[i])
        return dict(zip(self.columns, row, strict=True))
