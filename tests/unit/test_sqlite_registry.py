"""SqliteRegistry on its own: records, cascades, SIP ids, schema versions, durability."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import signaling.registry.sqlite as sqlite_registry
from signaling.registry import (
    Registry,
    RegistryError,
    SchemaTooNewError,
    UnknownRoomError,
    UserProfile,
)
from signaling.registry.sqlite import SCHEMA_VERSION, SqliteRegistry

ALICE = UserProfile(id="alice", email="alice@example.org", display_name="Alice A.")
BOB = UserProfile(id="bob", display_name="Bob")


def _is_uuid4(text: str) -> bool:
    return str(uuid.UUID(text)) == text and uuid.UUID(text).version == 4


def _digits(text: str) -> bool:
    return len(text) == 10 and all(c in "0123456789" for c in text)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "data" / "registry.sqlite3")


@pytest.fixture
async def registry(db_path: str) -> AsyncIterator[SqliteRegistry]:
    reg = SqliteRegistry(db_path)
    await reg.open()
    yield reg
    await reg.close()


def test_implements_the_protocol(db_path: str) -> None:
    reg: Registry = SqliteRegistry(db_path)
    assert reg is not None


async def test_open_creates_a_wal_database_at_the_current_version(
    registry: SqliteRegistry, db_path: str
) -> None:
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


async def test_open_twice_is_harmless(registry: SqliteRegistry) -> None:
    await registry.open()
    assert await registry.get_room(str(uuid.uuid4())) is None


async def test_methods_need_open(db_path: str) -> None:
    reg = SqliteRegistry(db_path)
    with pytest.raises(RegistryError):
        await reg.get_room("x")
    await reg.open()
    await reg.close()
    with pytest.raises(RegistryError):
        await reg.get_room("x")
    await reg.close()  # closing twice is harmless


# -- rooms ------------------------------------------------------------------------------------


async def test_room_crud(registry: SqliteRegistry) -> None:
    before = datetime.now(UTC)
    room = await registry.create_room(ALICE, "secret", True)
    assert _is_uuid4(room.id)
    assert room.created_by == ALICE
    assert room.password == "secret" and room.waiting_room is True
    assert room.created_at.tzinfo is not None and before <= room.created_at <= datetime.now(UTC)

    loaded = await registry.get_room(room.id)
    assert loaded == room
    assert loaded.created_at.utcoffset() == timedelta(0)

    updated = await registry.update_room(room.id, password=None)
    assert updated is not None and updated.password is None and updated.waiting_room is True
    updated = await registry.update_room(room.id, waiting_room=False)
    assert updated is not None and updated.password is None and updated.waiting_room is False
    updated = await registry.update_room(room.id, password="p2", waiting_room=True)
    assert updated is not None and (updated.password, updated.waiting_room) == ("p2", True)
    unchanged = await registry.update_room(room.id)
    assert unchanged == updated
    assert await registry.get_room(room.id) == updated

    assert await registry.delete_room(room.id) is True
    assert await registry.get_room(room.id) is None
    assert await registry.delete_room(room.id) is False
    assert await registry.update_room(room.id, password="x") is None


async def test_rooms_created_by_lists_own_rooms_oldest_first(registry: SqliteRegistry) -> None:
    mine = [await registry.create_room(ALICE, None, False) for _ in range(5)]
    theirs = await registry.create_room(BOB, None, False)
    assert [r.id for r in await registry.rooms_created_by("alice")] == [r.id for r in mine]
    assert [r.id for r in await registry.rooms_created_by("bob")] == [theirs.id]
    assert await registry.rooms_created_by("carol") == []


async def test_profile_and_odd_text_round_trip(registry: SqliteRegistry) -> None:
    profile = UserProfile(id="ü'\"; DROP TABLE rooms; --", display_name="🙂 \x00 x")
    room = await registry.create_room(profile, "pä's\"wörd", False)
    loaded = await registry.get_room(room.id)
    assert loaded is not None and loaded.created_by == profile and loaded.password == "pä's\"wörd"
    assert [r.id for r in await registry.rooms_created_by(profile.id)] == [room.id]


# -- invites ----------------------------------------------------------------------------------


async def test_invite_crud(registry: SqliteRegistry) -> None:
    room = await registry.create_room(ALICE, None, False)
    expiration = datetime.now(UTC) + timedelta(hours=1)
    invite = await registry.create_invite(room.id, ALICE, expiration)
    assert _is_uuid4(invite.invite_code)
    assert invite.room == room.id and invite.active
    assert invite.created_by == ALICE and invite.updated_by == ALICE
    assert invite.created == invite.updated
    assert invite.expiration == expiration
    assert await registry.get_invite(invite.invite_code) == invite

    forever = await registry.create_invite(room.id, ALICE, None)
    assert forever.expiration is None
    listed = await registry.invites_of_room(room.id)
    assert [i.invite_code for i in listed] == [invite.invite_code, forever.invite_code]

    later = expiration + timedelta(days=1)
    updated = await registry.update_invite(invite.invite_code, BOB, later)
    assert updated is not None and updated.expiration == later
    assert updated.updated_by == BOB and updated.created_by == ALICE
    assert updated.updated >= invite.updated and updated.created == invite.created
    cleared = await registry.update_invite(invite.invite_code, ALICE, None)
    assert cleared is not None and cleared.expiration is None

    revoked = await registry.revoke_invite(invite.invite_code, BOB)
    assert revoked is not None and revoked.active is False and revoked.updated_by == BOB
    assert not revoked.usable(datetime.now(UTC))
    assert len(await registry.invites_of_room(room.id)) == 2  # revoked invites stay listed
    assert (await registry.get_invite(invite.invite_code)) == revoked

    unknown = str(uuid.uuid4())
    assert await registry.get_invite(unknown) is None
    assert await registry.update_invite(unknown, ALICE, None) is None
    assert await registry.revoke_invite(unknown, ALICE) is None


async def test_invite_usable(registry: SqliteRegistry) -> None:
    room = await registry.create_room(ALICE, None, False)
    now = datetime.now(UTC)
    invite = await registry.create_invite(room.id, ALICE, now + timedelta(seconds=60))
    assert invite.usable(now)
    assert not invite.usable(now + timedelta(seconds=61))


async def test_invite_expiration_is_stored_in_utc(registry: SqliteRegistry) -> None:
    room = await registry.create_room(ALICE, None, False)
    plus_two = datetime(2030, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    invite = await registry.create_invite(room.id, ALICE, plus_two)
    loaded = await registry.get_invite(invite.invite_code)
    assert loaded is not None and loaded.expiration is not None
    assert loaded.expiration == plus_two and loaded.expiration.utcoffset() == timedelta(0)
    naive = await registry.create_invite(room.id, ALICE, datetime(2030, 1, 1, 12, 0))
    loaded = await registry.get_invite(naive.invite_code)
    assert loaded is not None and loaded.expiration == datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


async def test_invite_for_unknown_room(registry: SqliteRegistry) -> None:
    with pytest.raises(UnknownRoomError):
        await registry.create_invite(str(uuid.uuid4()), ALICE, None)


# -- SIP --------------------------------------------------------------------------------------


async def test_sip_config_crud(registry: SqliteRegistry) -> None:
    room = await registry.create_room(ALICE, None, False)
    assert await registry.get_sip_config(room.id) is None

    config, created = await registry.put_sip_config(room.id, password=None, lobby=None)
    assert created is True
    assert config.room == room.id and _digits(config.sip_id) and _digits(config.password)
    assert config.lobby is False
    assert await registry.get_sip_config(room.id) == config
    assert await registry.find_sip_config(config.sip_id) == config

    changed, created = await registry.put_sip_config(room.id, password="0000000001", lobby=None)
    assert created is False
    assert (changed.sip_id, changed.password, changed.lobby) == (config.sip_id, "0000000001", False)
    changed, created = await registry.put_sip_config(room.id, password=None, lobby=True)
    assert created is False and (changed.password, changed.lobby) == ("0000000001", True)
    assert await registry.find_sip_config(config.sip_id) == changed

    assert await registry.delete_sip_config(room.id) is True
    assert await registry.get_sip_config(room.id) is None
    assert await registry.find_sip_config(config.sip_id) is None
    assert await registry.delete_sip_config(room.id) is False

    fresh, created = await registry.put_sip_config(room.id, password="0123456789", lobby=True)
    assert created and fresh.password == "0123456789" and fresh.lobby is True


@pytest.mark.parametrize("pin", ["", "123456789", "12345678901", "abcdefghij", "\uff11" * 10])
async def test_sip_config_rejects_bad_pins(registry: SqliteRegistry, pin: str) -> None:
    room = await registry.create_room(ALICE, None, False)
    with pytest.raises(ValueError):
        await registry.put_sip_config(room.id, password=pin, lobby=None)
    assert await registry.get_sip_config(room.id) is None


async def test_sip_config_for_unknown_room(registry: SqliteRegistry) -> None:
    with pytest.raises(UnknownRoomError):
        await registry.put_sip_config(str(uuid.uuid4()), password=None, lobby=None)


async def test_sip_ids_unique_across_many_rooms(registry: SqliteRegistry) -> None:
    rooms = await asyncio.gather(*(registry.create_room(ALICE, None, False) for _ in range(300)))
    results = await asyncio.gather(
        *(registry.put_sip_config(room.id, password=None, lobby=None) for room in rooms)
    )
    ids = [config.sip_id for config, created in results]
    assert all(created for _, created in results)
    assert len(set(ids)) == len(ids) == 300
    assert all(_digits(i) for i in ids)
    for config, _ in results[:20]:
        assert await registry.find_sip_config(config.sip_id) == config


@pytest.fixture
def colliding_digits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make every random 10-digit draw come from a scripted sequence."""
    drawn: list[str] = []
    script = itertools.chain(
        ["1111111111", "1111111111", "2222222222"], itertools.repeat("1111111111")
    )

    def fake(length: int) -> str:
        value = next(script)[:length]
        drawn.append(value)
        return value

    monkeypatch.setattr(sqlite_registry, "random_digits", fake)
    yield drawn


