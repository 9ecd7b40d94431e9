"""The OpenAPI 3.1 description of the REST routes, rendered from their declarations.

Every :class:`tickets.declaration.Endpoint` (``tickets.api.ENDPOINTS``, the list the app
routes) becomes one operation: its request struct, its answers' structs and, per error
status, every ``code`` of its :class:`~signaling.errors.Failure` list with when it is sent.
Component schemas come from one :func:`msgspec.json.schema_components` call over those
structs (their docstrings and field ``Meta`` included). ``signaling openapi`` writes
``protocol/openapi.yaml`` (a unit test fails when that file and the code disagree); the
server serves the same document as JSON at ``GET /v1/openapi.json``.
"""

from __future__ import annotations

import copy
import functools
import re
import typing
from typing import Any

import msgspec

from signaling.auth import ADMIN_ROLE, CALL_IN_ROLE
from signaling.config import Settings
from signaling.docs.writer import package_version, prose, to_json
from signaling.errors import VALIDATION_FAILED, Error, Failure, ValidationError
from signaling.modules.catalog import MODULES
from signaling.tariff import Tariff, build_tariff
from tickets import examples
from tickets.api import ENDPOINTS
from tickets.declaration import Answer, Endpoint
from tickets.http import DEFAULT_PER_PAGE, MAX_PER_PAGE, ChoiceQuery, IntQuery

OPENAPI_VERSION = "3.1.0"
SCHEMAS = "#/components/schemas/"
BEARER = "bearer"
INVITE_CODE = "inviteCode"

_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "none": [],
    "bearer": [{BEARER: []}],
    "call_in": [{BEARER: [CALL_IN_ROLE]}],
    "admin": [{BEARER: [ADMIN_ROLE]}],
    "bearer_or_invite": [{BEARER: []}, {INVITE_CODE: []}],
}

TAG_DESCRIPTIONS = {
    "chat": "Posting into and exporting the chat of meetings.",
    "events": "Calendar stubs: there is no calendar, these answer 404.",
    "invites": "Invite codes of a room (guest access).",
    "live": "Who is in meetings right now.",
    "meta": "Health and this description.",
    "moderation": "Acting on a live meeting as its moderators do, without joining it.",
    "rooms": "Room records.",
    "sessions": "Meeting sessions of rooms, who took part and their finished polls.",
    "sip": "SIP call-in configs of rooms.",
    "start": "Tickets for the `/signaling` WebSocket.",
    "tariffs": "The configured tariff.",
    "users": "The caller.",
    "webhooks": "Signed notifications of what happens in rooms (README, Webhooks).",
}

PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "room_id": {
        "name": "room_id",
        "in": "path",
        "required": True,
        "description": "The room's id, a UUID (anything else is an unknown room: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": examples.ROOM_ID,
    },
    "invite_code": {
        "name": "invite_code",
        "in": "path",
        "required": True,
        "description": "The invite code, a UUID (anything else is an unknown invite: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": examples.INVITE_CODE,
    },
    "webhook_id": {
        "name": "webhook_id",
        "in": "path",
        "required": True,
        "description": "The webhook's id, a UUID (anything else is an unknown webhook: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": examples.WEBHOOK_ID,
    },
    "session_id": {
        "name": "session_id",
        "in": "path",
        "required": True,
        "description": "The session's id, a UUID (anything else is an unknown session: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": examples.SESSION_ID,
    },
    "participant_id": {
        "name": "participant_id",
        "in": "path",
        "required": True,
        "description": "The participant's id, a UUID (anything else is unknown: 404).",
        "schema": {"type": "string", "format": "uuid"},
        "example": examples.PARTICIPANT_ID,
    },
    "anything": {
        "name": "anything",
        "in": "path",
        "required": True,
        "description": "Any path below `/v1/events/` (slashes included).",
        "schema": {"type": "string"},
        "example": "upcoming",
    },
}

PAGINATION_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": f"Items per page, 1..{MAX_PER_PAGE}.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
        "example": 10,
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "The page, from 1; a page past the end is empty.",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
        "example": 1,
    },
]


