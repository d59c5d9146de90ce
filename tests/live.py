"""A real Etalon server process on a loopback port, for tests that talk HTTP or drive a
browser."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def etalon(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "etalon"), *args], env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise AssertionError(f"etalon {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def request(url: str, token: str | None = None, data: dict | None = None):
    """(status, parsed JSON body) of a GET, or a POST when `data` is given."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@dataclass(frozen=True)
class LiveServer:
    base: str
    token: str  # the sample administrator's
    env: dict[str, str]


@contextmanager
def live_server(
    database_url: str, workdir: Path, *, gunicorn: bool = False
) -> Iterator[LiveServer]:
    """Migrate and seed `database_url`, start the server and yield once it answers."""
    env = {**os.environ, "ETALON_DATABASE_URL": database_url, "ETALON_LOG_LEVEL": "WARNING"}
    etalon(env, "db", "upgrade")
    etalon(env, "seed")
    token = etalon(env, "token", "create", "admin").strip()
    port = free_port()
    if gunicorn:
        command = [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "api:create_app()"]
    else:
        command = [str(BIN / "etalon"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "")
            try:
                if request(f"{base}/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the server did not come up")
            time.sleep(0.2)
        yield LiveServer(base, token, env)
    finally:
        process.terminate()
        process.wait(timeout=10)
