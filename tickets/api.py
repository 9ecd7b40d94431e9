"""The REST API: every endpoint in the order the document lists them, and their routes."""

from __future__ import annotations

from starlette.routing import BaseRoute

from tickets import (
    chat,
    events,
    invites,
    live,
    meta,
    moderation,
    rooms,
    sessions,
    sip,
    start,
    users,
    webhooks,
)
from tickets.access import Api, RestNode
from tickets.declaration import Endpoint
from tickets.limits import Limits
from tickets.throttle import Throttles

ENDPOINTS: tuple[Endpoint, ...] = (
    *meta.ENDPOINTS,
    *start.ENDPOINTS,
    *rooms.ENDPOINTS,
    *invites.ENDPOINTS,
    *sip.ENDPOINTS,
    *users.ENDPOINTS,
    *events.ENDPOINTS,
    *webhooks.ENDPOINTS,
    *sessions.ENDPOINTS,
    *live.ENDPOINTS,
    *moderation.ENDPOINTS,
    *chat.ENDPOINTS,
)


def routes(node: RestNode, throttles: Throttles, limits: Limits) -> list[BaseRoute]:
    """The routes of every endpoint, served by ``node``."""
    api = Api(node, throttles, limits)
    return [endpoint.route(api) for endpoint in ENDPOINTS]
