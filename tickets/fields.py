"""The field types of the REST views: ids and timestamps as their JSON carries them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from signaling.wire import format_timestamp

#: A UUID in its canonical text form.
UuidText = Annotated[str, msgspec.Meta(extra_json_schema={"format": "uuid"})]
#: A timestamp as :func:`timestamp` writes it.
Timestamp = Annotated[
    str,
    msgspec.Meta(
        description="RFC 3339 in UTC with six fraction digits and `Z`.",
        extra_json_schema={"format": "date-time"},
    ),
]


def timestamp(moment: datetime) -> str:
    """``moment`` as a :data:`Timestamp`."""
    return format_timestamp(moment)
