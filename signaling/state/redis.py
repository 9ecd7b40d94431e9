"""Redis :class:`~signaling.state.LiveState`: multi-step changes are Lua scripts (``lua/``).

Keys of parent room ``R`` share the hash tag ``{R}`` (``<prefix>room:{R}:…``), so a room's
keys would also live on one Redis Cluster slot. Participants are JSON in a hash per
signaling room; ``<prefix>rooms`` lists rooms with state and ``<prefix>empty-rooms``
(scored by the time they emptied) feeds the grace-period cleanup. The scripts that emit
webhook events get ``lua/outbox.lua`` prepended and the outbox keys and arguments last
(:mod:`signaling.webhooks.outbox_redis`).
"""

from __future__ import annotations

import time
import uuid
from importlib import resources
from typing import Any

import msgspec
import redis.asyncio as aioredis

from signaling.state import JoinResult, LeaveReason, Notice, Participant, Role
from signaling.webhooks.events import OUTBOX_LIMIT
from signaling.webhooks.outbox_redis import outbox_key, outboxes_key
from signaling.wire import format_timestamp, utcnow

MAIN = "main"
_participant = msgspec.json.Decoder(Participant)
_json = msgspec.json.Encoder()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _lua(name: str) -> str:
    return resources.files("signaling.state").joinpath(f"lua/{name}").read_text()


def _script(client: aioredis.Redis, name: str, outbox_limit: int = 0) -> Any:
    """``lua/<name>``; with ``outbox_limit``: it emits, the outbox snippet goes ahead."""
    head = f"local OUTBOX_LIMIT = {outbox_limit}\n{_lua('outbox.lua')}" if outbox_limit else ""
    return client.register_script(head + _lua(name))


class RedisState:
    def __init__(
        self, client: aioredis.Redis, prefix: str, outbox_limit: int = OUTBOX_LIMIT
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._rooms = f"{prefix}rooms"
        self._empty = f"{prefix}empty-rooms"
        self._timers = f"{prefix}timers"
        self._outboxes = outboxes_key(prefix)
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

    def _base(self, room: str) -> str:
        return f"{self._prefix}room:{{{room}}}:"

    def _key(self, room: str, name: str) -> str:
        return self._base(room) + name

    def _sroom(self, room: str, breakout: str | None, name: str) -> str:
        return f"{self._base(room)}sroom:{breakout or MAIN}:{name}"

    def _outbox(self, room: str) -> list[str]:
        """The last KEYS of a script that emits."""
        return [outbox_key(self._prefix, room), self._outboxes]

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
        result = await self._join(
            keys=[
                self._key(room, "count"),
                self._key(room, "closes_at"),
                self._key(room, "roles"),
                self._sroom(room, breakout, "participants"),
                self._key(room, "srooms"),
                self._rooms,
                self._empty,
                self._sroom(room, breakout, "order"),
                self._key(room, "seq"),
                *self._outbox(room),
            ],
            args=[
                room,
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
        left = await self._leave(
            keys=[
                self._key(room, "count"),
                self._sroom(room, breakout, "participants"),
                self._empty,
                *self._outbox(room),
            ],
            args=[
                room,
                pid,
                at,
                runner,
                time.time(),
                reason,
                breakout or MAIN,
                *self._emitting(room, at),
            ],
        )
        return bool(left)

    async def participants(self, room: str, breakout: str | None) -> list[Participant]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrange(self._sroom(room, breakout, "order"), 0, -1)
            pipe.hgetall(self._sroom(room, breakout, "participants"))
            order, records = await pipe.execute()
        return [_participant.decode(records[pid]) for pid in order if pid in records]

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
        key = self._key(room, f"list:{name}")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, item)
            if limit > 0:
                pipe.ltrim(key, -limit, -1)
            else:
                pipe.delete(key)
            pipe.sadd(self._key(room, "lists"), name)
            await pipe.execute()

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
        taken = await self._take_value(
            keys=[self._key(room, "values"), *self._outbox(room)],
            args=[name, expected, event, _json.encode(data), *self._emitting(room)],
        )
        return bool(taken)

    async def set_entry(self, room: str, name: str, key: str, value: bytes) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._key(room, f"map:{name}"), key, value)
            pipe.sadd(self._key(room, "maps"), name)
            await pipe.execute()

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
        key = self._key(room, "flags")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, name, "1" if value else "0")
            pipe.hget(key, name)
            _, stored = await pipe.execute()
        return bool(stored == b"1")

    async def hold(self, room: str, participant: Participant, *, limit: int) -> bool:
        held = await self._hold(
            keys=[
                self._key(room, "count"),
                self._key(room, "waiting"),
                self._key(room, "accepted"),
                self._key(room, "waiting-order"),
                self._key(room, "seq"),
                self._rooms,
                self._empty,
                *self._outbox(room),
            ],
            args=[room, participant.id, _json.encode(participant), limit, *self._emitting(room)],
        )
        return bool(held)

    async def move_to_waiting(
        self, room: str, breakout: str | None, pid: str, at: str, runner: str
    ) -> Participant | None:
        held = await self._to_waiting(
            keys=[
                self._sroom(room, breakout, "participants"),
                self._key(room, "waiting"),
                self._key(room, "waiting-order"),
                self._key(room, "seq"),
                *self._outbox(room),
            ],
            args=[pid, at, runner, *self._emitting(room, at)],
        )
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
        removed = await self._unhold(
            keys=[
                self._key(room, "count"),
                self._key(room, "waiting"),
                self._key(room, "accepted"),
                self._key(room, "waiting-order"),
                self._empty,
            ],
            args=[room, pid, time.time()],
        )
        return bool(removed)

    async def waiting(self, room: str) -> list[tuple[Participant, bool]]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrange(self._key(room, "waiting-order"), 0, -1)
            pipe.hgetall(self._key(room, "waiting"))
            pipe.hgetall(self._key(room, "accepted"))
            order, waiting, accepted = await pipe.execute()
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
        return [_text(item) for item in await self._redis.smembers(self._rooms)]

    async def breakouts(self, room: str) -> list[str | None]:
        names = await self._redis.smembers(self._key(room, "srooms"))
        return [None if _text(name) == MAIN else _text(name) for name in names]

    async def empty_rooms(self, since: float) -> list[str]:
        members = await self._redis.zrangebyscore(self._empty, "-inf", since)
        return [_text(item) for item in members]

    async def _delete_room(self, room: str, only_if_empty: bool) -> bool:
        deleted = await self._delete(
            keys=[
                self._key(room, "count"),
                self._key(room, "srooms"),
                self._rooms,
                self._empty,
                *self._outbox(room),
            ],
            args=[room, self._base(room), "1" if only_if_empty else "0", *self._emitting(room)],
        )
        return bool(deleted)

    async def delete_if_empty(self, room: str) -> bool:
        return await self._delete_room(room, only_if_empty=True)

    async def delete_room(self, room: str) -> bool:
        return await self._delete_room(room, only_if_empty=False)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        return None
