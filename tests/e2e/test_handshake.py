"""The /signaling handshake: subprotocol, ticket checks and their rejections (reference §3)."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from signaling.wire import SUBPROTOCOL
from tests.support.client import Api, Peer
from tests.support.server import ServerProcess


async def rejection(
    server: ServerProcess, protocols: list[str] | None
) -> tuple[int, dict[str, str]]:
    with pytest.raises(InvalidStatus) as info:
        async with connect(server.ws_url, subprotocols=protocols, open_timeout=5):  # type: ignore[arg-type]
            pass
    response = info.value.response
    return response.status_code, json.loads(response.body or b"{}")


async def test_accepts_a_ticket_and_echoes_only_the_protocol(
    server: ServerProcess, owner: Api
) -> None:
    room = await owner.create_room()
    started = await owner.start(room["id"])
    peer = await Peer.connect(server, started["ticket"])
    assert peer.ws.subprotocol == SUBPROTOCOL
    await peer.echo()
    await peer.close()


async def test_a_ticket_is_single_use(server: ServerProcess, owner: Api) -> None:
    room = await owner.create_room()
    ticket = (await owner.start(room["id"]))["ticket"]
    peer = await Peer.connect(server, ticket)
    status, body = await rejection(server, [SUBPROTOCOL, f"ticket#{ticket}"])
    assert (status, body["code"]) == (401, "invalid_ticket")
    await peer.close()


@pytest.mark.parametrize(
    ("protocols", "status", "code"),
    [
        (None, 400, "missing_protocol"),
        (["chat-v1"], 400, "invalid_protocol"),
        ([SUBPROTOCOL], 401, "missing_ticket"),
        ([SUBPROTOCOL, "ticket#short"], 401, "invalid_ticket"),
        ([SUBPROTOCOL, "ticket#" + "x" * 64], 401, "invalid_ticket"),
    ],
)
async def test_rejections_are_json_before_the_upgrade(
    server: ServerProcess, protocols: list[str] | None, status: int, code: str
) -> None:
    got_status, body = await rejection(server, protocols)
    assert (got_status, body["code"]) == (status, code)
    assert body["message"]


async def test_the_legacy_protocol_name_is_accepted(server: ServerProcess, owner: Api) -> None:
    room = await owner.create_room()
    ticket = (await owner.start(room["id"]))["ticket"]
    async with connect(
        server.ws_url,
        subprotocols=["k3k-signaling-json-v1.0", f"ticket#{ticket}"],  # type: ignore[list-item]
    ) as ws:
        assert ws.subprotocol == "k3k-signaling-json-v1.0"


async def test_an_expired_ticket_is_rejected() -> None:
    server = ServerProcess({"SIGNALING_TICKET_TTL": "0.5"}).start()
    try:
        owner = Api(server, server.token("expiry-owner", "Owner"))
        room = await owner.create_room()
        ticket = (await owner.start(room["id"]))["ticket"]
        await asyncio.sleep(0.8)
        status, body = await rejection(server, [SUBPROTOCOL, f"ticket#{ticket}"])
        assert (status, body["code"]) == (401, "invalid_ticket")
        await owner.aclose()
    finally:
        server.stop()


async def test_a_deleted_room_rejects_its_tickets(server: ServerProcess, owner: Api) -> None:
    room = await owner.create_room()
    ticket = (await owner.start(room["id"]))["ticket"]
    assert (await owner.request("DELETE", f"/v1/rooms/{room['id']}")).status_code == 204
    status, body = await rejection(server, [SUBPROTOCOL, f"ticket#{ticket}"])
    assert (status, body["code"]) == (404, "not_found")
