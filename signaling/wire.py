"""The JSON envelope of /signaling (reference §4) and timestamps (§1, §19.2).

Client → server: ``{"namespace", "payload"}``; the payload stays :class:`msgspec.Raw` until
the namespace's module decodes it (two-step decode). Server → client:
``{"namespace", "timestamp", "payload"}``, produced by :func:`encode_event` as a ready-to-send
text frame so fan-out can write the same string to every recipient.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

#: A timestamp as sent: RFC 3339 in UTC with six fraction digits (see ``format_timestamp``).
Timestamp = Annotated[str, msgspec.Meta(extra_json_schema={"format": "date-time"})]

SUBPROTOCOL = "opentalk-signaling-json-v1.0"
LEGACY_SUBPROTOCOL = "k3k-signaling-json-v1.0"
TICKET_PREFIX = "ticket#"


class Incoming(msgspec.Struct):
    """A client frame before its payload is decoded."""

    namespace: str
    payload: msgspec.Raw


class Outgoing(msgspec.Struct):
    namespace: str
    timestamp: str
    payload: msgspec.Raw


incoming_decoder = msgspec.json.Decoder(Incoming)
_encoder = msgspec.json.Encoder()


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with exactly six fraction digits and a ``Z`` (§19.2)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def encode_payload(payload: Any) -> bytes:
    """The JSON of one event payload (a msgspec Struct or plain data)."""
    return _encoder.encode(payload)


def encode_event(namespace: str, payload: Any, moment: datetime | None = None) -> str:
    """A complete server → client text frame; ``payload`` may be pre-encoded ``msgspec.Raw``."""
    frame = Outgoing(
        namespace=namespace,
        timestamp=format_timestamp(moment or utcnow()),
        payload=msgspec.Raw(_encoder.encode(payload)),
    )
    return _encoder.encode(frame).decode()
