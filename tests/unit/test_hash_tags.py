"""On a Redis Cluster a room lives on one slot: every channel of a parent room, the channels'
numbering and history keys, and the room's live-state keys hash to the slot of ``{room}``
(signaling/hub.py, signaling/broker/redis.py, signaling/state/redis.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from redis.crc import key_slot

from signaling.broker.redis import channel_names
from signaling.hub import global_channel, group_channel, participant_channel, room_channel

PREFIX = "opentalk-signaling:"
ids = st.text(st.characters(blacklist_characters="{}", blacklist_categories=["Cs"]), min_size=1)


def _slot(name: str) -> int:
    return key_slot(name.encode())


@given(room=ids, breakout=st.none() | ids, pid=ids, group=ids)
def test_every_channel_of_a_room_and_its_keys_share_the_room_s_slot(
    room: str, breakout: str | None, pid: str, group: str
) -> None:
    state_key = f"{PREFIX}room:{{{room}}}:count"  # RedisState's layout
    channels = [
        room_channel(room, breakout),
        global_channel(room),
        participant_channel(room, pid),
        group_channel(room, breakout, group),
    ]
    for channel in channels:
        for name in channel_names(PREFIX, channel):
            assert _slot(name) == _slot(state_key), (channel, name)


@given(channel=st.text(min_size=1))
def test_a_channel_and_its_keys_share_one_slot_whatever_its_name(channel: str) -> None:
    name, meta, history = channel_names(PREFIX, channel)
    assert name.startswith(PREFIX) and meta == name + ":meta" and history == name + ":history"
    assert _slot(name) == _slot(meta) == _slot(history)


def test_rooms_spread_over_slots() -> None:
    slots = {_slot(channel_names(PREFIX, global_channel(f"room-{i}"))[0]) for i in range(200)}
    assert len(slots) > 150  # not all under one tag
