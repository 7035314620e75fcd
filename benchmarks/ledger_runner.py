"""Runs the cases against one database, in a process of its own.

Django reads its settings once per process, so the command line starts one runner process
per database with ``DATABASE_URL`` and ``OKPAY_VAR_DIR`` pointing at the benchmark's own
database. The runner migrates it (okpay's real tables, constraints and triggers), creates
the baseline tables, opens and funds the accounts of both sides, and runs the cases.

Single-client cases run in the runner itself. Multi-client cases run in a pool of client
processes (``spawn``: each sets Django up and opens its own connection), or of threads with
``--clients thread``. The pool lives for the whole runner, so start-up is never timed.
"""

from __future__ import annotations

import contextlib
import cProfile
import multiprocessing
import os
import queue
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from benchmarks.ledger_plan import (
    CaseResult,
    CaseShape,
    Pattern,
    Plan,
    Row,
    make_pattern,
    wallet_ids,
)

BARRIER_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    db: str
    env: dict[str, str]
    plan: Plan
    case_keys: tuple[str, ...]
    clients_mode: str
    seed: int
    profile_dir: str | None = None


def note(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


# --- One client's work (shared by the process and the thread pool) -----------------------


@dataclass(frozen=True, slots=True)
class ClientReport:
    started: float
    finished: float
    # CPU time of the client's thread while it posted: Python, driver and, on SQLite, the
    # database engine itself. Less sensitive to other load on the machine than wall time.
    cpu: float
    counts: Counter[str]


def client_run(
    side: str,
    calls: Sequence[Sequence[Row]],
    *,
    barrier: Any,
    profile_path: str | None = None,
) -> ClientReport:
    """Prepare the inputs, wait for every client, then post and time the calls."""
    from benchmarks import ledger_sides as sides

    try:
        prepared = sides.prepare(side, calls)
        if barrier is not None:
            barrier.wait(BARRIER_TIMEOUT)
    except BaseException:
        if barrier is not None:
            barrier.abort()
        raise
    profiler = cProfile.Profile() if profile_path else None
    if profiler is not None:
        profiler.enable()
    cpu_started = time.thread_time()
    started = time.perf_counter()
    posted = sides.post_all(side, prepared)
    finished = time.perf_counter()
    cpu = time.thread_time() - cpu_started
    if profiler is not None and profile_path:
        profiler.disable()
        profiler.dump_stats(profile_path)
    return ClientReport(started, finished, cpu, sides.outcome(side, posted))


class Clients(Protocol):
    def run(
        self, side: str, shares: Sequence[Sequence[Sequence[Row]]], profile_path: str | None
    ) -> list[ClientReport]: ...

    def close(self) -> None: ...


def _client_process_main(conn: Connection, barrier: Any, env: dict[str, str]) -> None:
    _setup_django(env)
    from django.db import connections

    conn.send(("ready",))
    try:
        while True:
            message = conn.recv()
            if message[0] == "stop":
                return
            _, side, calls, profile_path = message
            conn.send(("done", client_run(side, calls, barrier=barrier, profile_path=profile_path)))
    finally:
        connections.close_all()


class ProcessClients:
    """N client processes, each with its own Django set-up and database connection."""

    def __init__(self, count: int, env: dict[str, str]) -> None:
        context = multiprocessing.get_context("spawn")
        self._barrier = context.Barrier(count)
        self._conns: list[Connection] = []
        self._processes: list[Any] = []
        for index in range(count):
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=_client_process_main,
                args=(child_end, self._barrier, env),
                name=f"bench-client-{index}",
            )
            process.start()
            child_end.close()
            self._conns.append(parent_end)
            self._processes.append(process)
        for index in range(count):
            self._receive(index)

    def _receive(self, index: int) -> Any:
        from benchmarks.ledger_sides import BenchmarkFailure

        try:
            return self._conns[index].recv()
        except EOFError:
            raise BenchmarkFailure(
                f"client process {index} died (its traceback is printed above)"
            ) from None

    def run(
        self, side: str, shares: Sequence[Sequence[Sequence[Row]]], profile_path: str | None
    ) -> list[ClientReport]:
        for index, (conn, calls) in enumerate(zip(self._conns, shares, strict=True)):
            conn.send(("run", side, calls, profile_path if index == 0 else None))
        return [self._receive(index)[1] for index in range(len(self._conns))]

    def close(self) -> None:
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        for process in self._processes:
            process.join(30)


