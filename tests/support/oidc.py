"""Run a real OpenID provider (``oidc_provider.mjs`` on Node) on a free loopback port; its
signing keys can be rotated by a restart on the same port."""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / ".tools/oidc-provider/node_modules/oidc-provider/lib/index.js"
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
_RUNNING: set[OidcProvider] = set()


@atexit.register
def _kill_leftovers() -> None:
    for provider in list(_RUNNING):
        provider.kill()


def signing_key() -> dict[str, Any]:
    """A fresh private RS256 JWK with a key id of its own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key, as_dict=True)
    jwk.pop("key_ops", None)  # the provider verifies its tokens with the same key
    return {**jwk, "kid": uuid.uuid4().hex[:12], "use": "sig", "alg": "RS256"}


class OidcProvider:
    """One provider process; ``keys`` are the private JWKs it signs with (the first one)."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None or not MODULE.exists():
            raise RuntimeError("the OpenID provider is not installed: run `make test`")
        self.node = node
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="signaling-oidc-"))
        self.keys = [signing_key()]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def kid(self) -> str:
        kid: str = self.keys[0]["kid"]
        return kid

    def start(self, timeout: float = 20.0) -> OidcProvider:
        keys = self.dir / "keys.json"
        keys.write_text(json.dumps({"keys": self.keys}))
        log = open(self.dir / "provider.log", "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            [self.node, str(SCRIPT)],
            env={
                "PATH": "/usr/bin:/bin",
                "OIDC_PORT": str(self.port),
                "OIDC_KEYS": str(keys),
                "OIDC_MODULE": str(MODULE),
                "NODE_NO_WARNINGS": "1",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        _RUNNING.add(self)
        deadline = time.monotonic() + timeout
        url = f"{self.issuer}/.well-known/openid-configuration"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the OpenID provider exited:\n{self.log()}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the OpenID provider did not start:\n{self.log()}")

    def rotate(self, keep_old: bool = False) -> None:
        """Restart with a new signing key (the old one still published when ``keep_old``)."""
        self.kill()
        self.keys = [signing_key(), *(self.keys if keep_old else [])]
        self.start()

    def token(self, client: str = "alice") -> str:
        """An access token for ``client`` by the client_credentials grant."""
        response = httpx.post(
            f"{self.issuer}/token",
            data={"grant_type": "client_credentials", "scope": "openid"},
            auth=(client, f"{client}-secret"),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def log(self) -> str:
        try:
            return (self.dir / "provider.log").read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        _RUNNING.discard(self)
