"""The browser demo page (``SIGNALING_DEMO``): ``GET /``, its static files and a dev-token route.

The page (sources in ``web/``, built into ``static/`` and committed, so serving it needs no
Node.js) creates a room as a dev user, invites a guest and runs a meeting over ``/signaling``.
:func:`demo_app` is served by :class:`signaling.app.SignalingApp` only while
:attr:`signaling.config.Settings.demo_enabled` holds, i.e. only with the embedded dev secret:
with a JWT secret, a JWKS file, an OIDC provider or Redis configured, ``/`` and
``/demo/token`` are 404.

Every file goes out with a Content-Security-Policy that allows scripts, styles and fetches
from the page's own origin and a WebSocket to its ``/signaling`` only (no inline scripts).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from signaling.auth import hs256_secret, issue_dev_token
from signaling.config import Settings
from signaling.errors import NOT_FOUND
from tickets.http import ERROR_HANDLERS, json_response, read_body

STATIC = Path(__file__).with_name("static")
TOKEN_TTL = 8 * 3600  # seconds: a demo afternoon
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


class TokenBody(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /demo/token``: the display name of the dev user the page acts as."""

    name: str = msgspec.field(default="")


def content_security_policy(host: str | None) -> str:
    """The page's CSP: itself, and the WebSocket endpoint on the host it was loaded from."""
    sockets = ""
    if host is not None and _HOST.fullmatch(host):
        sockets = f" ws://{host}/signaling wss://{host}/signaling"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self'{sockets}; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def is_demo_path(path: str) -> bool:
    """The paths :func:`demo_app` answers (outside the REST API and its document)."""
    return path == "/" or path.startswith("/demo/")


def demo_app(settings: Settings) -> Starlette:
    """``GET /`` (the page), ``GET /demo/<file>`` and ``POST /demo/token``."""
    secret = hs256_secret(settings)
    files = {path.name: path.read_bytes() for path in sorted(STATIC.iterdir()) if path.is_file()}

    def serve(name: str, request: Request) -> Response:
        return Response(
            files[name],
            media_type=_TYPES[Path(name).suffix],
            headers={
                "Content-Security-Policy": content_security_policy(request.headers.get("host")),
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-cache",
            },
        )

    async def page(request: Request) -> Response:
        return serve("index.html", request)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in files or name == "index.html":
            raise NOT_FOUND("no such file")
        return serve(name, request)

    async def token(request: Request) -> Response:
        """A fresh dev user per call: the page's tab acts as that user."""
        body = await read_body(request, TokenBody, empty_ok=True)
        sub = "demo-" + secrets.token_hex(8)
        name = body.name.strip()[:100] or "Demo user"
        issued = issue_dev_token(
            secret,
            sub=sub,
            name=name,
            ttl=TOKEN_TTL,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
        )
        return json_response({"token": issued, "user_id": sub})

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/demo/token", token, methods=["POST"]),
        Route("/demo/{name}", static, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers=ERROR_HANDLERS)
