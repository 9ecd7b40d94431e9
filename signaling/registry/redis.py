"""The shared :class:`~tickets.registry.Registry`: rooms, invites and SIP configs in Redis.

Several nodes on one Redis see the same records. Keys live under ``{prefix}registry:`` and
never expire (run Redis with AOF: these records are durable):

- ``version``: the layout version (:data:`SCHEMA_VERSION`); :meth:`RedisRegistry.open` refuses
  a newer one (:class:`~tickets.sqlite_registry.SchemaTooNewError`).
- ``room:{id}``: the :class:`~tickets.registry.Room` as msgspec JSON.
- ``rooms-by:{user_id}``: sorted set of the user's room ids, scored by creation time (UTC
  microseconds; ties by id), so listing is oldest first like the SQLite registry.
- ``invite:{code}``: the :class:`~tickets.registry.Invite` as JSON; ``room-invites:{room}``:
  sorted set of the room's invite codes scored by creation time.
- ``sip:{room}``: the :class:`~tickets.registry.SipConfig` as JSON; ``sip-id:{sip_id}``: the
  room holding that call-in id (taken with ``SET NX``, which makes ids unique).

Every change spanning keys is one Lua script or MULTI/EXEC; read-modify-write of one record is
a compare-and-set script retried on conflict, so an update never resurrects a record that was
deleted meanwhile. Errors, validation and edge cases mirror :mod:`tickets.sqlite_registry`,
whose exception types are reused. The scripts address keys they derive from stored data, so
the registry needs a single Redis (not Redis Cluster).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from signaling.registry import (
    SIP_ID_ATTEMPTS,
    SIP_ID_LENGTH,
    SIP_PIN_LENGTH,
    Invite,
    RegistryError,
    Room,
    SchemaTooNewError,
    SipConfig,
    UnknownRoomError,
    UserProfile,
    is_digits,
    random_digits,
)

__all__ = ["SCHEMA_VERSION", "RedisRegistry"]

# Version 1 is the layout described above. A release that changes it bumps this and migrates
# older data in ``open``.
SCHEMA_VERSION = 1
# Compare-and-set retries before giving up on a record that keeps changing underneath.
CAS_ATTEMPTS = 100

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# KEYS[1] a record; ARGV[1] the value read before, ARGV[2] the new value.
_COMPARE_AND_SET = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# KEYS[1] an index sorted set; ARGV[1] the key prefix of its records. Oldest first.
_LIST = """
local out = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local value = redis.call('GET', ARGV[1] .. member)
  if value then out[#out + 1] = value end
end
return out
"""

# KEYS[1] room, KEYS[2] invite, KEYS[3] room-invites; ARGV[1] JSON, ARGV[2] score, ARGV[3] code.
_CREATE_INVITE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
return 1
"""

# KEYS[1] room, KEYS[2] rooms-by of its creator, KEYS[3] room-invites, KEYS[4] sip;
# ARGV[1] the registry prefix, ARGV[2] the room id.
_DELETE_ROOM = """
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
for _, code in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  redis.call('DEL', ARGV[1] .. 'invite:' .. code)
end
redis.call('DEL', KEYS[3])
local sip = redis.call('GET', KEYS[4])
if sip then
  local id_key = ARGV[1] .. 'sip-id:' .. cjson.decode(sip)['sip_id']
  if redis.call('GET', id_key) == ARGV[2] then redis.call('DEL', id_key) end
  redis.call('DEL', KEYS[4])
end
return 1
"""

# KEYS[1] sip; ARGV[1] the registry prefix, ARGV[2] the room id.
_DELETE_SIP = """
local sip = redis.call('GET', KEYS[1])
if not sip then return 0 end
local id_key = ARGV[1] .. 'sip-id:' .. cjson.decode(sip)['sip_id']
if redis.call('GET', id_key) == ARGV[2] then redis.call('DEL', id_key) end
redis.call('DEL', KEYS[1])
return 1
"""

# KEYS[1] room, KEYS[2] sip, KEYS[3] sip-id; ARGV[1] JSON, ARGV[2] the room id.
# 1 created; 0 unknown room; 2 the room got a config meanwhile; 3 the id is taken.
_CREATE_SIP = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
if not redis.call('SET', KEYS[3], ARGV[2], 'NX') then return 3 end
redis.call('SET', KEYS[2], ARGV[1])
return 1
"""

# KEYS[1] sip-id; ARGV[1] the key prefix of SIP configs.
_FIND_SIP = """
local room = redis.call('GET', KEYS[1])
if not room then return false end
return redis.call('GET', ARGV[1] .. room)
"""

_encoder = msgspec.json.Encoder()
_room_decoder = msgspec.json.Decoder(Room)
_invite_decoder = msgspec.json.Decoder(Invite)
_sip_decoder = msgspec.json.Decoder(SipConfig)


def _utc(moment: datetime) -> datetime:
    """A tz-aware UTC datetime; naive input is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _score(moment: datetime) -> int:
    """UTC microseconds since the epoch: exact in a sorted-set score (a double) until 2255."""
    return (moment - _EPOCH) // _MICROSECOND


class RedisRegistry:
    """:class:`~tickets.registry.Registry` on a Redis shared by every node.

    ``client`` belongs to the caller: :meth:`close` leaves it open.
    """

    def __init__(self, client: aioredis.Redis, prefix: str = "opentalk-signaling:") -> None:
        self._redis = client
        self._keys = prefix + "registry:"
        self._open = False
        self._compare_and_set: Any = client.register_script(_COMPARE_AND_SET)
        self._list: Any = client.register_script(_LIST)
        self._create_invite: Any = client.register_script(_CREATE_INVITE)
        self._delete_room: Any = client.register_script(_DELETE_ROOM)
        self._delete_sip: Any = client.register_script(_DELETE_SIP)
        self._create_sip: Any = client.register_script(_CREATE_SIP)
        self._find_sip: Any = client.register_script(_FIND_SIP)

    # -- plumbing ---------------------------------------------------------------------------

    def _key(self, kind: str, name: str) -> str:
        return f"{self._keys}{kind}:{name}"

    def _check_open(self) -> None:
        if not self._open:
            raise RegistryError("the registry is not open")

    async def _get(self, key: str) -> Any:
        self._check_open()
        return await self._redis.get(key)

    async def _replace(self, key: str, old: Any, new: bytes) -> bool:
        """Write ``new`` if ``key`` still holds ``old`` (as read)."""
        return bool(await self._compare_and_set(keys=[key], args=[old, new]))

    # -- lifecycle --------------------------------------------------------------------------

    async def open(self) -> None:
        """Check the connection and the layout version (recording it on a fresh Redis).

        Raises:
            SchemaTooNewError: the stored version is newer than this code knows.
            RegistryError: Redis cannot be reached or holds an unreadable version.
        """
        version_key = self._keys + "version"
        try:
            await self._redis.ping()
            await self._redis.set(version_key, SCHEMA_VERSION, nx=True)
            raw: Any = await self._redis.get(version_key)
        except RedisError as exc:
            raise RegistryError(f"the registry Redis is not usable: {exc}") from exc
        try:
            version = int(raw)
        except (TypeError, ValueError):
            raise RegistryError(f"{version_key} holds no schema version: {raw!r}") from None
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"{version_key} has registry schema version {version}, but this release only"
                f" knows up to {SCHEMA_VERSION}: run a newer release or restore a backup"
            )
        self._open = True

    async def close(self) -> None:
        self._open = False

    # -- rooms ------------------------------------------------------------------------------

    async def create_room(
        self, created_by: UserProfile, password: str | None, waiting_room: bool
    ) -> Room:
        self._check_open()
        room = Room(
            id=str(uuid.uuid4()),
            created_by=created_by,
            created_at=_now(),
            password=password,
            waiting_room=waiting_room,
        )
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("room", room.id), _encoder.encode(room))
            pipe.zadd(self._key("rooms-by", created_by.id), {room.id: _score(room.created_at)})
            await pipe.execute()
        return room

    async def get_room(self, room_id: str) -> Room | None:
        raw = await self._get(self._key("room", room_id))
        return None if raw is None else _room_decoder.decode(raw)

    async def rooms_created_by(self, user_id: str) -> list[Room]:
        """The user's rooms, oldest first."""
        self._check_open()
        raws = await self._list(keys=[self._key("rooms-by", user_id)], args=[self._key("room", "")])
        return [_room_decoder.decode(raw) for raw in raws]

    async def update_room(
        self,
        room_id: str,
        *,
        password: str | msgspec.UnsetType | None = msgspec.UNSET,
        waiting_room: bool | msgspec.UnsetType = msgspec.UNSET,
    ) -> Room | None:
        key = self._key("room", room_id)
        for _ in range(CAS_ATTEMPTS):
            raw = await self._get(key)
            if raw is None:
                return None
            room = _room_decoder.decode(raw)
            changed = msgspec.structs.replace(
                room,
                password=room.password if password is msgspec.UNSET else password,
                waiting_room=room.waiting_room if waiting_room is msgspec.UNSET else waiting_room,
            )
            if changed == room or await self._replace(key, raw, _encoder.encode(changed)):
                return changed
        raise RegistryError(f"room {room_id} kept changing during {CAS_ATTEMPTS} updates")

    async def delete_room(self, room_id: str) -> bool:
        """Delete the room with its invites and SIP config; False if it did not exist."""
        room = await self.get_room(room_id)
        if room is None:
            return False
        keys = [
            self._key("room", room_id),
            self._key("rooms-by", room.created_by.id),  # the creator never changes
            self._key("room-invites", room_id),
            self._key("sip", room_id),
        ]
        return bool(await self._delete_room(keys=keys, args=[self._keys, room_id]))

    # -- invites ----------------------------------------------------------------------------

    async def create_invite(
        self, room_id: str, created_by: UserProfile, expiration: datetime | None
    ) -> Invite:
        """A new active invite (uuid4 code).

        Raises:
            UnknownRoomError: the room does not exist.
        """
        self._check_open()
        now = _now()
        invite = Invite(
            invite_code=str(uuid.uuid4()),
            room=room_id,
            created=now,
            created_by=created_by,
            updated=now,
            updated_by=created_by,
            active=True,
            expiration=None if expiration is None else _utc(expiration),
        )
        keys = [
            self._key("room", room_id),
            self._key("invite", invite.invite_code),
            self._key("room-invites", room_id),
        ]
        args = [_encoder.encode(invite), _score(now), invite.invite_code]
        if not await self._create_invite(keys=keys, args=args):
            raise UnknownRoomError(room_id)
        return invite

    async def invites_of_room(self, room_id: str) -> list[Invite]:
        """The room's invites (revoked ones included), oldest first."""
        self._check_open()
        raws = await self._list(
            keys=[self._key("room-invites", room_id)], args=[self._key("invite", "")]
        )
        return [_invite_decoder.decode(raw) for raw in raws]

    async def get_invite(self, invite_code: str) -> Invite | None:
        raw = await self._get(self._key("invite", invite_code))
        return None if raw is None else _invite_decoder.decode(raw)

    async def update_invite(
        self, invite_code: str, updated_by: UserProfile, expiration: datetime | None
    ) -> Invite | None:
        """Set the expiration (None: never expires); None if the invite is unknown."""
        value = None if expiration is None else _utc(expiration)
        return await self._touch_invite(invite_code, updated_by, expiration=value)

    async def revoke_invite(self, invite_code: str, updated_by: UserProfile) -> Invite | None:
        """Mark the invite inactive (it stays listed); None if unknown."""
        return await self._touch_invite(invite_code, updated_by, active=False)

    async def _touch_invite(
        self, invite_code: str, updated_by: UserProfile, **change: Any
    ) -> Invite | None:
        key = self._key("invite", invite_code)
        now = _now()
        for _ in range(CAS_ATTEMPTS):
            raw = await self._get(key)
            if raw is None:
                return None
            invite = msgspec.structs.replace(
                _invite_decoder.decode(raw), updated=now, updated_by=updated_by, **change
            )
            if await self._replace(key, raw, _encoder.encode(invite)):
                return invite
        raise RegistryError(f"invite {invite_code} kept changing during {CAS_ATTEMPTS} updates")

    # -- SIP --------------------------------------------------------------------------------

    async def get_sip_config(self, room_id: str) -> SipConfig | None:
        raw = await self._get(self._key("sip", room_id))
        return None if raw is None else _sip_decoder.decode(raw)

    async def find_sip_config(self, sip_id: str) -> SipConfig | None:
        self._check_open()
        raw = await self._find_sip(keys=[self._key("sip-id", sip_id)], args=[self._key("sip", "")])
        if raw is None:
            return None
        config = _sip_decoder.decode(raw)
        return config if config.sip_id == sip_id else None

    async def put_sip_config(
        self, room_id: str, *, password: str | None, lobby: bool | None
    ) -> tuple[SipConfig, bool]:
        """See :meth:`tickets.registry.Registry.put_sip_config`."""
        if password is not None and not is_digits(password, SIP_PIN_LENGTH):
            raise ValueError("the SIP PIN must be exactly 10 ASCII digits")
        key = self._key("sip", room_id)
        pin: str | None = None
        draws = 0
        for _ in range(CAS_ATTEMPTS):
            raw = await self._get(key)
            if raw is not None:
                old = _sip_decoder.decode(raw)
                config = SipConfig(
                    room=room_id,
                    sip_id=old.sip_id,
                    password=old.password if password is None else password,
                    lobby=old.lobby if lobby is None else lobby,
                )
                if await self._replace(key, raw, _encoder.encode(config)):
                    return config, False
                continue  # changed or deleted meanwhile: look again
            if pin is None:
                pin = random_digits(SIP_PIN_LENGTH) if password is None else password
            while draws < SIP_ID_ATTEMPTS:
                draws += 1
                config = SipConfig(
                    room=room_id,
                    sip_id=random_digits(SIP_ID_LENGTH),
                    password=pin,
                    lobby=bool(lobby),
                )
                keys = [self._key("room", room_id), key, self._key("sip-id", config.sip_id)]
                outcome = await self._create_sip(keys=keys, args=[_encoder.encode(config), room_id])
                if outcome == 1:
                    return config, True
                if outcome == 0:
                    raise UnknownRoomError(room_id)
                if outcome == 2:
                    break  # created by someone else meanwhile: modify it instead
                # 3: the id is taken by another room: draw again
            else:
                raise RegistryError(f"no free SIP id after {SIP_ID_ATTEMPTS} attempts")
        raise RegistryError(
            f"the SIP config of {room_id} kept changing during {CAS_ATTEMPTS} tries"
        )

    async def delete_sip_config(self, room_id: str) -> bool:
        self._check_open()
        return bool(
            await self._delete_sip(keys=[self._key("sip", room_id)], args=[self._keys, room_id])
        )
