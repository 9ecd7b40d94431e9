"""SqliteRegistry beyond the registry contract (``tests/contracts/test_registry.py``, which
runs on SQLite too): the database file, its schema version and migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest

import signaling.registry.sqlite as sqlite_registry
from signaling.registry import RegistryError, SchemaTooNewError, UserProfile
from signaling.registry.sqlite import SCHEMA_VERSION, SqliteRegistry
from signaling.registry.sqlite_rows import store_profile

ALICE = UserProfile(id="alice", email="alice@example.org", display_name="Alice A.")


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "data" / "registry.sqlite3")


@pytest.fixture
async def registry(db_path: str) -> AsyncIterator[SqliteRegistry]:
    reg = SqliteRegistry(db_path)
    await reg.open()
    yield reg
    await reg.close()


async def test_open_creates_a_wal_database_at_the_current_version(
    registry: SqliteRegistry, db_path: str
) -> None:
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


async def test_deleting_a_room_leaves_no_rows_of_it(registry: SqliteRegistry, db_path: str) -> None:
    room = await registry.create_room(ALICE, None, False)
    other = await registry.create_room(ALICE, None, False)
    for _ in range(3):
        await registry.create_invite(room.id, ALICE, None)
    await registry.create_invite(other.id, ALICE, None)
    await registry.put_sip_config(room.id, password=None, lobby=None)
    await registry.put_sip_config(other.id, password=None, lobby=None)

    assert await registry.delete_room(room.id)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM rooms").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM invites").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM sip_configs").fetchone()[0] == 1
    conn.close()


async def test_a_newer_schema_is_refused_and_left_as_it_is(db_path: str) -> None:
    reg = SqliteRegistry(db_path)
    await reg.open()
    await reg.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        await SqliteRegistry(db_path).open()
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


async def test_a_version_1_file_gets_the_schedule_columns_with_defaults(db_path: str) -> None:
    """A room written by the release before chat_persistence, starts_at and duration."""
    Path(db_path).parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    for statement in sqlite_registry.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO rooms VALUES ('r1', 'alice', ?, '2026-01-02T03:04:05.678901+00:00', 'pw', 1)",
        (store_profile(ALICE),),
    )
    conn.close()

    reg = SqliteRegistry(db_path)
    await reg.open()
    room = await reg.get_room("r1")
    assert room is not None and room.created_by == ALICE
    assert (room.password, room.waiting_room) == ("pw", True)
    assert (room.chat_persistence, room.starts_at, room.duration) == (False, None, None)
    updated = await reg.update_room("r1", chat_persistence=True, duration=45)
    assert updated == msgspec.structs.replace(room, chat_persistence=True, duration=45)
    await reg.close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    conn.close()
