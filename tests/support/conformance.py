"""Every server → client frame the tests receive, checked against the committed AsyncAPI
document (``protocol/asyncapi.yaml``, read with the strict reader of the document's unit
tests, not regenerated from the types).

:func:`check_frame` finds the message for ``(namespace, payload.message)`` (``echo``: any
payload), validates the whole frame with a ``jsonschema`` validator built from that message's
payload schema (every ``$ref`` resolved in ``components/schemas``) and records the message
as observed. It is stricter than the bare schemas in two places:

* **closed objects**: a field the document does not describe is a mismatch (the schemas do
  not set ``additionalProperties``, so without this an undocumented field would pass);
* **the envelope timestamp**: RFC 3339, UTC, six fraction digits (the envelope's
  ``timestamp`` description), and every ``format: date-time`` is checked as RFC 3339.

A mismatch raises :class:`AssertionError` naming the message, the JSON path, the observed
value and what the document expected. ``KNOWN_DEVIATIONS`` is the only way to let one pass.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "protocol" / "asyncapi.yaml"
REPORT = ROOT / "build" / "conformance.json"
#: Where the validators find the document, as written and with closed objects.
_OPEN = "urn:signaling:asyncapi"
_CLOSED = "urn:signaling:asyncapi-closed"

#: Mismatches tolerated for now, ``"<message>:<JSON path>"`` (e.g.
#: ``"control.join_success:$.payload.tariff"``) → why. Empty: every frame must conform.
KNOWN_DEVIATIONS: dict[str, str] = {}

_RFC3339 = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)\Z"
)
#: What the envelope's ``timestamp`` description promises.
_ENVELOPE_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")

_FORMATS = FormatChecker(formats=())


def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or _RFC3339.match(value) is not None


_FORMATS.checks("date-time")(_is_date_time)


@dataclass(frozen=True)
class _Message:
    name: str
    validator: Draft7Validator  # the document as written
    closed: Draft7Validator  # plus: no field the document does not describe


class Conformance:
    """The server → client messages of one document, and what was observed."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.by_key: dict[tuple[str, str | None], _Message] = {}
        closed_document = copy.deepcopy(document)
        for message in closed_document["components"]["messages"].values():
            _close(message["payload"])
        for schema in closed_document["components"]["schemas"].values():
            _close(schema)
        registry: Registry[Any] = Registry().with_resources(
            [
                (_OPEN, DRAFT7.create_resource(document)),
                (_CLOSED, DRAFT7.create_resource(closed_document)),
            ]
        )

        def validator(base: str, pointer: str) -> Draft7Validator:
            return Draft7Validator(
                {"$ref": f"{base}{pointer}/payload"}, registry=registry, format_checker=_FORMATS
            )

        for name in _sent_messages(document):
            pointer = "#/components/messages/" + name.replace("~", "~0").replace("/", "~1")
            envelope = document["components"]["messages"][name]["payload"]
            namespace = envelope["properties"]["namespace"]["const"]
            key = (namespace, _message_tag(document, envelope["properties"]["payload"]))
            if key in self.by_key:
                raise AssertionError(f"two server messages for {key}: {self.by_key[key].name}")
            self.by_key[key] = _Message(
                name, validator(_OPEN, pointer), validator(_CLOSED, pointer)
            )
        self.described = sorted(m.name for m in self.by_key.values())
        self.observed: Counter[str] = Counter()
        self.tolerated: Counter[str] = Counter()
        self._lock = threading.Lock()

    def check(self, frame: Any) -> str:
        if not isinstance(frame, dict):
            raise AssertionError(f"conformance: a frame must be a JSON object, got {frame!r}")
        namespace = frame.get("namespace")
        payload = frame.get("payload")
        message = self.by_key.get((namespace, None)) if isinstance(namespace, str) else None
        if message is None:
            tag = payload.get("message") if isinstance(payload, dict) else None
            message = self.by_key.get((namespace, tag)) if isinstance(namespace, str) else None
            if message is None:
                raise AssertionError(
                    f"conformance: protocol/asyncapi.yaml describes no server message for "
                    f"namespace={namespace!r} message={tag!r}; frame: {_short(frame)}"
                )
        problems = [("violates", error) for error in message.validator.iter_errors(frame)] or [
            ("undocumented", error) for error in message.closed.iter_errors(frame)
        ]
        timestamp = frame.get("timestamp")
        if isinstance(timestamp, str) and not _ENVELOPE_TIMESTAMP.match(timestamp):
            problems.append(
                (
                    "violates",
                    ValidationError(
                        f"{timestamp!r} is not RFC 3339 UTC with six fraction digits "
                        "(the envelope's `timestamp` description)",
                        path=["timestamp"],
                        instance=timestamp,
                        schema={"pattern": _ENVELOPE_TIMESTAMP.pattern},
                    ),
                )
            )
        remaining = []
        for kind, error in problems:
            reason = KNOWN_DEVIATIONS.get(f"{message.name}:{error.json_path}")
            if reason is None:
                remaining.append((kind, error))
            else:
                with self._lock:
                    self.tolerated[f"{message.name}:{error.json_path}"] += 1
        if remaining:
            raise AssertionError(_explain(message.name, frame, remaining))
        with self._lock:
            self.observed[message.name] += 1
        return message.name

    def summary(self) -> dict[str, Any]:
        with self._lock:
            observed = dict(sorted(self.observed.items()))
            tolerated = dict(sorted(self.tolerated.items()))
        return {
            "document": str(COMMITTED.relative_to(ROOT)),
            "frames_checked": sum(observed.values()) + sum(tolerated.values()),
            "described": len(self.described),
            "observed_count": len(observed),
            "observed": observed,
            "not_observed": [name for name in self.described if name not in observed],
            "known_deviations": KNOWN_DEVIATIONS,
            "tolerated": tolerated,
        }