async def test_sip_id_collision_draws_again(
    registry: SqliteRegistry, colliding_digits: list[str]
) -> None:
    first = await registry.create_room(ALICE, None, False)
    second = await registry.create_room(ALICE, None, False)
    one, _ = await registry.put_sip_config(first.id, password="5555555555", lobby=None)
    assert one.sip_id == "1111111111"
    # The second room draws 1111111111 again (taken by the first), then 2222222222.
    two, created = await registry.put_sip_config(second.id, password="5555555555", lobby=None)
    assert created and two.sip_id == "2222222222"
    assert colliding_digits == ["1111111111", "1111111111", "2222222222"]


async def test_sip_id_gives_up_when_every_draw_collides(
    registry: SqliteRegistry, colliding_digits: list[str]
) -> None:
    first = await registry.create_room(ALICE, None, False)
    second = await registry.create_room(ALICE, None, False)
    await registry.put_sip_config(first.id, password="5555555555", lobby=None)
    await registry.put_sip_config(second.id, password="5555555555", lobby=None)
    third = await registry.create_room(ALICE, None, False)
    with pytest.raises(RegistryError):
        await registry.put_sip_config(third.id, password="5555555555", lobby=None)
    assert await registry.get_sip_config(third.id) is None
    # The failed transaction was rolled back and the connection is still usable.
    assert await registry.get_room(third.id) == third


