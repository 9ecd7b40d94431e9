"""The embedded :class:`~signaling.registry.Registry`: rooms, invites and SIP configs in SQLite.

One file (``<data_dir>/registry.sqlite3``), one connection shared by worker threads under a
lock; every public method runs its blocking work through :func:`asyncio.to_thread` in one
transaction. The schema is versioned with ``PRAGMA user_version``: :data:`MIGRATIONS` holds the
steps from each version to the next, a later release appends to it, and :meth:`open` refuses a
database written by a newer release (:class:`SchemaTooNewError`). How records are stored:
:mod:`signaling.registry.sqlite_rows`.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec

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
from signaling.registry.sqlite_rows import (
    invite_of,
    room_of,
    sip_of,
    store_optional_time,
    store_profile,
    store_time,
    utcnow,
)

T = TypeVar("T")


# MIGRATIONS[n] takes a database from user_version n to n + 1. Append, never edit.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        """
        CREATE TABLE rooms (
            id            TEXT PRIMARY KEY,
            created_by_id TEXT NOT NULL,
            created_by    TEXT NOT NULL,
            created_at    TEXT NOT NULL,
            password      TEXT,
            waiting_room  INTEGER NOT NULL
        )
        """,
        "CREATE INDEX rooms_by_creator ON rooms (created_by_id, created_at)",
        """
        CREATE TABLE invites (
            invite_code TEXT PRIMARY KEY,
            room        TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
            created     TEXT NOT NULL,
            created_by  TEXT NOT NULL,
            updated     TEXT NOT NULL,
            updated_by  TEXT NOT NULL,
            active      INTEGER NOT NULL,
            expiration  TEXT
        )
        """,
        "CREATE INDEX invites_by_room ON invites (room, created)",
        """
        CREATE TABLE sip_configs (
            room     TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
            sip_id   TEXT NOT NULL UNIQUE,
            password TEXT NOT NULL,
            lobby    INTEGER NOT NULL
        )
        """,
    ),
    (
        "ALTER TABLE rooms ADD COLUMN chat_persistence INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE rooms ADD COLUMN starts_at TEXT",
        "ALTER TABLE rooms ADD COLUMN duration INTEGER",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


def _private_file(path: Path) -> None:
    """Make ``path`` (room passwords, SIP PINs) readable by this user only: the file 0600 and
    its directory 0700, created so or tightened if they exist (SQLite gives its ``-wal`` and
    ``-shm`` files the database file's mode)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)


class SqliteRegistry:
    """:class:`~signaling.registry.Registry` on one SQLite file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    # -- plumbing ---------------------------------------------------------------------------

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.to_thread(self._locked, work)

    def _locked(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self._conn is None:
                raise RegistryError("the registry is not open")
            return work(self._conn)

    @staticmethod
    @contextmanager
    def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
        """One write transaction (taken at once, so reads inside it are consistent)."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- lifecycle --------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the file (creating it and its directory) and migrate it to the current schema.

        Raises:
            SchemaTooNewError: the file's schema version is newer than this code knows.
            RegistryError: the file is not a usable SQLite database.
        """
        await asyncio.to_thread(self._open)

    def _open(self) -> None:
        with self._lock:
            if self._conn is not None:
                return
            _private_file(Path(self.path))
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            try:
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA busy_timeout = 5000")
                conn.execute("PRAGMA foreign_keys = ON")
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise RegistryError(f"{self.path}: cannot switch to WAL mode (got {mode})")
                conn.execute("PRAGMA synchronous = FULL")
                _migrate(conn, self.path)
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise RegistryError(f"{self.path}: not a usable registry database: {exc}") from exc
            except BaseException:
                conn.close()
                raise
            self._conn = conn

    async def close(self) -> None:
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

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
        room = new_room(
            created_by,
            password,
            waiting_room,
            chat_persistence=chat_persistence,
            starts_at=starts_at,
            duration=duration,
        )

        def work(conn: sqlite3.Connection) -> Room:
            conn.execute(
                "INSERT INTO rooms (id, created_by_id, created_by, created_at, password,"
                " waiting_room, chat_persistence, starts_at, duration)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    room.id,
                    created_by.id,
                    store_profile(created_by),
                    store_time(room.created_at),
                    password,
                    int(waiting_room),
                    int(chat_persistence),
                    store_optional_time(room.starts_at),
                    duration,
                ),
            )
            return room

        return await self._run(work)

    async def get_room(self, room_id: str) -> Room | None:
        def work(conn: sqlite3.Connection) -> Room | None:
            row = conn.execute("SELECT * FROM rooms WHERE id = ?", (room_id,)).fetchone()
            return None if row is None else room_of(row)

        return await self._run(work)

    async def rooms_created_by(self, user_id: str) -> list[Room]:
        """The user's rooms, oldest first."""

        def work(conn: sqlite3.Connection) -> list[Room]:
            rows = conn.execute(
                "SELECT * FROM rooms WHERE created_by_id = ? ORDER BY created_at, rowid",
                (user_id,),
            ).fetchall()
            return [room_of(row) for row in rows]

        return await self._run(work)

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
        changes: dict[str, Any] = {}
        if password is not msgspec.UNSET:
            changes["password"] = password
        if waiting_room is not msgspec.UNSET:
            changes["waiting_room"] = int(waiting_room)
        if chat_persistence is not msgspec.UNSET:
            changes["chat_persistence"] = int(chat_persistence)
        if starts_at is not msgspec.UNSET:
            changes["starts_at"] = store_optional_time(starts_at)
        if duration is not msgspec.UNSET:
            check_duration(duration)
            changes["duration"] = duration

        def work(conn: sqlite3.Connection) -> Room | None:
            with self._transaction(conn):
                if changes:
                    columns = ", ".join(f"{name} = ?" for name in changes)  # fixed names only
                    conn.execute(
                        f"UPDATE rooms SET {columns} WHERE id = ?", (*changes.values(), room_id)
                    )
                row = conn.execute("SELECT * FROM rooms WHERE id = ?", (room_id,)).fetchone()
            return None if row is None else room_of(row)

        return await self._run(work)

    async def delete_room(self, room_id: str) -> bool:
        """Delete the room with its invites and SIP config; False if it did not exist."""

        def work(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM rooms WHERE id = ?", (room_id,)).rowcount > 0

        return await self._run(work)

    # -- invites ----------------------------------------------------------------------------

    async def create_invite(
        self, room_id: str, created_by: UserProfile, expiration: datetime | None
    ) -> Invite:
        """A new active invite (uuid4 code).

        Raises:
            UnknownRoomError: the room does not exist.
        """
        now = utcnow()
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
        profile = store_profile(created_by)

        def work(conn: sqlite3.Connection) -> Invite:
            try:
                conn.execute(
                    "INSERT INTO invites (invite_code, room, created, created_by, updated,"
                    " updated_by, active, expiration) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                    (
                        invite.invite_code,
                        room_id,
                        store_time(now),
                        profile,
                        store_time(now),
                        profile,
                        store_optional_time(expiration),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise UnknownRoomError(room_id) from exc
            return invite

        return await self._run(work)

    async def invites_of_room(self, room_id: str) -> list[Invite]:
        """The room's invites (revoked ones included), oldest first."""

        def work(conn: sqlite3.Connection) -> list[Invite]:
            rows = conn.execute(
                "SELECT * FROM invites WHERE room = ? ORDER BY created, rowid", (room_id,)
            ).fetchall()
            return [invite_of(row) for row in rows]

        return await self._run(work)

    async def get_invite(self, invite_code: str) -> Invite | None:
        def work(conn: sqlite3.Connection) -> Invite | None:
            row = conn.execute(
                "SELECT * FROM invites WHERE invite_code = ?", (invite_code,)
            ).fetchone()
            return None if row is None else invite_of(row)

        return await self._run(work)

    async def update_invite(
        self, invite_code: str, updated_by: UserProfile, expiration: datetime | None
    ) -> Invite | None:
        """Set the expiration (None: never expires); None if the invite is unknown."""
        return await self._touch_invite(
            invite_code,
            updated_by,
            "expiration = ?",
            store_optional_time(expiration),
        )

    async def revoke_invite(self, invite_code: str, updated_by: UserProfile) -> Invite | None:
        """Mark the invite inactive (it stays listed); None if unknown."""
        return await self._touch_invite(invite_code, updated_by, "active = ?", 0)

    async def _touch_invite(
        self, invite_code: str, updated_by: UserProfile, assignment: str, value: Any
    ) -> Invite | None:
        profile = store_profile(updated_by)
        now = store_time(utcnow())

        def work(conn: sqlite3.Connection) -> Invite | None:
            with self._transaction(conn):
                conn.execute(
                    f"UPDATE invites SET {assignment}, updated = ?, updated_by = ?"
                    " WHERE invite_code = ?",
                    (value, now, profile, invite_code),
                )
                row = conn.execute(
                    "SELECT * FROM invites WHERE invite_code = ?", (invite_code,)
                ).fetchone()
            return None if row is None else invite_of(row)

        return await self._run(work)

    # -- SIP --------------------------------------------------------------------------------

    async def get_sip_config(self, room_id: str) -> SipConfig | None:
        def work(conn: sqlite3.Connection) -> SipConfig | None:
            row = conn.execute("SELECT * FROM sip_configs WHERE room = ?", (room_id,)).fetchone()
            return None if row is None else sip_of(row)

        return await self._run(work)

    async def find_sip_config(self, sip_id: str) -> SipConfig | None:
        def work(conn: sqlite3.Connection) -> SipConfig | None:
            row = conn.execute("SELECT * FROM sip_configs WHERE sip_id = ?", (sip_id,)).fetchone()
            return None if row is None else sip_of(row)

        return await self._run(work)

    async def put_sip_config(
        self, room_id: str, *, password: str | None, lobby: bool | None
    ) -> tuple[SipConfig, bool]:
        """See :meth:`signaling.registry.Registry.put_sip_config`."""
        if password is not None and not is_digits(password, SIP_PIN_LENGTH):
            raise ValueError("the SIP PIN must be exactly 10 ASCII digits")

        def work(conn: sqlite3.Connection) -> tuple[SipConfig, bool]:
            with self._transaction(conn):
                row = conn.execute(
                    "SELECT * FROM sip_configs WHERE room = ?", (room_id,)
                ).fetchone()
                if row is not None:
                    old = sip_of(row)
                    config = SipConfig(
                        room=room_id,
                        sip_id=old.sip_id,
                        password=old.password if password is None else password,
                        lobby=old.lobby if lobby is None else lobby,
                    )
                    conn.execute(
                        "UPDATE sip_configs SET password = ?, lobby = ? WHERE room = ?",
                        (config.password, int(config.lobby), room_id),
                    )
                    return config, False
                if conn.execute("SELECT 1 FROM rooms WHERE id = ?", (room_id,)).fetchone() is None:
                    raise UnknownRoomError(room_id)
                pin = random_digits(SIP_PIN_LENGTH) if password is None else password
                for _ in range(SIP_ID_ATTEMPTS):
                    config = SipConfig(
                        room=room_id,
                        sip_id=random_digits(SIP_ID_LENGTH),
                        password=pin,
                        lobby=bool(lobby),
                    )
                    try:
                        conn.execute(
                            "INSERT INTO sip_configs (room, sip_id, password, lobby)"
                            " VALUES (?, ?, ?, ?)",
                            (room_id, config.sip_id, pin, int(config.lobby)),
                        )
                    except sqlite3.IntegrityError:
                        continue  # the id is taken by another room: draw again
                    return config, True
                raise RegistryError(f"no free SIP id after {SIP_ID_ATTEMPTS} attempts")

        return await self._run(work)

    async def delete_sip_config(self, room_id: str) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM sip_configs WHERE room = ?", (room_id,)).rowcount > 0

        return await self._run(work)


def _migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring the schema to :data:`SCHEMA_VERSION`, one transaction per step."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path} has registry schema version {version}, but this release only knows up to "
            f"{SCHEMA_VERSION}: run a newer release or restore a backup"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if current >= target:
                conn.execute("ROLLBACK")
                continue
            for statement in MIGRATIONS[target - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target:d}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