class ThreadClients:
    """N threads in the runner process; Django gives each thread its own connection."""

    def __init__(self, count: int) -> None:
        self._barrier = threading.Barrier(count)
        self._jobs: list[queue.Queue[Any]] = [queue.Queue() for _ in range(count)]
        self._results: queue.Queue[tuple[int, Any]] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._main, args=(index,), name=f"bench-client-{index}")
            for index in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def _main(self, index: int) -> None:
        from django.db import connections

        try:
            while True:
                job = self._jobs[index].get()
                if job is None:
                    return
                side, calls, profile_path = job
                try:
                    report = client_run(
                        side, calls, barrier=self._barrier, profile_path=profile_path
                    )
                except BaseException as exc:
                    self._results.put((index, exc))
                    raise
                self._results.put((index, report))
        finally:
            connections.close_all()

    def run(
        self, side: str, shares: Sequence[Sequence[Sequence[Row]]], profile_path: str | None
    ) -> list[ClientReport]:
        for index, (jobs, calls) in enumerate(zip(self._jobs, shares, strict=True)):
            jobs.put((side, calls, profile_path if index == 0 else None))
        reports: dict[int, ClientReport] = {}
        for _ in self._jobs:
            index, item = self._results.get()
            if isinstance(item, BaseException):
                raise item
            reports[index] = item
        return [reports[index] for index in sorted(reports)]

    def close(self) -> None:
        for jobs in self._jobs:
            jobs.put(None)
        for thread in self._threads:
            thread.join(30)


# --- Cases -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measurement:
    tps: float
    cpu_per_transfer: float  # seconds, summed over the clients


@dataclass
class Runner:
    config: RunnerConfig
    wallets: list[str]
    clients: Clients | None = None
    pool_size: int = 0
    posted: Counter[str] = field(default_factory=Counter)
    run_number: int = 0

    def _tag(self, shape: CaseShape, label: str) -> str:
        self.run_number += 1
        return f"{shape.key}{self.run_number}{label}"

    def _run(
        self, side: str, shape: CaseShape, pattern: Pattern, label: str, *, profile: bool = False
    ) -> Measurement:
        """Post the pattern on one side and time it."""
        from benchmarks import ledger_sides as sides

        shares = pattern.rows(self._tag(shape, label))
        expected = sum(len(call) for calls in shares for call in calls)
        profile_path = None
        if profile and self.config.profile_dir:
            profile_path = str(
                Path(self.config.profile_dir) / f"{self.config.db}-{shape.key}-{side}.prof"
            )
        if shape.clients == 1:
            reports = [client_run(side, shares[0], barrier=None, profile_path=profile_path)]
        else:
            if self.clients is None or shape.clients != self.pool_size:
                raise RuntimeError(f"case {shape.key} needs a pool of {shape.clients} clients")
            reports = self.clients.run(side, shares, profile_path)
        counts: Counter[str] = Counter()
        for report in reports:
            counts.update(report.counts)
        sides.require_created(side, counts, expected, what=f"case {shape.key} ({label})")
        self.posted[side] += expected
        elapsed = max(r.finished for r in reports) - min(r.started for r in reports)
        if profile_path:
            note(f"{self.config.db} {shape.key}: {side} profile written to {profile_path}")
        return Measurement(
            tps=expected / elapsed, cpu_per_transfer=sum(r.cpu for r in reports) / expected
        )

    def run_case(self, shape: CaseShape) -> CaseResult:
        rng = random.Random(f"{self.config.seed}-{shape.key}")
        warmup = make_pattern(
            shape, wallets=self.wallets, calls_per_client=shape.warmup_calls_per_client, rng=rng
        )
        measured = make_pattern(
            shape, wallets=self.wallets, calls_per_client=shape.calls_per_client, rng=rng
        )
        for side in ("baseline", "okpay"):
            self._run(side, shape, warmup, "w")
        # Baseline and okpay alternate (B O B ... O B) on the same pattern; each side counts
        # its best run. The baseline runs once more than okpay, so noise from the rest of
        # the machine can only make okpay look worse, never better.
        runs: dict[str, list[Measurement]] = {"baseline": [], "okpay": []}
        for side in ["baseline", "okpay"] * self.config.plan.rounds + ["baseline"]:
            runs[side].append(self._run(side, shape, measured, side[0]))
        result = CaseResult(
            db=self.config.db,
            case=shape.key,
            title=shape.title,
            okpay_tps=max(m.tps for m in runs["okpay"]),
            baseline_tps=max(m.tps for m in runs["baseline"]),
        )
        okpay_cpu = min(m.cpu_per_transfer for m in runs["okpay"]) * 1e6
        baseline_cpu = min(m.cpu_per_transfer for m in runs["baseline"]) * 1e6
        note(
            f"{self.config.db} {shape.key} ({shape.title}) tx/s:"
            f" okpay {_runs(runs['okpay'])}, baseline {_runs(runs['baseline'])};"
            f" ratio of the best {result.ratio:.2f}; client CPU per transfer:"
            f" okpay {okpay_cpu:,.0f} µs, baseline {baseline_cpu:,.0f} µs"
        )
        if self.config.profile_dir:
            self._run("okpay", shape, measured, "p", profile=True)
            self._run("baseline", shape, measured, "p", profile=True)
        return result


