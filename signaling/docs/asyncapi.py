"""The AsyncAPI 3.0.0 description of ``/signaling``, generated from the msgspec types.

:func:`build_document` turns every module's command and event structs (one
:func:`msgspec.json.schema_components` call, so shared structs become
``components/schemas``) into one channel with one message per command and per event, and
one operation per message; :func:`signaling.docs.writer.to_yaml` renders it as block YAML.
``signaling asyncapi`` writes ``protocol/asyncapi.yaml``; a unit test fails when that file and
the types disagree, and ``make protocol-check`` validates it with the official AsyncAPI CLI.

The document describes the **server**: client commands are ``receive`` operations, server
events are ``send`` operations.

The layout suits code generators (``asyncapi generate models``, i.e. Modelina) as it is: each
operation has exactly one message (``receiveChatSendMessage``, ``sendChatMessageSent``), so a
generator makes that message's model rather than one union per operation named after the
shared channel; every component schema has a unique ``title`` (``chat.MessageSent`` →
``ChatMessageSent``, where the class names alone repeat across namespaces: ``Error``,
``Joined``, ...); and every message envelope has one too (``chat.message_sent`` →
``ChatMessageSentFrame``), not an anonymous schema.
"""

from __future__ import annotations

from typing import Any

import msgspec

from signaling.docs.schemas import (
    SCHEMAS,
    add_public_data,
    class_name,
    clean_schema,
    component_name,
    component_names,
    frame_class,
    name_inline_schemas,
    namespace_packages,
    rename_refs,
    schema_hook,
    struct_classes,
    struct_tag,
    union_members,
    unique_title,
)
from signaling.docs.writer import package_version, prose
from signaling.endpoint import REJECTIONS
from signaling.errors import CloseCode
from signaling.modules.catalog import MODULES
from signaling.modules.echo import EchoModule
from signaling.tariff import DEFAULT_TARIFF_ID
from signaling.wire import LEGACY_SUBPROTOCOL, SUBPROTOCOL, TICKET_PREFIX

CHANNEL = "signaling"
#: The messages of the ``echo`` namespace, which has neither actions nor message tags.
ECHO_COMMAND = "command"
ECHO_EVENT = "event"
#: ``control`` events that carry a participant's public data (``id`` plus one key per module)
#: although their structs only declare ``id`` and ``control``.

EXAMPLE_TIMESTAMP = "2024-03-10T16:52:54.873753Z"
_UUID = "00000000-0000-4000-8000-0000000000{:02x}"
#: Plausible example values by field name; a list gives several array items.
_EXAMPLE_STRINGS: dict[str, list[str]] = {
    "id": [_UUID.format(0x0A)],
    "source": [_UUID.format(0x0A)],
    "target": [_UUID.format(0x0B)],
    "issued_by": [_UUID.format(0x0B)],
    "correspondent": [_UUID.format(0x0B)],
    "assignments": [_UUID.format(0x0A), _UUID.format(0x0B)],
    "poll_id": [_UUID.format(0x10)],
    "breakout_room": [_UUID.format(0x20)],
    "assignment": [_UUID.format(0x20)],
    "current": [_UUID.format(0x20)],
    "display_name": ["Alice"],
    "firstname": ["Alice"],
    "lastname": ["Example"],
    "old_name": ["Alice"],
    "new_name": ["Alice Example"],
    "title": ["Dr."],
    "name": ["Room 1"],
    "content": ["Hello, everyone!"],
    "topic": ["Lunch at noon?"],
    "choices": ["Yes", "No"],
    "groups": ["management"],
    "avatar_url": ["https://example.com/avatar/alice.png"],
    "password": ["secret"],
    "timer_id": [_UUID.format(0x40)],
    "legal_vote_id": [_UUID.format(0x50)],
    "token": ["3vQB7B6MrGQ"],
    "consumed_token": ["3vQB7B6MrGQ"],
    "style": ["coffee-break"],
    "timezone": ["Europe/Berlin"],
    **{
        field: [_UUID.format(0x0A), _UUID.format(0x0B)]
        for field in ("allowed_participants", "playlist", "allow_list", "remaining", "history")
    },
    **{
        field: [_UUID.format(0x0B)]
        for field in ("initiator_id", "participant_id", "issuer", "speaker", "participant")
    },
    "next": [_UUID.format(0x0C)],
    "guests": [_UUID.format(0x0C)],
    # qualified by component: ids of rooms, polls and messages, the tariff
    "Participant.id": [_UUID.format(0x0B)],
    "control.RoomInfo.id": [_UUID.format(0x01)],
    "breakout.BreakoutRoom.id": [_UUID.format(0x20)],
    "polls.Started.id": [_UUID.format(0x10)],
    "polls.LiveUpdate.id": [_UUID.format(0x10)],
    "polls.Done.id": [_UUID.format(0x10)],
    "polls.Finish.id": [_UUID.format(0x10)],
    "polls.Poll.id": [_UUID.format(0x10)],
    "chat.MessageSent.id": [_UUID.format(0x30)],
    "chat.ChatMessage.id": [_UUID.format(0x30)],
    "chat.GroupHistory.name": ["management"],
    "polls.Choice.content": ["Yes", "No"],
    "Tariff.id": [DEFAULT_TARIFF_ID],
    "Tariff.name": ["Default"],
}
_EXAMPLE_INTEGERS: dict[str, int] = {
    "duration": 300,
    "count": 3,
    "choice_id": 0,
    "polls.Choice.id": 0,
    "polls.Result.id": 0,
}
#: Arrays with more than one example item.
_ARRAY_LENGTHS: dict[str, int] = {"choices": 2, "results": 2, "assignments": 2}
_TIMESTAMP_FIELDS = (
    "timestamp",
    "started",
    "expires",
    "started_at",
    "ends_at",
    "start_time",
    "end_time",
)
#: Nullable fields whose plausible example is null (a present participant has not left).
_NULL_FIELDS = ("left_at",)

