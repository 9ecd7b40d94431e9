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

import copy
import re
import typing
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from signaling.docs.writer import package_version, prose
from signaling.endpoint import REJECTIONS
from signaling.errors import CloseCode
from signaling.modules import Module
from signaling.modules.catalog import MODULES
from signaling.modules.control import ControlModule
from signaling.modules.echo import EchoModule
from signaling.tariff import DEFAULT_TARIFF_ID
from signaling.wire import LEGACY_SUBPROTOCOL, SUBPROTOCOL, TICKET_PREFIX

CHANNEL = "signaling"
SCHEMAS = "#/components/schemas/"
#: The messages of the ``echo`` namespace, which has neither actions nor message tags.
ECHO_COMMAND = "command"
ECHO_EVENT = "event"
#: ``control`` events that carry a participant's public data (``id`` plus one key per module)
#: although their structs only declare ``id`` and ``control``.
PUBLIC_DATA_EVENTS = ("joined", "update")
PARTICIPANT = "Participant"

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
    namespaces = _namespace_packages()
    commands = {m.namespace: _members(m.commands) for m in MODULES}
    events = {m.namespace: _members(m.events) for m in MODULES}
    extra = [t for m in MODULES for t in (m.join_data_type, m.peer_data_type) if t is not None]
    roots = [c for group in (commands, events) for cs in group.values() for c in cs] + extra
    _, raw_components = msgspec.json.schema_components(
        roots, schema_hook=_schema_hook, ref_template=SCHEMAS + "{name}"
    )
    names = _component_names(roots, namespaces, set(raw_components))
    schemas: dict[str, Any] = {
        names.get(key, key): _clean(_rename_refs(value, names))
        for key, value in raw_components.items()
    }
    ref = {cls: SCHEMAS + _component_name(cls, namespaces) for cls in _struct_classes(roots)}
    _add_public_data(schemas, ref)
    titles: dict[str, str] = {}
    for key, schema in schemas.items():
        schema["title"] = _unique_title(titles, class_name(key), key)

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
            _unique_title(titles, message["payload"]["title"], key)
        for keys, action in ((received, "receive"), (sent, "send")):
            for key in sorted(keys):
                operations[action + class_name(key)] = _operation(key, action)
    holders = [(key.partition(".")[0] if "." in key else "", s) for key, s in schemas.items()]
    holders += [(key.partition(".")[0], m["payload"]) for key, m in messages.items()]
    _name_inline_schemas(holders, titles)

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
                f"{ns}.{_tag(c)}" for c in (*_members(module.commands), *_members(module.events))
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


def class_name(key: str) -> str:
    """The unique class name (schema ``title``) of a component or message key:
    ``chat.MessageSent`` → ``ChatMessageSent``, ``chat.message_sent`` → ``ChatMessageSent``,
    ``Participant`` → ``Participant``."""
    return "".join(part[:1].upper() + part[1:] for part in key.replace(".", "_").split("_"))


def frame_class(message: str) -> str:
    """The class name (envelope ``title``) of a message's whole frame:
    ``chat.message_sent`` → ``ChatMessageSentFrame``."""
    return class_name(message) + "Frame"


def _unique_title(titles: dict[str, str], title: str, key: str) -> str:
    if titles.setdefault(title, key) != key:
        raise RuntimeError(f"{key} and {titles[title]} would both be titled {title}")
    return title


#: How a property reads in the title of its inline schema: an error event's ``error`` is its
#: code; a command's ``action`` and an event's ``message`` are its tag.
_PLACE_WORDS = {"error": "code", "action": "tag", "message": "tag"}


