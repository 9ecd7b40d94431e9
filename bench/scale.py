"""Scale benchmark: many connections, a meeting day and a join storm (``make bench-scale``).

A measurement, not a test: it prints a table and machine-readable lines, and passes or fails
nothing. Every loop and every wait is bounded. Three scenarios, each on fresh processes:

* **idle** — ``IDLE_CONNECTIONS`` joined connections on one node over Redis (rooms of
  ``ROOM_SIZE``, heartbeats on at the default interval), then ``IDLE_SECONDS`` of nothing:
  RSS per connection (VmRSS growth from the empty server / connections), the server's CPU
  while idle (% of one core), and the Redis commands per second the background duties cost
  (``INFO commandstats``, the bench's own INFO call excluded; the busiest are logged);
* **meeting day** — ``DAY_ROOMS`` rooms × ``ROOM_SIZE`` participants alternating over two
  nodes with Redis; every participant sends a global chat message every ``DAY_PERIOD``
  seconds (phases spread evenly) for ``DAY_SECONDS``: p50/p99 latency over every delivery
  (receive time minus send time, both in this process), CPU per node and Redis CPU;
* **join storm** — ``STORM_JOINS`` participants join ``STORM_ROOMS`` rooms over two nodes,
  started evenly within ``STORM_SECONDS`` (open loop): each join is ticket (REST) +
  WebSocket handshake + ``join_success``; p50/p99 join time, errors, and whether everybody
  learnt of everybody exactly once (``join_success``'s participants plus later ``joined``
  events: each other member of the room once, nobody twice, nobody missing).

The load generator is this one process: websockets' sans-I/O client core driven directly by
asyncio (:class:`bench.fanout.Client`), its CPU reported beside the servers'.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis.asyncio as aioredis
from websockets.typing import Subprotocol

from bench.fanout import (
    SERVER_ENV,
    Client,
    Collector,
    cpu_seconds,
    log,
    own_cpu_seconds,
    percentile,
    raise_open_files_limit,
    rss_kib,
)
from signaling.wire import SUBPROTOCOL
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess

ROOM_SIZE = 50
IDLE_CONNECTIONS = 10_000
IDLE_SECONDS = 30.0  # two heartbeat rounds at the default 15 s
DAY_ROOMS = 40
DAY_PERIOD = 10.0  # seconds between two messages of one participant
DAY_SECONDS = 30.0
STORM_JOINS = 1000
STORM_ROOMS = 20
STORM_SECONDS = 10.0
JOIN_CONCURRENCY = 50  # joins under way at once while filling rooms (not the storm)

START_TIMEOUT = 60.0
JOIN_TIMEOUT = 60.0  # one join: ticket, handshake, join_success
FILL_TIMEOUT = 900.0  # all connections of one scenario joined
QUIET_TIMEOUT = 120.0  # the join events have all been read
DRAIN_TIMEOUT = 60.0  # the last chat messages delivered
CLOSE_TIMEOUT = 60.0

MARK = b'"content":"@'
CONTENT_LENGTH = 120

# Goals of issue 17 (reported, never assumed).
GOAL_RSS_KIB = 24.0
GOAL_IDLE_CPU_PCT = 5.0
GOAL_CHAT_P99_MS = 50.0
GOAL_JOIN_P99_MS = 500.0


class Stats:
    """What all clients of one scenario saw."""

    def __init__(self) -> None:
        self.latencies: list[int] = []  # ns, chat deliveries
        self.phases: list[tuple[int, int, int]] = []  # ns per join: ticket, handshake, join
        self.deliveries = 0
        self.last_frame = time.perf_counter_ns()
        self.closed: list[str] = []
        self.errors: list[str] = []  # joins that failed


class Peer(Collector):
    """One client's frames: the participants it learns of, and chat latencies."""

    def __init__(self, stats: Stats) -> None:
        super().__init__(1)
        self.stats = stats
        self.closed = stats.closed  # connections the server closed, for all peers at once
        self.id = ""
        self.known: Counter[str] = Counter()  # participant id -> times learnt of

    def learn(self, join_success: bytes) -> None:
        payload = json.loads(join_success)["payload"]
        self.id = payload["id"]
        self.known.update(p["id"] for p in payload["participants"])

    def on_frame(self, frame: bytes) -> None:
        now = time.perf_counter_ns()
        stats = self.stats
        stats.last_frame = now
        at = frame.find(MARK)
        if at >= 0:
            at += len(MARK)
            stats.deliveries += 1
            stats.latencies.append(now - int(frame[at : frame.index(b":", at)]))
        elif b'"message":"joined"' in frame:
            self.known[json.loads(frame)["payload"]["id"]] += 1


