"""Admission of TCP connections, before any request is parsed.

* **Per client address** at most ``SIGNALING_MAX_CONNECTIONS_PER_IP`` connections at once
  (HTTP and WebSocket alike); the peers listed in ``SIGNALING_TRUSTED_PROXIES`` are exempt,
  since every client behind them shares their address.
* **In total** no more than the open-files limit leaves room for (logs, Redis, SQLite): past
  it, new connections are closed at once instead of failing ``accept()`` with ``EMFILE``.
* **Slowloris**: a request's line and headers must arrive within ``SIGNALING_HEADER_TIMEOUT``
  of the connection (or of the previous response on a kept-alive one).

Refusals are logged at most once per :data:`LOG_INTERVAL` with how many there were, and
asyncio's own ``accept() out of system resource`` error (which CPython logs once per queued
connection, with a traceback each) is reduced to one line per interval.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import resource
import time
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from signaling.config import Settings

log = logging.getLogger(__name__)
LOG_INTERVAL = 10.0
#: File descriptors kept free of client connections (listening socket, logs, Redis, SQLite).
RESERVED_FDS = 64
_ACCEPT_ERROR = "socket.accept() out of system resource"


def raise_open_files_limit() -> int:
    """Raise this process's soft ``RLIMIT_NOFILE`` to its hard limit; returns the new soft one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("cannot raise the open-files limit from %d to %d", soft, target)
    return soft


class _RareLog:
    """A warning at most once per :data:`LOG_INTERVAL`, counting what it left out."""

    def __init__(self, message: str) -> None:
        self._message = message
        self._last = -LOG_INTERVAL
        self._count = 0

    def __call__(self, *args: Any) -> None:
        self._count += 1
        now = time.monotonic()
        if now - self._last >= LOG_INTERVAL:
            log.warning(
                self._message + " (%d in the last %.0f s)", *args, self._count, LOG_INTERVAL
            )
            self._last = now
            self._count = 0


class ConnectionGuard:
    """The connections of one process by client address; shared by its HTTP and WebSocket
    protocol objects (one connection may pass from the first to the second)."""

    def __init__(self, settings: Settings) -> None:
        self.per_ip = settings.max_connections_per_ip
        self.header_timeout = settings.header_timeout
        self.stall_timeout = settings.send_stall_timeout
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        self.total = max(16, soft - RESERVED_FDS) if soft != resource.RLIM_INFINITY else 1 << 20
        self._any_proxy = "*" in settings.trusted_proxies
        self._proxies = [
            ipaddress.ip_network(item, strict=False)
            for item in settings.trusted_proxies
            if item != "*"
        ]
        self._by_ip: dict[str, int] = {}
        self._hosts: dict[asyncio.BaseTransport, str] = {}  # admitted: their counted address
        self._refused_ip = _RareLog("refused connections from %s: %d already open")
        self._refused_total = _RareLog("refused connections: %d open, the limit is %d")

    def _trusted(self, host: str) -> bool:
        if self._any_proxy:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self._proxies)

    def admit(self, transport: asyncio.BaseTransport) -> bool:
        """Count a new connection, or return False (the caller closes it)."""
        if len(self._hosts) >= self.total:
            self._refused_total(len(self._hosts), self.total)
            return False
        peer = transport.get_extra_info("peername")
        host = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        if host and self._trusted(host):
            host = ""  # a proxy: its clients are counted in total only
        if host:
            count = self._by_ip.get(host, 0)
            if count >= self.per_ip:
                self._refused_ip(host, count)
                return False
            self._by_ip[host] = count + 1
        self._hosts[transport] = host
        return True

    def release(self, transport: asyncio.BaseTransport) -> None:
        """Forget a connection that ended; a second call for the same one does nothing."""
        host = self._hosts.pop(transport, None)
        if host:
            count = self._by_ip.pop(host) - 1
            if count:
                self._by_ip[host] = count


def filter_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """Log the loop's ``accept()`` resource errors as one line per interval, no traceback."""
    rare = _RareLog("accept() failed at the open-files limit: %s")
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == _ACCEPT_ERROR:
            rare(context.get("exception"))
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


class HttpProtocol(H11Protocol):
    """uvicorn's h11 protocol behind the :class:`ConnectionGuard`, with a header deadline."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        guard: ConnectionGuard,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.guard = guard
        self._admitted = False
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not self.guard.admit(transport):
            transport.abort()
            return
        self._admitted = True
        self._arm()

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.guard.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE or self.transport.get_protocol() is not self:
            self._disarm()  # the headers are in (or the connection became a WebSocket)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._disarm()
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._admitted:
            self.guard.release(self.transport)
        super().connection_lost(exc)
