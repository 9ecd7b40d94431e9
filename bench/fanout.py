"""Fan-out benchmark: one room, one sender, R receivers, ~120-byte global chat messages.

Run with ``make bench`` (or ``.venv/bin/python -m bench.fanout``). This is a measurement, not
a test: it prints a table and machine-readable lines (``cpu_ratio_1node``/``_2node`` at the
largest R, then one per cell: ``cpu_ratio_<n>node_r<R>``, ``rss_kib_per_conn_<n>node``), and
passes or fails nothing.

Configurations, each measured for R = 50 and R = 500 receivers, in the same run:

* ``ours 1 node``     — ``python -m signaling serve`` on the embedded backend (no Redis);
* ``ours 2 nodes``    — two such processes over one redis-server, receivers split evenly,
  the sender on node 1;
* ``baseline 1 node`` — :mod:`bench.baseline`, a bare ``websockets.broadcast()`` relay;
* ``baseline 2 nodes`` — two baseline processes relaying over one Redis pub/sub channel;
* ``ours 2 nodes, cluster`` — two of ours over a local Redis Cluster of 3 masters (a replica
  each), beside ``ours 2 nodes`` in the same interleaving; its Redis CPU is the room's master's.

The load generator is this process: asyncio, one connection per client, each driven by
websockets' sans-I/O client protocol (see :class:`Client`), no compression on either side;
the server processes are what is measured. Each message reaches every receiver *and* the
sender (its echo), so one message is ``R + 1`` deliveries, and every client really reads and
inspects every frame. The content carries a sequence number and the send time
(``@<seq>:<perf_counter_ns>:xxx…``, 120 characters), so the receivers can count each
message's deliveries and compute latencies. For the baseline the sender sends the exact
frame shape our server produces for ``chat/message_sent`` (same length, 341 bytes), which
the relay passes through unchanged.

For each node count and R, the baseline and ours are up at the same time and measured
alternately (baseline burst, ours burst, ×``REPEATS``; medians reported), so that the load
of a shared machine drifting during the run hits both sides of a ratio alike.

Metrics, per configuration and R:

* **deliveries/s** — the sender sends a fixed number of messages as fast as the *slowest*
  recipient keeps up: at most ``WINDOW`` messages may be incomplete (not yet received by all
  ``R + 1`` clients) at any time. Deliveries/s = messages × (R + 1) / time from the first
  send to the last delivery. On this machine the load generator shares the two cores with
  the servers, so this is a throughput of the whole loopback system (the client's own CPU
  share is printed with the details).
* **CPU-s per 100k deliveries** — utime + stime of every server process (and its
  descendants) from ``/proc/<pid>/stat`` (fields 14 and 15, over ``SC_CLK_TCK``), read
  before and after each throughput burst. redis-server's CPU is reported separately.
* **p50 / p99 latency** — open loop at a fixed offered load of about 10,000 deliveries/s
  (``10_000 / R`` messages/s: 20/s at R = 500), three 2-second rounds interleaved with the
  other configuration, samples pooled; latency is receive time minus send time, both taken
  in this process, over every delivery. Sensitive to the machine's load. Note that the last of
  R recipients necessarily waits for R socket writes by the server and R reads by this
  process on the same two cores: at R = 500 that alone is several milliseconds, which the
  baseline's figures show.
* **RSS KiB per idle connection** — VmRSS of the server processes with the R receivers
  connected, joined and idle, minus VmRSS before they connected (sender already connected),
  divided by R. Meaningful at R = 500; the R = 50 figure is noisy.
* **ratio** — our CPU per delivery ÷ the matching baseline's (same node count, same R).

``--profile`` additionally samples our single-node server with py-spy during an extra
(unmeasured) R = 500 burst and prints the top functions by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from signaling.wire import SUBPROTOCOL, format_timestamp, utcnow
from tests.support.client import Api
from tests.support.redis import RedisServer
from tests.support.redis_cluster import RedisClusterServers
from tests.support.server import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent

# Limits raised so that the benchmark measures fan-out, not the rate limiter.
SERVER_ENV = {
    "SIGNALING_RATE_LIMIT": "100000",
    "SIGNALING_RATE_BURST": "100000",
    "SIGNALING_LOG_LEVEL": "warning",
    "SIGNALING_JOIN_TIMEOUT": "600",
    "SIGNALING_MAX_CONNECTIONS_PER_IP": "100000",  # every client of the bench is 127.0.0.1
}

SIZES = (50, 500)
MESSAGES = {50: 2000, 500: 400}  # throughput phase: a few seconds each
WARMUP_MESSAGES = 30
REPEATS = 3  # throughput bursts per configuration; medians are reported
WINDOW = 20  # messages not yet received by everyone, at most
CONTENT_LENGTH = 120
MARK = b'"content":"@'  # where the sequence number and send time start in a frame
LATENCY_DELIVERIES_PER_S = 10_000
LATENCY_SECONDS = 2.0  # per round
LATENCY_ROUNDS = 3  # interleaved like the bursts; samples pooled
CONNECT_CONCURRENCY = 20

# Every wait is bounded.
START_TIMEOUT = 30.0
CONNECT_TIMEOUT = 180.0  # all R receivers connected and joined
QUIET_TIMEOUT = 60.0  # the join events have been read
PHASE_TIMEOUT = 120.0  # one throughput or latency phase
STALL_TIMEOUT = 15.0  # no message completed for this long: the phase is abandoned
CLOSE_TIMEOUT = 20.0  # all clients closed
OPEN_TIMEOUT = 15.0  # one connection: TCP, handshake, join
CLOSE_WAIT = 3.0  # one closing handshake

CLK_TCK = os.sysconf("SC_CLK_TCK")

# Targets of the design (reported, never assumed).
TARGET_RATIO_1NODE = 1.5
TARGET_RATIO_2NODE = 2.0
TARGET_P99_MS = 25.0
TARGET_RSS_KIB = 32.0


def log(text: str) -> None:
    """Progress goes to stderr; the results go to stdout."""
    print(text, file=sys.stderr, flush=True)


# -- /proc ---------------------------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    """Fields 3… of ``/proc/<pid>/stat`` (after the parenthesised command name)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def process_tree(pids: Iterable[int]) -> list[int]:
    """``pids`` and all their living descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                children.setdefault(int(_stat(int(entry))[1]), []).append(int(entry))
    found: list[int] = []
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: Iterable[int]) -> float:
    """utime + stime (fields 14 and 15) of ``pids`` and their descendants, in seconds."""
    ticks = 0
    for pid in process_tree(pids):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = _stat(pid)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLK_TCK


def rss_kib(pids: Iterable[int]) -> int:
    """VmRSS of ``pids`` and their descendants, in KiB."""
    total = 0
    for pid in process_tree(pids):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raise_open_files_limit() -> None:
    """Soft RLIMIT_NOFILE up to the hard limit (inherited by the servers we start)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# -- the clients ---------------------------------------------------------------------------


