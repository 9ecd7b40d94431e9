"""The log of a real server at debug level in JSON: one object a line, the fields operators
filter on, and not one of the secrets a full run of traffic used (tickets, resumption tokens,
room passwords, SIP PINs, bearer tokens), on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator

import jwt
import pytest

from tests.support.client import Api, Peer
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess

FIELDS = {"ts", "level", "logger", "msg"}


@pytest.fixture(params=["embedded", "redis"])
def debug_server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    redis = RedisServer().start() if request.param == "redis" else None
    env = {"SIGNALING_LOG_LEVEL": "debug", "SIGNALING_LOG_FORMAT": "json"}
    if redis is not None:
        env["SIGNALING_REDIS_URL"] = redis.url
    server = ServerProcess(env).start()
    yield server
    server.kill()
    if redis is not None:
        redis.kill()


async def traffic(server: ServerProcess) -> list[str]:
    """Every way in, once right and once wrong; returns the secrets it used."""
    owner_token = server.token("log-owner", "Olga Owner")
    owner = Api(server, owner_token)
    secrets = [owner_token]
    try:
        room = await owner.create_room(password="pa55-w0rd-secret")
        secrets.append("pa55-w0rd-secret")
        started = await owner.start(room["id"])
        secrets += [started["ticket"], started["resumption"]]
        peer = await Peer.connect(server, started["ticket"])
        await peer.join("Olga")
        await peer.send("chat", {"action": "send_message", "scope": "global", "content": "hi"})
        await peer.expect("chat", "message_sent")
        await peer.close()
        again = await owner.start(room["id"], resumption=started["resumption"])
        secrets += [again["ticket"], again["resumption"]]
        resumed = await Peer.connect(server, again["ticket"])
        await resumed.join("Olga")

        invite = await owner.request("POST", f"/v1/rooms/{room['id']}/invites", {})
        code = invite.json()["invite_code"]
        path = f"/v1/rooms/{room['id']}/start_invited"
        wrong = await owner.http.post(path, json={"invite_code": code, "password": "guess-1234"})
        assert wrong.status_code == 401
        secrets.append("guess-1234")
        guest = await owner.http.post(
            path, json={"invite_code": code, "password": "pa55-w0rd-secret"}
        )
        secrets.append(guest.json()["ticket"])
        guest_peer = await Peer.connect(server, guest.json()["ticket"])
        await guest_peer.join("Gwen")

        sip = await owner.request("PUT", f"/v1/rooms/{room['id']}/sip", {"lobby": False})
        pin = sip.json()["password"]
        gateway = server.token("log-gateway", service="call-in")
        secrets += [pin, gateway]
        call_in = {"id": sip.json()["sip_id"], "pin": pin}
        response = await owner.request("POST", "/v1/services/call_in/start", call_in, token=gateway)
        secrets.append(response.json()["ticket"])
        phone = await Peer.connect(server, response.json()["ticket"])
        await phone.join("+49 30 1234567")

        forged = jwt.encode({"sub": "x", "exp": 2**31}, "another-secret-of-32-bytes-length")
        refused = await owner.http.get(
            "/v1/users/me", headers={"Authorization": f"Bearer {forged}"}
        )
        assert refused.status_code == 401
        secrets.append(forged)
        for done in (resumed, guest_peer, phone):
            await done.close()
    finally:
        await owner.aclose()
    return secrets


async def test_a_debug_log_has_fields_and_no_secret(debug_server: ServerProcess) -> None:
    secrets = await traffic(debug_server)
    debug_server.stop()
    text = debug_server.log_path.read_text()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is one object
    for line in lines:
        assert set(line) >= FIELDS, line
    for secret in secrets:
        assert secret not in text, f"a secret is in the log: {secret[:6]}…"
    assert {line["level"] for line in lines} >= {"debug", "info"}
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any("POST /v1/rooms" in line["msg"] for line in access)
    sessions = [line for line in lines if line["logger"] == "signaling.session"]
    assert sessions and all("room" in line and "participant" in line for line in sessions)
    assert all(len(line.get("node", "")) == 32 for line in sessions)
