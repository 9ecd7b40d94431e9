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

Every REST response a test gets through ``tests.support.client.Api.request`` is checked the
same way against the committed OpenAPI document (``protocol/openapi.yaml``, same reader) by
:func:`check_response`: the operation is found by method and path template (a literal segment
wins over a parameter; a parameter matches one segment unless its description says
"slashes included"; ``HEAD`` is the ``GET`` operation without a body), the status must be
documented for it, the ``Content-Type`` must be one of that response's media types (no
content documented: no body), a JSON body must validate against the response schema (JSON
Schema 2020-12, ``$ref``s resolved in the document; ``date-time`` and ``uuid`` formats
checked), and every ``required`` header must be present and match its schema. The
document-wide conventions of its description are checked for what no operation describes:
an unknown path answers 404 ``not_found``, a known path with another method 405
``method_not_allowed``, a trailing slash 307 (errors as ``components/schemas/Error``).
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

import httpx
from jsonschema import (  # type: ignore[import-untyped]
    Draft7Validator,
    Draft202012Validator,
    FormatChecker,
)
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT7, DRAFT202012

from tests.support.yaml_reader import read_yaml

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "protocol" / "asyncapi.yaml"
COMMITTED_OPENAPI = ROOT / "protocol" / "openapi.yaml"
REPORT = ROOT / "build" / "conformance.json"
#: Where the validators find the document, as written and with closed objects.
_OPEN = "urn:signaling:asyncapi"
_CLOSED = "urn:signaling:asyncapi-closed"
_OPENAPI = "urn:signaling:openapi"

#: Mismatches tolerated for now → why. Frames: ``"<message>:<JSON path>"`` (e.g.
#: ``"control.join_success:$.payload.tariff"``); REST responses:
#: ``"<METHOD> <path template> <status>:<where>"`` (``where``: ``status``, ``content-type``,
#: ``header <Name>``, ``body`` or a JSON path such as ``$.code``). Empty: everything conforms.
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

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_REST_FORMATS = FormatChecker(formats=())
_REST_FORMATS.checks("date-time")(_is_date_time)


def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or _UUID.match(value) is not None


_REST_FORMATS.checks("uuid")(_is_uuid)


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
    """Whether any frame or REST response was checked in this process (lazy loading)."""
    return _STATE is not None or _REST_STATE is not None


def write_report(path: Path = REPORT) -> dict[str, Any]:
    summary = conformance().summary()
    summary["rest"] = rest_conformance().summary()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


# -- REST: protocol/openapi.yaml ----------------------------------------------------------------

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Conventions of the document's description for what no operation describes.
_NO_ROUTE = "(no route)"


