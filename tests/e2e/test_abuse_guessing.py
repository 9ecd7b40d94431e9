"""Guessing is expensive everywhere and on every node (issue 10, findings 6–8): room
passwords, SIP PINs and invite codes are throttled per client address (the socket peer unless
it is a trusted proxy), shared by all nodes and workers through Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.client import Api
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess

LIMITS = {"SIGNALING_PASSWORD_ATTEMPTS": "5", "SIGNALING_GUESS_ATTEMPTS": "8"}


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def embedded() -> Iterator[ServerProcess]:
    process = ServerProcess(LIMITS).start()
    yield process
    process.stop()


async def _guarded_room(server: ServerProcess) -> tuple[str, str, dict[str, str]]:
    """A room with a password, one of its invite codes, and its SIP config."""
    api = Api(server, server.token(f"owner-{uuid.uuid4().hex[:8]}", "Owner"))
    room = await api.create_room(password="right")
    code = (await api.request("POST", f"/v1/rooms/{room['id']}/invites", {})).json()
    sip = (await api.request("PUT", f"/v1/rooms/{room['id']}/sip", {"lobby": False})).json()
    await api.aclose()
    return room["id"], code["invite_code"], sip


async def _statuses(
    servers: list[ServerProcess], path: str, bodies: list[dict[str, str]], **kw: object
) -> list[int]:
    """POST each body to the servers in turn, each on a new connection."""
    statuses = []
    for i, body in enumerate(bodies):
        server = servers[i % len(servers)]
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as http:
            statuses.append((await http.post(path, json=body, **kw)).status_code)  # type: ignore[arg-type]
    return statuses


async def test_x_forwarded_for_does_not_bypass_the_password_throttle(
    embedded: ServerProcess,
) -> None:
    room_id, code, _ = await _guarded_room(embedded)
    path = f"/v1/rooms/{room_id}/start_invited"
    statuses = []
    async with httpx.AsyncClient(base_url=embedded.base_url, timeout=5) as http:
        for i in range(8):
            response = await http.post(
                path,
                json={"invite_code": code, "password": "wrong"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            )
            statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429] * 3


async def test_a_trusted_proxy_passes_its_clients_addresses() -> None:
    process = ServerProcess({**LIMITS, "SIGNALING_TRUSTED_PROXIES": "127.0.0.1"}).start()
    try:
        room_id, code, _ = await _guarded_room(process)
        path = f"/v1/rooms/{room_id}/start_invited"
        body = {"invite_code": code, "password": "wrong"}
        first = await _statuses(
            [process], path, [body] * 6, headers={"X-Forwarded-For": "203.0.113.1"}
        )
        other = await _statuses([process], path, [body], headers={"X-Forwarded-For": "203.0.113.2"})
        assert (first, other) == ([401] * 5 + [429], [401])
    finally:
        process.stop()


async def test_the_password_throttle_is_shared_by_two_nodes(redis: RedisServer) -> None:
    env = {**LIMITS, "SIGNALING_REDIS_URL": redis.url}
    nodes = [ServerProcess(env).start(), ServerProcess(env).start()]
    try:
        room_id, code, _ = await _guarded_room(nodes[0])
        body = {"invite_code": code, "password": "wrong"}
        statuses = await _statuses(nodes, f"/v1/rooms/{room_id}/start_invited", [body] * 10)
        assert statuses == [401] * 5 + [429] * 5
        right = {"invite_code": code, "password": "right"}
        assert await _statuses(nodes, f"/v1/rooms/{room_id}/start_invited", [right]) == [429]
    finally:
        for node in nodes:
            node.stop()


async def test_the_password_throttle_is_shared_by_two_workers(redis: RedisServer) -> None:
    process = ServerProcess(
        {**LIMITS, "SIGNALING_REDIS_URL": redis.url, "SIGNALING_WORKERS": "2"}
    ).start()
    try:
        room_id, code, _ = await _guarded_room(process)
        body = {"invite_code": code, "password": "wrong"}
        statuses = await _statuses([process], f"/v1/rooms/{room_id}/start_invited", [body] * 10)
        assert statuses == [401] * 5 + [429] * 5
    finally:
        process.stop()


async def test_sip_pins_are_throttled_per_call_in_id_and_per_client(
    embedded: ServerProcess,
) -> None:
    _, _, first = await _guarded_room(embedded)
    _, _, second = await _guarded_room(embedded)
    gateway = {"Authorization": f"Bearer {embedded.token('gateway', service='call-in')}"}
    path = "/v1/services/call_in/start"

    def wrong(config: dict[str, str]) -> dict[str, str]:
        pin = "0000000000" if config["password"] != "0000000000" else "1111111111"
        return {"id": config["sip_id"], "pin": pin}

    by_id = await _statuses([embedded], path, [wrong(first)] * 6, headers=gateway)
    assert by_id == [400] * 5 + [429]
    right = {"id": first["sip_id"], "pin": first["password"]}
    assert await _statuses([embedded], path, [right], headers=gateway) == [429]
    by_client = await _statuses([embedded], path, [wrong(second)] * 4, headers=gateway)
    assert by_client == [400] * 3 + [429]  # 8 failures from this client in all


async def test_invite_codes_are_throttled_per_client() -> None:
    process = ServerProcess(LIMITS).start()
    try:
        _, code, _ = await _guarded_room(process)
        guesses = [{"invite_code": str(uuid.uuid4())} for _ in range(9)]
        statuses = await _statuses([process], "/v1/invite/verify", guesses)
        assert statuses == [404] * 8 + [429]
        assert await _statuses([process], "/v1/invite/verify", [{"invite_code": code}]) == [429]
    finally:
        process.stop()
