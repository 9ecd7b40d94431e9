"""The Redis :class:`~.records.Records`.

``<prefix>webhooks`` is a hash of webhook JSON by id. A session's keys carry its id as hash
tag: ``<prefix>meeting:{S}`` (a hash: room_id, started_at, ended_at, max_concurrent) and
``:attendances`` (JSON by event id), ``:order`` (event ids in join order), ``:open``
(participant → event id of its open attendance), ``:people`` (distinct participants),
``:polls`` (finished polls' JSON by poll id) and ``:chat`` (the kept chat's JSON);
:meth:`RedisRecords.apply` changes them in one script (a poll or the chat: one command).
``<prefix>meetings:{R}`` indexes a room's sessions by start time. A session's keys expire
``retention`` seconds after it ended, so :meth:`RedisRecords.purge` has nothing to do; the
index forgets them when next read.
Every command and script touches one slot (a session's reads are scripts, not MULTI), so
this also runs on a Redis Cluster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from signaling.redis_client import Client
from signaling.state.hints import pairs
from signaling.webhooks.events import CHAT_KEPT, Entry
from signaling.webhooks.records import (
    Attendance,
    FinishedPoll,
    MeetingSession,
    Webhook,
    finished_poll,
)

_APPLY = """
-- KEYS: meeting, attendances, order, open, people, polls, chat
-- ARGV: event, event id, data JSON, room, retention seconds
local data = cjson.decode(ARGV[3])
local event = ARGV[1]
if event == 'session.started' then
  redis.call('HSETNX', KEYS[1], 'room_id', ARGV[4])
  redis.call('HSETNX', KEYS[1], 'started_at', data['started_at'])
  redis.call('HSETNX', KEYS[1], 'max_concurrent', 0)
elseif event == 'participant.joined' then
  if redis.call('HSETNX', KEYS[2], ARGV[2], cjson.encode({
      participant_id = data['participant_id'], display_name = data['display_name'],
      kind = data['kind'], role = data['role'], joined_at = data['joined_at']})) == 1 then
    redis.call('RPUSH', KEYS[3], ARGV[2])
    redis.call('HSET', KEYS[4], data['participant_id'], ARGV[2])
    redis.call('SADD', KEYS[5], data['participant_id'])
    local open = redis.call('HLEN', KEYS[4])
    if open > tonumber(redis.call('HGET', KEYS[1], 'max_concurrent') or '0') then
      redis.call('HSET', KEYS[1], 'max_concurrent', open)
    end
  end
elseif event == 'participant.left' then
  local id = redis.call('HGET', KEYS[4], data['participant_id'])
  if id then
    local attendance = cjson.decode(redis.call('HGET', KEYS[2], id))
    attendance['left_at'] = data['left_at']
    attendance['leave_reason'] = data['leave_reason']
    redis.call('HSET', KEYS[2], id, cjson.encode(attendance))
    redis.call('HDEL', KEYS[4], data['participant_id'])
  end
elseif event == 'session.ended'
    and redis.call('HSETNX', KEYS[1], 'ended_at', data['ended_at']) == 1 then
  for _, id in ipairs(redis.call('HVALS', KEYS[4])) do
    local attendance = cjson.decode(redis.call('HGET', KEYS[2], id))
    attendance['left_at'] = data['ended_at']
    redis.call('HSET', KEYS[2], id, cjson.encode(attendance))
  end
  redis.call('DEL', KEYS[4])
  for _, key in ipairs(KEYS) do
    redis.call('EXPIRE', key, ARGV[5])
  end
