"""The field types of the REST views and bodies: ids and timestamps as their JSON carries them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec

from signaling.errors import validation_failed
from signaling.registry import MAX_DURATION, MIN_DURATION

#: A UUID in its canonical text form.
UuidText = Annotated[str, msgspec.Meta(extra_json_schema={"format": "uuid"})]
#: A timestamp as :func:`signaling.wire.format_timestamp` writes it.
Timestamp = Annotated[
    str,
    msgspec.Meta(
        description="RFC 3339 in UTC with six fraction digits and `Z`.",
        extra_json_schema={"format": "date-time"},
    ),
]
#: A timestamp a body gives: RFC 3339 with its offset (``Z`` or ``±hh:mm``); none is refused.
Moment = Annotated[
    datetime,
    msgspec.Meta(
        tz=True,
        description="RFC 3339 with an offset (`Z` or `+hh:mm`).",
        extra_json_schema={"format": "date-time"},
    ),
]
#: A scheduled room's length in minutes.
Duration = Annotated[int, msgspec.Meta(ge=MIN_DURATION, le=MAX_DURATION, description="Minutes.")]


def in_utc(field: str, moment: datetime) -> datetime:
    """``moment`` in UTC; 422 ``validation_failed`` naming ``field`` when UTC cannot hold it
    (a year-1 or year-9999 time whose offset pushes it out of range)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise validation_failed(field, f"{field} is out of range") from None
