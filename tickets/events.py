"""Calendar stubs: there is no calendar, so every path below ``/v1/events/`` answers 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from signaling.errors import NOT_FOUND, Failure
from tickets.access import Api
from tickets.declaration import INTERNAL, Endpoint

NO_EVENTS = NOT_FOUND.saying("there are no events")


async def no_events(api: Api, request: Request) -> Response:
    raise NO_EVENTS()


ENDPOINTS = tuple(
    Endpoint(
        method,
        "/v1/events/{anything:path}",
        no_events,
        "events",
        "Events (none)",
        "There is no calendar: every path below `/v1/events/` answers 404 JSON, "
        "whatever the method, credential or body.",
        "none",
        (),
        (Failure(NO_EVENTS, "always"), INTERNAL),
        operation_id=f"no_events_{method.lower()}",
        limited=False,  # like any unknown path: nothing done, no backend
    )
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
)