end
"""
# KEYS: meeting, people
_READ_SESSION = "return {redis.call('HGETALL', KEYS[1]), redis.call('SCARD', KEYS[2])}"
# KEYS: order, attendances
_READ_ATTENDANCES = "return {redis.call('LRANGE', KEYS[1], 0, -1), redis.call('HGETALL', KEYS[2])}"
_webhook = msgspec.json.Decoder(Webhook)
_attendance = msgspec.json.Decoder(Attendance)
_poll = msgspec.json.Decoder(FinishedPoll)
_messages = msgspec.json.Decoder(list[str])


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisRecords:
    def __init__(self, client: Client, prefix: str, retention: float) -> None:
        self._redis = client
        self._prefix = prefix
        self._retention = max(1, int(retention))
        self._webhooks = f"{prefix}webhooks"
        self._apply = client.register_script(_APPLY)
        self._read_session = client.register_script(_READ_SESSION)
        self._read_attendances = client.register_script(_READ_ATTENDANCES)

    def _meeting(self, session_id: str, name: str = "") -> str:
        return f"{self._prefix}meeting:{{{session_id}}}" + (f":{name}" if name else "")

    def _index(self, room_id: str) -> str:
        return f"{self._prefix}meetings:{{{room_id}}}"

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def add_webhook(self, webhook: Webhook) -> None:
        await self._redis.hset(self._webhooks, webhook.id, msgspec.json.encode(webhook))

    async def webhook(self, webhook_id: str) -> Webhook | None:
        raw: Any = await self._redis.hget(self._webhooks, webhook_id)
        return None if raw is None else _webhook.decode(raw)

    async def webhooks(self) -> list[Webhook]:
        found: Any = await self._redis.hvals(self._webhooks)
        return sorted((_webhook.decode(raw) for raw in found), key=lambda w: (w.created_at, w.id))

    async def replace_webhook(self, webhook: Webhook) -> bool:
        if not await self._redis.hexists(self._webhooks, webhook.id):
            return False
        await self._redis.hset(self._webhooks, webhook.id, msgspec.json.encode(webhook))
        return True

    async def remove_webhook(self, webhook_id: str) -> bool:
        return bool(await self._redis.hdel(self._webhooks, webhook_id))

    async def apply(self, entry: Entry) -> None:
        session = entry.session_id
        if session is None:
            return
        if entry.event == "poll.done":
            poll = finished_poll(entry)
            encoded = msgspec.json.encode(poll)
            await self._redis.hsetnx(self._meeting(session, "polls"), poll.id, encoded)
            return
        if entry.event == CHAT_KEPT:
            chat = msgspec.json.encode(entry.data["messages"])
            await self._redis.set(self._meeting(session, "chat"), chat)
            return
        if entry.event == "session.started":
            started = datetime.fromisoformat(entry.data["started_at"]).timestamp()
            await self._redis.zadd(self._index(entry.room_id), {session: started})
        names = ("", "attendances", "order", "open", "people", "polls", "chat")
        await self._apply(
            keys=[self._meeting(session, name) for name in names],
            args=[
                entry.event,
                entry.id,
                msgspec.json.encode(entry.data),
                entry.room_id,
                self._retention,
            ],
        )

    async def sessions(self, room_id: str) -> list[MeetingSession]:
        ids = [_text(found) for found in await self._redis.zrevrange(self._index(room_id), 0, -1)]
        sessions = [await self.session(session_id) for session_id in ids]
        gone = [session_id for session_id, s in zip(ids, sessions, strict=True) if s is None]
        if gone:
            await self._redis.zrem(self._index(room_id), *gone)
        return [s for s in sessions if s is not None]

    async def session(self, session_id: str) -> MeetingSession | None:
        keys = [self._meeting(session_id), self._meeting(session_id, "people")]
        flat, people = await self._read_session(keys=keys)
        if not flat:
            return None
        record = {_text(key): _text(value) for key, value in pairs(flat).items()}
        return MeetingSession(
            id=session_id,
            room_id=record["room_id"],
            started_at=record["started_at"],
            ended_at=record.get("ended_at"),
            participant_count=int(people),
            max_concurrent=int(record["max_concurrent"]),
        )

    async def attendances(self, session_id: str) -> list[Attendance]:
        keys = [self._meeting(session_id, "order"), self._meeting(session_id, "attendances")]
        order, flat = await self._read_attendances(keys=keys)
        records = pairs(flat)
        return [_attendance.decode(records[event_id]) for event_id in order if event_id in records]

    async def polls(self, session_id: str) -> list[FinishedPoll]:
        found: Any = await self._redis.hvals(self._meeting(session_id, "polls"))
        return sorted((_poll.decode(raw) for raw in found), key=lambda p: (p.ended_at, p.id))

    async def chat(self, session_id: str) -> list[str] | None:
        raw: Any = await self._redis.get(self._meeting(session_id, "chat"))
        return None if raw is None else _messages.decode(raw)

    async def delete_chat(self, session_id: str) -> bool:
        return bool(await self._redis.delete(self._meeting(session_id, "chat")))

    async def purge(self, ended_before: str) -> None:
        return None  # a session's keys expire by themselves