def _runs(values: Sequence[Measurement]) -> str:
    return " / ".join(f"{m.tps:,.0f}" for m in values)


def _check_database(db: str) -> None:
    from django.db import connection

    if connection.vendor != db:
        raise RuntimeError(f"expected a {db} database, Django is connected to {connection.vendor}")
    if db == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            (mode,) = cursor.fetchone()
        if str(mode).lower() != "wal":
            raise RuntimeError(f"the benchmark SQLite database is not in WAL mode ({mode})")


def _verify(runner: Runner) -> None:
    from benchmarks import ledger_sides as sides

    problems = []
    for side in sides.SIDES:
        problems += [
            f"{side}: {p}" for p in sides.check_books(side, expected_transfers=runner.posted[side])
        ]
    problems += [
        f"okpay: {p}" for p in sides.okpay_ledger_verify(expected_transfers=runner.posted["okpay"])
    ]
    if problems:
        raise sides.BenchmarkFailure("; ".join(problems))
    note(
        f"{runner.config.db}: verified {runner.posted['okpay']:,} okpay and"
        f" {runner.posted['baseline']:,} baseline transfers (books and ledger_verify() ok)"
    )


def run_database(config: RunnerConfig, conn: Connection) -> None:
    """Entry point of the runner process: send back ("ok", results) or ("failed", why)."""
    _setup_django(config.env)
    from django.core.management import call_command
    from django.db import connection, connections

    from benchmarks import ledger_sides as sides

    clients: Clients | None = None
    try:
        call_command("migrate", verbosity=0, interactive=False)
        _check_database(config.db)
        with connection.cursor() as cursor:
            for statement in sides.baseline_schema():
                cursor.execute(statement)
        wallets = wallet_ids(config.plan.accounts)
        runner = Runner(config=config, wallets=wallets)
        for side in sides.SIDES:
            sides.create_accounts(side, wallets)
            runner.posted[side] += len(sides.funding_rows(wallets))
        shapes = [config.plan.case(key) for key in config.case_keys]
        most = max(shape.clients for shape in shapes)
        if most > 1:
            kind = "processes" if config.clients_mode == "process" else "threads"
            note(f"{config.db}: starting {most} client {kind}")
            if config.clients_mode == "process":
                connections.close_all()
                clients = ProcessClients(most, config.env)
            else:
                clients = ThreadClients(most)
            runner.clients = clients
            runner.pool_size = most
        results = [runner.run_case(shape) for shape in shapes]
        _verify(runner)
    except sides.BenchmarkFailure as exc:
        conn.send(("failed", str(exc)))
        return
    finally:
        if clients is not None:
            clients.close()
        connections.close_all()
    conn.send(("ok", results))
