"""Brings an existing database up to the models: columns added to a table
since the database was made are added to it (create_all makes only missing
tables, and indexes are made in server/db.py).

Only additive, nullable columns without a default are allowed: adding one is
cheap on both databases (no table rewrite) and old rows read as "not set".
Running it again changes nothing; on PostgreSQL `ADD COLUMN IF NOT EXISTS`
keeps two replicas starting at once from tripping over each other, and on
SQLite the write transaction (BEGIN IMMEDIATE) already serialises them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, MetaData, inspect


class UnsafeMigration(RuntimeError):
    pass


def column_definition(column: Column[Any], connection: Connection) -> str:
    if not column.nullable or column.server_default is not None or column.primary_key:
        raise UnsafeMigration(
            f"column {column.table.name}.{column.name} cannot be added to an existing table: "
            "only nullable columns without a default can be"
        )
    preparer = connection.dialect.identifier_preparer
    return f"{preparer.quote(column.name)} {column.type.compile(dialect=connection.dialect)}"


def add_missing_columns(connection: Connection, metadata: MetaData) -> list[str]:
    """Adds each model column its table lacks; returns them as "table.column"."""
    inspector = inspect(connection)
    existing_tables = set(inspector.get_table_names())
    added: list[str] = []
    if_not_exists = " IF NOT EXISTS" if connection.dialect.name == "postgresql" else ""
    for table in metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            definition = column_definition(column, connection)
            name = connection.dialect.identifier_preparer.quote(table.name)
            connection.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN{if_not_exists} {definition}")
            added.append(f"{table.name}.{column.name}")
    return added