@dataclass
class Cluster:
    """Redis and ``nodes`` server processes, one room owner, REST clients."""

    nodes: int
    redis: RedisServer = field(default_factory=RedisServer)
    servers: list[ServerProcess] = field(default_factory=list)
    http: list[httpx.AsyncClient] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)

    def start(self) -> None:
        self.redis.start()
        env = {**SERVER_ENV, "SIGNALING_REDIS_URL": self.redis.url}
        for _ in range(self.nodes):
            server = ServerProcess(env)
            self.servers.append(server)
            server.start(timeout=START_TIMEOUT)
            self.http.append(
                httpx.AsyncClient(
                    base_url=server.base_url,
                    timeout=JOIN_TIMEOUT,
                    # below uvicorn's 5 s keep-alive: never a connection the server just closed
                    limits=httpx.Limits(max_connections=100, keepalive_expiry=2.0),
                )
            )

    def pids(self) -> list[int]:
        return [s.proc.pid for s in self.servers if s.proc is not None]

    def redis_pid(self) -> int:
        assert self.redis.proc is not None
        return self.redis.proc.pid

    async def rooms(self, count: int) -> list[str]:
        token = self.servers[0].token("scale-owner", "Scale Owner")
        made = []
        for _ in range(count):
            response = await self.http[0].post(
                "/v1/rooms",
                json={"password": None, "enable_sip": False},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            made.append(response.json()["id"])
        return made

    async def join(self, index: int, room: str) -> Peer:
        """Ticket, handshake and ``join_success`` for participant ``index`` on its node."""
        node = index % self.nodes
        server, name = self.servers[node], f"Scale {index}"
        token = server.token(f"scale-{index}", name)
        began = time.perf_counter_ns()
        response = await self.http[node].post(
            f"/v1/rooms/{room}/start", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        protocols = [Subprotocol(SUBPROTOCOL), Subprotocol(f"ticket#{response.json()['ticket']}")]
        peer = Peer(self.stats)
        ticketed = time.perf_counter_ns()
        client = await Client.open(server.ws_url, peer, protocols)
        opened = time.perf_counter_ns()
        self.clients.append(client)
        join = {"namespace": "control", "payload": {"action": "join", "display_name": name}}
        client.send(json.dumps(join))
        deadline = time.monotonic() + JOIN_TIMEOUT
        while True:
            frame = await client.recv(max(deadline - time.monotonic(), 0.0))
            if b'"join_success"' in frame:
                peer.learn(frame)
                done = time.perf_counter_ns()
                self.stats.phases.append((ticketed - began, opened - ticketed, done - opened))
                break
            peer.on_frame(frame)
        client.hand_over()
        return peer

    async def fill(self, rooms: list[str], per_room: int) -> list[tuple[Peer, Client, str]]:
        """``per_room`` participants in each room, ``JOIN_CONCURRENCY`` joins at a time."""
        gate = asyncio.Semaphore(JOIN_CONCURRENCY)
        joined: list[tuple[Peer, Client, str]] = []

        async def one(index: int) -> None:
            room = rooms[index % len(rooms)]
            async with gate:
                try:
                    peer = await self.join(index, room)
                except Exception as exc:
                    self.stats.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    return
                joined.append((peer, self.clients[-1], room))

        started = time.monotonic()
        total = len(rooms) * per_room
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(total))), FILL_TIMEOUT)
        errors = self.stats.errors
        log(f"  {len(joined)} of {total} joined in {time.monotonic() - started:.0f} s")
        if errors:
            log(f"  {len(errors)} joins failed, first: {errors[0]}")
        await self.quiet(1.0)
        return joined

    async def quiet(self, seconds: float) -> None:
        """Until no frame arrived for ``seconds``."""
        deadline = time.monotonic() + QUIET_TIMEOUT
        while (time.perf_counter_ns() - self.stats.last_frame) / 1e9 < seconds:
            if time.monotonic() > deadline:
                raise TimeoutError(f"still receiving frames after {QUIET_TIMEOUT:.0f} s")
            await asyncio.sleep(0.2)

    async def stop(self) -> None:
        for http in self.http:
            with contextlib.suppress(Exception):
                await http.aclose()
        await asyncio.to_thread(self._stop_processes)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True),
                CLOSE_TIMEOUT,
            )
        for client in self.clients:
            client.abort()

    def _stop_processes(self) -> None:
        for server in self.servers:
            try:
                server.stop()
            except Exception:
                server.kill()
        self.redis.kill()


