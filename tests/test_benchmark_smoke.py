"""The ledger benchmark runs end to end (quick counts, SQLite only) and reports sane numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_ledger_benchmark_quick_json_reports_the_four_sqlite_cases() -> None:
    # given / when: the quick benchmark runs on its own temporary SQLite database
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.ledger", "--quick", "--json", "--no-pg"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then: it succeeds and prints exactly one JSON object with the four SQLite cases
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert list(report) == ["cases"]
    cases = report["cases"]
    assert [(c["db"], c["case"]) for c in cases] == [
        ("sqlite", "a"),
        ("sqlite", "b"),
        ("sqlite", "c"),
        ("sqlite", "d"),
    ]
    for case in cases:
        assert sorted(case) == ["baseline_tps", "case", "db", "okpay_tps", "ratio"]
        assert case["okpay_tps"] > 0
        assert case["baseline_tps"] > 0
        # tps are rounded to 0.1 and the ratio to 0.001
        assert case["ratio"] == pytest.approx(
            case["okpay_tps"] / case["baseline_tps"], rel=1e-3, abs=1e-3
        )