def openapi_path(path: str) -> str:
    """The OpenAPI path template of a router path (convertors dropped)."""
    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*):[A-Za-z_]+\}", r"{\1}", path)


def _path_parameters(path: str) -> list[dict[str, Any]]:
    names = re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z_]+)?\}", path)
    return [PATH_PARAMETERS[name] for name in names]


def _tariff_example() -> Any:
    """The tariff of a server with default settings."""
    namespaces = [m.namespace for m in MODULES if m.in_tariff]
    return msgspec.to_builtins(build_tariff(Settings(), namespaces))


def _query(param: IntQuery | ChoiceQuery) -> dict[str, Any]:
    return {
        "name": param.name,
        "in": "query",
        "required": False,
        "description": param.description,
        "schema": param.schema,
        "example": param.example,
    }


def _operation(endpoint: Endpoint, tariff: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": endpoint.name,
        "tags": [endpoint.tag],
        "summary": endpoint.summary,
        "description": endpoint.description,
        "security": _SECURITY[endpoint.auth],
    }
    parameters = [
        *(PAGINATION_PARAMETERS if endpoint.paginated else []),
        *map(_query, endpoint.query),
    ]
    if parameters:
        out["parameters"] = parameters
    if endpoint.body is not None:
        out["requestBody"] = {
            "required": endpoint.body_required,
            "description": (
                "JSON (`application/json` or another `+json` type)."
                + ("" if endpoint.body_required else " Optional: an empty body counts as `{}`.")
            ),
            "content": {
                "application/json": {
                    "schema": _schema_ref(endpoint.body),
                    "example": msgspec.to_builtins(endpoint.body_example),
                }
            },
        }
    out["responses"] = _responses(endpoint, tariff)
    return out


def _responses(endpoint: Endpoint, tariff: Any) -> dict[str, Any]:
    answers = {answer.status: answer for answer in endpoint.answers}
    failures: dict[int, list[Failure]] = {}
    for failure in endpoint.all_failures:
        if failure.problem.status in answers:
            raise RuntimeError(f"{endpoint.name}: {failure.problem.status} is described twice")
        failures.setdefault(failure.problem.status, []).append(failure)
    out: dict[str, Any] = {}
    for status in sorted({*answers, *failures}):
        if status in answers:
            out[str(status)] = _answer(answers[status], tariff)
        else:
            out[str(status)] = _failure_response(failures[status])
    return out


