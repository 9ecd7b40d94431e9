"""signaling.modules.breakout.core: configurations, assignments, who may enter (§11)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from signaling.modules.breakout import core
from signaling.modules.breakout.types import RoomSpec, Start
from signaling.wire import format_timestamp

PIDS = st.sampled_from(["a", "b", "c", "d"])
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def ids() -> Callable[[], str]:
    counter = itertools.count()
    return lambda: f"id{next(counter)}"


starts = st.builds(
    Start,
    rooms=st.lists(
        st.builds(RoomSpec, name=st.text(max_size=5), assignments=st.lists(PIDS, max_size=4)),
        max_size=4,
    ),
    duration=st.none() | st.integers(0, 100),
)


@given(starts, st.sets(PIDS))
def test_a_configuration_assigns_only_present_participants(
    command: Start, present: set[str]
) -> None:
    config = core.configure(command, present, NOW, ids())
    assert [room.name for room in config.rooms] == [spec.name for spec in command.rooms]
    room_ids = [room.id for room in config.rooms]
    assert len({*room_ids, config.id}) == len(room_ids) + 1
    assert set(config.assignments) <= present
    for pid, room in config.assignments.items():  # the last spec naming it wins
        last = max(i for i, spec in enumerate(command.rooms) if pid in spec.assignments)
        assert room == room_ids[last]
    assert config.started == format_timestamp(NOW)
    assert (config.expires is None) == (not command.duration)


@given(starts, st.sets(PIDS), PIDS)
def test_each_participant_sees_only_its_own_assignment(
    command: Start, present: set[str], pid: str
) -> None:
    config = core.configure(command, present, NOW, ids())
    started = core.started(config, pid)
    assert started.assignment == config.assignments.get(pid)
    assert started.rooms == config.rooms


@given(starts, st.sampled_from([None, "id0", "id1", "elsewhere"]))
def test_the_main_room_is_always_open_a_breakout_room_while_configured(
    command: Start, breakout: str | None
) -> None:
    config = core.configure(command, set(), NOW, ids())
    assert core.may_enter(None, None) and core.may_enter(config, None)
    assert not core.may_enter(None, "id0")
    assert core.may_enter(config, breakout) == (
        breakout is None or breakout in [room.id for room in config.rooms]
    )
