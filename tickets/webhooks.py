"""Webhooks (issue 13): list, create, read, change, delete. Only a service token with the
``signaling-admin`` realm role may use these; secrets are stored, never returned."""

from __future__ import annotations

import uuid
from typing import Annotated

import httpx
import msgspec
from starlette.requests import Request
from starlette.responses import Response

from signaling.errors import NOT_FOUND, VALIDATION_FAILED, Failure, FieldError
from signaling.webhooks import records
from signaling.webhooks.delivery import SCHEMES
from signaling.webhooks.events import EVENT_NAMES, EventName
from signaling.wire import format_timestamp, utcnow
from tickets import examples
from tickets.access import BAD_TOKEN, NOT_ADMIN, Api, canonical_uuid
from tickets.declaration import BACKEND, INTERNAL, NO_CONTENT, Answer, Endpoint
from tickets.fields import Timestamp, UuidText
from tickets.http import PAGINATION, body_failures, json_response, no_content, paginate, read_body

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Events = Annotated[list[EventName], msgspec.Meta(min_length=1)]

UNKNOWN_WEBHOOK = NOT_FOUND.saying("unknown webhook")
BAD_URL = FieldError(
    field="url", code="invalid_value", message="the url must be an absolute http or https URL"
)
BLANK_SECRET = FieldError(
    field="secret", code="invalid_value", message="the secret must not be blank"
)


class Webhook(msgspec.Struct, kw_only=True):
    """A webhook: where its events are posted, and which. Its secret is never shown."""

    id: UuidText
    url: str
    events: list[EventName]
    created_at: Timestamp

    @classmethod
    def of(cls, webhook: records.Webhook) -> Webhook:
        return cls(
            id=webhook.id, url=webhook.url, events=webhook.events, created_at=webhook.created_at
        )


class WebhookList(msgspec.Struct, kw_only=True):
    """One page of webhooks, and how many there are."""

    data: list[Webhook]
    total_count: int


class PostWebhookBody(msgspec.Struct, forbid_unknown_fields=True):
    """A new webhook."""

    url: Url
    events: Events
    secret: Secret


class PatchWebhookBody(msgspec.Struct, forbid_unknown_fields=True):
    """The fields to change; absent fields stay as they are."""

    url: Url | msgspec.UnsetType = msgspec.UNSET
    events: Events | msgspec.UnsetType = msgspec.UNSET
    secret: Secret | msgspec.UnsetType = msgspec.UNSET