class Stall(Exception):
    """A phase made no progress in time (lost frames, closed connections, a stuck server)."""


def _field(frame: bytes, name: bytes) -> str:
    """The value of the first string field ``name`` in a JSON frame (no full parse)."""
    key = b'"' + name + b'":"'
    at = frame.find(key)
    if at < 0:
        return "?"
    at += len(key)
    return frame[at : frame.find(b'"', at)].decode(errors="replace")


def _kind(frame: bytes) -> str:
    return f"{_field(frame, b'namespace')}/{_field(frame, b'message')}"


class Collector:
    """What all clients of one run received: per-message delivery counts and latencies."""

    def __init__(self, fanout: int) -> None:
        self.fanout = fanout  # deliveries per message: the receivers and the sender
        self.pending: dict[int, int] = {}  # sequence number -> deliveries so far
        self.completed = 0  # messages received by all ``fanout`` clients
        self.deliveries = 0
        self.other_frames = 0  # joined/left events and the like
        self.other_kinds: dict[str, int] = {}  # "namespace/message" -> frames
        self.frame_bytes = 0  # length of the last chat frame seen
        self.last_frame = time.perf_counter_ns()
        self.latencies: list[int] | None = None  # ns, while a latency phase records
        self.progress = asyncio.Event()
        self.closed: list[str] = []  # connections the server closed while we measured
        self.finished = False  # set before the teardown closes everything
        self.next_seq = 0

    def on_frame(self, frame: bytes) -> None:
        """One text frame a client received (the hot loop of the load generator)."""
        now = time.perf_counter_ns()
        self.last_frame = now
        at = frame.find(MARK)
        if at < 0:
            self.other_frames += 1
            kind = _kind(frame)
            self.other_kinds[kind] = self.other_kinds.get(kind, 0) + 1
            return
        at += len(MARK)
        seq = int(frame[at : at + 9])
        self.deliveries += 1
        self.frame_bytes = len(frame)
        if self.latencies is not None:
            self.latencies.append(now - int(frame[at + 10 : at + 30]))
        count = self.pending.get(seq, 0) + 1
        if count >= self.fanout:
            self.pending.pop(seq, None)
            self.completed += 1
            self.progress.set()
        else:
            self.pending[seq] = count

    def content(self) -> str:
        """The next message's content: sequence number, send time, padding."""
        seq = self.next_seq
        self.next_seq += 1
        head = f"@{seq:09d}:{time.perf_counter_ns():020d}:"
        return head + "x" * (CONTENT_LENGTH - len(head))

    async def wait_progress(self, deadline: float, what: str) -> None:
        """Until one more message completes; :class:`Stall` past the deadline or on no
        progress for ``STALL_TIMEOUT``."""
        self.progress.clear()
        timeout = min(deadline - time.monotonic(), STALL_TIMEOUT)
        try:
            await asyncio.wait_for(self.progress.wait(), max(timeout, 0.0))
        except TimeoutError:
            incomplete = sorted(self.pending.items())[:3]
            raise Stall(
                f"{what}: no progress for {timeout:.0f} s; {self.completed} messages complete, "
                f"{len(self.pending)} incomplete (first: {incomplete} of {self.fanout}); "
                f"closed connections: {len(self.closed)} {self.closed[:3]}"
            ) from None

    async def quiet(self, seconds: float, timeout: float) -> None:
        """Until no frame arrived for ``seconds`` (the join events have been read)."""
        deadline = time.monotonic() + timeout
        while (time.perf_counter_ns() - self.last_frame) / 1e9 < seconds:
            if time.monotonic() > deadline:
                raise Stall(f"still receiving frames after {timeout:.0f} s")
            await asyncio.sleep(0.1)


