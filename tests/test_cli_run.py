"""`okpay run` end to end: fresh database, web server and worker up, Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from okpay.web.demo import DEMO_USERS

pytestmark = pytest.mark.own_database

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local http
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def okpay_run(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = _free_port()
    log = tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(OKPAY_VAR_DIR=str(tmp_path / "var"), OKPAY_DEBUG="1", PYTHONUNBUFFERED="1")
    okpay = Path(sys.executable).with_name("okpay")
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - the project's own console script
            [str(okpay), "run", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process, port, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_run_serves_the_site_and_stops_cleanly_on_ctrl_c(
    okpay_run: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, log = okpay_run
    base = f"http://127.0.0.1:{port}"

    # when: it has started
    deadline = time.monotonic() + START_TIMEOUT
    statuses: tuple[int | None, int | None] = (None, None)
    while time.monotonic() < deadline and process.poll() is None:
        statuses = (_status(f"{base}/"), _status(f"{base}/admin/login/"))
        if statuses == (200, 200):
            break
        time.sleep(0.5)

    # then: both pages answer and the banner says where to go and how to sign in
    assert statuses == (200, 200), log.read_text(errors="replace")
    deadline = time.monotonic() + 10
    while "Press Ctrl-C to stop." not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    banner = log.read_text(errors="replace")
    assert f"Web:          {base}/" in banner
    assert f"Back office:  {base}/admin/" in banner
    assert f"API docs:     {base}/api/docs" in banner
    for user in DEMO_USERS:
        assert f"{user.email}" in banner
        assert f"  {user.password}  " in banner
    tree = _descendants(process.pid)
    assert len(tree) >= 2, "the web server and the worker run as child processes"

    # when: Ctrl-C
    os.kill(process.pid, signal.SIGINT)

    # then: everything is gone within the timeout, with status 0
    assert process.wait(timeout=STOP_TIMEOUT) == 0, log.read_text(errors="replace")
    deadline = time.monotonic() + 2
    while any(_alive(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in tree if _alive(pid)] == []
    assert _status(f"{base}/") is None
    assert log.read_text(errors="replace").rstrip().endswith("Stopped.")


def test_run_stops_the_server_and_fails_when_the_worker_dies(
    okpay_run: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, log = okpay_run
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while _status(f"{base}/") != 200 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
    assert _status(f"{base}/") == 200, log.read_text(errors="replace")
    tree = _descendants(process.pid)
    [worker] = [pid for pid in tree if b"\0worker" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    # when: the worker is killed from outside
    os.kill(worker, signal.SIGKILL)

    # then: `run` stops the web server too and reports the failure
    assert process.wait(timeout=STOP_TIMEOUT) == 1
    assert [pid for pid in tree if _alive(pid)] == []
    assert _status(f"{base}/") is None
    assert "The worker stopped unexpectedly (exit status -9)." in log.read_text(errors="replace")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_and_worker_stop_cleanly_on_a_signal(tmp_path: Path, sig: signal.Signals) -> None:
    # given: a migrated database and both long-running commands started on their own
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(OKPAY_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    okpay = str(Path(sys.executable).with_name("okpay"))
    subprocess.run([okpay, "migrate", "-v", "0"], env=env, check=True, timeout=120)  # noqa: S603
    port = _free_port()
    logs = {name: tmp_path / f"{name}.log" for name in ("serve", "worker")}
    commands = {
        "serve": [okpay, "serve", "--port", str(port)],
        "worker": [okpay, "worker", "--interval", "0.2"],
    }
    processes = {}
    for name, command in commands.items():
        with logs[name].open("wb") as out:
            processes[name] = subprocess.Popen(  # noqa: S603
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and not (
            _status(f"http://127.0.0.1:{port}/") == 200
            and "Starting worker" in logs["worker"].read_text()
        ):
            time.sleep(0.3)
        assert _status(f"http://127.0.0.1:{port}/") == 200, logs["serve"].read_text()
        assert "Starting worker" in logs["worker"].read_text()

        # when
        for process in processes.values():
            process.send_signal(sig)

        # then
        for name, process in processes.items():
            assert process.wait(timeout=STOP_TIMEOUT) == 0, logs[name].read_text()
        assert "Traceback" not in logs["serve"].read_text() + logs["worker"].read_text()
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
