"""The real server process on a loopback port, driven over HTTP like a client would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _etalon(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "etalon"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _request(url: str, token: str | None = None, data: dict | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if _request(f"{base}/api/v1/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("server did not come up")


@pytest.fixture(params=["etalon serve + sqlite", "gunicorn + postgresql"])
def server(request, new_database, tmp_path):
    kind = "sqlite" if "sqlite" in request.param else "postgresql"
    url = new_database(kind, "etalon_server")
    env = {**os.environ, "ETALON_DATABASE_URL": url, "ETALON_LOG_LEVEL": "WARNING"}
    _etalon(env, "db", "upgrade")
    _etalon(env, "seed")
    token = _etalon(env, "token", "create", "admin").strip()
    port = _free_port()
    if kind == "sqlite":
        command = [str(BIN / "etalon"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "api:create_app()"]
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, token, kind
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_server_answers_over_http(server):
    base, token, kind = server
    assert _request(f"{base}/api/v1/health") == (200, {"status": "ok", "database": kind})
    status, body = _request(f"{base}/api/v1/units")
    assert status == 401 and body["status"] == 401
    status, units = _request(f"{base}/api/v1/units?level=region", token)
    assert status == 200
    assert {u["code"] for u in units} == {"R48", "R71", "R54"}
    lipetsk = next(u for u in units if u["code"] == "R48")
    status, created = _request(
        f"{base}/api/v1/units",
        token,
        {
            "code": "R48-DNK",
            "name": "ЦЗН Данковского района",
            "level": "office",
            "parent_id": lipetsk["id"],
        },
    )
    assert status == 201 and created["name"] == "ЦЗН Данковского района"
    status, body = _request(f"{base}/api/v1/units", token, {"code": "R48-DNK"})
    assert status == 422 and "name" in body["errors"]["json"]
    status, audit = _request(f"{base}/api/v1/audit?action=unit.create&page_size=1", token)
    assert status == 200 and audit[0]["details"]["code"] == "R48-DNK"
