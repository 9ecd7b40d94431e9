"""Redis :class:`~signaling.state.LiveState`: multi-step changes are Lua scripts (``lua/``).

Keys of parent room ``R`` share the hash tag ``{R}`` (``<prefix>room:{R}:…``), so on a Redis
Cluster a room lives on one slot and every script touches that slot only. Participants are
JSON in a hash per signaling room.

Two indexes let the node duties find rooms without scanning the keyspace: ``<prefix>room-hints``
(rooms that may have state; the sweeper walks it) and ``<prefix>empty-room-hints`` (rooms that may
have emptied; the janitor). They live on slots of their own, so a room's change and its
index entry cannot be one step: an index is a set of *hints* scored by the time of their
last mark. A change marks the index before and after it runs; a duty reads a hint's score,
then checks the room itself, and drops the hint only if its score is still the one it read
(:data:`~signaling.state.hints.UNMARK`), so a hint marked meanwhile survives. Timers are
one sorted set.

The scripts that emit webhook events get ``lua/outbox.lua`` prepended and the room's outbox
key (under the room's hash tag) and the outbox arguments last; around them the outbox hints
(:mod:`signaling.webhooks.outbox_redis`) are marked like the room hints.
"""

from __future__ import annotations

import time
import uuid
from importlib import resources
from typing import Any

import msgspec

from signaling.redis_client import Client
from signaling.state import (
    EndReason,
    JoinResult,
    Keep,
    LeaveReason,
    Notice,
    Participant,
    Role,
)
from signaling.state.hints import UNMARK, pairs
from signaling.webhooks.events import OUTBOX_LIMIT
from signaling.webhooks.outbox_redis import outbox_hints_key, outbox_key
from signaling.wire import format_timestamp, utcnow

MAIN = "main"
_participant = msgspec.json.Decoder(Participant)
_json = msgspec.json.Encoder()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _lua(name: str) -> str:
    return resources.files("signaling.state").joinpath(f"lua/{name}").read_text()


#: Defines the Lua function ``keep(k, a)`` (:meth:`RedisState.keep`; the broker's publish
#: script runs it too).
KEEP_LUA = _lua("keep.lua")


def room_key(prefix: str, room: str, name: str) -> str:
    """The key of the parent room's state ``name`` (on the slot of its hash tag ``{room}``)."""
    return f"{prefix}room:{{{room}}}:{name}"


def keep_input(prefix: str, keep: Keep) -> tuple[list[str], list[str | bytes | int]]:
    """The keys and arguments ``keep(1, 1)`` of :data:`KEEP_LUA` takes for ``keep``."""
    keys = [room_key(prefix, keep.room, "flags"), room_key(prefix, keep.room, "lists")]
    keys += [room_key(prefix, keep.room, f"list:{name}") for name in keep.lists]
    return keys, [keep.unless_off or "", keep.item, keep.limit, *keep.lists]


def _script(client: Client, name: str, outbox_limit: int = 0) -> Any:
    """``lua/<name>``; with ``outbox_limit``: it emits, the outbox snippet goes ahead."""
    head = f"local OUTBOX_LIMIT = {outbox_limit}\n{_lua('outbox.lua')}" if outbox_limit else ""
    return client.register_script(head + _lua(name))


