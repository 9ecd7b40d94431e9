"""Graceful drain on SIGTERM, so a rolling restart does not stampede the other nodes.

At the first SIGTERM the node starts draining: ``/healthz`` answers 503 ``draining``, new
``/signaling`` handshakes get 503, and the local clients are closed with 1001 (the web app
resumes elsewhere) spread over ``SIGNALING_DRAIN_SECONDS``. When all are gone, or the drain
time is over, uvicorn's own shutdown proceeds (closing what is left with 1001, then the
lifespan). A second SIGTERM skips the rest of the drain. Whatever happens, the process is
gone ``SIGNALING_SHUTDOWN_TIMEOUT`` + a margin after the drain time: a shutdown that hangs is
ended with ``os._exit``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from signaling.errors import CloseCode

if TYPE_CHECKING:
    from signaling.node import Node

log = logging.getLogger(__name__)
EXIT_MARGIN = 5.0  # seconds past drain and shutdown timeout before the process is ended
SPREAD = 0.8  # the closes are spread over this share of the drain time


class Drain:
    def __init__(self, node: Node) -> None:
        self.node = node
        self._proceed: Callable[[int, FrameType | None], Any] | None = None
        self._started = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        """Take over SIGTERM from the server (called at start-up, in the serving process)."""
        if threading.current_thread() is not threading.main_thread():
            return  # an app run in a thread (tests): no signals here
        previous = signal.getsignal(signal.SIGTERM)
        if callable(previous):
            self._proceed = previous
            self._loop = asyncio.get_running_loop()
            signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        if self._started:  # a second SIGTERM: no more waiting
            self._hand_over(sig, frame)
            return
        self._started = True
        settings = self.node.settings
        deadline = settings.drain_seconds + settings.shutdown_timeout + EXIT_MARGIN
        watchdog = threading.Timer(deadline, self._give_up)
        watchdog.daemon = True
        watchdog.start()
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._loop.create_task, self._drain())

    async def _drain(self) -> None:
        node = self.node
        node.draining = True
        seconds = node.settings.drain_seconds
        sessions = node.hub.sessions()
        log.info("draining: closing %d clients over %.0f s", len(sessions), seconds)
        loop = asyncio.get_running_loop()
        start = loop.time()
        step = seconds * SPREAD / max(len(sessions), 1)
        for index, session in enumerate(sessions):
            await asyncio.sleep(max(0.0, start + index * step - loop.time()))
            session.close(CloseCode.GOING_AWAY, reason="server shutdown")
        with contextlib.suppress(TimeoutError):  # every session gone, or the drain time over
            await asyncio.wait_for(node.hub.idle.wait(), max(0.0, start + seconds - loop.time()))
        self._hand_over(signal.SIGTERM, None)

    def _hand_over(self, sig: int, frame: FrameType | None) -> None:
        if self._proceed is not None:
            proceed, self._proceed = self._proceed, None
            proceed(sig, frame)

    @staticmethod
    def _give_up() -> None:
        log.error("shutdown did not finish in time: exiting")
        logging.shutdown()
        os._exit(1)
