"""The shared :class:`~signaling.registry.Registry`: rooms, invites and SIP configs in Redis.

Several nodes on one Redis see the same records. Keys live under ``{prefix}registry:`` and
never expire (run Redis with AOF: these records are durable):

- ``version``: the layout version (:data:`SCHEMA_VERSION`); :meth:`RedisRegistry.open` refuses
  a newer one (:class:`~signaling.registry.sqlite.SchemaTooNewError`).
- ``room:{id}``: the :class:`~signaling.registry.Room` as msgspec JSON (fields added later
  have defaults, so records written before them still decode, and older releases skip them).
- ``rooms-by:{user_id}``: sorted set of the user's room ids, scored by creation time (UTC
  microseconds; ties by id), so listing is oldest first like the SQLite registry.
- ``invite:{code}``: the :class:`~signaling.registry.Invite` as JSON; ``room-invites:{room}``:
  sorted set of the room's invite codes scored by creation time.
- ``sip:{room}``: the :class:`~signaling.registry.SipConfig` as JSON; ``sip-id:{sip_id}``: the
  room holding that call-in id (taken with ``SET NX``, which makes ids unique).

Every record spreads by its own key (on Redis Cluster each may live on another slot), so every
command and script touches one key. The room record is the truth: a room exists while
``room:{id}`` does, and its invites and SIP config count only while it exists. A change
spanning keys runs in an order that leaves, at any point it may stop, only records of a room
that is gone or index entries without a record, which every read skips: creating writes the
index entries first and the room record last; deleting deletes the room record first; an
invite or SIP config created beside a room looks again after writing and takes itself back if
the room went meanwhile. Read-modify-write of one record is a compare-and-set script retried on
conflict, so an update never resurrects a record that was deleted meanwhile. Errors, validation
and edge cases mirror :mod:`signaling.registry.sqlite`, whose exception types are reused.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from redis.exceptions import RedisError

from signaling.redis_client import Client
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
    check_duration,
    is_digits,
    new_room,
    random_digits,
    utc,
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

# KEYS[1] a record; ARGV[1] the value it must hold to be deleted.
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

_encoder = msgspec.json.Encoder()
_room_decoder = msgspec.json.Decoder(Room)
_invite_decoder = msgspec.json.Decoder(Invite)
_sip_decoder = msgspec.json.Decoder(SipConfig)


class _Created(enum.Enum):
    YES = 1
    EXISTS = 2  # the room got a config meanwhile
    TAKEN = 3  # the drawn id belongs to another room


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _now() -> datetime:
    return datetime.now(UTC)


def _score(moment: datetime) -> int:
    """UTC microseconds since the epoch: exact in a sorted-set score (a double) until 2255."""
    return (moment - _EPOCH) // _MICROSECOND


class RedisRegistry:
    """:class:`~signaling.registry.Registry` on a Redis shared by every node.

    ``client`` belongs to the caller: :meth:`close` leaves it open.
    """

    def __init__(self, client: Client, prefix: str = "opentalk-signaling:") -> None:
        self._redis = client
        self._keys = prefix + "registry:"
        self._open = False
        self._compare_and_set: Any = client.register_script(_COMPARE_AND_SET)
        self._delete_if: Any = client.register_script(_DELETE_IF)

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

    async def _remove(self, key: str, value: Any) -> bool:
        """Delete ``key`` if it still holds ``value``."""
        return bool(await self._delete_if(keys=[key], args=[value]))

    async def _exists(self, room_id: str) -> bool:
        return bool(await self._redis.exists(self._key("room", room_id)))

    async def _records(self, index: str, kind: str) -> list[Any]:
        """The records an index lists, oldest first (entries without a record skipped)."""
        self._check_open()
        members: list[Any] = await self._redis.zrange(index, 0, -1)
        if not members:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for member in members:
                pipe.get(self._key(kind, member.decode() if isinstance(member, bytes) else member))
            values = await pipe.execute()
        return [value for value in values if value is not None]

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
        self,
        created_by: UserProfile,
        password: str | None,
        waiting_room: bool,
        *,
        chat_persistence: bool = False,
        starts_at: datetime | None = None,
        duration: int | None = None,
    ) -> Room:
        self._check_open()
        room = new_room(
            created_by,
            password,
            waiting_room,
            chat_persistence=chat_persistence,
            starts_at=starts_at,
            duration=duration,
        )
        await self._redis.zadd(
            self._key("rooms-by", created_by.id), {room.id: _score(room.created_at)}
        )
        await self._redis.set(self._key("room", room.id), _encoder.encode(room))
        return room

    async def get_room(self, room_id: str) -> Room | None:
        raw = await self._get(self._key("room", room_id))
        return None if raw is None else _room_decoder.decode(raw)

    async def rooms_created_by(self, user_id: str) -> list[Room]:
        """The user's rooms, oldest first."""
        raws = await self._records(self._key("rooms-by", user_id), "room")
        return [_room_decoder.decode(raw) for raw in raws]

    async def update_room(
        self,
        room_id: str,
        *,
        password: str | msgspec.UnsetType | None = msgspec.UNSET,
        waiting_room: bool | msgspec.UnsetType = msgspec.UNSET,
        chat_persistence: bool | msgspec.UnsetType = msgspec.UNSET,
        starts_at: datetime | msgspec.UnsetType | None = msgspec.UNSET,
        duration: int | msgspec.UnsetType | None = msgspec.UNSET,
    ) -> Room | None:
        if duration is not msgspec.UNSET:
            check_duration(duration)
        if isinstance(starts_at, datetime):
            starts_at = utc(starts_at)
        given = {
            "password": password,
            "waiting_room": waiting_room,
            "chat_persistence": chat_persistence,
            "starts_at": starts_at,
            "duration": duration,
        }
        changes = {name: value for name, value in given.items() if value is not msgspec.UNSET}
        key = self._key("room", room_id)
        for _ in range(CAS_ATTEMPTS):
            raw = await self._get(key)
            if raw is None:
                return None
            room = _room_decoder.decode(raw)
            changed = msgspec.structs.replace(room, **changes)
            if changed == room or await self._replace(key, raw, _encoder.encode(changed)):
                return changed
        raise RegistryError(f"room {room_id} kept changing during {CAS_ATTEMPTS} updates")

    async def delete_room(self, room_id: str) -> bool:
        """Delete the room with its invites and SIP config; False if it did not exist."""
        key = self._key("room", room_id)
        for _ in range(CAS_ATTEMPTS):
            raw = await self._get(key)
            if raw is None:
                return False  # gone already (or deleted by someone else meanwhile)
            if await self._remove(key, raw):
                break
        else:
            raise RegistryError(f"room {room_id} kept changing: {CAS_ATTEMPTS} tries to delete it")
        room = _room_decoder.decode(raw)
        await self._redis.zrem(self._key("rooms-by", room.created_by.id), room_id)
        invites = self._key("room-invites", room_id)
        codes: list[Any] = await self._redis.zrange(invites, 0, -1)
        for code in codes:
            await self._redis.delete(self._key("invite", _text(code)))
        await self._redis.delete(invites)
        await self._drop_sip(room_id)
        return True

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
            expiration=None if expiration is None else utc(expiration),
        )
        if not await self._exists(room_id):
            raise UnknownRoomError(room_id)
        invites = self._key("room-invites", room_id)
        key = self._key("invite", invite.invite_code)
        await self._redis.zadd(invites, {invite.invite_code: _score(now)})
        await self._redis.set(key, _encoder.encode(invite))
        if not await self._exists(room_id):  # deleted meanwhile: take the invite back
            await self._redis.delete(key)
            await self._redis.zrem(invites, invite.invite_code)
            raise UnknownRoomError(room_id)
        return invite

    async def invites_of_room(self, room_id: str) -> list[Invite]:
        """The room's invites (revoked ones included), oldest first."""
        raws = await self._records(self._key("room-invites", room_id), "invite")
        if not raws or not await self._exists(room_id):
            return []
        return [_invite_decoder.decode(raw) for raw in raws]

    async def get_invite(self, invite_code: str) -> Invite | None:
        raw = await self._get(self._key("invite", invite_code))
        if raw is None:
            return None
        invite = _invite_decoder.decode(raw)
        return invite if await self._exists(invite.room) else None

    async def update_invite(
        self, invite_code: str, updated_by: UserProfile, expiration: datetime | None
    ) -> Invite | None:
        """Set the expiration (None: never expires); None if the invite is unknown."""
        value = None if expiration is None else utc(expiration)
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
        if raw is None or not await self._exists(room_id):
            return None
        return _sip_decoder.decode(raw)

    async def find_sip_config(self, sip_id: str) -> SipConfig | None:
        room = await self._get(self._key("sip-id", sip_id))
        if room is None:
            return None
        config = await self.get_sip_config(_text(room))
        return config if config is not None and config.sip_id == sip_id else None

    async def put_sip_config(
        self, room_id: str, *, password: str | None, lobby: bool | None
    ) -> tuple[SipConfig, bool]:
        """See :meth:`signaling.registry.Registry.put_sip_config`."""
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
                outcome = await self._create_sip(room_id, config)
                if outcome == _Created.YES:
                    return config, True
                if outcome == _Created.EXISTS:
                    break  # created by someone else meanwhile: modify it instead
                # the id is taken by another room: draw again
            else:
                raise RegistryError(f"no free SIP id after {SIP_ID_ATTEMPTS} attempts")
        raise RegistryError(
            f"the SIP config of {room_id} kept changing during {CAS_ATTEMPTS} tries"
        )

    async def _create_sip(self, room_id: str, config: SipConfig) -> _Created:
        """Claim the config's id, then write the config (the id is let go if that fails).

        Raises:
            UnknownRoomError: the room does not exist, or was deleted meanwhile.
        """
        if not await self._exists(room_id):
            raise UnknownRoomError(room_id)
        id_key = self._key("sip-id", config.sip_id)
        if not await self._redis.set(id_key, room_id, nx=True):
            return _Created.TAKEN
        key = self._key("sip", room_id)
        raw = _encoder.encode(config)
        if not await self._redis.set(key, raw, nx=True):
            await self._remove(id_key, room_id)
            return _Created.EXISTS
        if not await self._exists(room_id):  # deleted meanwhile: take the config back
            await self._remove(key, raw)
            await self._remove(id_key, room_id)
            raise UnknownRoomError(room_id)
        return _Created.YES

    async def _drop_sip(self, room_id: str) -> bool:
        """Delete the room's SIP config, then let its id go."""
        key = self._key("sip", room_id)
        for _ in range(CAS_ATTEMPTS):
            raw = await self._redis.get(key)
            if raw is None:
                return False
            if await self._remove(key, raw):
                config = _sip_decoder.decode(raw)
                await self._remove(self._key("sip-id", config.sip_id), room_id)
                return True
        raise RegistryError(
            f"the SIP config of {room_id} kept changing during {CAS_ATTEMPTS} tries"
        )

    async def delete_sip_config(self, room_id: str) -> bool:
        self._check_open()
        return await self._drop_sip(room_id)
