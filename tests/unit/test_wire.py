"""signaling.wire: timestamps, outgoing frames, the incoming envelope decoder."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from signaling.wire import Incoming, encode_event, format_timestamp, incoming_decoder

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
MOMENT = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def test_format_timestamp_utc() -> None:
    assert format_timestamp(MOMENT) == "2024-05-06T07:08:09.123456Z"


def test_format_timestamp_zero_microseconds() -> None:
    assert format_timestamp(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00.000000Z"


def test_format_timestamp_small_microseconds_are_zero_padded() -> None:
    moment = datetime(2024, 1, 1, 0, 0, 0, 7, tzinfo=UTC)
    assert format_timestamp(moment) == "2024-01-01T00:00:00.000007Z"


def test_format_timestamp_converts_to_utc() -> None:
    berlin_summer = timezone(timedelta(hours=2))
    moment = datetime(2024, 1, 1, 1, 30, 0, 500, tzinfo=berlin_summer)
    assert format_timestamp(moment) == "2023-12-31T23:30:00.000500Z"
    behind = timezone(-timedelta(hours=5, minutes=30))
    assert format_timestamp(datetime(2024, 2, 29, 20, 0, tzinfo=behind)) == (
        "2024-03-01T01:30:00.000000Z"
    )


_OFFSETS = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ).map(lambda d: timedelta(minutes=round(d.total_seconds() / 60))),
)


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_OFFSETS)
)
@example(datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC))
@example(datetime(2024, 1, 1, tzinfo=UTC))
def test_format_timestamp_round_trips(moment: datetime) -> None:
    text = format_timestamp(moment)
    assert _RFC3339.fullmatch(text), text
    parsed = datetime.fromisoformat(text)
    assert parsed == moment  # the same instant, to the microsecond
    assert parsed.utcoffset() == timedelta(0)


def test_encode_event_envelope() -> None:
    frame = encode_event("chat", {"message": "x", "n": 1}, MOMENT)
    assert isinstance(frame, str)
    decoded = json.loads(frame)
    assert decoded == {
        "namespace": "chat",
        "timestamp": "2024-05-06T07:08:09.123456Z",
        "payload": {"message": "x", "n": 1},
    }
    assert list(decoded) == ["namespace", "timestamp", "payload"]


def test_encode_event_encodes_structs() -> None:
    class Event(msgspec.Struct, tag_field="message", tag="hello"):
        value: int

    decoded = json.loads(encode_event("echo", Event(value=3), MOMENT))
    assert decoded["payload"] == {"message": "hello", "value": 3}


def test_encode_event_defaults_to_now() -> None:
    before = datetime.now(UTC)
    decoded = json.loads(encode_event("control", {}))
    after = datetime.now(UTC)
    stamp = datetime.fromisoformat(decoded["timestamp"])
    assert _RFC3339.fullmatch(decoded["timestamp"])
    assert before - timedelta(milliseconds=1) <= stamp <= after + timedelta(milliseconds=1)


def test_encode_event_keeps_raw_payload_verbatim() -> None:
    raw = b'{ "b" :2,"a":  [1, 2.50, "\\u00e9"] }'
    frame = encode_event("echo", msgspec.Raw(raw), MOMENT)
    assert frame == (
        '{"namespace":"echo","timestamp":"2024-05-06T07:08:09.123456Z","payload":'
        + raw.decode()
        + "}"
    )


def test_incoming_decodes_with_raw_payload() -> None:
    frame = incoming_decoder.decode(b'{"namespace":"chat","payload":{"action":"send_message"}}')
    assert isinstance(frame, Incoming)
    assert frame.namespace == "chat"
    assert isinstance(frame.payload, msgspec.Raw)
    assert bytes(frame.payload) == b'{"action":"send_message"}'


def test_incoming_ignores_extra_fields() -> None:
    frame = incoming_decoder.decode(b'{"namespace":"echo","payload":1,"timestamp":"x"}')
    assert frame.namespace == "echo" and bytes(frame.payload) == b"1"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"payload":{}}',
        b'{"namespace":"chat"}',
        b"{}",
        b'{"namespace":1,"payload":{}}',
        b'["chat",{}]',
        b"not json",
        b"",
    ],
)
def test_incoming_rejects_bad_frames(raw: bytes) -> None:
    with pytest.raises((msgspec.ValidationError, msgspec.DecodeError)):
        incoming_decoder.decode(raw)


@pytest.mark.parametrize(
    ("raw", "field"), [(b'{"payload":{}}', "namespace"), (b'{"namespace":"chat"}', "payload")]
)
def test_missing_fields_are_validation_errors(raw: bytes, field: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=f"missing required field `{field}`"):
        incoming_decoder.decode(raw)
