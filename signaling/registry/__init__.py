"""Durable records the ticket checks need: rooms, invite codes and SIP configs.

:class:`Registry` is the interface; ``signaling.registry.sqlite`` implements it on SQLite in the
data dir (the embedded default). Every method is atomic on its own; records are returned as
immutable structs. Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Protocol

import msgspec

from signaling.errors import SignalingError

SIP_ID_LENGTH = 10
SIP_PIN_LENGTH = 10
SIP_ID_ATTEMPTS = 32  # random call-in ids drawn before giving up on a unique one
MIN_DURATION = 1  # a scheduled room's duration, in minutes
MAX_DURATION = 1440


class RegistryError(SignalingError):
    """The registry database cannot be used."""


class SchemaTooNewError(RegistryError):
    """The database was written by a newer release whose schema this code does not know."""


class UnknownRoomError(SignalingError, LookupError):
    """An invite or SIP config was requested for a room that does not exist (any more)."""


def random_digits(length: int) -> str:
    """``length`` random ASCII digits (leading zeros kept)."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


def check_duration(duration: int | None) -> None:
    """Raise ``ValueError`` unless ``duration`` is None or ``MIN_DURATION..MAX_DURATION``."""
    if duration is not None and not MIN_DURATION <= duration <= MAX_DURATION:
        raise ValueError(f"a duration must be {MIN_DURATION}..{MAX_DURATION} minutes")


def utc(moment: datetime) -> datetime:
    """A tz-aware UTC datetime; naive input is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def is_digits(value: str, length: int) -> bool:
    """Exactly ``length`` ASCII digits (``str.isdigit`` also accepts other scripts' digits)."""
    return len(value) == length and all("0" <= c <= "9" for c in value)


class UserProfile(msgspec.Struct, frozen=True, kw_only=True):
    """A registered user as the REST side shows it (``created_by``, ``users/me``)."""

    id: str
    email: str = ""
    title: str = ""
    firstname: str = ""
    lastname: str = ""
    display_name: str = ""
    avatar_url: str = ""


class Room(msgspec.Struct, frozen=True, kw_only=True):
    """A room. The fields with defaults came later: records written before them decode with
    the defaults. ``starts_at`` (UTC) and ``duration`` (minutes) schedule it; None: unset."""

    id: str
    created_by: UserProfile
    created_at: datetime
    password: str | None
    waiting_room: bool
    chat_persistence: bool = False
    starts_at: datetime | None = None
    duration: int | None = None


def new_room(
    created_by: UserProfile,
    password: str | None,
    waiting_room: bool,
    *,
    chat_persistence: bool,
    starts_at: datetime | None,
    duration: int | None,
) -> Room:
    """A new room record (uuid4 id, created now), as ``Registry.create_room`` stores it.

    Raises:
        ValueError: ``duration`` is outside ``MIN_DURATION..MAX_DURATION``.
    """
    check_duration(duration)
    return Room(
        id=str(uuid.uuid4()),
        created_by=created_by,
        created_at=datetime.now(UTC),
        password=password,
        waiting_room=waiting_room,
        chat_persistence=chat_persistence,
        starts_at=None if starts_at is None else utc(starts_at),
        duration=duration,
    )


class Invite(msgspec.Struct, frozen=True, kw_only=True):
    invite_code: str
    room: str
    created: datetime
    created_by: UserProfile
    updated: datetime
    updated_by: UserProfile
    active: bool
    expiration: datetime | None

    def usable(self, now: datetime) -> bool:
        """Active and not expired."""
        return self.active and (self.expiration is None or self.expiration > now)


class SipConfig(msgspec.Struct, frozen=True, kw_only=True):
    room: str
    sip_id: str  # 10 ASCII digits, unique across rooms
    password: str  # the PIN: 10 ASCII digits
    lobby: bool


class Registry(Protocol):
    """Rooms, invites and SIP configs. Deleting a room deletes its invites and SIP config.

    Lists are oldest first. ``create_room`` and ``update_room`` raise ``ValueError`` for a
    ``duration`` outside ``MIN_DURATION..MAX_DURATION`` and store ``starts_at`` in UTC (a naive
    one is taken as UTC). ``create_invite`` and ``put_sip_config`` raise
    :class:`UnknownRoomError` for a room that does not exist; ``put_sip_config`` raises
    ``ValueError`` for a PIN that is not 10 digits and, with ``password``/``lobby`` None,
    keeps the stored value (on creation: a random PIN, lobby off). Updating a revoked invite
    keeps it revoked. Every method but ``open`` raises :class:`RegistryError` before ``open``.
    """

    async def open(self) -> None:
        """Create or migrate the storage; called once at startup."""

    async def close(self) -> None: ...

    async def create_room(
        self,
        created_by: UserProfile,
        password: str | None,
        waiting_room: bool,
        *,
        chat_persistence: bool = False,
        starts_at: datetime | None = None,
        duration: int | None = None,
    ) -> Room: ...

    async def get_room(self, room_id: str) -> Room | None: ...

    async def rooms_created_by(self, user_id: str) -> list[Room]: ...

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
        """Change the given fields (None clears ``starts_at``/``duration``); None if the room
        does not exist."""

    async def delete_room(self, room_id: str) -> bool: ...

    async def create_invite(
        self, room_id: str, created_by: UserProfile, expiration: datetime | None
    ) -> Invite: ...

    async def invites_of_room(self, room_id: str) -> list[Invite]: ...

    async def get_invite(self, invite_code: str) -> Invite | None: ...

    async def update_invite(
        self, invite_code: str, updated_by: UserProfile, expiration: datetime | None
    ) -> Invite | None: ...

    async def revoke_invite(self, invite_code: str, updated_by: UserProfile) -> Invite | None:
        """Mark the invite inactive (it stays listed); None if unknown."""

    async def get_sip_config(self, room_id: str) -> SipConfig | None: ...

    async def find_sip_config(self, sip_id: str) -> SipConfig | None: ...

    async def put_sip_config(
        self, room_id: str, *, password: str | None, lobby: bool | None
    ) -> tuple[SipConfig, bool]:
        """Create (generating a unique 10-digit id, and a PIN when none is given) or modify the
        room's SIP config; returns it and whether it was created. ``None`` leaves a field as it
        is (on creation: a random PIN, ``lobby`` false).

        Raises:
            ValueError: ``password`` is not exactly 10 ASCII digits.
            UnknownRoomError: the room does not exist.
        """

    async def delete_sip_config(self, room_id: str) -> bool: ...
