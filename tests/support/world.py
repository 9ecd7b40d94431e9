"""``World``: fresh users, guests and SIP callers on one or more server nodes, and the steps of
the waiting room (hold, admit, enter) that many e2e tests share; closes whatever a test opened."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from tests.support.client import Api, Json, Peer
from tests.support.server import ServerProcess

SIP_NUMBER = "+49 30 12345678"
CONTROL_KEYS = {
    "display_name",
    "role",
    "participation_kind",
    "hand_is_up",
    "hand_updated_at",
    "joined_at",
    "is_room_owner",
}
SIP_NAME = "+** ** *****678"


class World:
    """Fresh users, guests and SIP callers on one or more server nodes (REST on node 0)."""

    def __init__(self, *nodes: ServerProcess) -> None:
        self.nodes = nodes
        self.apis: list[Api] = []
        self.peers: list[Peer] = []

    def user(self, name: str, groups: list[str] | None = None, node: int = 0) -> Api:
        server = self.nodes[node]
        sub = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}"
        token = (
            server.token(sub, name, groups=groups, email=f"{sub}@example.org")
            if groups
            else server.token(sub, name, email=f"{sub}@example.org")
        )
        api = Api(server, token)
        self.apis.append(api)
        return api

    def node(self, index: int | None, api: Api | None = None) -> ServerProcess:
        if index is not None:
            return self.nodes[index]
        return api.server if api is not None else self.nodes[0]

    async def connect(self, api: Api, room_id: str, node: int | None = None, **body: Any) -> Peer:
        """A socket with a fresh ticket (state None)."""
        started = await api.start(room_id, **body)
        peer = await Peer.connect(self.node(node, api), started["ticket"], started["resumption"])
        self.peers.append(peer)
        return peer

    async def resume(self, api: Api, room_id: str, old: Peer, node: int | None = None) -> Peer:
        """A new socket for the participant id of ``old`` (which must be closed)."""
        return await self.connect(api, room_id, node=node, resumption=old.resumption)

    async def enter(
        self, api: Api, room_id: str, name: str, node: int | None = None
    ) -> tuple[Peer, Json]:
        """Connect and join straight into the room; returns the peer and its join_success."""
        peer = await self.connect(api, room_id, node=node)
        success = await peer.join(name)
        return peer, success

    async def guest_socket(
        self, owner: Api, room_id: str, password: str | None = None, node: int | None = None
    ) -> Peer:
        """A guest's socket via a fresh invite (state None)."""
        made = await owner.request("POST", f"/v1/rooms/{room_id}/invites", {})
        assert made.status_code == 201, made.text
        body: Json = {"invite_code": made.json()["invite_code"]}
        if password is not None:
            body["password"] = password
        response = await owner.http.post(f"/v1/rooms/{room_id}/start_invited", json=body)
        assert response.status_code == 200, response.text
        started = response.json()
        peer = await Peer.connect(self.node(node), started["ticket"], started["resumption"])
        self.peers.append(peer)
        return peer

    async def guest(self, owner: Api, room_id: str, name: str) -> tuple[Peer, Json]:
        peer = await self.guest_socket(owner, room_id)
        return peer, await peer.join(name)

    async def sip_socket(
        self, owner: Api, room_id: str, lobby: bool, node: int | None = None
    ) -> Peer:
        """A call-in socket (state None) after setting the room's SIP ``lobby`` flag."""
        config = await owner.request("PUT", f"/v1/rooms/{room_id}/sip", {"lobby": lobby})
        assert config.status_code in (200, 201), config.text
        assert config.json()["lobby"] is lobby
        server = self.nodes[0]
        gateway = server.token("gateway", service="call-in")
        body = {"id": config.json()["sip_id"], "pin": config.json()["password"]}
        response = await owner.request("POST", "/v1/services/call_in/start", body, token=gateway)
        assert response.status_code == 200, response.text
        peer = await Peer.connect(self.node(node), response.json()["ticket"])
        self.peers.append(peer)
        return peer

    async def wait(
        self,
        api: Api,
        room_id: str,
        name: str,
        moderators: Sequence[Peer],
        node: int | None = None,
    ) -> Peer:
        """Connect and join into the waiting room; every moderator listed must be told."""
        peer = await self.connect(api, room_id, node=node)
        return await held(peer, name, moderators)

    async def aclose(self) -> None:
        for peer in self.peers:
            try:
                await asyncio.wait_for(peer.close(), 2)
            except Exception:  # a peer with a full receive queue: drop the connection
                with contextlib.suppress(Exception):
                    peer.ws.transport.abort()
        for api in self.apis:
            await api.aclose()


async def held(peer: Peer, name: str, moderators: Sequence[Peer], shown: str | None = None) -> Peer:
    """``peer`` (state None) joins and must land in the waiting room; sets ``peer.id``."""
    await peer.send("control", {"action": "join", "display_name": name})
    assert await peer.expect("moderation", "in_waiting_room") == {"message": "in_waiting_room"}
    ids = set()
    for moderator in moderators:
        seen = await moderator.expect("moderation", "joined_waiting_room")
        assert set(seen) == {"message", "id", "control"}, seen
        assert seen["control"]["display_name"] == (shown or " ".join(name.split()))
        assert set(seen["control"]) >= CONTROL_KEYS, seen
        assert seen["control"]["is_room_owner"] is False
        assert seen["control"]["hand_is_up"] is False
        ids.add(seen["id"])
    if moderators:
        assert len(ids) == 1
        peer.id = ids.pop()
        uuid.UUID(peer.id)
    return peer


async def admit(
    waiter: Peer, by: Peer, moderators: Iterable[Peer] = (), members: Iterable[Peer] = ()
) -> Json:
    """``by`` accepts ``waiter``, which enters; ``moderators`` (``by`` included when joined in the
    room) see ``left_waiting_room`` then ``joined``, ``members`` only ``joined``."""
    await by.send("moderation", {"action": "accept", "target": waiter.id})
    assert await waiter.expect("moderation", "accepted") == {"message": "accepted"}
    return await enter_room(waiter, moderators, members)


async def enter_room(
    waiter: Peer, moderators: Iterable[Peer] = (), members: Iterable[Peer] = ()
) -> Json:
    await waiter.send("control", {"action": "enter_room"})
    success = await waiter.expect("control", "join_success")
    if waiter.id is not None:
        assert success["id"] == waiter.id
    waiter.id = success["id"]
    for moderator in moderators:
        left = await moderator.expect("moderation", "left_waiting_room")
        assert left == {"message": "left_waiting_room", "id": waiter.id}
        assert (await moderator.expect("control", "joined"))["id"] == waiter.id
    for member in members:
        assert (await member.expect("control", "joined"))["id"] == waiter.id
    return success


async def meeting(world: World, *names: str) -> tuple[str, list[Peer]]:
    """A fresh room: the owner's Alice (moderator) and one registered user per further name,
    all joined into the main room; the earlier ones have seen the later ones join."""
    owner = world.user("Olivia Owner")
    room: str = (await owner.create_room())["id"]
    alice, _ = await world.enter(owner, room, "Alice")
    peers = [alice]
    for name in names:
        peer, _ = await world.enter(world.user(f"{name} User"), room, name)
        for other in peers:
            assert (await other.expect("control", "joined"))["id"] == peer.id
        peers.append(peer)
    return room, peers
