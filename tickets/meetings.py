"""The REST records of webhooks and meeting sessions (issue 13).

Webhooks are managed with a service token carrying the ``signaling-admin`` role (others:
403). A room's meeting sessions may be read by the room's creator and by such a token
(others 403, unknown ids 404). Secrets are stored, never returned.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Protocol

import httpx
import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from signaling.auth import ADMIN_ROLE, Authenticator, Principal
from signaling.errors import forbidden, not_found, validation_failed
from signaling.webhooks.delivery import SCHEMES
from signaling.webhooks.events import EventName
from signaling.webhooks.records import MeetingSession, Records, Webhook
from signaling.wire import format_timestamp, utcnow
from tickets.http import json_response, read_body
from tickets.records import api, canonical_uuid, paginate
from tickets.registry import Registry

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Events = Annotated[list[EventName], msgspec.Meta(min_length=1)]


class MeetingNode(Protocol):
    """What these routes need of the node."""

    @property
    def authenticator(self) -> Authenticator: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def records(self) -> Records: ...


class PostWebhookBody(msgspec.Struct, forbid_unknown_fields=True):
    url: Url
    events: Events
    secret: Secret


class PatchWebhookBody(msgspec.Struct, forbid_unknown_fields=True):
    url: Url | msgspec.UnsetType = msgspec.UNSET
    events: Events | msgspec.UnsetType = msgspec.UNSET
    secret: Secret | msgspec.UnsetType = msgspec.UNSET


def webhook_view(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "events": webhook.events,
        "created_at": webhook.created_at,
    }


def _url(url: str) -> str:
    """An absolute http(s) URL with a host; 422 otherwise."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        parsed = None
    if parsed is None or parsed.scheme not in SCHEMES or not parsed.host:
        raise validation_failed("url", "the url must be an absolute http or https URL")
    return url


def _secret(secret: str) -> str:
    if not secret.strip():
        raise validation_failed("secret", "the secret must not be blank")
    return secret


def _events(events: list[EventName]) -> list[EventName]:
    return list(dict.fromkeys(events))


class _Meetings:
    def __init__(self, node: MeetingNode) -> None:
        self.node = node

    def principal(self, request: Request) -> Principal:
        return self.node.authenticator.from_header(request.headers.get("authorization"))

    def admin(self, request: Request) -> None:
        self.principal(request).require_role(ADMIN_ROLE)

    async def webhook(self, request: Request) -> Webhook:
        webhook_id = canonical_uuid(request.path_params["webhook_id"])
        found = None if webhook_id is None else await self.node.records.webhook(webhook_id)
        if found is None:
            raise not_found("unknown webhook")
        return found

    async def may_read(self, principal: Principal, room_id: str) -> None:
        """The room's creator or an admin token; 403 otherwise."""
        if ADMIN_ROLE in principal.roles:
            return
        room = await self.node.registry.get_room(room_id)
        if room is None or room.created_by.id != principal.sub:
            raise forbidden("only the creator of the room may read its sessions")

    async def session(self, request: Request) -> MeetingSession:
        principal = self.principal(request)
        session_id = canonical_uuid(request.path_params["session_id"])
        found = None if session_id is None else await self.node.records.session(session_id)
        if found is None:
            raise not_found("unknown session")
        await self.may_read(principal, found.room_id)
        return found

    # webhooks

    async def list_webhooks(self, request: Request) -> Response:
        self.admin(request)
        webhooks = await self.node.records.webhooks()
        page = paginate(request, webhooks)
        return json_response(
            {"data": [webhook_view(w) for w in page], "total_count": len(webhooks)}
        )

    async def create_webhook(self, request: Request) -> Response:
        self.admin(request)
        body = await read_body(request, PostWebhookBody)
        webhook = Webhook(
            id=str(uuid.uuid4()),
            url=_url(body.url),
            events=_events(body.events),
            secret=_secret(body.secret),
            created_at=format_timestamp(utcnow()),
        )
        await self.node.records.add_webhook(webhook)
        return json_response(webhook_view(webhook), 201)

    async def get_webhook(self, request: Request) -> Response:
        self.admin(request)
        return json_response(webhook_view(await self.webhook(request)))

    async def patch_webhook(self, request: Request) -> Response:
        self.admin(request)
        webhook = await self.webhook(request)
        body = await read_body(request, PatchWebhookBody)
        changes: dict[str, Any] = {}
        if not isinstance(body.url, msgspec.UnsetType):
            changes["url"] = _url(body.url)
        if not isinstance(body.events, msgspec.UnsetType):
            changes["events"] = _events(body.events)
        if not isinstance(body.secret, msgspec.UnsetType):
            changes["secret"] = _secret(body.secret)
        changed = msgspec.structs.replace(webhook, **changes)
        if not await self.node.records.replace_webhook(changed):
            raise not_found("unknown webhook")
        return json_response(webhook_view(changed))

    async def delete_webhook(self, request: Request) -> Response:
        self.admin(request)
        webhook = await self.webhook(request)
        if not await self.node.records.remove_webhook(webhook.id):
            raise not_found("unknown webhook")
        return Response(status_code=204)

    # meeting sessions

    async def room_sessions(self, request: Request) -> Response:
        principal = self.principal(request)
        room_id = canonical_uuid(request.path_params["room_id"])
        admin = ADMIN_ROLE in principal.roles
        room = None if room_id is None else await self.node.registry.get_room(room_id)
        if room_id is None or (room is None and not admin):
            raise not_found("unknown room")
        await self.may_read(principal, room_id)
        sessions = await self.node.records.sessions(room_id)
        page = paginate(request, sessions)
        return json_response({"data": page, "total_count": len(sessions)})

    async def get_session(self, request: Request) -> Response:
        return json_response(await self.session(request))

    async def session_participants(self, request: Request) -> Response:
        session = await self.session(request)
        return json_response({"data": await self.node.records.attendances(session.id)})


def meeting_routes(node: MeetingNode) -> list[BaseRoute]:
    """The routes of webhooks and meeting sessions."""
    m = _Meetings(node)

    def route(path: str, endpoint: Any, *methods: str) -> Route:
        return Route(path, api(endpoint), methods=list(methods))

    webhook = "/v1/webhooks/{webhook_id}"
    return [
        route("/v1/webhooks", m.list_webhooks, "GET"),
        route("/v1/webhooks", m.create_webhook, "POST"),
        route(webhook, m.get_webhook, "GET"),
        route(webhook, m.patch_webhook, "PATCH"),
        route(webhook, m.delete_webhook, "DELETE"),
        route("/v1/rooms/{room_id}/sessions", m.room_sessions, "GET"),
        route("/v1/sessions/{session_id}", m.get_session, "GET"),
        route("/v1/sessions/{session_id}/participants", m.session_participants, "GET"),
    ]
