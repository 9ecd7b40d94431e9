"""``create_app(settings)``: the REST routes of ``tickets``, ``/signaling``, ``/metrics``.

The app factory is the one module of ``signaling`` that imports ``tickets`` (see there)."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from signaling.config import Settings, load_settings
from signaling.connections import filter_accept_errors
from signaling.demo import demo_app, is_demo_path
from signaling.drain import Drain
from signaling.endpoint import signaling_endpoint
from signaling.errors import (
    BACKEND_ERRORS,
    INTERNAL_SERVER_ERROR,
    METHOD_NOT_ALLOWED,
    SERVICE_UNAVAILABLE,
    UNAUTHORIZED,
)
from signaling.logs import name_node, setup_logging
from signaling.metrics import SAMPLE_PERIOD
from signaling.node import KEY_PREFIX, Node
from signaling.tasks import cancel_until_done
from tickets import api
from tickets.http import ERROR_HANDLERS
from tickets.limits import build_limits
from tickets.throttle import build_throttles

log = logging.getLogger(__name__)


def app_from_environment() -> SignalingApp:
    """The app factory a worker process calls (``SIGNALING_WORKERS`` > 1)."""
    settings = load_settings()
    setup_logging(settings)  # a spawned worker starts with no logging of its own
    return create_app(settings)


def create_app(settings: Settings) -> SignalingApp:
    """Build the ASGI app; the node's backends start and stop with its lifespan."""
    node = Node(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        filter_accept_errors(asyncio.get_running_loop())
        await node.start()
        Drain(node).install()
        name_node(node.id)
        duties = {
            asyncio.create_task(_every(SAMPLE_PERIOD, lambda: _sample(node))),
            asyncio.create_task(node.authenticator.watch_keys()),
        }
        try:
            yield
        finally:
            await cancel_until_done(duties)
            await node.stop()
            node.hub.metrics.retire()

    async def backend_error(request: Request, exc: Exception) -> Response:
        node.hub.metrics.backend_error()
        log.warning("%s %s: backend unavailable (%s)", request.method, request.url.path, exc)
        return SERVICE_UNAVAILABLE().response()

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return INTERNAL_SERVER_ERROR().response()

    routes = api.routes(
        node,
        build_throttles(settings, node.redis, KEY_PREFIX),
        build_limits(settings, node.redis, KEY_PREFIX),
    )
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            **ERROR_HANDLERS,
            **dict.fromkeys(BACKEND_ERRORS, backend_error),
            Exception: server_error,
        },
    )
    return SignalingApp(app, node, demo_app(settings) if settings.demo_enabled else None)


class SignalingApp:
    """The ASGI app: ``/signaling`` straight to its endpoint, the demo page (when on) to its
    own app, everything else to Starlette (REST, health, lifespan)."""

    def __init__(self, http: Starlette, node: Node, demo: Starlette | None = None) -> None:
        self.http = http
        self.node = node
        self.demo = demo

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/signaling":
            await signaling_endpoint(scope, receive, send, self.node)
        elif scope["type"] == "http" and scope["path"] == "/metrics":
            await self._metrics(Request(scope))(scope, receive, send)
        elif self.demo is not None and scope["type"] == "http" and is_demo_path(scope["path"]):
            await self.demo(scope, receive, send)
        else:
            if scope["type"] == "http":  # a token signed with a key the cache lacks
                await self.node.authenticator.learn_key(Request(scope).headers.get("authorization"))
            await self.http(scope, receive, send)

    def _metrics(self, request: Request) -> Response:
        """``GET /metrics``: the Prometheus text format (outside the REST API and its
        document); with ``SIGNALING_METRICS_TOKEN``, only for ``Bearer <token>``."""
        token = self.node.settings.metrics_token
        given = request.headers.get("authorization", "").encode()
        if token and not hmac.compare_digest(given, f"Bearer {token}".encode()):
            return UNAUTHORIZED("/metrics needs its bearer token").response()
        if request.method != "GET":
            return METHOD_NOT_ALLOWED("only GET").response()
        _sample(self.node)
        body, content_type = self.node.hub.metrics.render()
        return PlainTextResponse(body, media_type=content_type)


def _sample(node: Node) -> None:
    node.hub.metrics.sample(node.hub.sessions(), node.broker.resyncs)


async def _every(period: float, duty: Callable[[], None]) -> None:
    while True:
        await asyncio.sleep(period)
        duty()
