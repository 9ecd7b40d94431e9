"""signaling.docs.asyncapi: the generated protocol description and its YAML emitter."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.cli import main
from signaling.config import load_settings
from signaling.docs import asyncapi, schemas
from signaling.docs.asyncapi import build_document
from signaling.docs.writer import to_json, to_yaml
from signaling.errors import CloseCode
from signaling.modules import Module
from signaling.modules.catalog import MODULES
from signaling.node import Node
from signaling.wire import SUBPROTOCOL
from tests.support.yaml_reader import read_yaml

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "protocol" / "asyncapi.yaml"
NODE_MODULES = ROOT / ".tools" / "asyncapi" / "node_modules"
REGENERATE = "run `signaling asyncapi --output protocol/asyncapi.yaml`"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def _structs(union: Any) -> list[type[msgspec.Struct]]:
    if union is None:
        return []
    return list(typing.get_args(union) or (union,))


def _tag(cls: type[msgspec.Struct]) -> str:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    assert isinstance(info.tag, str)
    return info.tag


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# -- the committed file ----------------------------------------------------------------------


def test_committed_file_matches_the_types(document: dict[str, Any]) -> None:
    assert COMMITTED.exists(), f"protocol/asyncapi.yaml is missing: {REGENERATE}"
    committed = COMMITTED.read_text(encoding="utf-8")
    assert committed == to_yaml(document), f"protocol/asyncapi.yaml is stale: {REGENERATE}"


def test_generation_is_deterministic() -> None:
    assert to_yaml(build_document()) == to_yaml(build_document())


def test_cli_writes_the_yaml_and_its_json_twin(
    tmp_path: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "asyncapi.yaml"
    assert main(["asyncapi", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == to_yaml(document)
    capsys.readouterr()
    assert main(["asyncapi", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == document


def test_the_module_list_is_the_servers(tmp_path: Path) -> None:
    """asyncapi.MODULES must list what build_modules builds, in its order."""
    node = Node(load_settings(environ={"SIGNALING_DATA_DIR": str(tmp_path)}))
    assert [type(m) for m in node.modules.values()] == list(MODULES)


# -- contents --------------------------------------------------------------------------------


def test_header(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    channel = document["channels"]["signaling"]
    assert channel["address"] == "/signaling"
    server = document["servers"]["local"]
    assert (server["host"], server["protocol"]) == ("localhost:11311", "ws")
    description = document["info"]["description"]
    assert f"Sec-WebSocket-Protocol: {SUBPROTOCOL}, ticket#<ticket>" in description
    for status, code in [(400, "missing_protocol"), (401, "invalid_ticket"), (404, "not_found")]:
        assert f"| {status} | `{code}` |" in description


def test_every_close_code_says_whether_to_reconnect(document: dict[str, Any]) -> None:
    description = document["info"]["description"]
    for code in CloseCode:
        row = re.search(rf"^\| {code.value} \| .+ \| (yes|no) \|$", description, re.MULTILINE)
        assert row is not None, code
        assert row.group(1) == ("yes" if code.reconnect else "no"), code
    assert re.search(r"^\| 1012 \|.*\| yes \|$", description, re.MULTILINE)
    assert re.search(r"^\| 1008 \|.*\| no \|$", description, re.MULTILINE)


def _expected_messages() -> dict[str, tuple[type[Module], type[msgspec.Struct] | None, bool]]:
    """message name -> (module, struct or None for echo, client → server)."""
    out: dict[str, tuple[type[Module], type[msgspec.Struct] | None, bool]] = {}
    for module in MODULES:
        if module.commands is None:
            out[f"{module.namespace}.command"] = (module, None, True)
            out[f"{module.namespace}.event"] = (module, None, False)
            continue
        for cls in _structs(module.commands):
            out[f"{module.namespace}.{_tag(cls)}"] = (module, cls, True)
        for cls in _structs(module.events):
            out[f"{module.namespace}.{_tag(cls)}"] = (module, cls, False)
    return out


def test_every_command_and_event_is_a_message(document: dict[str, Any]) -> None:
    expected = _expected_messages()
    assert len(expected) > 60
    messages = document["components"]["messages"]
    channel = document["channels"]["signaling"]["messages"]
    assert sorted(messages) == sorted(expected)
    assert sorted(channel) == sorted(expected)
    assert asyncapi.message_names() == {
        m.namespace: [k for k, (mod, _, _) in expected.items() if mod is m] for m in MODULES
    }
    for key, (module, cls, incoming) in expected.items():
        message = messages[key]
        assert message["name"] == key
        assert _resolve(document, channel[key]["$ref"]) is message
        envelope = message["payload"]
        assert envelope["title"] == schemas.frame_class(key)
        assert envelope["properties"]["namespace"]["const"] == module.namespace
        assert ("timestamp" in envelope["required"]) is not incoming
        if cls is not None:
            payload_ref = envelope["properties"]["payload"]["$ref"]
            payload = _resolve(document, payload_ref)
            tag_field = "action" if incoming else "message"
            assert payload["properties"][tag_field]["enum"] == [_tag(cls)]
            assert payload_ref.endswith(f"/{module.namespace}.{cls.__name__}")
            assert payload["title"] == schemas.class_name(f"{module.namespace}.{cls.__name__}")
        action = "receive" if incoming else "send"
        operation = document["operations"][action + schemas.class_name(key)]
        assert operation["action"] == action
        assert operation["messages"] == [{"$ref": f"#/channels/signaling/messages/{key}"}]


def test_one_operation_per_message(document: dict[str, Any]) -> None:
    """Code generators (Modelina) make one model per operation's messages, named after the
    channel when there are several: so each operation has exactly one."""
    seen = []
    for name, operation in document["operations"].items():
        assert operation["channel"] == {"$ref": "#/channels/signaling"}
        [ref] = operation["messages"]
        key = ref["$ref"].rsplit("/", 1)[1]
        assert name == operation["action"] + schemas.class_name(key)
        seen.append(key)
    assert sorted(seen) == sorted(document["components"]["messages"])


def test_titles_are_unique_class_names(document: dict[str, Any]) -> None:
    """Generators name a model after its schema's title (an untitled one is anonymous)."""
    components = document["components"]
    titles = [schema["title"] for schema in components["schemas"].values()]
    titles += [message["payload"]["title"] for message in components["messages"].values()]
    assert len(titles) == len(set(titles))
    assert all(re.fullmatch(r"[A-Z][A-Za-z0-9]*", title) for title in titles), titles
    assert components["schemas"]["chat.MessageSent"]["title"] == "ChatMessageSent"
    assert components["schemas"]["Participant"]["title"] == "Participant"
    assert components["messages"]["chat.message_sent"]["payload"]["title"] == (
        "ChatMessageSentFrame"
    )


