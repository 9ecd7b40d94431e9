"""The field types of the REST views: ids and timestamps as their JSON carries them."""

from __future__ import annotations

from typing import Annotated

import msgspec

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
