"""Ledger throughput: okpay's ``transfers_create`` side by side with a raw-SQL baseline.

    python -m benchmarks.ledger [--quick] [--json] [--cases a,b,c,d] [--db sqlite,postgresql]
                                [--pg-url URL | --no-pg] [--clients process|thread]

Cases, on SQLite and on PostgreSQL: (a) 1 transfer per call, 1 client; (b) 1 per call,
8 clients; (c) batches of 1,000, 1 client; (d) 8 clients all crediting one hot account.
The table (or, with ``--json``, one JSON object on stdout) gives transfers per second for
okpay and the baseline and their ratio; the goal is a ratio of at least 0.8 everywhere.

The benchmark never touches the development database: SQLite runs on a fresh file in a
temporary directory, PostgreSQL in a database ``okpay_bench`` that the benchmark creates
and drops on the server named by ``--pg-url``. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import secrets
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from benchmarks.ledger_plan import CASE_KEYS, DB_KEYS, FULL, QUICK, CaseResult, Plan
from benchmarks.ledger_runner import RunnerConfig, note, run_database

BENCH_DATABASE = "okpay_bench"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/okpay"
GOAL_RATIO = 0.8
RUNNER_TIMEOUT = 900.0


class BenchmarkError(Exception):
    """The benchmark could not produce trustworthy numbers."""


def _keys(raw: str, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    keys = tuple(dict.fromkeys(k.strip().lower() for k in raw.split(",") if k.strip()))
    unknown = [k for k in keys if k not in allowed]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(
            f"{what} must be a comma-separated subset of {','.join(allowed)}; got {raw!r}"
        )
    return keys


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ledger",
        description="okpay ledger throughput against a minimal raw-SQL baseline.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--quick", action="store_true", help="small counts (smoke test)")
    parser.add_argument(
        "--cases",
        type=lambda raw: _keys(raw, CASE_KEYS, "--cases"),
        default=CASE_KEYS,
        help="cases to run (default: a,b,c,d)",
    )
    parser.add_argument(
        "--db",
        type=lambda raw: _keys(raw, DB_KEYS, "--db"),
        default=DB_KEYS,
        help="databases (default: sqlite,postgresql)",
    )
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help=f"PostgreSQL server to use; the benchmark works in its own database"
        f" {BENCH_DATABASE!r} there (default: {DEFAULT_PG_URL})",
    )
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--clients",
        choices=("process", "thread"),
        default="process",
        help="run the clients of multi-client cases as processes (default) or threads",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the account pattern")
    parser.add_argument(
        "--profile-dir",
        help="after each case, post it once more under cProfile and write"
        " <db>-<case>-<side>.prof files here (not timed)",
    )
    return parser.parse_args(argv)


# --- Databases ---------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg_admin(pg_url: str) -> psycopg.Connection | None:
    """An autocommit connection to the server's maintenance database, or None if unreachable."""
    try:
        return psycopg.connect(
            _with_database(pg_url, "postgres"), autocommit=True, connect_timeout=5
        )
    except psycopg.Error as exc:
        note(f"PostgreSQL is not reachable at {pg_url} ({exc}); continuing without it")
        return None


def _pg_recreate(admin: psycopg.Connection, *, create: bool) -> None:
    name = sql.Identifier(BENCH_DATABASE)
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    if create:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "okpay.config.settings",
        "DATABASE_URL": database_url,
        "OKPAY_VAR_DIR": str(var_dir),
        # Measured as deployed: DEBUG off (no per-query logging), so a throwaway key.
        "OKPAY_DEBUG": "0",
        "OKPAY_SECRET_KEY": secrets.token_urlsafe(48),
        "OKPAY_LOG_LEVEL": "WARNING",
        "OKPAY_DB_CONN_MAX_AGE": "0",
    }


def run_runner(config: RunnerConfig) -> list[CaseResult]:
    context = multiprocessing.get_context("spawn")
    parent_end, child_end = context.Pipe(duplex=False)
    process = context.Process(
        target=run_database, args=(config, child_end), name=f"bench-{config.db}"
    )
    process.start()
    child_end.close()
    try:
        if not parent_end.poll(RUNNER_TIMEOUT):
            raise BenchmarkError(f"{config.db}: no result after {RUNNER_TIMEOUT:.0f} s")
        status, payload = parent_end.recv()
    except EOFError:
        process.join()
        raise BenchmarkError(
            f"{config.db}: the runner stopped with exit code {process.exitcode}"
            " (its traceback is printed above)"
        ) from None
    finally:
        process.join(60)
        if process.is_alive():
            process.kill()
            process.join()
    if status != "ok":
        raise BenchmarkError(f"{config.db}: {payload}")
    return list(payload)


def run(args: argparse.Namespace) -> list[CaseResult]:
    plan: Plan = QUICK if args.quick else FULL
    dbs = [db for db in args.db if not (db == "postgresql" and args.no_pg)]
    results: list[CaseResult] = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="okpay-bench-")))
        if args.profile_dir:
            Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
        for db in dbs:
            var_dir = tmp / db
            var_dir.mkdir()
            if db == "sqlite":
                url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
            else:
                admin = _pg_admin(args.pg_url)
                if admin is None:
                    continue
                stack.callback(admin.close)
                _pg_recreate(admin, create=True)
                stack.callback(_pg_recreate, admin, create=False)
                url = _with_database(args.pg_url, BENCH_DATABASE)
            note(f"{db}: running cases {','.join(args.cases)}" + (" (quick)" if args.quick else ""))
            config = RunnerConfig(
                db=db,
                env=_env(url, var_dir),
                plan=plan,
                case_keys=tuple(args.cases),
                clients_mode=args.clients,
                seed=args.seed,
                profile_dir=str(Path(args.profile_dir).resolve()) if args.profile_dir else None,
            )
            results += run_runner(config)
    return results


# --- Output ------------------------------------------------------------------------------


def table(results: Sequence[CaseResult]) -> str:
    header = ("db", "case", "okpay tx/s", "baseline tx/s", "ratio")
    rows = [
        (
            r.db,
            f"{r.case}  {r.title}",
            f"{r.okpay_tps:,.0f}",
            f"{r.baseline_tps:,.0f}",
            f"{r.ratio:.2f}" + ("" if r.ratio >= GOAL_RATIO else "  < goal"),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    align = ("<", "<", ">", ">", "<")
    lines = [
        "  ".join(f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"ratio = okpay / baseline; goal >= {GOAL_RATIO}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = run(args)
    except BenchmarkError as exc:
        print(f"ledger benchmark failed: {exc}", file=sys.stderr)
        return 1
    if not results:
        print("ledger benchmark: no database to run on", file=sys.stderr)
        return 1
    if args.json:
        print(table(results), file=sys.stderr)
        print(json.dumps({"cases": [r.as_json() for r in results]}))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