def _name_inline_schemas(holders: list[tuple[str, dict[str, Any]]], titles: dict[str, str]) -> None:
    """Title every inline enum and object of the titled schemas in ``holders`` (namespace,
    schema) by its place, so generators name their models (``ChatScope``,
    ``ChatSendMessageTag``) instead of numbering them (``AnonymousSchema42``):
    ``<Namespace><Property>`` where that property holds the same inline schema in more than
    one place of the namespace, else ``<Parent><Property>``.

    Raises:
        RuntimeError: two different schemas would get one title.
    """
    places: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for namespace, schema in holders:
        for prop, inline in _inline_schemas(schema):
            places.setdefault((namespace, prop), []).append((schema["title"], inline))
    named: dict[str, dict[str, Any]] = {}
    assigned: list[tuple[dict[str, Any], str]] = []
    for (namespace, prop), found in places.items():
        word = class_name(_PLACE_WORDS.get(prop, prop))
        shared = len(found) > 1 and all(inline == found[0][1] for _, inline in found)
        for parent, inline in found:
            title = class_name(namespace) + word if shared else parent + word
            if title in titles or named.setdefault(title, inline) != inline:
                raise RuntimeError(f"two different schemas would both be titled {title}")
            assigned.append((inline, title))
    for inline, title in assigned:  # only now: a title would make equal schemas unequal
        inline["title"] = title


def _inline_schemas(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The untitled enums and objects in ``schema``'s properties (also inside ``anyOf``,
    ``items`` and map values, whose place is ``<property>_value``), with their property."""

    def walk(prop: str, value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        if not isinstance(value, dict) or "$ref" in value:
            return
        if "title" not in value and ("enum" in value or "const" in value or _is_object(value)):
            yield prop, value
        for member in value.get("anyOf", []):
            yield from walk(prop, member)
        yield from walk(prop, value.get("items"))
        yield from walk(f"{prop}_value", value.get("additionalProperties"))

    for prop, value in schema.get("properties", {}).items():
        yield from walk(prop, value)


def _is_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object"


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
        tag = _tag(cls)
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


# -- schemas ---------------------------------------------------------------------------------


def _members(union: Any) -> list[type[msgspec.Struct]]:
    """The struct classes of a tagged union (or of a single struct); none for None."""
    if union is None:
        return []
    members = typing.get_args(union) or (union,)
    for member in members:
        if not (isinstance(member, type) and issubclass(member, msgspec.Struct)):
            raise TypeError(f"{member!r} is not a msgspec.Struct")
    return list(members)


def _tag(cls: type[msgspec.Struct]) -> str:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    if not isinstance(info.tag, str):
        raise TypeError(f"{cls.__qualname__} has no string tag")
    return info.tag


def _schema_hook(t: type) -> dict[str, Any]:
    if t is object:
        return {"description": "Any JSON value."}
    raise NotImplementedError


def _namespace_packages() -> dict[str, str]:
    """``python package -> namespace`` of every module, for component names."""
    out: dict[str, str] = {}
    for module in MODULES:
        package = module.__module__
        if package.endswith(".module"):
            package = package.rsplit(".", 1)[0]
        out[package] = module.namespace
    return out


def _component_name(cls: type, namespaces: dict[str, str]) -> str:
    """``<namespace>.<Class>`` for a module's types, the class name for shared ones."""
    for package, namespace in namespaces.items():
        if cls.__module__ == package or cls.__module__.startswith(package + "."):
            return f"{namespace}.{cls.__name__}"
    return cls.__name__


def _struct_classes(roots: Iterable[Any]) -> list[type]:
    """Every struct class reachable from ``roots``, each once, in a stable order."""
    seen: dict[type, None] = {}

    def walk(t: msgspec.inspect.Type) -> Iterator[msgspec.inspect.Type]:
        yield t
        if isinstance(t, msgspec.inspect.StructType):
            if t.cls in seen:
                return
            seen[t.cls] = None
            for field in t.fields:
                yield from walk(field.type)
        for attr in ("type", "item_type", "key_type", "value_type"):
            child = getattr(t, attr, None)
            if isinstance(child, msgspec.inspect.Type):
                yield from walk(child)
        for attr in ("types", "item_types"):
            for child in getattr(t, attr, ()):
                yield from walk(child)

    for info in msgspec.inspect.multi_type_info(list(roots)):
        for _ in walk(info):
            pass
    return list(seen)


