"""How the SQLite registry stores its records: profiles as the JSON of
:class:`~signaling.registry.UserProfile`; datetimes as ISO 8601 strings in UTC with six
fraction digits (so they sort as text), returned tz-aware; rows back into records."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import msgspec

from signaling.registry import Invite, Room, SipConfig, UserProfile, utc


def store_time(moment: datetime) -> str:
    return utc(moment).isoformat(timespec="microseconds")


def load_time(text: str) -> datetime:
    return utc(datetime.fromisoformat(text))


def utcnow() -> datetime:
    return datetime.now(UTC)


_profiles_out = msgspec.json.Encoder()
_profiles_in = msgspec.json.Decoder(UserProfile)


def store_profile(profile: UserProfile) -> str:
    return _profiles_out.encode(profile).decode()


def load_profile(text: str) -> UserProfile:
    return _profiles_in.decode(text)


def store_optional_time(moment: datetime | None) -> str | None:
    return None if moment is None else store_time(moment)


def load_optional_time(text: str | None) -> datetime | None:
    return None if text is None else load_time(text)


def room_of(row: sqlite3.Row) -> Room:
    return Room(
        id=row["id"],
        created_by=load_profile(row["created_by"]),
        created_at=load_time(row["created_at"]),
        password=row["password"],
        waiting_room=bool(row["waiting_room"]),
        chat_persistence=bool(row["chat_persistence"]),
        starts_at=load_optional_time(row["starts_at"]),
        duration=row["duration"],
    )


def invite_of(row: sqlite3.Row) -> Invite:
    return Invite(
        invite_code=row["invite_code"],
        room=row["room"],
        created=load_time(row["created"]),
        created_by=load_profile(row["created_by"]),
        updated=load_time(row["updated"]),
        updated_by=load_profile(row["updated_by"]),
        active=bool(row["active"]),
        expiration=load_optional_time(row["expiration"]),
    )


def sip_of(row: sqlite3.Row) -> SipConfig:
    return SipConfig(
        room=row["room"], sip_id=row["sip_id"], password=row["password"], lobby=bool(row["lobby"])
    )
