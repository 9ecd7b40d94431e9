"""The settle rule (signaling/webhooks/settle.py), proven with hypothesis: a quit and a
rejoin within the window is no leave, and nothing overtakes a waiting leave."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.webhooks.events import Entry
from signaling.webhooks.settle import settle
from signaling.wire import format_timestamp

WINDOW = 5.0
BASE = 1_700_000_000.0


def _at(second: float) -> str:
    return format_timestamp(datetime.fromtimestamp(BASE + second, UTC))


def _entry(n: int, event: str, second: float, pid: str = "a", reason: str = "quit") -> Entry:
    data = {"room_id": "r", "session_id": "s", "participant_id": pid, "leave_reason": reason}
    return Entry(n, f"id-{n}", event, _at(second), data)  # type: ignore[arg-type]


steps = st.lists(
    st.tuples(
        st.sampled_from(["participant.joined", "participant.left", "poll.done"]),
        st.sampled_from(["a", "b"]),
        st.sampled_from(["quit", "kicked"]),
        st.floats(0, 8),  # seconds after the previous entry
    ),
    max_size=12,
)


def _entries(drawn: list[tuple[str, str, str, float]]) -> list[Entry]:
    second, found = 0.0, []
    for n, (event, pid, reason, gap) in enumerate(drawn, start=1):
        second += gap
        found.append(_entry(n, event, second, pid, reason))
    return found


@settings(deadline=None)
@given(steps, st.floats(0, 200))
def test_ready_entries_are_an_ordered_subset_up_to_through(
    drawn: list[tuple[str, str, str, float]], now: float
) -> None:
    entries = _entries(drawn)
    ready, through = settle(entries, BASE + now, WINDOW)
    assert [e.n for e in ready] == sorted(e.n for e in ready)
    assert all(e.n <= through for e in ready)
    assert through == 0 or through in {e.n for e in entries}
    cancelled = [e for e in entries if e.n <= through and e not in ready]
    assert all(e.event in ("participant.left", "participant.joined") for e in cancelled)
    lefts = sum(e.event == "participant.left" for e in cancelled)
    assert lefts * 2 == len(cancelled)  # a leave and its rejoin go together
    assert all(e.data["leave_reason"] == "quit" for e in cancelled if e.event == "participant.left")


@settings(deadline=None)
@given(steps)
def test_late_enough_everything_is_settled(drawn: list[tuple[str, str, str, float]]) -> None:
    entries = _entries(drawn)
    _, through = settle(entries, BASE + 10_000, WINDOW)
    assert through == (entries[-1].n if entries else 0)


def test_a_move_is_neither_left_nor_joined() -> None:
    entries = [_entry(1, "participant.left", 0), _entry(2, "participant.joined", 1.5)]
    assert settle(entries, BASE + 1.6, WINDOW) == ([], 2)


def test_a_quit_waits_and_holds_back_what_follows() -> None:
    entries = [_entry(1, "participant.left", 0), _entry(2, "poll.done", 0.5)]
    assert settle(entries, BASE + 1, WINDOW) == ([], 0)
    assert settle(entries, BASE + WINDOW, WINDOW) == (entries, 2)


def test_a_late_rejoin_and_other_reasons_are_real() -> None:
    late = [_entry(1, "participant.left", 0), _entry(2, "participant.joined", WINDOW + 1)]
    assert settle(late, BASE + 100, WINDOW) == (late, 2)
    kicked = [_entry(1, "participant.left", 0, reason="kicked"), _entry(2, "participant.joined", 1)]
    assert settle(kicked, BASE + 1, WINDOW) == (kicked, 2)
    other = [_entry(1, "participant.left", 0), _entry(2, "participant.joined", 1, pid="b")]
    assert settle(other, BASE + 1, WINDOW) == ([], 0)  # a's window is still open


@settings(deadline=None)
@given(steps, st.lists(st.floats(0, 3), max_size=8))
def test_settling_bit_by_bit_delivers_what_settling_late_does(
    drawn: list[tuple[str, str, str, float]], pauses: list[float]
) -> None:
    """A deliverer settles, delivers and trims again and again as time passes."""
    entries = _entries(drawn)
    delivered: list[Entry] = []
    now, left = BASE, entries
    for pause in [*pauses, 10_000.0]:
        now += pause
        ready, through = settle(left, now, WINDOW)
        delivered += ready
        left = [e for e in left if e.n > through]
    assert left == []
    assert delivered == settle(entries, BASE + 10_000, WINDOW)[0]