def test_inline_enums_and_objects_are_named_by_their_place(document: dict[str, Any]) -> None:
    """No generated model is anonymous: every inline enum and object has a title, shared by
    equal schemas of one namespace's property (``ChatScope``), and only by those."""
    components = document["components"]
    holders = list(components["schemas"].values())
    holders += [message["payload"] for message in components["messages"].values()]
    by_title: dict[str, list[Any]] = {}
    for holder in holders:
        for value in _nested(holder):
            if "enum" in value or "const" in value or value.get("type") == "object":
                assert "title" in value, (holder["title"], value)
                by_title.setdefault(value["title"], []).append(value)
    assert all(all(v == found[0] for v in found) for found in by_title.values())
    chat = components["schemas"]
    assert chat["chat.SendMessage"]["properties"]["scope"]["title"] == "ChatScope"
    assert chat["chat.MessageSent"]["properties"]["scope"]["title"] == "ChatScope"
    assert chat["chat.SendMessage"]["properties"]["action"]["title"] == "ChatSendMessageTag"
    assert chat["chat.Error"]["properties"]["error"]["title"] == "ChatErrorCode"
    frame = components["messages"]["polls.vote"]["payload"]
    assert frame["properties"]["namespace"]["title"] == "PollsNamespace"


def _nested(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every schema below ``schema``'s properties (not ``schema`` itself)."""
    for value in schema.get("properties", {}).values():
        yield from _below(value)


def _below(value: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(value, dict) or "$ref" in value:
        return
    yield value
    for member in value.get("anyOf", []):
        yield from _below(member)
    yield from _below(value.get("items"))
    yield from _below(value.get("additionalProperties"))
    yield from _nested(value)


def test_examples_decode_with_the_servers_types(document: dict[str, Any]) -> None:
    """Every example is a frame the server would accept (commands) or could send (events)."""
    for key, (module, cls, incoming) in _expected_messages().items():
        examples = document["components"]["messages"][key]["examples"]
        assert examples, key
        for example in examples:
            frame = example["payload"]
            assert frame["namespace"] == module.namespace
            assert set(frame) == ({"namespace", "payload"} | (set() if incoming else {"timestamp"}))
            if not incoming:
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", frame["timestamp"])
            if cls is None:
                continue
            union = module.commands if incoming else module.events
            decoded = msgspec.json.decode(json.dumps(frame["payload"]), type=union)
            assert type(decoded) is cls, key


def test_error_events_list_every_code(document: dict[str, Any]) -> None:
    for module in MODULES:
        if module.events is None:
            continue
        errors = [c for c in _structs(module.events) if _tag(c) == "error"]
        assert len(errors) == 1, module.namespace
        codes = typing.get_args(typing.get_type_hints(errors[0])["error"])
        payload = document["components"]["messages"][f"{module.namespace}.error"]["payload"]
        schema = _resolve(document, payload["properties"]["payload"]["$ref"])
        assert sorted(schema["properties"]["error"]["enum"]) == sorted(codes)
        assert "error" in schema["required"]


def test_join_success_has_the_module_keys_and_participants(document: dict[str, Any]) -> None:
    payload = document["components"]["messages"]["control.join_success"]["payload"]
    schema = _resolve(document, payload["properties"]["payload"]["$ref"])
    properties = schema["properties"]
    for module in MODULES:
        if module.join_data_type is None:
            assert module.namespace not in properties
            continue
        assert module.namespace not in schema["required"]
        target_ref = properties[module.namespace]["$ref"]
        assert target_ref.endswith("." + module.join_data_type.__name__)
        assert _resolve(document, target_ref)["title"].endswith(module.join_data_type.__name__)
    participant = _resolve(document, properties["participants"]["items"]["$ref"])
    assert participant["required"] == ["id", "control"]
    for module in MODULES:
        if module.peer_data_type is not None:
            peer_ref = participant["properties"][module.namespace]["$ref"]
            assert peer_ref.endswith("." + module.peer_data_type.__name__)
            assert _resolve(document, peer_ref)["title"].endswith(module.peer_data_type.__name__)
    for tag in ("joined", "update"):
        message = document["components"]["messages"][f"control.{tag}"]["payload"]
        event = _resolve(document, message["properties"]["payload"]["$ref"])
        assert set(participant["properties"]) <= set(event["properties"])


def _walk(value: Any, path: str = "#") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}/{index}")


def test_refs_resolve_and_no_openapi_discriminators(document: dict[str, Any]) -> None:
    refs = 0
    for path, node in _walk(document):
        if not isinstance(node, dict):
            continue
        if "$ref" in node:
            refs += 1
            _resolve(document, node["$ref"])
        assert not isinstance(node.get("discriminator"), dict), path
    assert refs > 100
    for name in document["components"]["schemas"]:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", name), name


# -- YAML ------------------------------------------------------------------------------------
#
# PyYAML is no dependency. A strict reader of exactly the subset the emitter writes (block
# mappings and sequences, JSON-quoted and plain scalars resolved by the YAML 1.2 core schema,
# `|` literal blocks) checks the round trip on every run; `make protocol-check` adds the real
# parsers (js-yaml and yaml from the AsyncAPI CLI's node_modules).


def _same(a: Any, b: Any, *, loose: bool = False) -> bool:
    """Equality that tells True from 1, 1.0 from 1 and {"a", "b"} from {"b", "a"}; ``loose``
    (for values that went through JavaScript and JSON) compares numbers by value and ignores
    key order."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b) if loose else (type(a) is type(b) and a == b)
    if isinstance(a, dict) and isinstance(b, dict):
        same_keys = sorted(a) == sorted(b) if loose else list(a) == list(b)
        return same_keys and all(_same(a[k], b[k], loose=loose) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, loose=loose) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


_TRICKY = st.text(alphabet=st.sampled_from(list("ab \n#:-|>?'\"\\\t{}[],&*!%@`~.0123e+")))
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | _TRICKY
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text() | _TRICKY, children, max_size=4)
    ),
    max_leaves=24,
)


@given(JSON_VALUES)
@settings(max_examples=400)
def test_yaml_round_trip(value: Any) -> None:
    text = to_yaml(value)
    assert _same(read_yaml(text), value), text


def test_the_document_round_trips_and_has_a_json_twin(document: dict[str, Any]) -> None:
    assert _same(read_yaml(to_yaml(document)), document)
    assert _same(json.loads(to_json(document)), document)
    assert _same(read_yaml(COMMITTED.read_text(encoding="utf-8")), document)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " a",
        "a ",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "N",
        "null",
        "Null",
        "~",
        "true",
        "False",
        "1",
        "-1",
        "1.5",
        "1e3",
        "0x1F",
        "0o17",
        ".inf",
        "-.inf",
        ".NaN",
        "12:30",
        "1:20:00",
        "2024-03-10",
        "2024-03-10T16:52:54Z",
        "<<",
        "=",
        "-",
        "- a",
        "-a",
        "? a",
        "a: b",
        "a:",
        "a #b",
        "#a",
        "!tag",
        "&anchor",
        "*alias",
        "@a",
        "`a",
        "%a",
        "[a]",
        "{a}",
        "'a'",
        "|",
        ">",
        "a\tb",
        "a\u0085b",
        "a\u2028b",
        "\ufeffa",
        "...",
        "---",
    ],
)
def test_ambiguous_strings_are_quoted(text: str) -> None:
    """Strings a YAML 1.1 or 1.2 parser would read as something else (or not at all) are
    written double-quoted, as JSON strings (which YAML reads the same)."""
    line = to_yaml(text)
    assert line.startswith('"') and json.loads(line) == text, line
    keyed = to_yaml({text: 1})
    assert keyed.startswith('"') and keyed.endswith(": 1\n"), keyed
    assert json.loads(keyed[: -len(": 1\n")]) == text


def test_plain_and_literal_forms() -> None:
    assert to_yaml({"a": "hello world", "$ref": "#/x", "b": [1, 2.0, None, True]}) == (
        'a: hello world\n$ref: "#/x"\nb:\n  - 1\n  - 2.0\n  - null\n  - true\n'
    )
    assert to_yaml({"d": "one\ntwo\n"}) == "d: |\n  one\n  two\n"
    assert to_yaml({"d": "one\n\ntwo"}) == "d: |-\n  one\n\n  two\n"
    assert to_yaml([["a"], {"k": []}]) == "- - a\n- k: []\n"
    assert to_yaml(1e16) == "1.0e+16\n"
    with pytest.raises(ValueError):
        to_yaml(float("nan"))
    with pytest.raises(ValueError):
        to_yaml("\ud800")
    with pytest.raises(TypeError):
        to_yaml({1: "a"})


# -- real YAML parsers (run by `make protocol-check`, which installs them) ---------------------

_NODE_PARSE = """
const jsyaml = require("js-yaml");
const YAML = require("yaml");
const texts = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = texts.map((t) => [
  jsyaml.load(t, { schema: jsyaml.CORE_SCHEMA, json: false }),
  jsyaml.load(t),
  YAML.parse(t, { strict: true, uniqueKeys: true, prettyErrors: true }),
]);
process.stdout.write(JSON.stringify(out));
"""


def _corpus(seed: int, count: int) -> list[Any]:
    rng = random.Random(seed)
    specials = [
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "null",
        "~",
        "true",
        "1",
        "1.5",
        "1e3",
        "0x1F",
        "12:30",
        "2024-03-10",
        "<<",
        "=",
        "- a",
        "a: b",
        "a #b",
        "#",
        "\u0085",
        "\u2028",
        "\ufeff",
        " ",
        "a\n",
        "a\n\n",
        "\na",
        "a\nb",
        "x\n  y",
        "  ",
        "\t",
        "é",
        "😀",
        '"',
        "\\",
        "---",
    ]
    alphabet = "ab \n#:-|>?'\"\\\t{}[],&*!%@`~.0123e+é😀\u0085\u2028"

    def value(depth: int) -> Any:
        kind = rng.randrange(9 if depth < 3 else 6)
        if kind == 0:
            return rng.choice([None, True, False])
        if kind == 1:
            return rng.randint(-(2**53), 2**53)
        if kind == 2:
            return rng.choice([0.0, -1.5, 1e16, 1e-7, 3.14159, 2.0**60, rng.uniform(-1e6, 1e6)])
        if kind in (3, 4):
            return rng.choice(specials)
        if kind == 5:
            return "".join(rng.choice(alphabet) for _ in range(rng.randrange(8)))
        if kind in (6, 7):
            return {
                "".join(rng.choice(alphabet) for _ in range(rng.randrange(5))): value(depth + 1)
                for _ in range(rng.randrange(4))
            }
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    return [value(0) for _ in range(count)]


@pytest.mark.protocol_check
def test_real_parsers_read_the_emitters_yaml(document: dict[str, Any]) -> None:
    """Runs in ``make protocol-check``, which installs the parsers (deselected elsewhere)."""
    node = shutil.which("node")
    assert node is not None, "protocol-check needs Node"
    assert (NODE_MODULES / "js-yaml").is_dir() and (NODE_MODULES / "yaml").is_dir(), (
        "install the parsers with `make protocol-check`"
    )
    values = [document, *_corpus(seed=20240310, count=600)]
    texts = [COMMITTED.read_text(encoding="utf-8"), *(to_yaml(v) for v in values[1:])]
    result = subprocess.run(
        [node, "-e", _NODE_PARSE],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={"NODE_PATH": str(NODE_MODULES), "PATH": str(Path(node).parent)},
        check=True,
        timeout=60,
    )
    parsed = json.loads(result.stdout)
    for value, text, readings in zip(values, texts, parsed, strict=True):
        for reading in readings:
            assert _same(reading, value, loose=True), text
