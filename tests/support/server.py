"""Run real server processes (``python -m signaling serve``) on free loopback ports."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from signaling.auth import issue_dev_token

TEST_SECRET = "test-secret-for-the-signaling-suite-0123456789abcdef"
_RUNNING: set[ServerProcess] = set()
#: The REST rate limits of every test server whose ``env`` sets none: far above what a test
#: sends (all of a test's requests come from 127.0.0.1, often with one bearer token).
UNLIMITED_REST = {f"SIGNALING_REST_RATE_{group}": "10000" for group in ("READ", "WRITE", "START")}


@atexit.register
def _kill_leftovers() -> None:
    """A failing test must not leave server processes behind."""
    for process in list(_RUNNING):
        process.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """One server process; ``env`` adds or overrides ``SIGNALING_*`` settings; ``preexec``
    runs in the child before it starts (e.g. to lower its resource limits)."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        data_dir: str | None = None,
        preexec: Callable[[], None] | None = None,
    ):
        self.preexec = preexec
        self.port = free_port()
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="signaling-test-")
        self.env = {
            **os.environ,
            "SIGNALING_HOST": "127.0.0.1",
            "SIGNALING_PORT": str(self.port),
            "SIGNALING_DATA_DIR": self.data_dir,
            "SIGNALING_JWT_SECRET": TEST_SECRET,
            "SIGNALING_LOG_LEVEL": "warning",
            **UNLIMITED_REST,
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = Path(self.data_dir) / f"server-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/signaling"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "signaling", "serve"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=self.preexec,
        )
        log.close()
        _RUNNING.add(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not become healthy:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait; returns the exit code. The default outlasts the server's own
        bound (drain 10 s + shutdown 5 s + 5 s, then it ends itself): a client left open
        keeps a draining server that long."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        finally:
            _RUNNING.discard(self)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        _RUNNING.discard(self)

    def token(self, sub: str, name: str | None = None, **kwargs: object) -> str:
        return issue_dev_token(TEST_SECRET, sub=sub, name=name, **kwargs)  # type: ignore[arg-type]
