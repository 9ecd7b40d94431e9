"""The outbox bound per webhook: with a real deliverer, a real receiver per webhook and the
embedded outbox and records, a webhook that lags loses (and counts) the oldest events past
the bound; one that had passed them loses nothing."""

from __future__ import annotations

import uuid
from collections import Counter
from functools import partial
from pathlib import Path

from signaling.config import Settings
from signaling.webhooks.delivery import Deliverer
from signaling.webhooks.outbox_memory import MemoryOutbox
from signaling.webhooks.records import Webhook
from signaling.webhooks.records_sqlite import SqliteRecords
from tests.support.receiver import Receiver

LIMIT = 4
CREATED = "2024-01-01T00:00:00.000000Z"
AT = "2024-01-01T00:00:01.000000Z"


def _emit(outbox: MemoryOutbox, room: str, polls: range) -> None:
    for i in polls:
        outbox.emit(room, None, AT, "poll.done", {"poll_id": f"p{i}", "results": []})


def _polls(receiver: Receiver, room: str) -> list[str]:
    return [r.json["data"]["poll_id"] for r in receiver.events(room)]


def _got_last(receiver: Receiver, room: str) -> bool:
    return "p6" in _polls(receiver, room)


async def test_a_lagging_webhook_loses_the_oldest_past_the_bound_and_counts_them(
    tmp_path: Path,
) -> None:
    outbox = MemoryOutbox(LIMIT)
    records = SqliteRecords(str(tmp_path / "meetings.sqlite3"))
    await records.open()
    counts: Counter[str] = Counter()
    settings = Settings(webhook_retry_base=0.05, webhook_retry_max=0.1)

    def count(outcome: str, n: int) -> None:
        counts[outcome] += n

    async def keeps_chat(room: str) -> bool:
        return False

    deliverer = Deliverer(outbox, records, settings, "node-1", count, keeps_chat)
    up, down, also_down = [await Receiver().start() for _ in range(3)]
    try:
        for receiver in (up, down, also_down):
            webhook = Webhook(
                id=str(uuid.uuid4()),
                url=receiver.url,
                events=["poll.done"],
                secret="s",
                created_at=CREATED,
            )
            await records.add_webhook(webhook)
        down.status = also_down.status = 500
        room = str(uuid.uuid4())
        _emit(outbox, room, range(3))
        await deliverer.look()
        await up.until(lambda: len(_polls(up, room)) == 3)
        await down.until(lambda: len(down.events(room, delivered_only=False)) >= 2)
        _emit(outbox, room, range(3, 7))  # 7 waiting for the lagging ones: the 3 oldest go
        down.status = also_down.status = 200
        for receiver in (up, down, also_down):
            await receiver.until(partial(_got_last, receiver, room))
        assert _polls(up, room) == [f"p{i}" for i in range(7)]
        assert _polls(down, room) == _polls(also_down, room) == ["p3", "p4", "p5", "p6"]
        assert counts["dropped"] == 2 * 3  # counted per webhook that lost them
        assert counts["delivered"] == 7 + 4 + 4
    finally:
        await deliverer.close()
        for receiver in (up, down, also_down):
            await receiver.stop()
        await records.close()