async def redis_commands(url: str) -> Counter[str]:
    """Commands Redis has processed so far, by command (``INFO commandstats``)."""
    client = aioredis.Redis.from_url(url)
    try:
        info: Any = await client.info("commandstats")
        return Counter({name[len("cmdstat_") :]: int(row["calls"]) for name, row in info.items()})
    finally:
        await client.aclose()


# -- the scenarios ---------------------------------------------------------------------------


async def idle(results: dict[str, float], connections: int) -> None:
    log(f"idle: {connections} connections on one node over Redis")
    cluster = Cluster(1)
    try:
        cluster.start()
        rooms = await cluster.rooms(max(1, connections // ROOM_SIZE))
        await asyncio.sleep(1.0)
        before = rss_kib(cluster.pids())
        joined = len(await cluster.fill(rooms, connections // len(rooms)))
        await asyncio.sleep(2.0)
        results["scale_rss_kib_per_conn"] = (rss_kib(cluster.pids()) - before) / max(joined, 1)
        results["scale_idle_connections"] = joined
        cpu0, redis0, own0 = (
            cpu_seconds(cluster.pids()),
            cpu_seconds([cluster.redis_pid()]),
            own_cpu_seconds(),
        )
        commands0, t0 = await redis_commands(cluster.redis.url), time.monotonic()
        await asyncio.sleep(IDLE_SECONDS)
        commands1, elapsed = await redis_commands(cluster.redis.url), time.monotonic() - t0
        results["scale_idle_cpu_pct"] = 100 * (cpu_seconds(cluster.pids()) - cpu0) / elapsed
        results["scale_idle_redis_cpu_pct"] = (
            100 * (cpu_seconds([cluster.redis_pid()]) - redis0) / elapsed
        )
        results["scale_idle_client_cpu_pct"] = 100 * (own_cpu_seconds() - own0) / elapsed
        commands1["info"] -= 1  # the bench's own
        spent = commands1 - commands0
        results["scale_idle_redis_commands_per_s"] = spent.total() / elapsed
        top = ", ".join(f"{name} {n / elapsed:.0f}/s" for name, n in spent.most_common(6))
        log(f"  Redis commands at idle: {top}")
        results["scale_idle_closed"] = len(cluster.stats.closed)
    finally:
        await cluster.stop()


async def meeting_day(results: dict[str, float], rooms_count: int) -> None:
    log(f"meeting day: {rooms_count} rooms × {ROOM_SIZE} over two nodes")
    cluster = Cluster(2)
    try:
        cluster.start()
        rooms = await cluster.rooms(rooms_count)
        members = await cluster.fill(rooms, ROOM_SIZE)
        stats = cluster.stats
        stats.latencies.clear()
        stats.deliveries = 0
        pids = cluster.pids()
        cpu0 = [cpu_seconds([pid]) for pid in pids]
        redis0, own0 = cpu_seconds([cluster.redis_pid()]), own_cpu_seconds()
        sizes = Counter(room for _, _, room in members)
        sent = expected = 0
        rounds = max(1, round(DAY_SECONDS / DAY_PERIOD))
        start = time.perf_counter()
        for k in range(rounds):
            for i, (_, client, room) in enumerate(members):
                delay = start + k * DAY_PERIOD + i * DAY_PERIOD / len(members)
                pause = delay - time.perf_counter()
                if pause > 0:
                    await asyncio.sleep(pause)
                client.send(chat_message())
                sent += 1
                expected += sizes[room]  # the sender's echo included
        for _ in range(round(DRAIN_TIMEOUT / 0.1)):  # the last messages on their way
            if stats.deliveries >= expected:
                break
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - start
        for node, (pid, before) in enumerate(zip(pids, cpu0, strict=True), start=1):
            results[f"scale_chat_node{node}_cpu_pct"] = (
                100 * (cpu_seconds([pid]) - before) / elapsed
            )
        results["scale_chat_redis_cpu_pct"] = (
            100 * (cpu_seconds([cluster.redis_pid()]) - redis0) / elapsed
        )
        results["scale_chat_client_cpu_pct"] = 100 * (own_cpu_seconds() - own0) / elapsed
        results["scale_chat_messages_per_s"] = sent / (rounds * DAY_PERIOD)
        results["scale_chat_missing"] = expected - stats.deliveries
        results["scale_chat_join_errors"] = len(stats.errors)
        results["scale_chat_p50_ms"] = percentile(stats.latencies, 0.50)
        results["scale_chat_p99_ms"] = percentile(stats.latencies, 0.99)
    finally:
        await cluster.stop()


def chat_message() -> str:
    head = f"@{time.perf_counter_ns()}:"
    content = head + "x" * (CONTENT_LENGTH - len(head))
    return (
        '{"namespace":"chat","payload":{"action":"send_message","scope":"global",'
        f'"content":"{content}"}}}}'
    )


async def join_storm(results: dict[str, float], joins: int, rooms_count: int) -> None:
    log(f"join storm: {joins} joins into {rooms_count} rooms within {STORM_SECONDS:.0f} s")
    cluster = Cluster(2)
    try:
        cluster.start()
        rooms = await cluster.rooms(rooms_count)
        times: list[int] = []
        errors: list[str] = []
        peers: list[tuple[Peer, str]] = []

        async def one(index: int, at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            room = rooms[index % len(rooms)]
            began = time.perf_counter_ns()
            try:
                peer = await cluster.join(index, room)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                return
            times.append(time.perf_counter_ns() - began)
            peers.append((peer, room))

        pids = cluster.pids()
        cpu0, own0 = cpu_seconds(pids), own_cpu_seconds()
        start = time.perf_counter() + 0.5
        await asyncio.wait_for(
            asyncio.gather(*(one(i, start + i * STORM_SECONDS / joins) for i in range(joins))),
            STORM_SECONDS + 2 * JOIN_TIMEOUT,
        )
        elapsed = time.perf_counter() - start
        await cluster.quiet(2.0)
        members: dict[str, set[str]] = {}
        for peer, room in peers:
            members.setdefault(room, set()).add(peer.id)
        wrong = 0
        for peer, room in peers:
            others = members[room] - {peer.id}
            if set(peer.known) != others or any(n != 1 for n in peer.known.values()):
                wrong += 1
        results["scale_join_p50_ms"] = percentile(times, 0.50)
        results["scale_join_p99_ms"] = percentile(times, 0.99)
        results["scale_join_errors"] = len(errors)
        results["scale_join_wrong_views"] = wrong
        results["scale_join_cpu_pct"] = 100 * (cpu_seconds(pids) - cpu0) / elapsed
        results["scale_join_client_cpu_pct"] = 100 * (own_cpu_seconds() - own0) / elapsed
        phases = cluster.stats.phases
        split = ", ".join(
            f"{what} p50 {percentile([p[i] for p in phases], 0.5):.0f} ms"
            for i, what in enumerate(("ticket", "handshake", "join"))
        )
        log(f"  join phases: {split}")
        for error in errors[:3]:
            log(f"  join error: {error}")
    finally:
        await cluster.stop()


# -- report ------------------------------------------------------------------------------------


def report(results: dict[str, float], wall: float) -> None:
    def get(name: str, digits: int = 1) -> str:
        value = results.get(name)
        return "—" if value is None else f"{value:,.{digits}f}"

    def goal(name: str, limit: float) -> str:
        value = results.get(name)
        if value is None:
            return "not measured"
        return "met" if value <= limit else "MISSED"

    print()
    print("Scale benchmark (server figures; load generator CPU in its own column)")
    print()
    print("| scenario | figure | value | goal | load generator CPU % |")
    print("|---|---|---:|---|---:|")
    rows = [
        (
            "idle, 1 node",
            "RSS KiB per joined connection",
            "scale_rss_kib_per_conn",
            f"≤ {GOAL_RSS_KIB:.0f} ({goal('scale_rss_kib_per_conn', GOAL_RSS_KIB)})",
            "scale_idle_client_cpu_pct",
        ),
        (
            "idle, 1 node",
            "server CPU % of a core",
            "scale_idle_cpu_pct",
            f"≤ {GOAL_IDLE_CPU_PCT:.0f} ({goal('scale_idle_cpu_pct', GOAL_IDLE_CPU_PCT)})",
            "scale_idle_client_cpu_pct",
        ),
        ("idle, 1 node", "connections joined", "scale_idle_connections", "", ""),
        ("idle, 1 node", "Redis commands/s", "scale_idle_redis_commands_per_s", "", ""),
        ("idle, 1 node", "Redis CPU %", "scale_idle_redis_cpu_pct", "", ""),
        ("meeting day, 2 nodes", "chat messages/s", "scale_chat_messages_per_s", "", ""),
        ("meeting day, 2 nodes", "delivery p50 ms", "scale_chat_p50_ms", "", ""),
        (
            "meeting day, 2 nodes",
            "delivery p99 ms",
            "scale_chat_p99_ms",
            f"< {GOAL_CHAT_P99_MS:.0f} ({goal('scale_chat_p99_ms', GOAL_CHAT_P99_MS)})",
            "scale_chat_client_cpu_pct",
        ),
        ("meeting day, 2 nodes", "node 1 CPU %", "scale_chat_node1_cpu_pct", "", ""),
        ("meeting day, 2 nodes", "node 2 CPU %", "scale_chat_node2_cpu_pct", "", ""),
        ("meeting day, 2 nodes", "Redis CPU %", "scale_chat_redis_cpu_pct", "", ""),
        ("meeting day, 2 nodes", "deliveries missing", "scale_chat_missing", "0", ""),
        ("meeting day, 2 nodes", "joins failed", "scale_chat_join_errors", "0", ""),
        ("join storm, 2 nodes", "join p50 ms", "scale_join_p50_ms", "", ""),
        (
            "join storm, 2 nodes",
            "join p99 ms",
            "scale_join_p99_ms",
            f"< {GOAL_JOIN_P99_MS:.0f} ({goal('scale_join_p99_ms', GOAL_JOIN_P99_MS)})",
            "scale_join_client_cpu_pct",
        ),
        ("join storm, 2 nodes", "errors", "scale_join_errors", "0", ""),
        (
            "join storm, 2 nodes",
            "views not exactly everybody once",
            "scale_join_wrong_views",
            "0",
            "",
        ),
        ("join storm, 2 nodes", "servers' CPU % (both)", "scale_join_cpu_pct", "", ""),
    ]
    for scenario, figure, name, target, client in rows:
        client_cpu = get(client) if client else ""
        print(f"| {scenario} | {figure} | {get(name)} | {target} | {client_cpu} |")
    print()
    print(f"Total wall time {wall:.0f} s.")
    for name in (
        "scale_rss_kib_per_conn",
        "scale_idle_cpu_pct",
        "scale_idle_redis_commands_per_s",
        "scale_chat_p50_ms",
        "scale_chat_p99_ms",
        "scale_join_p50_ms",
        "scale_join_p99_ms",
        "scale_join_errors",
        "scale_join_wrong_views",
    ):
        value = results.get(name)
        print(f"{name}: {'nan' if value is None else f'{value:.2f}'}")


async def run(args: argparse.Namespace) -> dict[str, float]:
    results: dict[str, float] = {}
    scenarios = {
        "idle": lambda: idle(results, args.connections),
        "day": lambda: meeting_day(results, args.day_rooms),
        "storm": lambda: join_storm(results, args.storm_joins, STORM_ROOMS),
    }
    for name in args.only.split(","):
        try:
            await scenarios[name]()
        except Exception as exc:  # report it and go on with the next scenario
            log(f"  ! {name} failed: {type(exc).__name__}: {str(exc)[:300]}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="bench.scale", description="Scale benchmark (see the module docstring)."
    )
    parser.add_argument("--only", default="idle,day,storm", help="comma list of scenarios")
    parser.add_argument("--connections", type=int, default=IDLE_CONNECTIONS)
    parser.add_argument("--day-rooms", type=int, default=DAY_ROOMS)
    parser.add_argument("--storm-joins", type=int, default=STORM_JOINS)
    args = parser.parse_args(argv)
    raise_open_files_limit()
    started = time.monotonic()
    results = asyncio.run(run(args))
    report(results, time.monotonic() - started)


if __name__ == "__main__":
    main()
