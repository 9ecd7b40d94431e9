"""Stopping background tasks for good."""

from __future__ import annotations

import asyncio


async def cancel_until_done(tasks: set[asyncio.Task[None]]) -> None:
    """Cancel ``tasks`` and wait for them. A cancellation that meets a wait finishing at the
    same moment can be swallowed (Python 3.11's ``wait_for``, redis-py's timeouts), so cancel
    again until every one has really stopped."""
    pending = set(tasks)
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.1)