class RedisState:
    def __init__(
        self,
        client: Client,
        prefix: str,
        outbox_limit: int = OUTBOX_LIMIT,
        *,
        kept: str | None = None,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._kept = kept or ""
        self._rooms = f"{prefix}room-hints"
        self._empty = f"{prefix}empty-room-hints"
        self._timers = f"{prefix}timers"
        self._outbox_hints = outbox_hints_key(prefix)
        self._join = _script(client, "join.lua", outbox_limit)
        self._leave = _script(client, "leave.lua", outbox_limit)
        self._update = _script(client, "update_present.lua")
        self._delete = _script(client, "delete_room.lua", outbox_limit)
        self._hold = _script(client, "hold.lua", outbox_limit)
        self._to_waiting = _script(client, "move_to_waiting.lua", outbox_limit)
        self._accept = _script(client, "accept.lua")
        self._unhold = _script(client, "unhold.lua")
        self._admit = _script(client, "admit.lua")
        self._take_value = _script(client, "take_value.lua", outbox_limit)
        self._unmark_script = client.register_script(UNMARK)
        self._keep = client.register_script(f"{KEEP_LUA}\nreturn keep(1, 1) and 1 or 0")
        # scripts rather than MULTI: a cluster client's transaction costs several times more
        self._set_entry = client.register_script(
            "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])"
            " return redis.call('SADD', KEYS[2], ARGV[3])"
        )
        self._read_listed = client.register_script(
            "local found = {redis.call('ZRANGE', KEYS[1], 0, -1)}"
            " for i = 2, #KEYS do found[i] = redis.call('HGETALL', KEYS[i]) end return found"
        )
        self._init_flag = client.register_script(
            "redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])"
            " return redis.call('HGET', KEYS[1], ARGV[1])"
        )

    async def _mark(self, index: str, room: str) -> None:
        await self._redis.zadd(index, {room: time.time()})

    async def _unmark(self, index: str, room: str, score: float | None) -> None:
        if score is not None:
            await self._unmark_script(keys=[index], args=[room, repr(score)])

    async def _marked(self, change: Any, room: str, *indexes: str) -> Any:
        """Run ``change`` (awaitable) between two marks of ``room`` in each of ``indexes``."""
        for index in indexes:
            await self._mark(index, room)
        result = await change
        for index in indexes:
            await self._mark(index, room)
        return result

    def _base(self, room: str) -> str:
        return room_key(self._prefix, room, "")

    def _key(self, room: str, name: str) -> str:
        return room_key(self._prefix, room, name)

    def _sroom(self, room: str, breakout: str | None, name: str) -> str:
        return f"{self._base(room)}sroom:{breakout or MAIN}:{name}"

    def _outbox(self, room: str) -> list[str]:
        """The last KEYS of a script that emits."""
        return [outbox_key(self._prefix, room)]

    def _emitting(self, room: str, at: str | None = None) -> list[str]:
        """The last ARGV of a script that emits: room, key prefix, random digits, time."""
        return [room, self._base(room), uuid.uuid4().hex, at or format_timestamp(utcnow())]

    async def join(
        self,
        room: str,
        breakout: str | None,
        participant: Participant,
        *,
        limit: int,
        closes_at: str | None,
        counted: bool,
        record_limit: int = 0,
    ) -> JoinResult:
        joining = self._join(
            keys=[
                self._key(room, "count"),
                self._key(room, "closes_at"),
                self._key(room, "roles"),
                self._sroom(room, breakout, "participants"),
                self._key(room, "srooms"),
                self._sroom(room, breakout, "order"),
                self._key(room, "seq"),
                *self._outbox(room),
            ],
            args=[
                breakout or MAIN,
                participant.id,
                _json.encode(participant),
                limit,
                closes_at or "",
                "1" if counted else "0",
                record_limit,
                *self._emitting(room, participant.joined_at),
            ],
        )
        result = await self._marked(joining, room, self._rooms, self._outbox_hints)
        if result[0] == 0:
            return JoinResult(blocked=True)
        return JoinResult(
            blocked=False,
            participant=_participant.decode(result[1]),
            closes_at=result[2].decode() or None,
        )

    async def leave(
        self,
        room: str,
        breakout: str | None,
        pid: str,
        at: str,
        runner: str,
        reason: LeaveReason = "quit",
    ) -> bool:
        leaving = self._leave(
            keys=[
                self._key(room, "count"),
                self._sroom(room, breakout, "participants"),
                *self._outbox(room),
            ],
            args=[pid, at, runner, reason, breakout or MAIN, *self._emitting(room, at)],
        )
        return bool(await self._marked(leaving, room, self._empty, self._outbox_hints))

    async def participants(self, room: str, breakout: str | None) -> list[Participant]:
        keys = [self._sroom(room, breakout, "order"), self._sroom(room, breakout, "participants")]
        order, records = await self._listed(keys=keys)
        return [_participant.decode(records[pid]) for pid in order if pid in records]

    async def _listed(self, keys: list[str]) -> list[Any]:
        """The members of an order (sorted set) and the records of hashes, read in one step."""
        found = await self._read_listed(keys=keys)
        return [found[0], *(pairs(flat) for flat in found[1:])]

    async def participant(self, room: str, breakout: str | None, pid: str) -> Participant | None:
        raw = await self._redis.hget(self._sroom(room, breakout, "participants"), pid)
        return None if raw is None else _participant.decode(raw)

    async def _update_present(
        self, room: str, breakout: str | None, pid: str, fields: dict[str, Any]
    ) -> Participant | None:
        stored = await self._update(
            keys=[self._sroom(room, breakout, "participants"), self._key(room, "roles")],
            args=[pid, _json.encode(fields)],
        )
        return None if stored is None else _participant.decode(stored)

    async def set_hand(
        self, room: str, breakout: str | None, pid: str, up: bool, at: str
    ) -> Participant | None:
        return await self._update_present(
            room, breakout, pid, {"hand_is_up": up, "hand_updated_at": at}
        )

    async def set_role(
        self, room: str, breakout: str | None, pid: str, role: Role
    ) -> Participant | None:
        return await self._update_present(room, breakout, pid, {"role": role})

    async def set_display_name(
        self, room: str, breakout: str | None, pid: str, name: str
    ) -> Participant | None:
        return await self._update_present(room, breakout, pid, {"display_name": name})

    async def count(self, room: str) -> int:
        return int(await self._redis.get(self._key(room, "count")) or 0)

    async def flag(self, room: str, name: str, default: bool) -> bool:
        value = await self._redis.hget(self._key(room, "flags"), name)
        return default if value is None else value == b"1"

    async def set_flag(self, room: str, name: str, value: bool) -> None:
        await self._redis.hset(self._key(room, "flags"), name, "1" if value else "0")

    async def append(self, room: str, name: str, item: bytes, limit: int) -> None:
        await self.keep(Keep(room, (name,), item, limit))

    async def keep(self, keep: Keep) -> bool:
        keys, args = keep_input(self._prefix, keep)
        return bool(await self._keep(keys=keys, args=args))

    async def items(self, room: str, name: str) -> list[bytes]:
        found: Any = await self._redis.lrange(self._key(room, f"list:{name}"), 0, -1)
        return list(found)

    async def clear(self, room: str, name: str) -> None:
        await self._redis.delete(self._key(room, f"list:{name}"))

    async def put_value(self, room: str, name: str, value: bytes) -> None:
        await self._redis.hset(self._key(room, "values"), name, value)

    async def value(self, room: str, name: str) -> bytes | None:
        found: Any = await self._redis.hget(self._key(room, "values"), name)
        return found  # type: ignore[no-any-return]

    async def put_new_value(self, room: str, name: str, value: bytes) -> bool:
        return bool(await self._redis.hsetnx(self._key(room, "values"), name, value))

    async def take_value(
        self, room: str, name: str, expected: bytes, notice: Notice | None = None
    ) -> bool:
        event, data = notice or ("", {})
        taking = self._take_value(
            keys=[self._key(room, "values"), *self._outbox(room)],
            args=[name, expected, event, _json.encode(data), *self._emitting(room)],
        )
        if notice is None:
            return bool(await taking)
        return bool(await self._marked(taking, room, self._outbox_hints))

    async def set_entry(self, room: str, name: str, key: str, value: bytes) -> None:
        keys = [self._key(room, f"map:{name}"), self._key(room, "maps")]
        await self._set_entry(keys=keys, args=[key, value, name])

    async def entries(self, room: str, name: str) -> dict[str, bytes]:
        found: Any = await self._redis.hgetall(self._key(room, f"map:{name}"))
        return {_text(key): value for key, value in found.items()}

    async def schedule(self, key: str, at: float) -> None:
        await self._redis.zadd(self._timers, {key: at})

    async def unschedule(self, key: str) -> None:
        await self._redis.zrem(self._timers, key)

    async def due(self, now: float) -> list[str]:
        return [_text(key) for key in await self._redis.zrangebyscore(self._timers, "-inf", now)]

    async def claim(self, key: str) -> bool:
        return bool(await self._redis.zrem(self._timers, key))

    async def init_flag(self, room: str, name: str, value: bool) -> bool:
        stored = await self._init_flag(keys=[self._key(room, "flags")], args=[name, int(value)])
        return bool(stored == b"1")

    async def hold(self, room: str, participant: Participant, *, limit: int) -> bool:
        holding = self._hold(
            keys=[
                self._key(room, "count"),
                self._key(room, "waiting"),
                self._key(room, "accepted"),
                self._key(room, "waiting-order"),
                self._key(room, "seq"),
                *self._outbox(room),
            ],
            args=[participant.id, _json.encode(participant), limit, *self._emitting(room)],
        )
        return bool(await self._marked(holding, room, self._rooms, self._outbox_hints))

    async def move_to_waiting(
        self, room: str, breakout: str | None, pid: str, at: str, runner: str
    ) -> Participant | None:
        moving = self._to_waiting(
            keys=[
                self._sroom(room, breakout, "participants"),
                self._key(room, "waiting"),
                self._key(room, "waiting-order"),
                self._key(room, "seq"),
                *self._outbox(room),
            ],
            args=[pid, at, runner, *self._emitting(room, at)],
        )
        held = await self._marked(moving, room, self._outbox_hints)
        return None if held is None else _participant.decode(held)

    async def accept(self, room: str, pid: str) -> bool:
        moved = await self._accept(
            keys=[self._key(room, "waiting"), self._key(room, "accepted")], args=[pid]
        )
        return bool(moved)

    async def admit(self, room: str, pid: str) -> bool:
        admitted = await self._admit(
            keys=[self._key(room, "accepted"), self._key(room, "waiting-order")], args=[pid]
        )
        return bool(admitted)

    async def unhold(self, room: str, pid: str) -> bool:
        removing = self._unhold(
            keys=[
                self._key(room, "count"),
                self._key(room, "waiting"),
                self._key(room, "accepted"),
                self._key(room, "waiting-order"),
            ],
            args=[pid],
        )
        return bool(await self._marked(removing, room, self._empty))

    async def waiting(self, room: str) -> list[tuple[Participant, bool]]:
        order, waiting, accepted = await self._listed(
            keys=[
                self._key(room, "waiting-order"),
                self._key(room, "waiting"),
                self._key(room, "accepted"),
            ]
        )
        return [(_participant.decode(waiting[pid]), False) for pid in order if pid in waiting] + [
            (_participant.decode(accepted[pid]), True) for pid in order if pid in accepted
        ]

    async def is_banned(self, room: str, user_id: str) -> bool:
        return bool(await self._redis.sismember(self._key(room, "bans"), user_id))

    async def ban(self, room: str, user_id: str) -> None:
        await self._redis.sadd(self._key(room, "bans"), user_id)

    async def unban(self, room: str, user_id: str) -> None:
        await self._redis.srem(self._key(room, "bans"), user_id)

    async def rooms(self) -> list[str]:
        return [_text(item) for item in await self._redis.zrange(self._rooms, 0, -1)]

    async def breakouts(self, room: str) -> list[str | None]:
        names = await self._redis.smembers(self._key(room, "srooms"))
        return [None if _text(name) == MAIN else _text(name) for name in names]

    async def empty_rooms(self, since: float) -> list[str]:
        hints: list[Any] = await self._redis.zrangebyscore(
            self._empty, "-inf", since, withscores=True
        )
        async with self._redis.pipeline(transaction=False) as pipe:
            for member, _ in hints:
                pipe.get(self._key(_text(member), "count"))
            counts = await pipe.execute()
        empty = []
        for (member, score), count in zip(hints, counts, strict=True):
            if count is None or int(count) > 0:  # no state, or counted again: its next
                await self._unmark(self._empty, _text(member), score)  # emptying marks it
            else:
                empty.append(_text(member))
        return empty

    async def _delete_room(self, room: str, mode: EndReason) -> bool:
        empty_score: Any = await self._redis.zscore(self._empty, room)
        rooms_score: Any = await self._redis.zscore(self._rooms, room)
        deleting = self._delete(
            keys=[self._key(room, "count"), self._key(room, "srooms"), *self._outbox(room)],
            args=[self._base(room), mode, self._kept, *self._emitting(room)],
        )
        outcome = await self._marked(deleting, room, self._outbox_hints)
        if outcome or mode != "ended":  # an ended session's room is empty now
            await self._unmark(self._empty, room, empty_score)
        if outcome:  # deleted, or had no state: no longer a room with state
            await self._unmark(self._rooms, room, rooms_score)
        return bool(outcome == 1)

    async def delete_if_empty(self, room: str) -> bool:
        return await self._delete_room(room, "empty")

    async def end_session(self, room: str) -> bool:
        return await self._delete_room(room, "ended")

    async def delete_room(self, room: str) -> bool:
        return await self._delete_room(room, "room_deleted")

    async def session(self, room: str) -> str | None:
        found: Any = await self._redis.get(self._key(room, "session"))
        return None if found is None else _text(found)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        return None