# -- cascades ---------------------------------------------------------------------------------


async def test_deleting_a_room_deletes_its_invites_and_sip_config(
    registry: SqliteRegistry, db_path: str
) -> None:
    room = await registry.create_room(ALICE, None, False)
    other = await registry.create_room(ALICE, None, False)
    invites = [await registry.create_invite(room.id, ALICE, None) for _ in range(3)]
    kept = await registry.create_invite(other.id, ALICE, None)
    sip, _ = await registry.put_sip_config(room.id, password=None, lobby=None)
    other_sip, _ = await registry.put_sip_config(other.id, password=None, lobby=None)

    assert await registry.delete_room(room.id)
    for invite in invites:
        assert await registry.get_invite(invite.invite_code) is None
    assert await registry.invites_of_room(room.id) == []
    assert await registry.get_sip_config(room.id) is None
    assert await registry.find_sip_config(sip.sip_id) is None
    assert await registry.get_invite(kept.invite_code) == kept
    assert await registry.find_sip_config(other_sip.sip_id) == other_sip

    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM invites").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM sip_configs").fetchone()[0] == 1
    conn.close()


# -- durability and schema versions -----------------------------------------------------------


async def test_reopen_keeps_records(db_path: str) -> None:
    first = SqliteRegistry(db_path)
    await first.open()
    room = await first.create_room(ALICE, "pw", True)
    invite = await first.create_invite(room.id, ALICE, datetime.now(UTC) + timedelta(days=1))
    revoked = await first.revoke_invite(
        (await first.create_invite(room.id, ALICE, None)).invite_code, BOB
    )
    sip, _ = await first.put_sip_config(room.id, password=None, lobby=True)
    await first.close()

    second = SqliteRegistry(db_path)
    await second.open()
    try:
        assert await second.get_room(room.id) == room
        assert await second.invites_of_room(room.id) == [invite, revoked]
        assert await second.get_sip_config(room.id) == sip
        assert await second.find_sip_config(sip.sip_id) == sip
    finally:
        await second.close()


