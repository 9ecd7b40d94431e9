"""The notification body and its signature (signaling/webhooks/events.py)."""

from __future__ import annotations

import hashlib
import hmac
import json

from signaling.webhooks.events import Entry, body, sign


def test_the_body_is_the_entry_without_its_number_and_signs_as_hmac_sha256() -> None:
    data = {"room_id": "r", "session_id": None, "deleted_at": "2024-01-01T00:00:00.000000Z"}
    entry = Entry(
        7,
        "5f0c8a1e-0000-4000-8000-000000000001",
        "room.deleted",
        "2024-01-01T00:00:00.000000Z",
        data,
    )
    payload = body(entry)
    assert json.loads(payload) == {
        "id": entry.id,
        "event": "room.deleted",
        "timestamp": "2024-01-01T00:00:00.000000Z",
        "data": data,
    }
    assert body(entry) == payload  # the same bytes on every retry
    expected = hmac.new(b"s3cret", payload, hashlib.sha256).hexdigest()
    assert sign("s3cret", payload) == expected
    assert sign("other", payload) != expected
