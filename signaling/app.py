"""``create_app(settings)``: the REST routes of ``tickets``, ``/signaling``, ``/healthz``."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from signaling.config import Settings, load_settings
from signaling.connections import filter_accept_errors
from signaling.drain import Drain
from signaling.endpoint import signaling_endpoint
from signaling.errors import BACKEND_ERRORS, ApiError, service_unavailable, unauthorized
from signaling.logs import name_node, setup_logging
from signaling.metrics import SAMPLE_PERIOD
from signaling.node import KEY_PREFIX, Node
from signaling.openapi import openapi_route
from signaling.tasks import cancel_until_done
from tickets.http import error_response, json_response
from tickets.meetings import meeting_routes
from tickets.records import record_routes
from tickets.routes import start_routes
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

    async def healthz(request: Request) -> Response:
        if node.draining:
            return json_response({"status": "draining"}, 503)
        try:
            await node.state.ping()
        except Exception as exc:  # the cause goes to the log, never to the caller
            log.warning("health check: backend unavailable (%s)", exc)
            return json_response({"status": "degraded"}, 503)
        return json_response(
            {"status": "ok", "backend": "embedded" if settings.embedded else "redis"}
        )

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        codes = {404: "not_found", 405: "method_not_allowed"}
        code = codes.get(
            exc.status_code, "bad_request" if exc.status_code < 500 else "internal_server_error"
        )
        return error_response(
            ApiError(exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}))
        )

    async def backend_error(request: Request, exc: Exception) -> Response:
        node.hub.metrics.backend_error()
        log.warning("%s %s: backend unavailable (%s)", request.method, request.url.path, exc)
        return error_response(service_unavailable("the backend is unreachable; retry shortly"))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(ApiError(500, "internal_server_error", "internal server error"))

    throttles = build_throttles(settings, node.redis, KEY_PREFIX)
    routes = [
        Route("/healthz", healthz),
        *start_routes(node, throttles),
        *record_routes(node, throttles),
        *meeting_routes(node),
        openapi_route(),
    ]
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
            ApiError: api_error,
            HTTPException: http_error,
            **dict.fromkeys(BACKEND_ERRORS, backend_error),
            Exception: server_error,
        },
    )
    return SignalingApp(app, node)


class SignalingApp:
    """The ASGI app: ``/signaling`` straight to its endpoint, everything else to Starlette
    (REST, health, lifespan)."""

    def __init__(self, http: Starlette, node: Node) -> None:
        self.http = http
        self.node = node

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/signaling":
            await signaling_endpoint(scope, receive, send, self.node)
        elif scope["type"] == "http" and scope["path"] == "/metrics":
            await self._metrics(Request(scope))(scope, receive, send)
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
            return error_response(unauthorized("/metrics needs its bearer token"))
        if request.method != "GET":
            return error_response(ApiError(405, "method_not_allowed", "only GET"))
        _sample(self.node)
        body, content_type = self.node.hub.metrics.render()
        return PlainTextResponse(body, media_type=content_type)


def _sample(node: Node) -> None:
    node.hub.metrics.sample(node.hub.sessions(), node.broker.resyncs)


async def _every(period: float, duty: Callable[[], None]) -> None:
    while True:
        await asyncio.sleep(period)
        duty()