@dataclass(frozen=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    literal_segments: int
    operations: dict[str, str]  # METHOD → JSON pointer of the operation


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


class RestConformance:
    """The operations of one OpenAPI document, and which (operation, status) were observed."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        registry: Registry[Any] = Registry().with_resource(
            _OPENAPI, DRAFT202012.create_resource(document)
        )
        self._registry = registry
        self._validators: dict[str, Draft202012Validator] = {}
        routes = []
        self.described: list[str] = []
        for template, item in document["paths"].items():
            parameters = {p["name"]: p for p in item.get("parameters", []) if p["in"] == "path"}
            operations: dict[str, str] = {}
            for method in _METHODS:
                if method in item:
                    operations[method.upper()] = _pointer("paths", template, method)
                    self.described.append(f"{method.upper()} {template}")
                    for p in item[method].get("parameters", []):
                        if p["in"] == "path":
                            parameters[p["name"]] = p
            regex = ""
            literal = 0
            for segment in template.strip("/").split("/"):
                name = re.fullmatch(r"\{([^}]+)\}", segment)
                if name is None:
                    regex += "/" + re.escape(segment)
                    literal += 1
                else:
                    slashes = "slashes included" in parameters.get(name[1], {}).get(
                        "description", ""
                    )
                    regex += "/" + (".+" if slashes else "[^/]+")
            routes.append(_Route(template, re.compile(regex + r"\Z"), literal, operations))
        # A literal segment wins over a parameter (OpenAPI: concrete paths match first).
        self.routes = sorted(routes, key=lambda r: -r.literal_segments)
        self.described.sort()
        self.observed: Counter[str] = Counter()  # "METHOD template status"
        self.conventions: Counter[str] = Counter()  # document-wide answers (404, 405, 307)
        self.tolerated: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _validator(self, pointer: str) -> Draft202012Validator:
        with self._lock:
            validator = self._validators.get(pointer)
            if validator is None:
                validator = Draft202012Validator(
                    {"$ref": _OPENAPI + pointer},
                    registry=self._registry,
                    format_checker=_REST_FORMATS,
                )
                self._validators[pointer] = validator
            return validator

    def _resolve(self, pointer: str) -> Any:
        node = _resolve(self.document, pointer)
        while isinstance(node, dict) and "$ref" in node:  # components/responses, …/headers
            node = _resolve(self.document, node["$ref"])
        return node

    def find(self, method: str, path: str) -> tuple[_Route | None, str | None]:
        """The route whose template matches ``path`` and the pointer of its operation."""
        for route in self.routes:
            if route.pattern.match(path):
                lookup = "GET" if method == "HEAD" and "HEAD" not in route.operations else method
                return route, route.operations.get(lookup)
        return None, None

    def check(self, response: httpx.Response) -> str:
        method = response.request.method.upper()
        path = response.request.url.path
        status = response.status_code
        route, pointer = self.find(method, path)
        if pointer is None:
            return self._check_convention(method, path, route, response)
        assert route is not None
        operation = self._resolve(pointer)
        name = f"{method if method != 'HEAD' else 'GET'} {route.template}"
        what = f"{method} {path} ({name}, operationId {operation.get('operationId')!r})"
        responses = operation["responses"]
        key = next(
            (k for k in (str(status), f"{str(status)[0]}XX", "default") if k in responses), None
        )
        problems: list[tuple[str, str]] = []
        if key is None:
            problems.append(
                (
                    "status",
                    f"status {status} is not documented for this operation "
                    f"(documented: {', '.join(sorted(responses))})",
                )
            )
        else:
            problems += self._check_response(
                pointer + "/responses/" + key, response, with_body=method != "HEAD"
            )
        self._settle(f"{name} {status}", what, response, problems)
        with self._lock:
            self.observed[f"{name} {status}"] += 1
        return f"{name} {status}"

    def _check_convention(
        self, method: str, path: str, route: _Route | None, response: httpx.Response
    ) -> str:
        """What the document's description promises for what no operation describes."""
        status = response.status_code
        if route is not None:
            expected, code, label = 405, "method_not_allowed", f"{method} {route.template}"
            reason = f"{route.template} has no {method} operation"
        elif path.endswith("/") and path != "/" and self.find(method, path.rstrip("/"))[0]:
            expected, code, label = 307, None, f"{method} {_NO_ROUTE} trailing slash"
            reason = "a trailing slash is redirected to the path without it"
        else:
            expected, code, label = 404, "not_found", f"{method} {_NO_ROUTE}"
            reason = "no path template of the document matches"
        what = f"{method} {path} ({reason})"
        problems: list[tuple[str, str]] = []
        if status != expected:
            problems.append(
                (
                    "status",
                    f"status {status}, but the document's conventions promise {expected} for it",
                )
            )
        elif code is not None:
            problems += self._check_json(
                "#/components/schemas/Error", response, content_types=["application/json"]
            )
            body = _json_or_none(response)
            if not problems and isinstance(body, dict) and body.get("code") != code:
                problems.append(("$.code", f"{body.get('code')!r} is not {code!r}"))
        self._settle(f"{label} {status}", what, response, problems)
        with self._lock:
            self.conventions[f"{label} {status}"] += 1
        return f"{label} {status}"

    def _check_response(
        self, pointer: str, response: httpx.Response, *, with_body: bool
    ) -> list[tuple[str, str]]:
        spec = self._resolve(pointer)
        problems: list[tuple[str, str]] = []
        for header, header_spec in spec.get("headers", {}).items():
            header_pointer = pointer + "/headers/" + header.replace("~", "~0").replace("/", "~1")
            header_spec = self._resolve(header_pointer)
            value = response.headers.get(header)
            if value is None:
                if header_spec.get("required"):
                    problems.append(
                        (
                            f"header {header}",
                            "required header is missing (the document: "
                            f"{header_spec.get('description', '')!r})",
                        )
                    )
                continue
            if "schema" in header_spec:
                instance: Any = value
                if header_spec["schema"].get("type") in ("integer", "number"):
                    try:
                        instance = int(value)
                    except ValueError:
                        instance = value
                for error in self._validator(header_pointer + "/schema").iter_errors(instance):
                    problems.append((f"header {header}", f"{value!r}: {error.message}"))
        content = spec.get("content")
        if not with_body:
            return problems
        if not content:
            if response.content:
                problems.append(
                    ("body", f"the document describes no body, got {len(response.content)} bytes")
                )
            return problems
        media = _media_type(response)
        if media not in content:
            problems.append(
                (
                    "content-type",
                    f"Content-Type {response.headers.get('content-type')!r} is not documented "
                    f"(documented: {', '.join(content)})",
                )
            )
            return problems
        if media == "application/json" or media.endswith("+json"):
            schema_pointer = pointer + "/content/" + media.replace("~", "~0").replace("/", "~1")
            if "schema" in content[media]:
                problems += self._check_json(schema_pointer + "/schema", response)
        return problems

    def _check_json(
        self, pointer: str, response: httpx.Response, content_types: list[str] | None = None
    ) -> list[tuple[str, str]]:
        if content_types is not None and _media_type(response) not in content_types:
            return [
                (
                    "content-type",
                    f"Content-Type {response.headers.get('content-type')!r} is not "
                    f"{', '.join(content_types)}",
                )
            ]
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            return [("body", f"not JSON ({exc})")]
        problems = []
        for error in self._validator(pointer).iter_errors(body):
            for leaf in _leaves(error, undocumented=False):
                schema = leaf.schema if isinstance(leaf.schema, dict) else {}
                if leaf.validator == "required":
                    expected = {"required": schema.get("required")}
                elif leaf.validator == "additionalProperties":
                    expected = {"properties": sorted(schema.get("properties", {}))}
                else:
                    expected = {
                        k: v
                        for k, v in schema.items()
                        if k not in ("description", "title", "examples")
                    }
                problems.append(
                    (
                        leaf.json_path,
                        f"{leaf.message}; the document ({pointer[1:]}) expects "
                        f"{json.dumps(expected)[:300]}",
                    )
                )
        return problems

    def _settle(
        self, label: str, what: str, response: httpx.Response, problems: list[tuple[str, str]]
    ) -> None:
        remaining = []
        for where, problem in problems:
            key = f"{label}:{where}"
            if key in KNOWN_DEVIATIONS:
                with self._lock:
                    self.tolerated[key] += 1
            else:
                remaining.append((where, problem))
        if remaining:
            lines = [f"conformance: the response to {what} does not match protocol/openapi.yaml:"]
            lines += [f"  {where}: {problem}" for where, problem in remaining]
            lines.append(f"  status: {response.status_code}")
            lines.append(f"  content-type: {response.headers.get('content-type')!r}")
            lines.append(f"  body: {_short_bytes(response.content)}")
            raise AssertionError("\n".join(lines))

    def summary(self) -> dict[str, Any]:
        with self._lock:
            observed = dict(sorted(self.observed.items()))
            conventions = dict(sorted(self.conventions.items()))
            tolerated = dict(sorted(self.tolerated.items()))
        operations = sorted({key.rsplit(" ", 1)[0] for key in observed})
        return {
            "document": str(COMMITTED_OPENAPI.relative_to(ROOT)),
            "responses_checked": sum(observed.values()) + sum(conventions.values()),
            "described": len(self.described),
            "observed_count": len(operations),
            "observed": observed,
            "conventions": conventions,
            "not_observed": [op for op in self.described if op not in operations],
            "tolerated": tolerated,
        }


def _media_type(response: httpx.Response) -> str:
    value: str = response.headers.get("content-type", "")
    return value.split(";")[0].strip().lower()


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _short_bytes(content: bytes) -> str:
    text = content.decode("utf-8", errors="replace")
    return text if len(text) <= 800 else text[:800] + "…"


def load_openapi() -> dict[str, Any]:
    """The committed OpenAPI document, read with the same strict YAML reader."""
    document = read_yaml(COMMITTED_OPENAPI.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and document.get("openapi") == "3.1.0", COMMITTED_OPENAPI
    return document


_REST_STATE: RestConformance | None = None


def rest_conformance() -> RestConformance:
    global _REST_STATE
    with _STATE_LOCK:
        if _REST_STATE is None:
            _REST_STATE = RestConformance(load_openapi())
        return _REST_STATE


def check_response(response: httpx.Response) -> str:
    """Validate one REST response against the committed OpenAPI document; returns
    ``"<METHOD> <template> <status>"`` (recorded as observed). Raises AssertionError on a
    mismatch."""
    return rest_conformance().check(response)
