"""The connection's inbox (``signaling.transport.Inbox``): what uvicorn's protocol puts in,
the app gets out, in order, with waits woken by puts and cancelled waits losing nothing."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from signaling.transport import Inbox


def event(n: int) -> Any:
    return cast(Any, {"type": "websocket.receive", "text": str(n)})


async def number(inbox: Inbox) -> int:
    got: Any = await inbox.get()
    return int(got["text"])


@given(st.lists(st.booleans(), max_size=60))
def test_gets_return_the_puts_in_order(steps: list[bool]) -> None:
    """True puts the next event, False gets one if any is there (never blocking)."""

    async def run() -> None:
        inbox, put, got = Inbox(), 0, []
        for is_put in steps:
            if is_put:
                inbox.put_nowait(event(put))
                put += 1
            elif not inbox.empty():
                got.append(await number(inbox))
        while not inbox.empty():
            got.append(await number(inbox))
        assert got == list(range(put))

    asyncio.run(run())


async def test_a_waiting_get_is_woken_by_a_put() -> None:
    inbox = Inbox()
    waiting = asyncio.ensure_future(number(inbox))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    inbox.put_nowait(event(1))
    assert await asyncio.wait_for(waiting, 1) == 1
    assert inbox.empty()


async def test_a_cancelled_wait_loses_nothing() -> None:
    inbox = Inbox()
    waiting = asyncio.ensure_future(number(inbox))
    await asyncio.sleep(0.01)
    waiting.cancel()
    inbox.put_nowait(event(1))  # put while the cancellation is still being delivered
    await asyncio.gather(waiting, return_exceptions=True)
    assert not inbox.empty()
    assert await number(inbox) == 1