#: What each close code means for the client (reference §3, §17.11, §19.9).
CLOSE_CODE_MEANINGS: dict[CloseCode, str] = {
    CloseCode.NORMAL: (
        "Normal closure: the reply to the client's close, and after `kicked`, `banned`, "
        "`session_ended`, `time_limit_quota_elapsed`, `room_deleted`, a resumption takeover, "
        "a forced breakout leave or a refused entry."
    ),
    CloseCode.GOING_AWAY: "The server shuts down.",
    CloseCode.POLICY: "Policy violation: rate flooding, or no `join` within the join timeout.",
    CloseCode.TOO_BIG: "A message longer than the maximum message size (default 1 MiB).",
    CloseCode.INTERNAL: "Internal server error.",
    CloseCode.RESTART: "The shared backend lost its state (Redis came back empty).",
    CloseCode.SLOW_CONSUMER: "The client reads too slowly: too many frames were queued for it.",
}

# -- the document ----------------------------------------------------------------------------


def build_document() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of ``/signaling`` as plain JSON-like data."""
    namespaces = namespace_packages()
    commands = {m.namespace: union_members(m.commands) for m in MODULES}
    events = {m.namespace: union_members(m.events) for m in MODULES}
    extra = [t for m in MODULES for t in (m.join_data_type, m.peer_data_type) if t is not None]
    roots = [c for group in (commands, events) for cs in group.values() for c in cs] + extra
    _, raw_components = msgspec.json.schema_components(
        roots, schema_hook=schema_hook, ref_template=SCHEMAS + "{name}"
    )
    names = component_names(roots, namespaces, set(raw_components))
    schemas: dict[str, Any] = {
        names.get(key, key): clean_schema(rename_refs(value, names))
        for key, value in raw_components.items()
    }
    ref = {cls: SCHEMAS + component_name(cls, namespaces) for cls in struct_classes(roots)}
    add_public_data(schemas, ref)
    titles: dict[str, str] = {}
    for key, schema in schemas.items():
        schema["title"] = unique_title(titles, class_name(key), key)

    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for module in MODULES:
        ns = module.namespace
        received = _module_messages(ns, commands[ns], ref, schemas, incoming=True)
        sent = _module_messages(ns, events[ns], ref, schemas, incoming=False)
        for key, message in (*received.items(), *sent.items()):
            if key in messages:
                raise ValueError(f"two messages are named {key}")
            messages[key] = message
            unique_title(titles, message["payload"]["title"], key)
        for keys, action in ((received, "receive"), (sent, "send")):
            for key in sorted(keys):
                operations[action + class_name(key)] = _operation(key, action)
    holders = [(key.partition(".")[0] if "." in key else "", s) for key, s in schemas.items()]
    holders += [(key.partition(".")[0], m["payload"]) for key, m in messages.items()]
    name_inline_schemas(holders, titles)

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "OpenTalk-compatible signaling",
            "version": package_version(),
            "description": _description(),
            "license": {
                "name": "EUPL-1.2",
                "url": "https://interoperable-europe.ec.europa.eu/collection/eupl",
            },
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:11311",
                "protocol": "ws",
                "description": (
                    "`signaling serve` (or `make run`) with its defaults; the endpoint is the "
                    "channel address `/signaling`."
                ),
            }
        },
        "channels": {
            CHANNEL: {
                "address": "/signaling",
                "title": "Signaling",
                "description": (
                    "One WebSocket per participant: JSON text frames in both directions, "
                    "routed by `namespace`."
                ),
                "messages": {
                    key: {"$ref": f"#/components/messages/{key}"} for key in sorted(messages)
                },
                "bindings": {"ws": _ws_binding()},
            }
        },
        "operations": dict(sorted(operations.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "messages": dict(sorted(messages.items())),
        },
    }


def message_names() -> dict[str, list[str]]:
    """``namespace -> [message name]`` of every command and event, as in the document."""
    out: dict[str, list[str]] = {}
    for module in MODULES:
        ns = module.namespace
        if module.commands is None:
            names = [f"{ns}.{ECHO_COMMAND}", f"{ns}.{ECHO_EVENT}"]
        else:
            names = [
                f"{ns}.{struct_tag(c)}"
                for c in (*union_members(module.commands), *union_members(module.events))
            ]
        out[ns] = names
    return out


def _description() -> str:
    rejections = "\n".join(
        f"| {f.when} | {f.problem.status} | `{f.problem.code}` |" for f in REJECTIONS
    )
    closes = "\n".join(
        f"| {code.value} | {CLOSE_CODE_MEANINGS[code]} | {'yes' if code.reconnect else 'no'} |"
        for code in CloseCode
    )
    return f"""\
