"""Schemas of the AsyncAPI document: the msgspec structs of every module as named JSON Schema
components (titles unique across namespaces, inline enums and objects titled by their place),
and the public data of a participant as the modules add to it."""

from __future__ import annotations

import copy
import re
import typing
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from signaling.docs.writer import prose
from signaling.modules import Module
from signaling.modules.catalog import MODULES
from signaling.modules.control import ControlModule

SCHEMAS = "#/components/schemas/"
PUBLIC_DATA_EVENTS = ("joined", "update")
PARTICIPANT = "Participant"


def class_name(key: str) -> str:
    """The unique class name (schema ``title``) of a component or message key:
    ``chat.MessageSent`` → ``ChatMessageSent``, ``chat.message_sent`` → ``ChatMessageSent``,
    ``Participant`` → ``Participant``."""
    return "".join(part[:1].upper() + part[1:] for part in key.replace(".", "_").split("_"))


def frame_class(message: str) -> str:
    """The class name (envelope ``title``) of a message's whole frame:
    ``chat.message_sent`` → ``ChatMessageSentFrame``."""
    return class_name(message) + "Frame"


def unique_title(titles: dict[str, str], title: str, key: str) -> str:
    if titles.setdefault(title, key) != key:
        raise RuntimeError(f"{key} and {titles[title]} would both be titled {title}")
    return title


#: How a property reads in the title of its inline schema: an error event's ``error`` is its
#: code; a command's ``action`` and an event's ``message`` are its tag.
_PLACE_WORDS = {"error": "code", "action": "tag", "message": "tag"}


def name_inline_schemas(holders: list[tuple[str, dict[str, Any]]], titles: dict[str, str]) -> None:
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
        for prop, inline in inline_schemas(schema):
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


def inline_schemas(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The untitled enums and objects in ``schema``'s properties (also inside ``anyOf``,
    ``items`` and map values, whose place is ``<property>_value``), with their property."""

    def walk(prop: str, value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        if not isinstance(value, dict) or "$ref" in value:
            return
        if "title" not in value and ("enum" in value or "const" in value or is_object(value)):
            yield prop, value
        for member in value.get("anyOf", []):
            yield from walk(prop, member)
        yield from walk(prop, value.get("items"))
        yield from walk(f"{prop}_value", value.get("additionalProperties"))

    for prop, value in schema.get("properties", {}).items():
        yield from walk(prop, value)


def is_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object"


def union_members(union: Any) -> list[type[msgspec.Struct]]:
    """The struct classes of a tagged union (or of a single struct); none for None."""
    if union is None:
        return []
    members = typing.get_args(union) or (union,)
    for member in members:
        if not (isinstance(member, type) and issubclass(member, msgspec.Struct)):
            raise TypeError(f"{member!r} is not a msgspec.Struct")
    return list(members)


def struct_tag(cls: type[msgspec.Struct]) -> str:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    if not isinstance(info.tag, str):
        raise TypeError(f"{cls.__qualname__} has no string tag")
    return info.tag


def schema_hook(t: type) -> dict[str, Any]:
    if t is object:
        return {"description": "Any JSON value."}
    raise NotImplementedError


def namespace_packages() -> dict[str, str]:
    """``python package -> namespace`` of every module, for component names."""
    out: dict[str, str] = {}
    for module in MODULES:
        package = module.__module__
        if package.endswith(".module"):
            package = package.rsplit(".", 1)[0]
        out[package] = module.namespace
    return out


def component_name(cls: type, namespaces: dict[str, str]) -> str:
    """``<namespace>.<Class>`` for a module's types, the class name for shared ones."""
    for package, namespace in namespaces.items():
        if cls.__module__ == package or cls.__module__.startswith(package + "."):
            return f"{namespace}.{cls.__name__}"
    return cls.__name__


def struct_classes(roots: Iterable[Any]) -> list[type]:
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


def component_names(roots: list[Any], namespaces: dict[str, str], keys: set[str]) -> dict[str, str]:
    """msgspec's component name (the class name, or its import path on a clash) -> ours."""
    classes = struct_classes(roots)
    short: dict[str, list[type]] = {}
    for cls in classes:
        short.setdefault(cls.__name__, []).append(cls)
    out: dict[str, str] = {}
    for cls in classes:
        full = re.sub(r"[^a-zA-Z0-9.\-_]", "_", f"{cls.__module__}.{cls.__qualname__}")
        msgspec_name = cls.__name__ if len(short[cls.__name__]) == 1 else full
        if msgspec_name not in keys:
            raise RuntimeError(f"msgspec did not name {cls!r} {msgspec_name!r}")
        out[msgspec_name] = component_name(cls, namespaces)
    if len(set(out.values())) != len(out):
        raise RuntimeError("two schema components got the same name")
    return out


def rename_refs(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and item.startswith(SCHEMAS):
                name = item[len(SCHEMAS) :]
                out[key] = SCHEMAS + names.get(name, name)
            else:
                out[key] = rename_refs(item, names)
        return out
    if isinstance(value, list):
        return [rename_refs(item, names) for item in value]
    return value


def clean_schema(value: Any) -> Any:
    """Drop msgspec's OpenAPI-style ``discriminator`` objects (AsyncAPI's ``discriminator`` is
    a property name and needs ``allOf`` inheritance); the ``anyOf`` of tagged structs stays,
    and is exact because each member pins its tag with an ``enum``."""
    if isinstance(value, dict):
        return {
            key: prose(item)
            if key == "description" and isinstance(item, str)
            else clean_schema(item)
            for key, item in value.items()
            if not (key == "discriminator" and isinstance(item, dict))
        }
    if isinstance(value, list):
        return [clean_schema(item) for item in value]
    return value


def add_public_data(schemas: dict[str, Any], ref: dict[type, str]) -> None:
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
    join_success = schema_of(schemas, ref, event_struct(ControlModule, "join_success"))
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
        schema = schema_of(schemas, ref, event_struct(ControlModule, tag))
        if set(schema["properties"]) != {"message", "id", control}:
            raise RuntimeError(f"control {tag} is not public data: {sorted(schema['properties'])}")
        for namespace, peer in peer_keys.items():
            schema["properties"].setdefault(namespace, copy.deepcopy(peer))


def event_struct(module: type[Module], tag: str) -> type[msgspec.Struct]:
    for cls in union_members(module.events):
        if struct_tag(cls) == tag:
            return cls
    raise KeyError(f"{module.namespace} has no event {tag!r}")


def schema_of(schemas: dict[str, Any], ref: dict[type, str], cls: type) -> dict[str, Any]:
    schema: dict[str, Any] = schemas[ref[cls][len(SCHEMAS) :]]
    return schema