def _component_names(
    roots: list[Any], namespaces: dict[str, str], keys: set[str]
) -> dict[str, str]:
    """msgspec's component name (the class name, or its import path on a clash) -> ours."""
    classes = _struct_classes(roots)
    short: dict[str, list[type]] = {}
    for cls in classes:
        short.setdefault(cls.__name__, []).append(cls)
    out: dict[str, str] = {}
    for cls in classes:
        full = re.sub(r"[^a-zA-Z0-9.\-_]", "_", f"{cls.__module__}.{cls.__qualname__}")
        msgspec_name = cls.__name__ if len(short[cls.__name__]) == 1 else full
        if msgspec_name not in keys:
            raise RuntimeError(f"msgspec did not name {cls!r} {msgspec_name!r}")
        out[msgspec_name] = _component_name(cls, namespaces)
    if len(set(out.values())) != len(out):
        raise RuntimeError("two schema components got the same name")
    return out


def _rename_refs(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and item.startswith(SCHEMAS):
                name = item[len(SCHEMAS) :]
                out[key] = SCHEMAS + names.get(name, name)
            else:
                out[key] = _rename_refs(item, names)
        return out
    if isinstance(value, list):
        return [_rename_refs(item, names) for item in value]
    return value


def _clean(value: Any) -> Any:
    """Drop msgspec's OpenAPI-style ``discriminator`` objects (AsyncAPI's ``discriminator`` is
    a property name and needs ``allOf`` inheritance); the ``anyOf`` of tagged structs stays,
    and is exact because each member pins its tag with an ``enum``."""
    if isinstance(value, dict):
        return {
            key: prose(item) if key == "description" and isinstance(item, str) else _clean(item)
            for key, item in value.items()
            if not (key == "discriminator" and isinstance(item, dict))
        }
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def _add_public_data(schemas: dict[str, Any], ref: dict[type, str]) -> None:
    """Describe what the structs leave open: ``join_success`` carries one optional key per
    module (its ``join_data_type``) and its ``participants`` are public data, as are the
    ``joined`` and ``update`` events of ``control``: ``id`` plus one key per module (its
    ``peer_data_type``)."""
    peer_keys = {
        m.namespace: {"$ref": ref[m.peer_data_type]}
        for m in MODULES
        if m.peer_data_type is not None
    }
    control = ControlModule.namespace
    if PARTICIPANT in schemas:
        raise RuntimeError(f"a struct is already named {PARTICIPANT}")
    if control not in peer_keys:
        raise RuntimeError("control declares no peer data type")
    schemas[PARTICIPANT] = {
        "title": PARTICIPANT,
        "description": (
            "A participant's public data as another participant sees it: `id` plus one key "
            "per module; `control` is always there, the others when the module has data."
        ),
        "type": "object",
        "properties": {"id": {"type": "string"}, **peer_keys},
        "required": ["id", control],
    }
    join_success = _schema_of(schemas, ref, _event(ControlModule, "join_success"))
    properties = join_success["properties"]
    if "participants" not in properties:
        raise RuntimeError("JoinSuccess has no participants field")
    properties["participants"] = {"type": "array", "items": {"$ref": SCHEMAS + PARTICIPANT}}
    for module in MODULES:
        if module.join_data_type is None:
            continue
        if module.namespace in properties:
            raise RuntimeError(f"JoinSuccess already has a field {module.namespace!r}")
        properties[module.namespace] = {
            "$ref": ref[module.join_data_type],
            "description": f"The `{module.namespace}` module's data; absent when it has none.",
        }
    for tag in PUBLIC_DATA_EVENTS:
        schema = _schema_of(schemas, ref, _event(ControlModule, tag))
        if set(schema["properties"]) != {"message", "id", control}:
            raise RuntimeError(f"control {tag} is not public data: {sorted(schema['properties'])}")
        for namespace, peer in peer_keys.items():
            schema["properties"].setdefault(namespace, copy.deepcopy(peer))


def _event(module: type[Module], tag: str) -> type[msgspec.Struct]:
    for cls in _members(module.events):
        if _tag(cls) == tag:
            return cls
    raise KeyError(f"{module.namespace} has no event {tag!r}")


def _schema_of(schemas: dict[str, Any], ref: dict[type, str], cls: type) -> dict[str, Any]:
    schema: dict[str, Any] = schemas[ref[cls][len(SCHEMAS) :]]
    return schema


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