The WebSocket signaling of an OpenTalk-compatible conference server: one connection per
participant carries JSON text frames for every module ("namespace") of the conference.

This document describes the **server**: `receive` operations are the commands a client sends
(client → server), `send` operations are the events the server sends (server → client). A
message is named `<namespace>.<action>` (commands) or `<namespace>.<message>` (events); the
`echo` namespace, whose payload is any JSON, has `echo.{ECHO_COMMAND}` and `echo.{ECHO_EVENT}`.

## Handshake

1. Get a ticket (64 characters, single use) from the REST API, e.g.
   `POST /v1/rooms/{{room_id}}/start`.
2. Open `ws://<host>/signaling` with the header
   `Sec-WebSocket-Protocol: {SUBPROTOCOL}, {TICKET_PREFIX}<ticket>`
   (a browser: `new WebSocket(url, ["{SUBPROTOCOL}", "{TICKET_PREFIX}" + ticket])`).
   The 2023 protocol name `{LEGACY_SUBPROTOCOL}` is accepted too. The `101` response
   echoes only the protocol, never the ticket.
3. Send `control` `join` (message `control.join`) within the join timeout (default 60 s).

A refused upgrade is a plain HTTP response with a JSON body `{{"code", "message"}}`; the
checks run in this order:

| Condition | Status | `code` |
|---|---|---|
{rejections}

## Frames

Client → server: `{{"namespace", "payload"}}` with `payload.action`; server → client:
`{{"namespace", "timestamp", "payload"}}` with `payload.message`. Timestamps are RFC 3339 in
UTC with six fraction digits and `Z`. Errors are `error` events in the failing namespace.
Routing: a frame that is not `{{namespace, payload}}` JSON, or a `control` payload that is
not a control command, gets control `invalid_json`; other namespaces are dropped silently
before the participant has joined (except `echo`, answered in every state); after joining,
an unknown or disabled namespace gets control `invalid_namespace` and an invalid payload of
a known namespace is dropped.

## Close codes

