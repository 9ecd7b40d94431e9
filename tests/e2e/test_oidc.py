"""Bearer tokens of a real OpenID provider (``oidc-provider`` on Node, tests/support/oidc.py)
found by discovery: a user and a service token, the issuer and audience checks, key
rotations while the server runs, the rate limit on refetches, the periodic refetch and a
provider that is down when the server starts."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from tests.support.client import Api, Peer
from tests.support.oidc import OidcProvider, signing_key
from tests.support.server import ServerProcess


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    running = OidcProvider().start()
    yield running
    running.kill()


def oidc_server(provider: OidcProvider, **env: str) -> ServerProcess:
    settings = {
        "SIGNALING_JWT_SECRET": "",
        "SIGNALING_OIDC_ISSUER": provider.issuer,
        "SIGNALING_JWT_AUDIENCE": "signaling",
        "SIGNALING_LOG_LEVEL": "info",
    }
    return ServerProcess({**settings, **env})


def me(server: ServerProcess, token: str) -> httpx.Response:
    return httpx.get(
        f"{server.base_url}/v1/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def signed(key: dict[str, Any], **claims: Any) -> str:
    """A token signed with ``key`` (the provider's own, or another)."""
    body = {"sub": "mallory", "aud": "signaling", "exp": int(time.time()) + 300, **claims}
    private = jwt.algorithms.RSAAlgorithm.from_jwk(key)
    return jwt.encode(body, private, algorithm="RS256", headers={"kid": key["kid"]})  # type: ignore[arg-type]


def refusal(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    message: str = response.json()["message"]
    return message


async def test_provider_tokens_and_key_rotations(provider: OidcProvider) -> None:
    server = oidc_server(provider).start()
    try:
        alice = provider.token("alice")
        profile = me(server, alice)
        assert profile.status_code == 200, profile.text
        assert profile.json()["display_name"] == "alice (OIDC)"
        api = Api(server, alice)
        try:
            room = await api.create_room()
            peer = await Peer.connect(server, (await api.start(room["id"]))["ticket"])
            await peer.join("Alice")
            await peer.close()
            gateway = provider.token("gateway")
            call_in = {"id": "0123456789", "pin": "0123456789"}
            response = await api.request("POST", "/v1/services/call_in/start", call_in, gateway)
            assert response.json()["code"] == "invalid_credentials"  # the role was accepted
        finally:
            await api.aclose()

        key = provider.keys[0]
        assert "another issuer" in refusal(me(server, signed(key, iss="http://evil.example")))
        assert "another audience" in refusal(me(server, signed(key, iss=provider.issuer, aud="x")))
        forged = {**signing_key(), "kid": provider.kid}
        assert "signature" in refusal(me(server, signed(forged, iss=provider.issuer)))

        provider.rotate()  # the old key is gone, a token names the new one: refetched at once
        fresh = provider.token("alice")
        assert me(server, fresh).status_code == 200
        assert "signing key is unknown" in refusal(me(server, alice))

        provider.rotate()  # again within SIGNALING_OIDC_REFRESH_MIN: no refetch yet
        assert "signing key is unknown" in refusal(me(server, provider.token("alice")))
        assert "has no signing key of its kid" in server.log()
    finally:
        server.stop()


def test_the_key_set_is_refetched_every_cache_period(provider: OidcProvider) -> None:
    server = oidc_server(
        provider, SIGNALING_OIDC_CACHE="1", SIGNALING_OIDC_REFRESH_MIN="3600"
    ).start()
    try:
        stranger = {**signing_key(), "kid": uuid.uuid4().hex}
        refusal(me(server, signed(stranger, iss=provider.issuer)))  # spends the kid refetch
        provider.rotate(keep_old=True)
        token = provider.token("alice")
        deadline = time.monotonic() + 10
        while me(server, token).status_code != 200:
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
    finally:
        server.stop()


def test_a_provider_down_at_start_up_only_delays_tokens() -> None:
    provider = OidcProvider()  # not started yet: its port is free, nothing answers
    server = oidc_server(provider).start()
    try:
        token = signed(provider.keys[0], iss=provider.issuer)
        assert "keys are not available yet" in refusal(me(server, token))
        assert "are not fetched yet" in server.log()
        assert "cannot fetch the signing keys" in server.log()
        provider.start()
        deadline = time.monotonic() + 15  # the next retry (every 5 s while none was fetched)
        while me(server, token).status_code != 200:
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
    finally:
        server.stop()
        provider.kill()