def _url(url: str) -> str:
    """An absolute http(s) URL with a host; 422 otherwise."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        parsed = None
    if parsed is None or parsed.scheme not in SCHEMES or not parsed.host:
        raise BAD_URL.error()
    return url


def _secret(secret: str) -> str:
    if not secret.strip():
        raise BLANK_SECRET.error()
    return secret


def _events(events: list[EventName]) -> list[EventName]:
    return list(dict.fromkeys(events))  # repeated names count once


async def _webhook(api: Api, request: Request) -> records.Webhook:
    webhook_id = canonical_uuid(request.path_params["webhook_id"])
    found = None if webhook_id is None else await api.node.records.webhook(webhook_id)
    if found is None:
        raise UNKNOWN_WEBHOOK()
    return found


async def list_webhooks(api: Api, request: Request) -> Response:
    api.admin(request)
    webhooks = await api.node.records.webhooks()
    page = [Webhook.of(w) for w in paginate(request, webhooks)]
    return json_response(WebhookList(data=page, total_count=len(webhooks)))


async def create_webhook(api: Api, request: Request) -> Response:
    api.admin(request)
    body = await read_body(request, PostWebhookBody)
    webhook = records.Webhook(
        id=str(uuid.uuid4()),
        url=_url(body.url),
        events=_events(body.events),
        secret=_secret(body.secret),
        created_at=format_timestamp(utcnow()),
    )
    await api.node.records.add_webhook(webhook)
    return json_response(Webhook.of(webhook), 201)


async def get_webhook(api: Api, request: Request) -> Response:
    api.admin(request)
    return json_response(Webhook.of(await _webhook(api, request)))


async def patch_webhook(api: Api, request: Request) -> Response:
    api.admin(request)
    webhook = await _webhook(api, request)
    body = await read_body(request, PatchWebhookBody)
    url = webhook.url if body.url is msgspec.UNSET else _url(body.url)
    events = webhook.events if body.events is msgspec.UNSET else _events(body.events)
    secret = webhook.secret if body.secret is msgspec.UNSET else _secret(body.secret)
    changed = msgspec.structs.replace(webhook, url=url, events=events, secret=secret)
    if not await api.node.records.replace_webhook(changed):
        raise UNKNOWN_WEBHOOK()
    return json_response(Webhook.of(changed))


async def delete_webhook(api: Api, request: Request) -> Response:
    api.admin(request)
    webhook = await _webhook(api, request)
    if not await api.node.records.remove_webhook(webhook.id):
        raise UNKNOWN_WEBHOOK()
    return no_content()


WEBHOOKS = "/v1/webhooks"
WEBHOOK = "/v1/webhooks/{webhook_id}"
EXAMPLE = Webhook(
    id=examples.WEBHOOK_ID,
    url="https://crm.example.org/hooks/meetings",
    events=["participant.joined", "participant.left"],
    created_at=examples.TIMESTAMP,
)
WEBHOOK_NOT_FOUND = Failure(
    UNKNOWN_WEBHOOK, "the webhook is unknown (an id that is not a UUID is unknown too)"
)
WEBHOOK_VALUES = Failure(
    VALIDATION_FAILED,
    "`url` is not an absolute http or https URL, an event name is unknown, `events` is empty "
    "or `secret` is empty or blank (`errors[].field` names it)",
    invalid=BAD_URL,
)

ENDPOINTS = (
    Endpoint(
        "GET",
        WEBHOOKS,
        list_webhooks,
        "webhooks",
        "List the webhooks",
        "Every webhook, oldest first, one page at a time (`total_count` counts them all).",
        "admin",
        (
            Answer(
                200,
                "One page of webhooks.",
                WebhookList,
                WebhookList(data=[EXAMPLE], total_count=1),
            ),
        ),
        (BAD_TOKEN, NOT_ADMIN, PAGINATION, BACKEND, INTERNAL),
        paginated=True,
    ),
    Endpoint(
        "POST",
        WEBHOOKS,
        create_webhook,
        "webhooks",
        "Create a webhook",
        "From now on every event named in `events` ("
        + ", ".join(f"`{e}`" for e in EVENT_NAMES)
        + ") is posted to `url`, signed with `secret` (README, Webhooks). Repeated names "
        "count once.",
        "admin",
        (Answer(201, "The new webhook (without its secret).", Webhook, EXAMPLE),),
        (BAD_TOKEN, NOT_ADMIN, *body_failures(required=True), WEBHOOK_VALUES, BACKEND, INTERNAL),
        PostWebhookBody,
        body_example=PostWebhookBody(
            url=EXAMPLE.url, events=EXAMPLE.events, secret="a long random string"
        ),
    ),
    Endpoint(
        "GET",
        WEBHOOK,
        get_webhook,
        "webhooks",
        "Get a webhook",
        "The webhook, without its secret.",
        "admin",
        (Answer(200, "The webhook.", Webhook, EXAMPLE),),
        (BAD_TOKEN, NOT_ADMIN, WEBHOOK_NOT_FOUND, BACKEND, INTERNAL),
    ),
    Endpoint(
        "PATCH",
        WEBHOOK,
        patch_webhook,
        "webhooks",
        "Change a webhook",
        "Replace the given fields; the others stay. Events already waiting are sent with the "
        "changed URL, secret and events.",
        "admin",
        (Answer(200, "The changed webhook.", Webhook, EXAMPLE),),
        (
            BAD_TOKEN,
            NOT_ADMIN,
            WEBHOOK_NOT_FOUND,
            *body_failures(required=True),
            WEBHOOK_VALUES,
            BACKEND,
            INTERNAL,
        ),
        PatchWebhookBody,
        body_example=PatchWebhookBody(events=["session.started", "session.ended"]),
    ),
    Endpoint(
        "DELETE",
        WEBHOOK,
        delete_webhook,
        "webhooks",
        "Delete a webhook",
        "No event is posted to it any more, also none that was waiting.",
        "admin",
        (NO_CONTENT,),
        (BAD_TOKEN, NOT_ADMIN, WEBHOOK_NOT_FOUND, BACKEND, INTERNAL),
    ),
)
