"""Test-wide set-up: database selection, trigger handling, shared fixtures."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management.commands import flush

pytest_plugins = ["okpay.ledger.tests.fixtures"]

_original_flush_handle = flush.Command.handle


def _flush_with_guards_lifted(self: flush.Command, *args: Any, **options: Any) -> Any:
    """Emptying a test database deletes ledger rows, which the triggers forbid on SQLite.

    PostgreSQL empties tables with TRUNCATE, which row triggers do not see; SQLite deletes
    row by row, so the guards are lifted for the flush and put back right after.
    """
    from django.db import connections

    from okpay.ledger import db_guards

    connection = connections[options.get("database") or "default"]
    if connection.vendor != "sqlite":
        return _original_flush_handle(self, *args, **options)
    db_guards.uninstall(connection)
    try:
        return _original_flush_handle(self, *args, **options)
    finally:
        db_guards.install(connection)


flush.Command.handle = _flush_with_guards_lifted  # type: ignore[method-assign]


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"okpay database: {'PostgreSQL' if _on_postgres() else 'SQLite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (never skip) what does not belong to this run.

    PostgreSQL-only tests leave the SQLite run; tests that start OKpay in a subprocess on
    a database of their own (``own_database``) run once, in the SQLite run.
    """
    marker = "own_database" if _on_postgres() else "postgres_only"
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(marker) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