async def test_refuses_a_newer_schema(db_path: str) -> None:
    reg = SqliteRegistry(db_path)
    await reg.open()
    room = await reg.create_room(ALICE, None, False)
    await reg.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()

    newer = SqliteRegistry(db_path)
    with pytest.raises(SchemaTooNewError, match=f"version {SCHEMA_VERSION + 1}"):
        await newer.open()
    with pytest.raises(RegistryError):
        await newer.get_room(room.id)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()


@pytest.fixture
def garbage_file(db_path: str) -> str:
    Path(db_path).parent.mkdir(parents=True)
    Path(db_path).write_bytes(b"this is not sqlite" * 100)
    return db_path


async def test_refuses_a_file_that_is_not_a_database(garbage_file: str) -> None:
    db_path = garbage_file
    with pytest.raises(RegistryError, match="not a usable registry database"):
        await SqliteRegistry(db_path).open()


async def test_later_migrations_run_once_in_order(
    db_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = SqliteRegistry(db_path)
    await reg.open()
    room = await reg.create_room(ALICE, None, False)
    await reg.close()

    step = ("ALTER TABLE rooms ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated'",)
    monkeypatch.setattr(sqlite_registry, "MIGRATIONS", [*sqlite_registry.MIGRATIONS, step])
    monkeypatch.setattr(sqlite_registry, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    for _ in range(2):  # the second open finds nothing to do
        upgraded = SqliteRegistry(db_path)
        await upgraded.open()
        assert await upgraded.get_room(room.id) == room
        await upgraded.close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT note FROM rooms").fetchone()[0] == "migrated"
    conn.close()


async def test_a_failing_migration_leaves_the_old_version(
    db_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = SqliteRegistry(db_path)
    await reg.open()
    await reg.close()
    step = ("ALTER TABLE rooms ADD COLUMN note TEXT", "THIS IS NOT SQL")
    monkeypatch.setattr(sqlite_registry, "MIGRATIONS", [*sqlite_registry.MIGRATIONS, step])
    monkeypatch.setattr(sqlite_registry, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RegistryError):
        await SqliteRegistry(db_path).open()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = [row[1] for row in conn.execute("PRAGMA table_info(rooms)")]
    assert "note" not in columns
    conn.close()


async def test_concurrent_writes_are_serialised(registry: SqliteRegistry) -> None:
    room = await registry.create_room(ALICE, None, False)
    results = await asyncio.gather(
        *(registry.create_invite(room.id, ALICE, None) for _ in range(50)),
        *(registry.update_room(room.id, waiting_room=i % 2 == 0) for i in range(50)),
    )
    assert len(results) == 100
    assert len(await registry.invites_of_room(room.id)) == 50
