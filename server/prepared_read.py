"""Statements compiled once and run on the database driver itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import UpdateBase


class PreparedRead:
    """A statement compiled once per dialect and run on the driver itself (a raw
    pysqlite cursor, or asyncpg with its prepared-statement cache), with the
    column types' own conversions: the values SQLAlchemy would return, without
    its per-call statement handling (and, on PostgreSQL, without the BEGIN and
    ROLLBACK it wraps around a read). Also for statements SQLAlchemy cannot
    cache, which it would compile again on every run (a VALUES list)."""

    def __init__(self, statement: Select[Any] | UpdateBase) -> None:
        self.statement = statement
        self._compiled: dict[str, CompiledRead] = {}

    def compiled(self, dialect: Dialect) -> CompiledRead:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = CompiledRead(self.statement, dialect)
        return found

    def run(self, connection: Connection, values: dict[str, Any]) -> list[dict[str, Any]]:
        """Runs it in `connection`'s transaction; its rows (RETURNING's, for a write)."""
        compiled = self.compiled(connection.dialect)
        raw = connection.exec_driver_sql(compiled.sql, tuple(compiled.params(values))).fetchall()
        return [compiled.mapping(row) for row in raw]


class CompiledRead:
    """One dialect's SQL text, with the bind and result conversions of its column types."""

    def __init__(self, statement: Select[Any] | UpdateBase, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._names = list(compiled.positiontup or ())
        self._binds = {name: bind.type._cached_bind_processor(dialect) for name, bind in compiled.binds.items()}
        # Values written into the statement itself (a literal compared with, the 1 of version + 1).
        self._fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        columns = statement.selected_columns if isinstance(statement, Select) else statement.exported_columns
        self.columns = [column.name for column in columns]
        processors = [c.type._cached_result_processor(dialect, None) for c in columns]
        self._results = [(i, process) for i, process in enumerate(processors) if process is not None]

    def params(self, values: dict[str, Any]) -> list[Any]:
        out = []
        for name in self._names:
            value, process = values[name] if name in values else self._fixed[name], self._binds[name]
            out.append(process(value) if process is not None and value is not None else value)
        return out

    def mapping(self, raw: Sequence[Any]) -> dict[str, Any]:
        row = list(raw)
        for i, process in self._results:
            row[i] = process(row[i])
        return dict(zip(self.columns, row, strict=True))
