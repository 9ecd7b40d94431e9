"""Health and the API's own description."""

from __future__ import annotations

import logging
from typing import Any, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from tickets.access import Api
from tickets.declaration import Answer, Endpoint
from tickets.http import json_response

log = logging.getLogger(__name__)

#: Where the app serves its OpenAPI document.
OPENAPI_PATH = "/v1/openapi.json"


class Health(msgspec.Struct, kw_only=True):
    """The node is up and its live-state backend answers."""

    status: Literal["ok"]
    backend: Literal["embedded", "redis"]


class HealthDegraded(msgspec.Struct, kw_only=True):
    """The live-state backend does not answer (why goes to the server's log only), or the node
    is shutting down."""

    status: Literal["degraded", "draining"]


async def healthz(api: Api, request: Request) -> Response:
    if api.node.draining:
        return json_response(HealthDegraded(status="draining"), 503)
    try:
        await api.node.state.ping()
    except Exception as exc:  # the cause goes to the log, never to the caller
        log.warning("health check: backend unavailable (%s)", exc)
        return json_response(HealthDegraded(status="degraded"), 503)
    embedded = api.node.settings.embedded
    return json_response(Health(status="ok", backend="embedded" if embedded else "redis"))


async def openapi(api: Api, request: Request) -> Response:
    """This API's OpenAPI document, rendered once per process."""
    from signaling.docs.openapi import document_json  # the generator is off the import path

    return Response(document_json(), media_type="application/json")


ENDPOINTS = (
    Endpoint(
        "GET",
        "/healthz",
        healthz,
        "meta",
        "Health check",
        "Whether this node and its live-state backend (embedded, or Redis) are usable. "
        "No authentication.",
        "none",
        (
            Answer(200, "The node is healthy.", Health, Health(status="ok", backend="embedded")),
            Answer(
                503,
                "The live-state backend does not answer, or the node is shutting down.",
                HealthDegraded,
                HealthDegraded(status="degraded"),
            ),
        ),
        (),
        limited=False,  # a probe
    ),
    Endpoint(
        "GET",
        OPENAPI_PATH,
        openapi,
        "meta",
        "This document",
        "The OpenAPI description of the REST routes (this document, as JSON; "
        "`signaling openapi` prints it as YAML). No authentication.",
        "none",
        (
            Answer(
                200,
                "The OpenAPI 3.1 document.",
                dict[str, Any],
                {"openapi": "3.1.0", "info": {"title": "…"}, "paths": {}},
            ),
        ),
        (),
        limited=False,  # rendered once, reaches no backend
    ),
)
