"""Which outbox entries are ready to go: a breakout move is no leave (a pure rule).

A move (and a quick reconnect) closes one socket and opens another with the same
participant id: the live state sees the participant leave with reason ``quit`` and join
again. A ``participant.left`` (``quit``) therefore waits ``window`` seconds; a
``participant.joined`` of the same participant and session within the window cancels both.
Every later entry of the room waits behind it, so the room's order is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from signaling.webhooks.events import Entry


def _seconds(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp()


def _rejoin(entries: Sequence[Entry], i: int, window: float, taken: set[int]) -> int | None:
    """The index of the join that makes the leave ``entries[i]`` a move, if any."""
    left = entries[i]
    pid = left.data["participant_id"]
    for j in range(i + 1, len(entries)):
        entry = entries[j]
        if entry.session_id != left.session_id:
            return None
        if j in taken or entry.event != "participant.joined":
            continue
        if entry.data["participant_id"] == pid:
            close = _seconds(entry.timestamp) - _seconds(left.timestamp) <= window
            return j if close else None
    return None


def settle(entries: Sequence[Entry], now: float, window: float) -> tuple[list[Entry], int]:
    """``(ready, through)``: the entries to deliver, oldest first, and the number through
    which every entry is settled (delivered or cancelled); entries after ``through`` wait.
    ``entries`` are the oldest of a room's outbox, in order."""
    ready: list[Entry] = []
    pairs: dict[int, int] = {}  # rejoin → its leave (at their indexes in ``entries``)
    through = 0
    for i, entry in enumerate(entries):
        if i in pairs:
            through = entry.n
            continue
        if entry.event == "participant.left" and entry.data["leave_reason"] == "quit":
            rejoin = _rejoin(entries, i, window, set(pairs))
            if rejoin is not None:
                pairs[rejoin] = i
                through = entry.n
                continue
            if now - _seconds(entry.timestamp) < window:
                break
        ready.append(entry)
        through = entry.n
    # A pair is settled as one: a leave whose rejoin waits keeps everything from it waiting.
    waiting = [leave for rejoin, leave in pairs.items() if entries[rejoin].n > through]
    if waiting:
        through = entries[min(waiting) - 1].n if min(waiting) > 0 else 0
        ready = [entry for entry in ready if entry.n <= through]
    return ready, through
