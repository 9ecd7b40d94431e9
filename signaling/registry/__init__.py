"""Durable records the ticket checks need: rooms, invite codes and SIP configs.

:class:`Registry` is the interface; ``signaling.registry.sqlite`` implements it on SQLite in the
data dir (the embedded default). Every method is atomic on its own; records are returned as
immutable structs. Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Protocol

import msgspec

from signaling.errors import SignalingError

SIP_ID_LENGTH = 10
SIP_PIN_LENGTH = 10
SIP_ID_ATTEMPTS = 32  # random call-in ids drawn before giving up on a unique one


class RegistryError(SignalingError):
    """The registry database cannot be used."""


class SchemaTooNewError(RegistryError):
    """The database was written by a newer release whose schema this code does not know."""


class UnknownRoomError(SignalingError, LookupError):
    """An invite or SIP config was requested for a room that does not exist (any more)."""


def random_digits(length: int) -> str:
    """``length`` random ASCII digits (leading zeros kept)."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


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
    id: str
    created_by: UserProfile
    created_at: datetime
    password: str | None
    waiting_room: bool


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

    Lists are oldest first. ``create_invite`` and ``put_sip_config`` raise
    :class:`UnknownRoomError` for a room that does not exist; ``put_sip_config`` raises
    ``ValueError`` for a PIN that is not 10 digits and, with ``password``/``lobby`` None,
    keeps the stored value (on creation: a random PIN, lobby off). Updating a revoked invite
    keeps it revoked. Every method but ``open`` raises :class:`RegistryError` before ``open``.
    """

    async def open(self) -> None:
        """Create or migrate the storage; called once at startup."""

    async def close(self) -> None: ...

    async def create_room(
        self, created_by: UserProfile, password: str | None, waiting_room: bool
    ) -> Room: ...

    async def get_room(self, room_id: str) -> Room | None: ...

    async def rooms_created_by(self, user_id: str) -> list[Room]: ...

    async def update_room(
        self,
        room_id: str,
        *,
        password: str | msgspec.UnsetType | None = msgspec.UNSET,
        waiting_room: bool | msgspec.UnsetType = msgspec.UNSET,
    ) -> Room | None:
        """Change the given fields; None if the room does not exist."""

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
