"""A local Redis Cluster on free loopback ports: 3 masters with one replica each, made with
``redis-cli --cluster create``, torn down by PID (never the shared 6379)."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from typing import Any

import redis
from redis.cluster import RedisCluster as SyncRedisCluster

from tests.support.redis import RedisServer

NODE_TIMEOUT_MS = 1000  # how long a master may be silent before its replica takes over


def _cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free too."""
    while True:
        port = random.randint(20_000, 55_000)
        try:
            for candidate in (port, port + 10_000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port


class RedisClusterServers:
    """``masters`` pairs with a replica each; ``nodes`` is the start-up list a node gets
    (``SIGNALING_REDIS_CLUSTER_NODES``)."""

    def __init__(self, masters: int = 3) -> None:
        self.servers = [
            RedisServer(
                extra=(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    str(NODE_TIMEOUT_MS),
                    "--cluster-config-file",
                    "nodes.conf",
                    # a replica takes over however long it was cut off from its master
                    "--cluster-replica-validity-factor",
                    "0",
                    # a slot whose master is gone does not stop the rest of the cluster
                    "--cluster-require-full-coverage",
                    "no",
                )
            )
            for _ in range(2 * masters)
        ]
        for server in self.servers:
            server.port = _cluster_port()
        self.masters = masters

    @property
    def nodes(self) -> list[str]:
        return [f"127.0.0.1:{server.port}" for server in self.servers]

    def start(self, timeout: float = 30.0) -> RedisClusterServers:
        for server in self.servers:
            server.start()
        cli = shutil.which("redis-cli")
        if cli is None:
            raise RuntimeError("redis-cli is not installed: run `make test`, which installs it")
        subprocess.run(
            [cli, "--cluster", "create", *self.nodes, "--cluster-replicas", "1", "--cluster-yes"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )
        self.wait_ok(timeout)
        return self

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Until every live node says the cluster is ok and every slot has a master."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self._ok(server) for server in self.live()):
                return
            time.sleep(0.05)
        raise RuntimeError("the Redis Cluster did not become ok")

    @staticmethod
    def _ok(server: RedisServer) -> bool:
        client = server.client()
        try:
            info: Any = client.cluster("INFO")
            return (
                str(info.get("cluster_state")) == "ok"
                and int(info.get("cluster_slots_ok", 0)) == 16384
            )
        except redis.RedisError:
            return False
        finally:
            client.close()

    def live(self) -> list[RedisServer]:
        return [s for s in self.servers if s.proc is not None and s.proc.poll() is None]

    def client(self) -> SyncRedisCluster:
        return SyncRedisCluster(host="127.0.0.1", port=self.live()[0].port)

    def master_of(self, key: str) -> RedisServer:
        """The live server that owns ``key``'s slot now."""
        with self.client() as cluster:
            node = cluster.get_node_from_key(key)
            assert node is not None
            return next(s for s in self.servers if s.port == int(node.port))

    def primaries(self) -> list[RedisServer]:
        with self.client() as cluster:
            ports = {int(node.port) for node in cluster.get_primaries()}
        return [s for s in self.live() if s.port in ports]

    def kill(self) -> None:
        for server in self.servers:
            server.kill()


_SHARED: RedisClusterServers | None = None


def shared_cluster() -> RedisClusterServers:
    """The test session's one cluster, started on first use (every fixture shares it; each
    test keeps to keys of its own; the process exit kills it)."""
    global _SHARED
    if _SHARED is None or len(_SHARED.live()) < len(_SHARED.servers):
        _SHARED = RedisClusterServers().start()
    return _SHARED
