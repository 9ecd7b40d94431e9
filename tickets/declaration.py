"""How a REST endpoint is declared: one :class:`Endpoint` beside its handler, read by the
router (:meth:`Endpoint.route`) and by the OpenAPI renderer (``signaling.docs.openapi``), so
the route, its documented answers and its failures cannot drift apart."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from signaling.errors import INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE, ApiError, Failure
from tickets.access import Api
from tickets.http import ChoiceQuery, IntQuery
from tickets.limits import Group

Auth = Literal["none", "bearer", "call_in", "admin", "bearer_or_invite"]
Handler = Callable[[Api, Request], Awaitable[Response]]


@dataclasses.dataclass(frozen=True)
class Answer:
    """A non-error answer (or the health check's own 503): status, body type and example;
    ``text``: an example of the ``text/plain`` form it may take instead."""

    status: int
    description: str
    body: Any = None
    example: Any = None
    text: str = ""


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One method of one path: what it takes, what it answers and what it can refuse.

    ``path`` is the router's (convertors included); ``failures`` are in the order their
    checks run; ``body`` is the request struct the handler reads (``body_required``: an empty
    body is refused); ``query`` are its query parameters besides the pagination's;
    ``operation_id`` defaults to the handler's name. Its rate limit (:attr:`group`) is
    checked before the handler runs: ``starts`` for an endpoint that issues a ticket,
    ``limited=False`` for one that does nothing and reaches no backend.
    """

    method: str
    path: str
    handler: Handler
    tag: str
    summary: str
    description: str
    auth: Auth
    answers: tuple[Answer, ...]
    failures: tuple[Failure, ...]
    body: type | None = None
    body_required: bool = True
    body_example: Any = None
    paginated: bool = False
    query: tuple[IntQuery | ChoiceQuery, ...] = ()
    operation_id: str = ""
    starts: bool = False
    limited: bool = True

    @property
    def name(self) -> str:
        return self.operation_id or self.handler.__name__

    @property
    def group(self) -> Group | None:
        """The rate-limit group of this endpoint; None: not limited."""
        if not self.limited:
            return None
        if self.starts:
            return Group.START
        return Group.READ if self.method == "GET" else Group.WRITE

    @property
    def all_failures(self) -> tuple[Failure, ...]:
        """:attr:`failures` after its rate limit's (the first check)."""
        return self.failures if self.group is None else (self.group.failure, *self.failures)

    def route(self, api: Api) -> Route:
        """The route that serves this endpoint for ``api``."""
        handler = self.handler
        group = self.group
        bearer = self.auth != "none"  # whether the subject of a bearer token counts

        async def endpoint(request: Request) -> Response:
            try:
                if group is not None:
                    await api.within_limit(request, group, bearer=bearer)
                return await handler(api, request)
            except ApiError as error:  # also where the app has no handler for it
                return error.response()

        return Route(self.path, endpoint, methods=[self.method], name=handler.__name__)


#: Every endpoint that reaches a shared backend can answer this.
BACKEND = Failure(
    SERVICE_UNAVAILABLE,
    "the shared backend (Redis) is unreachable; retry after `Retry-After` seconds",
)
#: Every endpoint can answer this.
INTERNAL = Failure(INTERNAL_SERVER_ERROR, "an unexpected fault in the server (a bug)")
NO_CONTENT = Answer(204, "Done; no body.")
CREATOR_ONLY = "Only the room's creator may do this."
