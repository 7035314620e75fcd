"""Live chat across two web server processes sharing Redis (channels-redis).

Two ``okpay serve`` processes (uvicorn) run on one database, with ``REDIS_URL`` and a
prefix of their own. The customer's socket is on one, the agent's on the other: the
queue, the accept (through the API), typing and messages both ways must cross between
them. Set ``OKPAY_TEST_REDIS_URL`` to use another Redis than redis://127.0.0.1:6379/9.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.own_database

REDIS_URL = os.environ.get("OKPAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
START_TIMEOUT = 60.0

SETUP = """
import json
import django
django.setup()
from django.test import Client
from okpay.identity.models import User
from okpay.support.models import OfficialChannel
OfficialChannel.objects.filter(kind="web_chat").update(
    hours_en="Every day 00:00–24:00", time_zone="Asia/Shanghai", active=True
)
customer = User.objects.create_user(
    "mei@example.com", "Harbour-lantern-58-violet", display_name="Mei Lin",
    preferred_language="en",
)
agent = User.objects.create_user(
    "wu@okpay.example", "Harbour-lantern-58-violet", display_name="Agent Wu", role="agent",
)
cookies = {}
for name, user in (("customer", customer), ("agent", agent)):
    client = Client()
    client.force_login(user)
    cookies[name] = client.cookies["sessionid"].value
print(json.dumps(cookies))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _status(url: str) -> int | None:
    try:
        with _opener().open(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[list[int], dict[str, str]]]:
    import redis

    prefix = f"okpay-test-{secrets.token_hex(6)}"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        OKPAY_VAR_DIR=str(tmp_path / "var"),
        OKPAY_DEBUG="1",
        REDIS_URL=REDIS_URL,
        OKPAY_CHANNELS_PREFIX=prefix,
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="okpay.config.settings",
    )
    okpay = str(Path(sys.executable).with_name("okpay"))
    subprocess.run([okpay, "migrate", "-v", "0"], env=env, check=True, timeout=180)  # noqa: S603
    made = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", SETUP], env=env, check=True, timeout=60, capture_output=True
    )
    cookies = json.loads(made.stdout.decode().strip().splitlines()[-1])
    ports = [_free_port(), _free_port()]
    processes = []
    for index, port in enumerate(ports):
        with (tmp_path / f"serve-{index}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [okpay, "serve", "--port", str(port)],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and not all(
            _status(f"http://127.0.0.1:{port}/") == 200 for port in ports
        ):
            time.sleep(0.3)
        assert all(_status(f"http://127.0.0.1:{port}/") == 200 for port in ports), "\n".join(
            (tmp_path / f"serve-{i}.log").read_text(errors="replace") for i in range(2)
        )
        yield ports, cookies
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        logs = "".join((tmp_path / f"serve-{i}.log").read_text(errors="replace") for i in range(2))
        assert "Traceback" not in logs, logs


def _socket(port: int, path: str, cookie: str) -> ClientConnection:
    return connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={cookie}"},
        proxy=None,
        open_timeout=10,
    )


def _until(
    ws: ClientConnection, match: Callable[[dict[str, Any]], bool], timeout: float = 10.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no matching event; received {seen!r}")
        try:
            event = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            continue
        if match(event):
            return dict(event)
        seen.append(event)


def _api_post(port: int, path: str, cookie: str) -> dict[str, Any]:
    token = secrets.token_hex(16)  # an unmasked CSRF secret: cookie and header agree
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=b"{}",
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Cookie": f"sessionid={cookie}; csrftoken={token}",
            "X-CSRFToken": token,
        },
    )
    with _opener().open(request, timeout=10) as response:
        assert response.status == 200
        return dict(json.loads(response.read()))


def test_customer_and_agent_on_different_servers_chat_live(
    two_servers: tuple[list[int], dict[str, str]],
) -> None:
    (customer_port, agent_port), cookies = two_servers

    with _socket(agent_port, "/ws/support/agent/?lang=en", cookies["agent"]) as agent:
        counts = _until(agent, lambda e: e["type"] == "chat.counts")
        assert counts["agents_online"] == 1
        with _socket(customer_port, "/ws/support/chat/?lang=en", cookies["customer"]) as mei:
            # The customer's server knows (through Redis) that an agent is online.
            hello = _until(mei, lambda e: e["type"] == "chat.hello")
            assert (hello["available"], hello["reason"]) == (True, None)
            mei.send(json.dumps({"action": "start", "topic": "fees", "body": "Why a fee?"}))
            state = _until(mei, lambda e: e["type"] == "chat.state")
            chat_id = state["chat"]["id"]
            assert (state["chat"]["status"], state["chat"]["queue_position"]) == ("queued", 1)

            # The agent's server hears of the new chat; the agent takes it there.
            _until(agent, lambda e: e["type"] == "chat.queued" and e["chat"] == chat_id)
            taken = _api_post(agent_port, f"/api/v1/chats/{chat_id}/accept", cookies["agent"])
            assert taken["status"] == "active"
            accepted = _until(mei, lambda e: e["type"] == "chat.accepted")
            assert accepted["agent_name"] == "Agent Wu"

            # Typing and messages cross both ways.
            agent.send(json.dumps({"action": "watch", "chat": chat_id, "after": 0}))
            _until(agent, lambda e: e["type"] == "chat.state")
            agent.send(json.dumps({"action": "typing", "chat": chat_id}))
            _until(mei, lambda e: e["type"] == "chat.typing" and e["sender"] == "agent")
            agent.send(json.dumps({"action": "send", "chat": chat_id, "body": "The FX fee."}))
            answer = _until(
                mei, lambda e: e["type"] == "chat.message" and e["message"]["sender"] == "agent"
            )
            assert answer["message"]["body"] == "The FX fee."

            mei.send(json.dumps({"action": "read", "message_id": answer["message"]["id"]}))
            read = _until(agent, lambda e: e["type"] == "chat.read" and e["reader"] == "customer")
            assert (read["reader"], read["message_id"]) == ("customer", answer["message"]["id"])
            mei.send(json.dumps({"action": "typing"}))
            _until(agent, lambda e: e["type"] == "chat.typing" and e.get("sender") == "customer")
            mei.send(json.dumps({"action": "send", "body": "Thank you!"}))
            reply = _until(
                agent,
                lambda e: (
                    e["type"] == "chat.message"
                    and "message" in e
                    and e["message"]["sender"] == "customer"
                ),
            )
            assert reply["message"]["body"] == "Thank you!"