def _explain(name: str, frame: dict[str, Any], problems: list[tuple[str, ValidationError]]) -> str:
    lines = [f"conformance: a `{name}` frame does not match protocol/asyncapi.yaml:"]
    for kind, error in problems:
        for leaf in _leaves(error, undocumented=kind == "undocumented"):
            if kind == "undocumented":
                extra = sorted(set(leaf.instance) - set(leaf.schema.get("properties", {})))
                what = (
                    f"field(s) {extra} not described by the document (undocumented: the "
                    "document is too loose, or the server sends what it should not)"
                )
            else:
                schema = leaf.schema if isinstance(leaf.schema, dict) else {}
                expected = {k: v for k, v in schema.items() if k not in ("description", "title")}
                what = f"{leaf.message}; the document expects {json.dumps(expected)[:300]}"
            lines.append(f"  at {leaf.json_path}: {what}")
    lines.append(f"  frame: {_short(frame)}")
    return "\n".join(lines)


def _leaves(error: ValidationError, *, undocumented: bool) -> list[ValidationError]:
    """The precise errors under an ``anyOf`` failure (e.g. a nullable struct): for an
    undocumented field the ``additionalProperties`` ones, otherwise jsonschema's best match."""
    if not error.context:
        return [error]
    if undocumented:
        found = [e for e in _flatten(error) if e.validator == "additionalProperties"]
        return found or [error]
    return _leaves(best_match(error.context), undocumented=False)


def _flatten(error: ValidationError) -> Iterator[ValidationError]:
    yield error
    for sub in error.context or ():
        yield from _flatten(sub)


def _short(frame: Any) -> str:
    text = json.dumps(frame, ensure_ascii=False)
    return text if len(text) <= 800 else text[:800] + "…"


def _sent_messages(document: dict[str, Any]) -> Iterator[str]:
    """Names of the messages of every ``send`` operation (server → client)."""
    for operation in document["operations"].values():
        if operation["action"] != "send":
            continue
        for ref in operation["messages"]:
            channel_message = _resolve(document, ref["$ref"])
            yield _resolve_ref_name(channel_message["$ref"])


def _resolve_ref_name(ref: str) -> str:
    prefix = "#/components/messages/"
    assert ref.startswith(prefix), ref
    return ref[len(prefix) :].replace("~1", "/").replace("~0", "~")


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _message_tag(document: dict[str, Any], payload: dict[str, Any]) -> str | None:
    """The ``message`` tag a payload schema pins (``None``: any payload, as for echo)."""
    while "$ref" in payload:
        payload = _resolve(document, payload["$ref"])
    tag = payload.get("properties", {}).get("message", {})
    values = tag.get("enum") or ([tag["const"]] if "const" in tag else [])
    if not values:
        return None
    assert len(values) == 1, f"a message schema pins more than one tag: {values}"
    value = values[0]
    assert isinstance(value, str), value
    return value


_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _close(schema: Any) -> None:
    """Forbid undescribed fields in every object schema that lists its ``properties``."""
    if not isinstance(schema, dict):
        return
    if "allOf" in schema:  # closing allOf members would forbid each other's fields
        raise AssertionError("conformance: allOf schemas are not supported by _close")
    if "properties" in schema:
        schema.setdefault("additionalProperties", False)
        for sub in schema["properties"].values():
            _close(sub)
    for key in _SUBSCHEMA_LISTS:
        for sub in schema.get(key, []):
            _close(sub)
    for key in _SUBSCHEMAS:
        _close(schema.get(key))


def load_document() -> dict[str, Any]:
    """The committed document, read with the strict YAML reader of its unit tests."""
    from tests.unit.test_asyncapi import read_yaml  # heavy: only when used

    document = read_yaml(COMMITTED.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and document.get("asyncapi") == "3.0.0", COMMITTED
    return document


_STATE: Conformance | None = None
_STATE_LOCK = threading.Lock()


def conformance() -> Conformance:
    global _STATE
    with _STATE_LOCK:
        if _STATE is None:
            _STATE = Conformance(load_document())
        return _STATE


def check_frame(frame: dict[str, Any]) -> str:
    """Validate one server → client frame against the committed document; returns the name
    of its message (recorded as observed). Raises AssertionError on a mismatch."""
    return conformance().check(frame)


def started() -> bool:
    """Whether any frame was checked in this process (the document is loaded lazily)."""
    return _STATE is not None


def write_report(path: Path = REPORT) -> dict[str, Any]:
    summary = conformance().summary()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
