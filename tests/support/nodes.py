"""Several server processes over one real redis-server (``NodeGroup``) or over a local Redis
Cluster (``ClusterNodeGroup``) behave as one server."""

from __future__ import annotations

import asyncio
import uuid

from tests.support.client import Api, Json, Peer
from tests.support.redis import RedisServer
from tests.support.redis_cluster import RedisClusterServers, shared_cluster
from tests.support.server import ServerProcess

#: Short presence and grace periods, and rate limits no test reaches.
FAST = {
    "SIGNALING_PRESENCE_TTL": "1.5",
    "SIGNALING_ROOM_GRACE_PERIOD": "1",
    "SIGNALING_RATE_LIMIT": "200",
    "SIGNALING_RATE_BURST": "200",
}


class NodeGroup:
    """A redis-server and ``count`` nodes over it, with :data:`FAST` settings and ``env``."""

    def __init__(self, count: int = 3, appendonly: bool = False, **env: str) -> None:
        self.redis = RedisServer(appendonly=appendonly).start()
        self._start(count, {"SIGNALING_REDIS_URL": self.redis.url, **env})

    def _start(self, count: int, env: dict[str, str]) -> None:
        settings = {**FAST, **env}
        self.nodes = [ServerProcess(settings).start() for _ in range(count)]

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()
        self.redis.kill()

    def api(self, node: int, sub: str, name: str) -> Api:
        """A registered user ``sub`` talking to ``node`` (closed by the caller)."""
        server = self.nodes[node]
        return Api(server, server.token(sub, name))


class ClusterNodeGroup(NodeGroup):
    """``count`` nodes over a Redis Cluster: the test session's shared one unless given."""

    def __init__(
        self, count: int = 3, cluster: RedisClusterServers | None = None, **env: str
    ) -> None:
        self.cluster = cluster or shared_cluster()
        self._start(count, {"SIGNALING_REDIS_CLUSTER_NODES": ",".join(self.cluster.nodes), **env})

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()


#: How long a closed breakout room lingers on a :class:`TrackedNodeGroup`.
BREAKOUT_LINGER = 1.0


class TrackedNodeGroup(NodeGroup):
    """A node group (breakout rooms linger :data:`BREAKOUT_LINGER`) that closes the users and
    sockets a test made through it."""

    def __init__(self, count: int = 3) -> None:
        super().__init__(count, SIGNALING_BREAKOUT_LINGER=str(BREAKOUT_LINGER))
        self.apis: list[Api] = []
        self.peers: list[Peer] = []

    def user(self, node: int, name: str) -> Api:
        """A fresh registered user named ``name`` on ``node``."""
        api = self.api(node, f"{name.lower()}-{uuid.uuid4().hex[:6]}", name)
        self.apis.append(api)
        return api

    async def join(self, api: Api, room: str, name: str, breakout_room: str | None = None) -> Peer:
        """Join on ``api``'s node (the main room, or straight into a breakout room)."""
        body: Json = {} if breakout_room is None else {"breakout_room": breakout_room}
        started = await api.start(room, **body)
        peer = await Peer.connect(api.server, started["ticket"], started["resumption"])
        self.peers.append(peer)
        await peer.join(name)
        return peer

    async def aclose(self) -> None:
        for peer in self.peers:
            try:
                await asyncio.wait_for(peer.close(), 2)
            except Exception:
                peer.ws.transport.abort()
        for api in self.apis:
            await api.aclose()