class Client(asyncio.Protocol):
    """One WebSocket connection of the load generator.

    websockets' sans-I/O client protocol (``websockets.client.ClientProtocol``: handshake,
    framing, masking, automatic pongs to the server's heartbeat pings, closing handshake)
    driven directly by an asyncio transport, without the asyncio ``ClientConnection`` layer:
    each received text frame is handed to :meth:`Collector.on_frame` inside
    ``data_received``, with no task wake-up or queue per frame. Measured here, that cuts
    the load generator's CPU per delivery by about a third against a ``recv()`` loop per
    ``ClientConnection`` (most of what is left is the kernel's ``recv``), so the client,
    on the same two cores as the servers, takes less from them.

    Until :meth:`hand_over`, text frames are queued for :meth:`recv` (the join handshake).
    """

    def __init__(self, url: str, subprotocols: list[Subprotocol], collector: Collector) -> None:
        self.ws = ClientProtocol(parse_uri(url), subprotocols=subprotocols or None, max_size=None)
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()
        self.inbox: asyncio.Queue[bytes] | None = asyncio.Queue()
        self.collector = collector
        self.transport: asyncio.Transport | None = None
        self.closing = False

    @classmethod
    async def open(
        cls, url: str, collector: Collector, subprotocols: list[Subprotocol] | None = None
    ) -> Client:
        """Connect and complete the opening handshake."""
        parts = urlsplit(url)
        loop = asyncio.get_running_loop()
        _, client = await asyncio.wait_for(
            loop.create_connection(
                lambda: cls(url, subprotocols or [], collector),
                parts.hostname or "127.0.0.1",
                parts.port or 80,
            ),
            OPEN_TIMEOUT,
        )
        try:
            await asyncio.wait_for(asyncio.shield(client.opened), OPEN_TIMEOUT)
        except BaseException:
            client.abort()
            raise
        return client

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        ws = self.ws
        ws.receive_data(data)
        for event in ws.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    frame = bytes(event.data)  # already bytes: no copy
                    if self.inbox is None:
                        self.collector.on_frame(frame)
                    else:
                        self.inbox.put_nowait(frame)
            elif isinstance(event, Response) and not self.opened.done():
                if ws.handshake_exc is not None:
                    self.opened.set_exception(ws.handshake_exc)
                else:
                    self.opened.set_result(None)
        self._flush()

    def eof_received(self) -> bool | None:
        self.ws.receive_eof()
        self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"connection lost: {exc}"))
        if not self.lost.done():
            self.lost.set_result(None)
        collector = self.collector
        if not collector.finished:
            collector.closed.append(f"{self.ws.close_code} {self.ws.close_reason!r}")
            collector.progress.set()

    def _flush(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        for data in self.ws.data_to_send():
            if data:
                transport.write(data)
            elif transport.can_write_eof():
                transport.write_eof()
        if self.ws.close_expected() and not self.closing:
            # Closing handshake done on our side: the server closes TCP; make sure it ends.
            self.closing = True
            asyncio.get_running_loop().call_later(CLOSE_WAIT, transport.abort)

    # API

    def send(self, text: str) -> None:
        self.ws.send_text(text.encode())
        self._flush()

    async def recv(self, timeout: float) -> bytes:
        if self.inbox is None:
            raise RuntimeError("frames go to the collector now")
        return await asyncio.wait_for(self.inbox.get(), timeout)

    def hand_over(self) -> None:
        """From now on every frame goes to the collector (queued ones count as other)."""
        inbox, self.inbox = self.inbox, None
        while inbox is not None and not inbox.empty():
            self.collector.on_frame(inbox.get_nowait())

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    async def close(self) -> None:
        """Closing handshake, bounded; abort past the bound."""
        if self.transport is None or self.lost.done():
            return
        with contextlib.suppress(Exception):
            self.ws.send_close(1000)
            self._flush()
        try:
            await asyncio.wait_for(asyncio.shield(self.lost), CLOSE_WAIT)
        except TimeoutError:
            self.abort()


# -- the configurations --------------------------------------------------------------------


class Target:
    """One configuration under test: its processes and how a client joins it."""

    name = ""
    ours = False

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        self.redis: RedisServer | None = None

    def start(self) -> None:
        raise NotImplementedError

    def server_pids(self) -> list[int]:
        raise NotImplementedError

    async def setup(self) -> None:
        """Per-run preparation once the processes are up."""

    async def open(self, index: int, node: int, collector: Collector) -> Client:
        """A connection to ``node``, joined to the room, its frames going to ``collector``."""
        raise NotImplementedError

    def message(self, content: str) -> str:
        """The text frame the sender sends for ``content``."""
        raise NotImplementedError

    async def teardown(self) -> None:
        """Stop every process (also after a partial start)."""

    def problems(self) -> list[str]:
        """Errors the server processes logged."""
        return []

    def redis_pid(self) -> int | None:
        if self.redis is None or self.redis.proc is None:
            return None
        return self.redis.proc.pid


def _log_problems(path: Path, label: str) -> list[str]:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    bad = [line for line in lines if "ERROR" in line or "Traceback" in line or "CRITICAL" in line]
    if not bad:
        return []
    return [f"{label}: {len(bad)} error lines in {path}, first: {bad[0][:200]}"]


class Ours(Target):
    """``python -m signaling serve`` processes (over Redis when more than one)."""

    ours = True

    def __init__(self, nodes: int) -> None:
        super().__init__(nodes)
        self.name = f"ours {nodes} node" + ("s" if nodes > 1 else "")
        self.servers: list[ServerProcess] = []
        self.apis: list[Api] = []
        self.room = ""

    def start(self) -> None:
        env = dict(SERVER_ENV)
        if self.nodes > 1:
            self.redis = RedisServer().start()
            env["SIGNALING_REDIS_URL"] = self.redis.url
        for _ in range(self.nodes):
            server = ServerProcess(env)
            self.servers.append(server)
            server.start(timeout=START_TIMEOUT)

    def server_pids(self) -> list[int]:
        return [s.proc.pid for s in self.servers if s.proc is not None]

    async def setup(self) -> None:
        self.apis = [Api(server) for server in self.servers]
        owner = self.servers[0].token("bench-owner", "Bench Owner")
        response = await self.apis[0].request(
            "POST", "/v1/rooms", {"password": None, "enable_sip": False}, token=owner
        )
        if response.status_code != 201:
            raise RuntimeError(f"create room: {response.status_code} {response.text}")
        self.room = response.json()["id"]

    async def open(self, index: int, node: int, collector: Collector) -> Client:
        server = self.servers[node]
        name = f"Bench {index}"
        token = server.token(f"bench-{index}", name)
        response = await self.apis[node].request(
            "POST", f"/v1/rooms/{self.room}/start", {}, token=token
        )
        if response.status_code != 200:
            raise RuntimeError(f"start: {response.status_code} {response.text}")
        ticket = response.json()["ticket"]
        protocols = [Subprotocol(SUBPROTOCOL), Subprotocol(f"ticket#{ticket}")]
        client = await Client.open(server.ws_url, collector, protocols)
        join = {"namespace": "control", "payload": {"action": "join", "display_name": name}}
        client.send(json.dumps(join))
        deadline = time.monotonic() + OPEN_TIMEOUT
        while b'"join_success"' not in await client.recv(max(deadline - time.monotonic(), 0.0)):
            pass
        client.hand_over()
        return client

    def message(self, content: str) -> str:
        return (
            '{"namespace":"chat","payload":{"action":"send_message","scope":"global",'
            f'"content":"{content}"}}}}'
        )

    async def teardown(self) -> None:
        for api in self.apis:
            with contextlib.suppress(Exception):
                await api.aclose()
        await asyncio.to_thread(self._stop_processes)

    def _stop_processes(self) -> None:
        for server in self.servers:
            try:
                server.stop()
            except Exception:
                server.kill()
        if self.redis is not None:
            self.redis.kill()

    def problems(self) -> list[str]:
        found: list[str] = []
        for i, server in enumerate(self.servers):
            found += _log_problems(server.log_path, f"node {i + 1}")
        return found


class OursCluster(Ours):
    """Two of ours over a local Redis Cluster; Redis CPU is measured on the room's master."""

    def __init__(self, nodes: int) -> None:
        super().__init__(nodes)
        self.name += ", cluster"
        self.cluster: RedisClusterServers | None = None

    def start(self) -> None:
        self.cluster = RedisClusterServers().start()
        nodes = ",".join(self.cluster.nodes)
        for _ in range(self.nodes):
            server = ServerProcess({**SERVER_ENV, "SIGNALING_REDIS_CLUSTER_NODES": nodes})
            self.servers.append(server)
            server.start(timeout=START_TIMEOUT)

    async def setup(self) -> None:
        await super().setup()
        assert self.cluster is not None
        self.redis = self.cluster.master_of(f"opentalk-signaling:room:{{{self.room}}}:count")

    def _stop_processes(self) -> None:
        self.redis = None  # the cluster's: killed with it
        super()._stop_processes()
        if self.cluster is not None:
            self.cluster.kill()


class BaselineProcess:
    """One ``python -m bench.baseline`` process."""

    def __init__(self, redis_url: str | None) -> None:
        self.port = free_port()
        self.redis_url = redis_url
        self.log_path = Path(tempfile.mkdtemp(prefix="bench-baseline-")) / "baseline.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "bench.baseline", "--port", str(self.port)]
        if self.redis_url:
            command += ["--redis-url", self.redis_url]
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"baseline exited early: {self.log_path.read_text()[-2000:]}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("baseline did not start listening")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


class Baseline(Target):
    """:mod:`bench.baseline` processes (over Redis pub/sub when more than one)."""

    def __init__(self, nodes: int) -> None:
        super().__init__(nodes)
        self.name = f"baseline {nodes} node" + ("s" if nodes > 1 else "")
        self.processes: list[BaselineProcess] = []
        self.source = str(uuid.uuid4())

    def start(self) -> None:
        redis_url = None
        if self.nodes > 1:
            self.redis = RedisServer().start()
            redis_url = self.redis.url
        for _ in range(self.nodes):
            process = BaselineProcess(redis_url)
            self.processes.append(process)
            process.start()

    def server_pids(self) -> list[int]:
        return [p.proc.pid for p in self.processes if p.proc is not None]

    async def open(self, index: int, node: int, collector: Collector) -> Client:
        client = await Client.open(f"ws://127.0.0.1:{self.processes[node].port}/", collector)
        client.hand_over()
        return client

    def message(self, content: str) -> str:
        # Exactly the shape (and so the length) of our server's chat/message_sent frame.
        return (
            f'{{"namespace":"chat","timestamp":"{format_timestamp(utcnow())}",'
            f'"payload":{{"message":"message_sent","id":"{uuid.uuid4()}",'
            f'"source":"{self.source}","content":"{content}","scope":"global"}}}}'
        )

    async def teardown(self) -> None:
        await asyncio.to_thread(self._stop_processes)

    def _stop_processes(self) -> None:
        for process in self.processes:
            process.stop()
        if self.redis is not None:
            self.redis.kill()

    def problems(self) -> list[str]:
        found: list[str] = []
        for i, process in enumerate(self.processes):
            found += _log_problems(process.log_path, f"baseline {i + 1}")
        return found


# -- one run -------------------------------------------------------------------------------


@dataclass
class Result:
    config: str
    nodes: int
    ours: bool
    receivers: int
    messages: int = 0  # per throughput burst
    seconds: list[float] = field(default_factory=list)  # per burst
    cpu_samples: list[float] = field(default_factory=list)  # server CPU-s per 100k, per burst
    redis_samples: list[float] = field(default_factory=list)
    client_samples: list[float] = field(default_factory=list)  # load generator CPU share
    deliveries_per_s: float | None = None
    cpu_per_100k: float | None = None
    redis_per_100k: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    latency_samples: int = 0
    rss_kib_per_conn: float | None = None
    frame_bytes: int = 0
    setup: str = ""  # how connecting went
    notes: list[str] = field(default_factory=list)  # problems
    profile: list[tuple[str, float]] = field(default_factory=list)


async def burst(target: Target, sender: Client, collector: Collector, n: int) -> None:
    """Send ``n`` messages with at most ``WINDOW`` incomplete; return when all are complete."""
    base = collector.completed
    deadline = time.monotonic() + PHASE_TIMEOUT
    for sent in range(n):
        while sent - (collector.completed - base) >= WINDOW:
            await collector.wait_progress(deadline, "throughput")
        sender.send(target.message(collector.content()))
    while collector.completed - base < n:
        await collector.wait_progress(deadline, "throughput")


async def open_loop(
    target: Target, sender: Client, collector: Collector, rate: float, seconds: float
) -> int:
    """Send at a fixed ``rate`` for ``seconds`` whatever happens; wait for all deliveries."""
    base = collector.completed
    count = max(1, round(rate * seconds))
    start = time.perf_counter()
    for k in range(count):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sender.send(target.message(collector.content()))
    deadline = time.monotonic() + PHASE_TIMEOUT
    while collector.completed - base < count:
        await collector.wait_progress(deadline, "latency")
    return count


def percentile(values: list[int], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1e6


class Run:
    """One configuration at one R: its processes, its clients, its row of the table.

    The phases are methods so that :func:`run_pair` can interleave a baseline and ours (both
    up at once) burst by burst: drift on a shared machine then hits both alike. A phase
    that fails marks the run failed; later phases skip it, the other run goes on.
    """

    def __init__(self, target: Target, receivers: int) -> None:
        self.target = target
        self.receivers = receivers
        self.result = Result(target.name, target.nodes, target.ours, receivers)
        self.collector = Collector(receivers + 1)
        self.clients: list[Client] = []
        self.sender: Client | None = None
        self.latencies: list[int] = []  # ns, all latency rounds
        self.failed = False

    async def phase(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run one phase unless an earlier one failed; a failure is noted, not raised."""
        if self.failed:
            return
        try:
            await work()
        except Exception as exc:  # whatever it is, report it and go on with the others
            self.failed = True
            what = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
            what = " ".join(what.split())[-400:]
            self.result.notes.append(
                f"FAILED in {name} ({what}); {len(self.clients)} clients connected, "
                f"{self.collector.completed} messages completed, "
                f"closed by the server: {self.collector.closed[:5]}"
            )
            log(f"  ! {self.target.name}: {self.result.notes[-1]}")

    async def prepare(self) -> None:
        """Start the processes, connect the sender and R receivers, measure RSS, warm up."""
        target, collector, receivers = self.target, self.collector, self.receivers
        log(f"{target.name}, R={receivers}: starting")
        target.start()
        await target.setup()
        self.sender = await target.open(0, 0, collector)
        self.clients.append(self.sender)
        await collector.quiet(0.3, QUIET_TIMEOUT)
        await asyncio.sleep(0.5)
        rss_before = rss_kib(target.server_pids())

        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def receiver(index: int) -> None:
            async with gate:
                client = await target.open(index, index % target.nodes, collector)
            self.clients.append(client)

        started = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(*(receiver(i) for i in range(1, receivers + 1))), CONNECT_TIMEOUT
        )
        await collector.quiet(0.5, QUIET_TIMEOUT)
        joined = time.monotonic() - started
        await asyncio.sleep(1.0)
        self.result.rss_kib_per_conn = (rss_kib(target.server_pids()) - rss_before) / receivers
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(collector.other_kinds.items()))
        self.result.setup = (
            f"{receivers} receivers connected and joined in {joined:.1f} s; "
            f"other frames read: {kinds or 'none'}"
        )
        log(f"  {self.result.setup}")
        await burst(target, self.sender, collector, WARMUP_MESSAGES)

    async def throughput(self) -> None:
        """One measured burst: deliveries/s and CPU per 100k deliveries."""
        assert self.sender is not None
        target, result = self.target, self.result
        n = MESSAGES.get(self.receivers, max(100, 100_000 // (self.receivers + 1)))
        pids, redis_pid = target.server_pids(), target.redis_pid()
        deliveries = n * (self.receivers + 1)
        cpu0, redis0, own0 = cpu_seconds(pids), _redis_cpu(redis_pid), own_cpu_seconds()
        t0 = time.perf_counter()
        await burst(target, self.sender, self.collector, n)
        elapsed = time.perf_counter() - t0
        cpu1, redis1, own1 = cpu_seconds(pids), _redis_cpu(redis_pid), own_cpu_seconds()
        result.messages = n
        result.seconds.append(elapsed)
        result.cpu_samples.append((cpu1 - cpu0) / deliveries * 100_000)
        result.redis_samples.append((redis1 - redis0) / deliveries * 100_000)
        result.client_samples.append((own1 - own0) / elapsed)
        result.deliveries_per_s = deliveries / statistics.median(result.seconds)
        result.cpu_per_100k = statistics.median(result.cpu_samples)
        if redis_pid is not None:
            result.redis_per_100k = statistics.median(result.redis_samples)
        result.frame_bytes = self.collector.frame_bytes
        log(
            f"  {target.name}: {n} messages in {elapsed:.2f} s, "
            f"{result.cpu_samples[-1]:.2f} server CPU-s/100k"
        )

    async def latency(self) -> None:
        """One round of open loop at ~10k deliveries/s: p50 and p99 over all rounds."""
        assert self.sender is not None
        collector = self.collector
        await asyncio.sleep(0.5)
        collector.latencies = []
        rate = LATENCY_DELIVERIES_PER_S / self.receivers
        await open_loop(self.target, self.sender, collector, rate, LATENCY_SECONDS)
        latencies, collector.latencies = collector.latencies, None
        self.latencies += latencies
        self.result.latency_samples = len(self.latencies)
        self.result.p50_ms = percentile(self.latencies, 0.50)
        self.result.p99_ms = percentile(self.latencies, 0.99)
        log(
            f"  {self.target.name}: latency round p50 {percentile(latencies, 0.5):.2f} ms, "
            f"p99 {percentile(latencies, 0.99):.2f} ms"
        )

    async def profile(self) -> None:
        """py-spy the first server process during extra (unmeasured) bursts."""
        sender, target, collector = self.sender, self.target, self.collector
        assert sender is not None
        try:
            self.result.profile = await profile_server(
                target.server_pids()[0], lambda: burst(target, sender, collector, 50)
            )
        except (Stall, TimeoutError, OSError) as exc:
            self.result.notes.append(f"profiling failed: {type(exc).__name__}: {exc}")

    async def stop(self) -> None:
        """Stop the processes (the clients keep answering the closing handshakes meanwhile),
        then close whatever is left of the clients."""
        collector = self.collector
        if collector.closed:
            self.result.notes.append(
                f"{len(collector.closed)} connections closed by the server while measuring: "
                f"{collector.closed[:5]}"
            )
        collector.finished = True
        self.result.notes += self.target.problems()
        stopping = time.monotonic()
        await self.target.teardown()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True),
                CLOSE_TIMEOUT,
            )
        for client in self.clients:
            client.abort()
        log(f"  {self.target.name}: stopped in {time.monotonic() - stopping:.1f} s")


async def run_pair(nodes: int, receivers: int, profile: bool) -> list[Result]:
    """The baseline and ours with ``nodes`` nodes at ``receivers``, measured alternately."""
    runs = [Run(Baseline(nodes), receivers), Run(Ours(nodes), receivers)]
    if nodes == 2:
        runs.append(Run(OursCluster(nodes), receivers))
    try:
        for run in runs:
            await run.phase("setup", run.prepare)
        for _ in range(REPEATS):
            for run in runs:
                await run.phase("throughput", run.throughput)
        for _ in range(LATENCY_ROUNDS):
            for run in runs:
                await run.phase("latency", run.latency)
        if profile:
            await runs[1].phase("profile", runs[1].profile)
    finally:
        for run in runs:
            await run.stop()
    return [run.result for run in runs]


def _redis_cpu(pid: int | None) -> float:
    return 0.0 if pid is None else cpu_seconds([pid])


# -- profiling -----------------------------------------------------------------------------


def find_py_spy() -> str | None:
    """py-spy from the venv or PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


async def profile_server(
    pid: int, work: Callable[[], Any], seconds: int = 5
) -> list[tuple[str, float]]:
    """Sample ``pid`` with py-spy while ``work()`` (an awaitable factory) keeps it busy;
    return the top functions by own time (share of the non-idle samples)."""
    py_spy = find_py_spy()
    if py_spy is None:
        log("  py-spy not installed: no profile")
        return []
    out = Path(tempfile.mkdtemp(prefix="bench-profile-")) / "profile.txt"
    proc = await asyncio.create_subprocess_exec(
        py_spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--rate",
        "200",
        "--format",
        "raw",
        "--function",
        "--output",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    deadline = time.monotonic() + seconds + 30
    err = b""
    try:
        await asyncio.sleep(0.5)
        while proc.returncode is None and time.monotonic() < deadline:
            await work()
        _, err = await asyncio.wait_for(proc.communicate(), max(deadline - time.monotonic(), 1))
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0 or not out.exists():
        log(f"  py-spy failed ({proc.returncode}): {err.decode(errors='replace')[-500:]}")
        return []
    log(f"  profile: {out}")
    return summarise_profile(out)


# Leaves that are a thread waiting, not work: py-spy reports the idle thread-pool worker's
# blocking ``queue.get()`` as active (it blocks in C code that holds no Python frame).
IDLE_LEAVES = ("_worker (concurrent/futures/thread.py",)


def summarise_profile(path: Path, top: int = 10) -> list[tuple[str, float]]:
    """The ``top`` functions by own time (leaf frames) in a py-spy ``raw --function`` file,
    as shares of the samples that are not idle waits."""
    own: dict[str, int] = {}
    total = idle = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        if leaf.startswith(IDLE_LEAVES):
            idle += int(count)
            continue
        own[leaf] = own.get(leaf, 0) + int(count)
        total += int(count)
    log(f"  profile: {total} samples ({idle} idle thread-pool samples left out)")
    ranked = sorted(own.items(), key=lambda item: -item[1])[:top]
    return [(name, count / total) for name, count in ranked] if total else []


# -- report --------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _verdict(value: float | None, limit: float, digits: int = 2) -> str:
    if value is None:
        return "not measured"
    return f"{value:.{digits}f} ({'met' if value <= limit else 'MISSED'})"


def ratio(
    results: list[Result], nodes: int, receivers: int, config: str | None = None
) -> float | None:
    def cpu(ours: bool) -> float | None:
        for r in results:
            mine = config is None or not ours or r.config == config
            if mine and (r.ours, r.nodes, r.receivers) == (ours, nodes, receivers):
                return r.cpu_per_100k
        return None

    mine, base = cpu(True), cpu(False)
    return None if mine is None or not base else mine / base


def report(results: list[Result], wall: float, load_before: str) -> None:
    largest = max((r.receivers for r in results), default=max(SIZES))
    print()
    print(
        f"Fan-out benchmark: one room, one sender, R receivers, {CONTENT_LENGTH}-character "
        f"global chat messages; {os.cpu_count()} CPUs, load average {load_before} before and "
        f"{_load()} after; {REPEATS} interleaved bursts per configuration (medians)."
    )
    print()
    print(
        "| configuration | R | deliveries/s | server CPU-s /100k | Redis CPU-s /100k "
        "| p50 ms | p99 ms | RSS KiB/conn | CPU ratio vs baseline |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        rel = ratio(results, r.nodes, r.receivers, r.config) if r.ours else None
        print(
            f"| {r.config} | {r.receivers} | {_fmt(r.deliveries_per_s, 0)} "
            f"| {_fmt(r.cpu_per_100k)} | {_fmt(r.redis_per_100k)} | {_fmt(r.p50_ms)} "
            f"| {_fmt(r.p99_ms)} | {_fmt(r.rss_kib_per_conn, 1)} "
            f"| {_fmt(rel) if r.ours else '(1.00)'} |"
        )
    print()
    print("Details:")
    for r in results:
        line = (
            f"- {r.config}, R={r.receivers}: {REPEATS} × {r.messages} messages × "
            f"{r.receivers + 1} in {', '.join(f'{t:.2f}' for t in r.seconds)} s; server CPU-s "
            f"/100k {', '.join(f'{c:.2f}' for c in r.cpu_samples)}; load generator "
            f"{', '.join(f'{100 * c:.0f}' for c in r.client_samples)} % of a core; "
            f"frame {r.frame_bytes} B; {r.latency_samples} latency samples"
        )
        print(line)
        if r.setup:
            print(f"    {r.setup}")
        for note in r.notes:
            print(f"    ! {note}")
    for r in results:
        if r.profile:
            print()
            print(f"py-spy, {r.config}, R={r.receivers}: top functions by own time")
            for name, share in r.profile:
                print(f"  {100 * share:5.1f}%  {name}")
    one, two = ratio(results, 1, largest), ratio(results, 2, largest)
    big = [r for r in results if r.ours and r.receivers == largest]
    base = [r for r in results if not r.ours and r.receivers == largest]
    print()
    print(f"Total wall time {wall:.0f} s.")
    print(f"# Targets at R={largest} (measured in this run, not assumed):")
    print(f"#   single-node CPU ratio ≤ {TARGET_RATIO_1NODE}: {_verdict(one, TARGET_RATIO_1NODE)}")
    print(f"#   two-node CPU ratio ≤ {TARGET_RATIO_2NODE}: {_verdict(two, TARGET_RATIO_2NODE)}")
    p99 = ", ".join(f"{r.config} {_verdict(r.p99_ms, TARGET_P99_MS)} ms" for r in big)
    p99_base = ", ".join(f"{r.config} {_fmt(r.p99_ms)} ms" for r in base)
    print(f"#   p99 < {TARGET_P99_MS:.0f} ms at ~10k deliveries/s: {p99} (baselines: {p99_base})")
    rss = ", ".join(f"{r.config} {_verdict(r.rss_kib_per_conn, TARGET_RSS_KIB, 1)}" for r in big)
    print(f"#   RSS per idle connection ≤ {TARGET_RSS_KIB:.0f} KiB: {rss}")
    cluster_report(results, largest)
    print(f"cpu_ratio_1node: {'nan' if one is None else f'{one:.2f}'}")
    print(f"cpu_ratio_2node: {'nan' if two is None else f'{two:.2f}'}")
    print_cells(results)


def print_cells(results: list[Result]) -> None:
    """One machine-readable line per cell: the CPU ratio of ours to the baseline for each
    node count and R, and ours' RSS per idle connection at the largest R."""

    def text(value: float | None) -> str:
        return "nan" if value is None else f"{value:.2f}"

    for nodes in (1, 2):
        for receivers in SIZES:
            print(f"cpu_ratio_{nodes}node_r{receivers}: {text(ratio(results, nodes, receivers))}")
    for nodes in (1, 2):
        ours = [r for r in results if r.ours and r.nodes == nodes]
        largest = max(ours, key=lambda r: r.receivers, default=None)
        rss = None if largest is None else largest.rss_kib_per_conn
        print(f"rss_kib_per_conn_{nodes}node: {text(rss)}")


def cluster_report(results: list[Result], receivers: int) -> None:
    """The cluster row against two nodes over one Redis (issue 12's goals)."""
    rows = {r.config: r for r in results if r.receivers == receivers and r.nodes == 2 and r.ours}
    one, cluster = rows.get("ours 2 nodes"), rows.get("ours 2 nodes, cluster")
    if one is None or cluster is None or not one.cpu_per_100k or not one.redis_per_100k:
        return
    cpu = (cluster.cpu_per_100k or 0) / one.cpu_per_100k
    redis = (cluster.redis_per_100k or 0) / one.redis_per_100k
    print(f"#   cluster CPU per delivery ≤ 1.10 × one Redis: {_verdict(cpu, 1.10)}")
    print(f"#   owning master's CPU per delivery ≤ 1.00 × one Redis: {_verdict(redis, 1.0)}")


async def run_all(sizes: list[int], nodes: list[int], profile: bool) -> list[Result]:
    results: list[Result] = []
    for receivers in sizes:
        for count in nodes:
            want_profile = profile and count == 1 and receivers == max(sizes)
            results += await run_pair(count, receivers, want_profile)
    return results


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="bench.fanout", description="Fan-out benchmark (see the module docstring)."
    )
    parser.add_argument(
        "--receivers", default=",".join(map(str, SIZES)), help="comma list of R (50,500)"
    )
    parser.add_argument("--nodes", default="1,2", help="comma list of node counts (1,2)")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy our single-node server at the largest R"
    )
    args = parser.parse_args(argv)
    raise_open_files_limit()
    load_before = _load()
    started = time.monotonic()
    results = asyncio.run(
        run_all(
            [int(x) for x in args.receivers.split(",")],
            [int(x) for x in args.nodes.split(",")],
            args.profile,
        )
    )
    report(results, time.monotonic() - started, load_before)


if __name__ == "__main__":
    main()