| Code | Meaning | Client reconnects and resumes |
|---|---|---|
{closes}
"""


def _ws_binding() -> dict[str, Any]:
    return {
        "method": "GET",
        "headers": {
            "type": "object",
            "required": ["Sec-WebSocket-Protocol"],
            "properties": {
                "Sec-WebSocket-Protocol": {
                    "type": "string",
                    "description": (
                        f"`{SUBPROTOCOL}` (or `{LEGACY_SUBPROTOCOL}`) and "
                        f"`{TICKET_PREFIX}<ticket>`, comma-separated."
                    ),
                    "examples": [f"{SUBPROTOCOL}, {TICKET_PREFIX}{'A' * 64}"],
                }
            },
        },
        "bindingVersion": "0.1.0",
    }


def _operation(key: str, action: str) -> dict[str, Any]:
    """The operation of one message: ``receive`` for a command, ``send`` for an event."""
    namespace, tag = key.split(".", 1)
    what = "command" if action == "receive" else "event"
    direction = "client → server" if action == "receive" else "server → client"
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{CHANNEL}"},
        "title": f"{action.capitalize()} {key}",
        "summary": f"The `{namespace}` {what} `{tag}` ({direction}).",
        "messages": [{"$ref": f"#/channels/{CHANNEL}/messages/{key}"}],
    }


# -- messages --------------------------------------------------------------------------------


def _module_messages(
    namespace: str,
    members: list[type[msgspec.Struct]],
    ref: dict[type, str],
    schemas: dict[str, Any],
    *,
    incoming: bool,
) -> dict[str, Any]:
    if not members:
        if namespace != EchoModule.namespace:
            return {}
        return dict([_echo_message(incoming)])
    out: dict[str, Any] = {}
    for cls in members:
        tag = struct_tag(cls)
        key = f"{namespace}.{tag}"
        payload_schema = {"$ref": ref[cls]}
        example = _example(payload_schema, schemas, "")
        doc = _first_paragraph(cls.__doc__)
        kind = "Command" if incoming else "Event"
        message: dict[str, Any] = {
            "name": key,
            "title": f"{namespace} {tag}",
            "summary": f"{kind} `{tag}` of the `{namespace}` namespace"
            + (" (client → server)." if incoming else " (server → client)."),
        }
        if doc:
            message["description"] = doc
        message["payload"] = _envelope(key, payload_schema, incoming=incoming)
        message["examples"] = [{"name": tag, "payload": _frame(namespace, example, incoming)}]
        out[key] = message
    return out


def _echo_message(incoming: bool) -> tuple[str, dict[str, Any]]:
    ns = EchoModule.namespace
    any_json = {"description": "Any JSON value."}
    sample = {"ping": 1}
    if incoming:
        key = f"{ns}.{ECHO_COMMAND}"
        summary = "Any JSON payload; the server sends it back unchanged (client → server)."
    else:
        key = f"{ns}.{ECHO_EVENT}"
        summary = "The payload of an `echo` command, unchanged (server → client)."
    return key, {
        "name": key,
        "title": f"{ns} {ECHO_COMMAND if incoming else ECHO_EVENT}",
        "summary": summary,
        "description": (
            "Answered in every connection state, never rate limited or tariff-gated: the web "
            "app's keepalive."
        ),
        "payload": _envelope(key, any_json, incoming=incoming),
        "examples": [{"name": "ping", "payload": _frame(ns, sample, incoming)}],
    }


def _envelope(key: str, payload: dict[str, Any], *, incoming: bool) -> dict[str, Any]:
    """The frame of message ``key`` (``<namespace>.<tag>``), titled with its class name."""
    namespace = key.split(".", 1)[0]
    properties: dict[str, Any] = {"namespace": {"type": "string", "const": namespace}}
    required = ["namespace", "payload"]
    if not incoming:
        properties["timestamp"] = {
            "type": "string",
            "format": "date-time",
            "description": "When the event was produced: RFC 3339, UTC, six fraction digits.",
        }
        required = ["namespace", "timestamp", "payload"]
    properties["payload"] = payload
    return {
        "title": frame_class(key),
        "type": "object",
        "required": required,
        "properties": properties,
    }


def _frame(namespace: str, payload: Any, incoming: bool) -> dict[str, Any]:
    if incoming:
        return {"namespace": namespace, "payload": payload}
    return {"namespace": namespace, "timestamp": EXAMPLE_TIMESTAMP, "payload": payload}


def _first_paragraph(doc: str | None) -> str:
    return prose(doc).split("\n\n")[0] if doc else ""


# -- examples --------------------------------------------------------------------------------


def _example(
    schema: dict[str, Any], schemas: dict[str, Any], name: str, index: int = 0, owner: str = ""
) -> Any:
    """A plausible value for ``schema``: required properties only, values by field name
    (``name`` is ``<component>.<field>``, looked up qualified first, then bare)."""
    if "$ref" in schema:
        component = schema["$ref"][len(SCHEMAS) :]
        return _example(schemas[component], schemas, name, index, owner=component)
    field = name.rsplit(".", 1)[-1]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            if field in _NULL_FIELDS and {"type": "null"} in schema[combinator]:
                return None
            options = [o for o in schema[combinator] if o.get("type") != "null"]
            return _example((options or schema[combinator])[0], schemas, name, index)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            key: _example(properties[key], schemas, f"{owner}.{key}", index)
            for key in schema.get("required", [])
            if key in properties
        }
    strings = _EXAMPLE_STRINGS.get(name) or _EXAMPLE_STRINGS.get(field)
    if kind == "array":
        items = schema.get("items", {})
        return [_example(items, schemas, name, i) for i in range(_ARRAY_LENGTHS.get(field, 1))]
    if kind == "string":
        if schema.get("format") == "date-time" or field.endswith("_at"):
            return EXAMPLE_TIMESTAMP
        if field in _TIMESTAMP_FIELDS:
            return EXAMPLE_TIMESTAMP
        values = strings or ["example"]
        return values[index % len(values)]
    if kind == "integer":
        return _EXAMPLE_INTEGERS.get(name, _EXAMPLE_INTEGERS.get(field, 1)) + index
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return {}
