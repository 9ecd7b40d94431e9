"""The embedded :class:`~.records.Records`: one SQLite file (``<data_dir>/meetings.sqlite3``).

One connection under a lock; every method runs its blocking work in a thread, in one
transaction. Times are RFC 3339 strings in UTC with six fraction digits (they sort as text).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from signaling.webhooks.events import Entry
from signaling.webhooks.records import (
    Attendance,
    FinishedPoll,
    MeetingSession,
    Webhook,
    finished_poll,
)

T = TypeVar("T")
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS webhooks (id TEXT PRIMARY KEY, created_at TEXT NOT NULL,"
    " record TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, room_id TEXT NOT NULL,"
    " started_at TEXT NOT NULL, ended_at TEXT, max_concurrent INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS sessions_by_room ON sessions (room_id, started_at)",
    "CREATE TABLE IF NOT EXISTS attendances (event_id TEXT PRIMARY KEY,"
    " session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,"
    " participant_id TEXT NOT NULL, display_name TEXT NOT NULL, kind TEXT NOT NULL,"
    " role TEXT NOT NULL, joined_at TEXT NOT NULL, left_at TEXT, leave_reason TEXT)",
    "CREATE INDEX IF NOT EXISTS attendances_by_session ON attendances (session_id)",
    "CREATE TABLE IF NOT EXISTS polls (poll_id TEXT PRIMARY KEY,"
    " session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,"
    " ended_at TEXT NOT NULL, record TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS polls_by_session ON polls (session_id, ended_at)",
    "CREATE TABLE IF NOT EXISTS chats (session_id TEXT PRIMARY KEY"
    " REFERENCES sessions (id) ON DELETE CASCADE, messages TEXT NOT NULL)",
)
_SESSION = (
    "SELECT s.id, s.room_id, s.started_at, s.ended_at, s.max_concurrent,"
    " (SELECT COUNT(DISTINCT participant_id) FROM attendances a WHERE a.session_id = s.id)"
    " FROM sessions s"
)
_webhook = msgspec.json.Decoder(Webhook)
_poll = msgspec.json.Decoder(FinishedPoll)
_messages = msgspec.json.Decoder(list[str])


def _session(row: Any) -> MeetingSession:
    return MeetingSession(
        id=row[0],
        room_id=row[1],
        started_at=row[2],
        ended_at=row[3],
        max_concurrent=row[4],
        participant_count=row[5],
    )


def _apply(db: sqlite3.Connection, entry: Entry) -> None:
    data, session = entry.data, entry.session_id
    if session is None:
        return
    match entry.event:
        case "session.started":
            db.execute(
                "INSERT OR IGNORE INTO sessions (id, room_id, started_at) VALUES (?, ?, ?)",
                (session, entry.room_id, data["started_at"]),
            )
        case "participant.joined":
            db.execute(
                "INSERT OR IGNORE INTO attendances (event_id, session_id, participant_id,"
                " display_name, kind, role, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entry.id, session, data["participant_id"], data["display_name"],
                 data["kind"], data["role"], data["joined_at"]),
            )  # fmt: skip
            db.execute(
                "UPDATE sessions SET max_concurrent = MAX(max_concurrent, (SELECT COUNT(*)"
                " FROM attendances WHERE session_id = ? AND left_at IS NULL)) WHERE id = ?",
                (session, session),
            )
        case "participant.left":
            db.execute(
                "UPDATE attendances SET left_at = ?, leave_reason = ? WHERE session_id = ?"
                " AND participant_id = ? AND left_at IS NULL",
                (data["left_at"], data["leave_reason"], session, data["participant_id"]),
            )
        case "poll.done":
            poll = finished_poll(entry)
            db.execute(
                "INSERT OR IGNORE INTO polls SELECT ?, id, ?, ? FROM sessions WHERE id = ?",
                (poll.id, poll.ended_at, msgspec.json.encode(poll).decode(), session),
            )
        case "chat.kept":
            db.execute(
                "INSERT OR REPLACE INTO chats SELECT id, ? FROM sessions WHERE id = ?",
                (msgspec.json.encode(data["messages"]).decode(), session),
            )
        case "session.ended":
            db.execute(
                "UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                (data["ended_at"], session),
            )
            db.execute(
                "UPDATE attendances SET left_at = ? WHERE session_id = ? AND left_at IS NULL",
                (data["ended_at"], session),
            )


class SqliteRecords:
    def __init__(self, path: str) -> None:
        self._path = path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def step() -> T:
            assert self._db is not None, "open() first"
            with self._lock, self._db:
                return work(self._db)

        return await asyncio.to_thread(step)

    async def open(self) -> None:
        self._db = sqlite3.connect(self._path, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")  # outside a transaction, or it is ignored
        await self._run(lambda db: [db.execute(statement) for statement in SCHEMA])

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def add_webhook(self, webhook: Webhook) -> None:
        record = msgspec.json.encode(webhook).decode()
        await self._run(
            lambda db: db.execute(
                "INSERT INTO webhooks VALUES (?, ?, ?)", (webhook.id, webhook.created_at, record)
            )
        )

    async def webhook(self, webhook_id: str) -> Webhook | None:
        row = await self._run(
            lambda db: db.execute(
                "SELECT record FROM webhooks WHERE id = ?", (webhook_id,)
            ).fetchone()
        )
        return None if row is None else _webhook.decode(row[0])

    async def webhooks(self) -> list[Webhook]:
        rows = await self._run(
            lambda db: db.execute("SELECT record FROM webhooks ORDER BY created_at, id").fetchall()
        )
        return [_webhook.decode(row[0]) for row in rows]

    async def replace_webhook(self, webhook: Webhook) -> bool:
        record = msgspec.json.encode(webhook).decode()
        cursor = await self._run(
            lambda db: db.execute(
                "UPDATE webhooks SET record = ? WHERE id = ?", (record, webhook.id)
            )
        )
        return cursor.rowcount == 1

    async def remove_webhook(self, webhook_id: str) -> bool:
        cursor = await self._run(
            lambda db: db.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))
        )
        return cursor.rowcount == 1

    async def apply(self, entry: Entry) -> None:
        await self._run(lambda db: _apply(db, entry))

    async def sessions(self, room_id: str) -> list[MeetingSession]:
        rows = await self._run(
            lambda db: db.execute(
                f"{_SESSION} WHERE s.room_id = ? ORDER BY s.started_at DESC, s.id", (room_id,)
            ).fetchall()
        )
        return [_session(row) for row in rows]

    async def session(self, session_id: str) -> MeetingSession | None:
        row = await self._run(
            lambda db: db.execute(f"{_SESSION} WHERE s.id = ?", (session_id,)).fetchone()
        )
        return None if row is None else _session(row)

    async def attendances(self, session_id: str) -> list[Attendance]:
        rows = await self._run(
            lambda db: db.execute(
                "SELECT participant_id, display_name, kind, role, joined_at, left_at,"
                " leave_reason FROM attendances WHERE session_id = ? ORDER BY rowid",
                (session_id,),
            ).fetchall()
        )
        return [
            Attendance(
                participant_id=row[0],
                display_name=row[1],
                kind=row[2],
                role=row[3],
                joined_at=row[4],
                left_at=row[5],
                leave_reason=row[6],
            )
            for row in rows
        ]

    async def polls(self, session_id: str) -> list[FinishedPoll]:
        rows = await self._run(
            lambda db: db.execute(
                "SELECT record FROM polls WHERE session_id = ? ORDER BY ended_at, rowid",
                (session_id,),
            ).fetchall()
        )
        return [_poll.decode(row[0]) for row in rows]

    async def chat(self, session_id: str) -> list[str] | None:
        row = await self._run(
            lambda db: db.execute(
                "SELECT messages FROM chats WHERE session_id = ?", (session_id,)
            ).fetchone()
        )
        return None if row is None else _messages.decode(row[0])

    async def delete_chat(self, session_id: str) -> bool:
        cursor = await self._run(
            lambda db: db.execute("DELETE FROM chats WHERE session_id = ?", (session_id,))
        )
        return cursor.rowcount == 1

    async def purge(self, ended_before: str) -> None:
        await self._run(
            lambda db: db.execute("DELETE FROM sessions WHERE ended_at < ?", (ended_before,))
        )