def _answer(answer: Answer, tariff: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": answer.description}
    if answer.body is not None:
        example = tariff if answer.body is Tariff else msgspec.to_builtins(answer.example)
        response["content"] = {
            "application/json": {"schema": _schema_ref(answer.body), "example": example}
        }
    if answer.text:
        text = {"schema": {"type": "string"}, "example": answer.text}
        response.setdefault("content", {})["text/plain"] = text
    return response


def _failure_response(failures: list[Failure]) -> dict[str, Any]:
    by_code: dict[str, list[Failure]] = {}
    for failure in failures:
        by_code.setdefault(failure.problem.code, []).append(failure)
    lines = [
        f"- `{code}`: " + "; or ".join(f.when for f in group) + "."
        for code, group in by_code.items()
    ]
    invalid = by_code.pop(VALIDATION_FAILED.code, [])  # 422 with the invalid values
    schemas: list[dict[str, Any]] = []
    examples_: dict[str, Any] = {}
    if invalid:
        schemas.append({"$ref": SCHEMAS + ValidationError.__name__})
        examples_ |= {
            f.invalid.field: {
                "summary": f.when,
                "value": msgspec.to_builtins(f.problem(errors=[f.invalid]).view()),
            }
            for f in invalid
        }
    if by_code:  # a 422 may also refuse an action (`cannot_ban_guest`)
        schemas.append(
            {
                "allOf": [
                    {"$ref": SCHEMAS + Error.__name__},
                    {"properties": {"code": {"enum": list(by_code)}}},
                ]
            }
        )
        examples_ |= {
            code: {
                "summary": group[0].when,
                "value": {"code": code, "message": group[0].sample},
            }
            for code, group in by_code.items()
        }
    schema = schemas[0] if len(schemas) == 1 else {"oneOf": schemas}
    response: dict[str, Any] = {
        "description": "\n".join(lines),
        "content": {"application/json": {"schema": schema, "examples": examples_}},
    }
    headers = _error_headers(failures)
    if headers:
        response["headers"] = headers
    return response


def _error_headers(failures: list[Failure]) -> dict[str, Any]:
    """The documented headers of one error status: those its problems carry."""
    out: dict[str, Any] = {}
    for failure in failures:
        names = [name for name, _ in failure.problem.headers]
        if "WWW-Authenticate" in names and "WWW-Authenticate" not in out:
            out["WWW-Authenticate"] = {
                "description": f"`Bearer` (with `{failure.problem.code}`).",
                "required": all(f.problem.headers for f in failures),
                "schema": {"type": "string", "const": "Bearer"},
            }
        if "Retry-After" in names:
            out["Retry-After"] = {
                "description": "Seconds to wait before retrying.",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            }
    return out


def _schema_ref(t: Any) -> dict[str, Any]:
    """The schema of a body type: a component reference, or an array/object of them."""
    if isinstance(t, type) and issubclass(t, msgspec.Struct):
        return {"$ref": SCHEMAS + t.__name__}
    origin = typing.get_origin(t)
    if origin is list:
        (item,) = typing.get_args(t)
        return {"type": "array", "items": _schema_ref(item)}
    if origin is dict:
        return {"type": "object"}
    raise TypeError(f"cannot describe the body type {t!r}")


def _body_structs(types: list[Any]) -> list[type[msgspec.Struct]]:
    out: list[type[msgspec.Struct]] = []
    for t in types:
        for candidate in (t, *typing.get_args(t)):
            is_struct = isinstance(candidate, type) and issubclass(candidate, msgspec.Struct)
            if is_struct and candidate not in out:
                out.append(candidate)
    return out


def _reachable(roots: list[type[msgspec.Struct]]) -> list[type[msgspec.Struct]]:
    """Every struct class reachable from ``roots``, each once, in a stable order."""
    seen: list[type[msgspec.Struct]] = []

    def walk(t: Any) -> None:
        if isinstance(t, type) and issubclass(t, msgspec.Struct):
            if t not in seen:
                seen.append(t)
                for field in msgspec.structs.fields(t):
                    walk(field.type)
            return
        for arg in typing.get_args(t):
            walk(arg)

    for cls in roots:
        walk(cls)
    return seen


def _schemas() -> dict[str, Any]:
    """``components/schemas``: one :func:`msgspec.json.schema_components` call over every
    request and response struct. Response-only structs are closed and list every field that
    is always present as required."""
    requests = _body_structs([e.body for e in ENDPOINTS if e.body is not None])
    responses = _body_structs([a.body for e in ENDPOINTS for a in e.answers if a.body])
    responses += [Error, ValidationError]
    roots = requests + [t for t in responses if t not in requests]
    _, raw = msgspec.json.schema_components(roots, ref_template=SCHEMAS + "{name}")
    for name in raw:
        if not re.fullmatch(r"[A-Za-z0-9]+", name):
            raise RuntimeError(f"two structs are called like {name!r}: rename one")
    schemas: dict[str, Any] = {name: _clean(value) for name, value in raw.items()}
    request_names = {cls.__name__ for cls in _reachable(requests)}
    for cls in _reachable(roots):
        schema = schemas[cls.__name__]
        schema.update(getattr(cls, "json_schema_extra", {}))
        if cls.__name__ in request_names:
            continue
        schema["additionalProperties"] = False
        if not cls.__struct_config__.omit_defaults:
            schema["required"] = [
                f.encode_name for f in msgspec.structs.fields(cls) if f.default is not msgspec.UNSET
            ]
    return schemas


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: prose(item) if key == "description" and isinstance(item, str) else _clean(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def _description() -> str:
    codes = sorted({(f.problem.status, f.problem.code) for e in ENDPOINTS for f in e.all_failures})
    table = "\n".join(f"| {status} | `{code}` |" for status, code in codes)
    return f"""\
The REST side of an OpenTalk-compatible conference server: tickets for the `/signaling`
WebSocket (described by `protocol/asyncapi.yaml`), and the records a frontend manages
(rooms, invites, SIP call-in configs, the caller's profile and tariff).

## Conventions

- Bodies are JSON both ways (`application/json`; a request body may also be any `+json`
  type). Unknown body fields are ignored. Timestamps are RFC 3339 in UTC with six fraction
  digits and `Z`; ids are UUID strings, user ids the bearer token's `sub`.
- Every error is `{{"code", "message"}}` JSON; a 422 `validation_failed` also lists
  `errors[]` of `{{"field", "code", "message"}}`. Each operation lists the statuses it
  answers and, per status, every `code` with when it is sent.
- Any path that is not a route answers 404 `not_found`, and a route called with a method it
  does not have 405 `method_not_allowed` (both JSON). Every `GET` also answers `HEAD`. A
  path with a trailing slash is redirected (307) to the path without it.
- 503 `service_unavailable` (with `Retry-After`) means the shared backend (Redis) is
  unreachable; 500 `internal_server_error` is a bug. Neither is a client mistake.
- Rate limits: the requests of one client address, and those with the bearer token of one
  subject, each fill a token bucket per group of routes (GETs, record writes, start calls;
  `SIGNALING_REST_RATE_READ`, `_WRITE`, `_START` a second, bursts of twice that) counted on
  all nodes; past it a request answers 429 `too_many_requests` with `Retry-After` (whole
  seconds until one more is allowed) and nothing is done. `/healthz`, this document and
  `/v1/events/` are not limited.
- CORS (preflight `OPTIONS`, `Authorization` and `Content-Type` allowed) is on only for the
  origins in `SIGNALING_CORS_ORIGINS`.

## Error codes

| Status | `code` |
|---|---|
{table}
"""


def build_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every REST endpoint, as plain JSON-like data."""
    tariff = _tariff_example()
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        item = paths.setdefault(openapi_path(endpoint.path), {})
        params = _path_parameters(endpoint.path)
        if params and "parameters" not in item:
            item["parameters"] = params
        method = endpoint.method.lower()
        if method in item:
            raise RuntimeError(f"{endpoint.method} {endpoint.path} is declared twice")
        item[method] = _operation(endpoint, tariff)
    document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "OpenTalk-compatible signaling: REST API",
            "version": package_version(),
            "summary": "Tickets for the /signaling WebSocket, and the records a frontend manages.",
            "description": _description(),
            "license": {
                "name": "EUPL-1.2",
                "url": "https://interoperable-europe.ec.europa.eu/collection/eupl",
            },
        },
        "servers": [
            {
                "url": "http://localhost:11311",
                "description": "`signaling serve` (or `make run`) with its defaults.",
            }
        ],
        "tags": [
            {"name": tag, "description": TAG_DESCRIPTIONS[tag]}
            for tag in sorted({endpoint.tag for endpoint in ENDPOINTS})
        ],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(_schemas().items())),
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": (
                        "`Authorization: Bearer <JWT>`: HS256 with `SIGNALING_JWT_SECRET` (or "
                        "the embedded dev secret; `signaling dev-token` issues one), or "
                        "RS256/ES256 from `SIGNALING_JWKS_FILE`. Claims: `sub` (the user id), "
                        "`exp`, optional `name`/`preferred_username`, `email`, `given_name`, "
                        "`family_name`, `groups`; service tokens carry Keycloak-style "
                        f"`realm_access.roles` (`{CALL_IN_ROLE}` for SIP gateways)."
                    ),
                },
                INVITE_CODE: {
                    "type": "http",
                    "scheme": "InviteCode",
                    "description": (
                        "`Authorization: InviteCode <invite code>`: a usable (active, "
                        "unexpired) invite code, as the web app sends for guests."
                    ),
                },
            },
        },
    }
    # A copy: nothing a consumer changes may reach the module's constants.
    return copy.deepcopy(document)


@functools.cache
def document_json() -> bytes:
    """The document as served (built once per process)."""
    return to_json(build_document()).encode()
