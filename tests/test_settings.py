"""Start-up refuses unsafe production settings (each case in a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database

SETUP = "import django; django.setup(); print('started')"
REFUSAL = (
    "OKpay refuses to start in production mode (OKPAY_DEBUG off) with the development "
    "secret key or a key shorter than 32 characters: set OKPAY_SECRET_KEY."
)


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("OKPAY_") and k != "DATABASE_URL"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="okpay.config.settings", OKPAY_VAR_DIR=str(tmp_path), **env
    )
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", SETUP],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_mode_without_a_secret_key_is_refused(tmp_path: Path) -> None:
    result = _start(tmp_path, OKPAY_DEBUG="0")

    assert result.returncode != 0
    assert REFUSAL in result.stderr
    assert "started" not in result.stdout


def test_production_mode_with_a_short_secret_key_is_refused(tmp_path: Path) -> None:
    result = _start(tmp_path, OKPAY_DEBUG="off", OKPAY_SECRET_KEY="k" * 31)

    assert result.returncode != 0
    assert REFUSAL in result.stderr


def test_production_mode_with_a_long_secret_key_starts(tmp_path: Path) -> None:
    result = _start(tmp_path, OKPAY_DEBUG="0", OKPAY_SECRET_KEY="x7" * 25)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_development_mode_starts_with_the_development_key(tmp_path: Path) -> None:
    result = _start(tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_an_unreadable_debug_value_fails_clearly(tmp_path: Path) -> None:
    result = _start(tmp_path, OKPAY_DEBUG="maybe", OKPAY_SECRET_KEY="x7" * 25)

    assert result.returncode != 0
    assert (
        "OKPAY_DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'" in result.stderr
    )
    assert "started" not in result.stdout
