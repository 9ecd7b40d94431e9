"""signaling.docs.openapi: the REST description, rendered from the endpoint declarations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]
import msgspec
import openapi_spec_validator
import pytest
import yaml
from starlette.routing import Route

from signaling import registry
from signaling.app import create_app
from signaling.cli import main
from signaling.config import Settings
from signaling.docs import openapi
from signaling.docs.openapi import build_document, openapi_path
from signaling.docs.writer import to_yaml
from signaling.endpoint import REJECTIONS
from signaling.registry import UserProfile
from signaling.webhooks import records
from tickets.api import ENDPOINTS
from tickets.invites import Invite
from tickets.meta import OPENAPI_PATH, Health, HealthDegraded
from tickets.rooms import Room
from tickets.sip import SipConfig
from tickets.users import CurrentUser
from tickets.webhooks import Webhook

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "protocol" / "openapi.yaml"
REGENERATE = "run `signaling openapi --output protocol/openapi.yaml`"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Every error code of the catalogue a REST endpoint declares, with its status.
DECLARED = {(f.problem.code, f.problem.status) for e in ENDPOINTS for f in e.all_failures}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method.upper(), item[method]


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method.lower()]
    return operation


def _documented(operation: dict[str, Any]) -> set[tuple[int, str]]:
    """``(status, code)`` of every error answer of an operation (``""`` for other bodies)."""
    out: set[tuple[int, str]] = set()
    for status, response in operation["responses"].items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("$ref", "").endswith("/ValidationError"):
            out.add((int(status), "validation_failed"))
        elif "allOf" in schema:
            out |= {
                (int(status), code) for code in schema["allOf"][1]["properties"]["code"]["enum"]
            }
        else:
            out.add((int(status), ""))
    return out


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Validator:
    """A 2020-12 validator for ``schema`` whose ``#/components/...`` refs resolve."""
    root = {**schema, "components": document["components"]}
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


# -- the committed file ------------------------------------------------------------------------


def test_committed_file_matches_the_code(document: dict[str, Any]) -> None:
    assert COMMITTED.exists(), f"protocol/openapi.yaml is missing: {REGENERATE}"
    committed = COMMITTED.read_text(encoding="utf-8")
    assert committed == to_yaml(document), f"protocol/openapi.yaml is stale: {REGENERATE}"
    assert yaml.safe_load(committed) == document


def test_generation_is_deterministic() -> None:
    assert to_yaml(build_document()) == to_yaml(build_document())


def test_the_document_does_not_share_state_with_the_module() -> None:
    first = build_document()
    first["paths"]["/v1/rooms"]["get"]["parameters"].clear()
    first["components"]["schemas"].clear()
    assert build_document() == json.loads(openapi.document_json())


def test_cli_writes_the_yaml_and_its_json_twin(
    tmp_path: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "openapi.yaml"
    assert main(["openapi", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == to_yaml(document)
    capsys.readouterr()
    assert main(["openapi", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == document
    assert main(["openapi"]) == 0
    assert capsys.readouterr().out == to_yaml(document)


def _client(settings: Settings) -> httpx.AsyncClient:
    """An in-process client of a fresh app (not started: these routes need no backend)."""
    transport = httpx.ASGITransport(app=create_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://signaling.test")


async def test_the_app_serves_the_document(tmp_path: Path, document: dict[str, Any]) -> None:
    async with _client(Settings(data_dir=str(tmp_path))) as client:
        response = await client.get(OPENAPI_PATH)  # no credentials
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == document


# -- validity ----------------------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    openapi_spec_validator.validate(document)
    openapi_spec_validator.validate(yaml.safe_load(COMMITTED.read_text(encoding="utf-8")))


def test_refs_resolve(document: dict[str, Any]) -> None:
    def refs(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "$ref":
                    yield item
                else:
                    yield from refs(item)
        elif isinstance(value, list):
            for item in value:
                yield from refs(item)

    for ref in refs(document):
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(ids) == len(set(ids))


# -- routes ------------------------------------------------------------------------------------


def test_the_app_routes_every_declaration_once(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=str(tmp_path)))
    served = []
    for route in app.http.routes:
        assert isinstance(route, Route), route
        assert route.methods
        served += [(route.path, method) for method in sorted(route.methods - {"HEAD"})]
    assert served == [(endpoint.path, endpoint.method) for endpoint in ENDPOINTS]
    assert len(set(served)) == len(served)


def test_a_route_declared_twice_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openapi, "ENDPOINTS", (*ENDPOINTS, ENDPOINTS[0]))
    with pytest.raises(RuntimeError, match="GET /healthz is declared twice"):
        build_document()


def test_the_handshake_rejections_are_rendered_into_the_asyncapi_document() -> None:
    committed = (ROOT / "protocol" / "asyncapi.yaml").read_text(encoding="utf-8")
    for failure in REJECTIONS:
        row = f"| {failure.when} | {failure.problem.status} | `{failure.problem.code}` |"
        assert row in committed, row


def test_path_parameters_are_declared(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        names = {p.split(":")[0] for p in re.findall(r"\{([^}]+)\}", path)}
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert names == declared, path
    room = document["paths"]["/v1/rooms/{room_id}"]["parameters"][0]
    assert room["schema"] == {"type": "string", "format": "uuid"}


def test_pagination_where_supported(document: dict[str, Any]) -> None:
    paginated = {
        (path, method)
        for path, method, operation in _operations(document)
        if any(p["name"] == "per_page" for p in operation.get("parameters", []))
    }
    assert paginated == {
        ("/v1/rooms", "GET"),
        ("/v1/rooms/{room_id}/invites", "GET"),
        ("/v1/webhooks", "GET"),
        ("/v1/rooms/{room_id}/sessions", "GET"),
    }
    for path, method in paginated:
        params = {p["name"]: p for p in _operation(document, method, path)["parameters"]}
        assert params["per_page"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "default": 30,
        }
        assert params["page"]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
        assert (422, "validation_failed") in _documented(_operation(document, method, path))


def test_security(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["bearer"]["description"],
    }
    assert schemes["inviteCode"]["type"] == "http"
    assert schemes["inviteCode"]["scheme"] == "InviteCode"
    security = {
        (method, path): operation["security"] for path, method, operation in _operations(document)
    }
    public = {key for key, value in security.items() if value == []}
    assert public == {
        ("GET", "/healthz"),
        ("GET", "/v1/openapi.json"),
        ("POST", "/v1/rooms/{room_id}/start_invited"),
        ("POST", "/v1/invite/verify"),
        *(("" + m, "/v1/events/{anything}") for m in ("GET", "POST", "PUT", "PATCH", "DELETE")),
    }
    either: list[dict[str, list[str]]] = [{"bearer": []}, {"inviteCode": []}]
    assert security["GET", "/v1/rooms/{room_id}/event"] == either
    assert security["GET", "/v1/rooms/{room_id}/tariff"] == either
    assert security["POST", "/v1/services/call_in/start"] == [{"bearer": ["opentalk-call-in"]}]
    assert security["GET", "/v1/users/me"] == [{"bearer": []}]
    admin = [{"bearer": ["signaling-admin"]}]
    assert {key for key, value in security.items() if value == admin} == {
        ("GET", "/v1/webhooks"),
        ("POST", "/v1/webhooks"),
        *((m, "/v1/webhooks/{webhook_id}") for m in ("GET", "PATCH", "DELETE")),
        ("GET", "/v1/live/count"),
    }


# -- status codes ------------------------------------------------------------------------------

START = "/v1/rooms/{room_id}/start"
START_INVITED = "/v1/rooms/{room_id}/start_invited"
CALL_IN = "/v1/services/call_in/start"
BODY_ERRORS = {
    (400, "invalid_json"),
    (400, "invalid_content_type"),
    (413, "payload_too_large"),
    (422, "validation_failed"),
}
#: The error codes the reference names (§2, §17, §19.11–19.13), where it names them.
REFERENCE_ERRORS: dict[tuple[str, str], set[tuple[int, str]]] = {
    ("POST", START): BODY_ERRORS
    | {
        (401, "unauthorized"),
        (403, "banned_from_room"),
        (404, "not_found"),
        (400, "no_breakout_rooms"),
        (400, "invalid_breakout_room_id"),
        (400, "session_running"),
        (503, "service_unavailable"),
    },
    ("POST", START_INVITED): BODY_ERRORS
    | {
        (400, "bad_request"),
        (401, "wrong_room_password"),
        (404, "not_found"),
        (429, "too_many_requests"),
        (400, "no_breakout_rooms"),
        (400, "invalid_breakout_room_id"),
        (400, "session_running"),
    },
    ("POST", CALL_IN): BODY_ERRORS
    | {(401, "unauthorized"), (403, "forbidden"), (400, "invalid_credentials")},
    ("POST", "/v1/invite/verify"): BODY_ERRORS | {(404, "not_found")},
    ("GET", "/v1/rooms/{room_id}/event"): {(401, "unauthorized"), (404, "not_found")},
    ("GET", "/v1/rooms/{room_id}"): {(401, "unauthorized"), (404, "not_found")},
    ("PATCH", "/v1/rooms/{room_id}"): BODY_ERRORS
    | {(401, "unauthorized"), (403, "forbidden"), (404, "not_found")},
    ("GET", "/v1/rooms/{room_id}/sip"): {(403, "forbidden"), (404, "not_found")},
    ("GET", "/v1/users/me"): {(401, "unauthorized")},
    ("GET", "/v1/events/{anything}"): {(404, "not_found")},
}


@pytest.mark.parametrize(("method", "path"), sorted(REFERENCE_ERRORS))
def test_reference_error_codes_are_documented(
    document: dict[str, Any], method: str, path: str
) -> None:
    documented = _documented(_operation(document, method, path))
    assert REFERENCE_ERRORS[method, path] <= documented


def test_the_event_route_has_no_success(document: dict[str, Any]) -> None:
    statuses = set(_operation(document, "GET", "/v1/rooms/{room_id}/event")["responses"])
    assert statuses == {"401", "404", "429", "500", "503"}


def test_every_rate_limited_operation_documents_its_429(document: dict[str, Any]) -> None:
    for endpoint in ENDPOINTS:
        responses = _operation(document, endpoint.method, openapi_path(endpoint.path))["responses"]
        if endpoint.group is None:
            assert "429" not in responses, endpoint.name
            continue
        refused = responses["429"]
        assert f"`SIGNALING_REST_RATE_{endpoint.group.name}`" in refused["description"]
        assert refused["headers"]["Retry-After"]["required"] is True
    limited = {e.group for e in ENDPOINTS if e.group is not None}
    assert len(limited) == 3  # every group has routes


def test_error_bodies(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["code", "message"]
    assert schemas["ValidationError"]["required"] == ["code", "message", "errors"]
    assert schemas["FieldError"]["required"] == ["field", "code", "message"]
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400 or (path, status) == ("/healthz", "503"):
                continue
            media = response["content"]["application/json"]
            validator = _validator(document, media["schema"])
            assert media["examples"], (method, path, status)
            for example in media["examples"].values():
                validator.validate(example["value"])
                assert (example["value"]["code"], int(status)) in DECLARED


def test_retry_after_and_www_authenticate(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        for status in ("429", "503"):
            if status in responses and path != "/healthz":
                header = responses[status]["headers"]["Retry-After"]
                assert header["required"] is True, (method, path)
        if "401" in responses:
            codes = _documented(operation)
            if (401, "unauthorized") in codes:
                header = responses["401"]["headers"]["WWW-Authenticate"]
                assert header["required"] is True
            else:
                assert "headers" not in responses["401"], (method, path)
    too_many = _operation(document, "POST", START_INVITED)["responses"]["429"]
    assert too_many["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}


# -- bodies and examples -----------------------------------------------------------------------


def test_examples_match_their_schemas(document: dict[str, Any]) -> None:
    count = 0
    for path, method, operation in _operations(document):
        body = operation.get("requestBody")
        if body is not None:
            media = body["content"]["application/json"]
            _validator(document, media["schema"]).validate(media["example"])
            count += 1
        for param in [
            *document["paths"][path].get("parameters", []),
            *operation.get("parameters", []),
        ]:
            _validator(document, param["schema"]).validate(param["example"])
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json")
            if media is None:
                continue
            validator = _validator(document, media["schema"])
            examples = [e["value"] for e in media.get("examples", {}).values()]
            if "example" in media:
                examples.append(media["example"])
            assert examples, (method, path, status)
            for example in examples:
                validator.validate(example)
                count += 1
    assert count > 60


def test_request_examples_decode_as_the_routes_body_types(document: dict[str, Any]) -> None:
    for endpoint in ENDPOINTS:
        if endpoint.body is None:
            continue
        operation = _operation(document, endpoint.method, openapi_path(endpoint.path))
        media = operation["requestBody"]["content"]["application/json"]
        msgspec.json.decode(msgspec.json.encode(media["example"]), type=endpoint.body)


def test_request_bodies_are_the_route_structs(document: dict[str, Any]) -> None:
    start = _operation(document, "POST", START)["requestBody"]
    assert start["required"] is False  # an empty body counts as {}
    assert start["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StartBody"
    }
    invited = document["components"]["schemas"]["InvitedStartBody"]
    assert invited["required"] == ["invite_code"]
    assert invited["properties"]["invite_code"] == {"type": "string", "format": "uuid"}
    call_in = document["components"]["schemas"]["CallInStartBody"]
    assert call_in["properties"]["pin"]["pattern"] == "^[0-9]{10}$"
    assert "additionalProperties" not in invited  # unknown fields are ignored
    sip = document["components"]["schemas"]["PutSipBody"]
    assert sip["anyOf"] == [{"required": ["password"]}, {"required": ["lobby"]}]


PROFILE = UserProfile(id="alice", email="a@example.org", display_name="Alice")
NOW = datetime(2024, 3, 10, 16, 52, 54, 873753, tzinfo=UTC)
ROOM = registry.Room(
    id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
    created_by=PROFILE,
    created_at=NOW,
    password=None,
    waiting_room=True,
)


def _encoded(value: Any) -> Any:
    return json.loads(msgspec.json.encode(value))


_INVITE = registry.Invite(
    invite_code="b2a6f7a2-5f1c-4a8e-9d56-0f5c8a2e7d11",
    room=ROOM.id,
    created=NOW,
    created_by=PROFILE,
    updated=NOW,
    updated_by=PROFILE,
    active=False,
    expiration=None,
)


@pytest.mark.parametrize(
    "view",
    [
        Room.of(ROOM, with_password=True),
        Room.of(ROOM, with_password=False),
        Room.of(msgspec.structs.replace(ROOM, password="pw"), with_password=True),
        Invite.of(_INVITE),
        Invite.of(msgspec.structs.replace(_INVITE, active=True, expiration=NOW)),
        Webhook.of(
            records.Webhook(
                id="0b9e3a44-6a1f-4d6e-8f0a-2c3d4e5f6a7b",
                url="https://crm.example.org/hook",
                events=["poll.done"],
                secret="never shown",
                created_at="2024-03-10T16:52:54.873753Z",
            )
        ),
        SipConfig.of(
            registry.SipConfig(room=ROOM.id, sip_id="0123456789", password="9876543210", lobby=True)
        ),
        CurrentUser.of(PROFILE),
    ],
)
def test_views_of_records_match_their_schemas(document: dict[str, Any], view: Any) -> None:
    schema = type(view).__name__
    encoded = _encoded(view)
    _validator(document, {"$ref": f"#/components/schemas/{schema}"}).validate(encoded)
    component = document["components"]["schemas"][schema]
    assert set(component["required"]) <= set(encoded) <= set(component["properties"])
    assert component["additionalProperties"] is False


def test_timestamps_keep_six_fraction_digits() -> None:
    whole = msgspec.structs.replace(ROOM, created_at=NOW.replace(microsecond=0))
    assert _encoded(Room.of(whole, with_password=False))["created_at"] == (
        "2024-03-10T16:52:54.000000Z"
    )


def test_every_view_is_a_closed_component(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for view in (Room, Invite, SipConfig, CurrentUser, Health, HealthDegraded):
        component = schemas[view.__name__]
        assert component["additionalProperties"] is False
        assert component["required"] == [
            f.encode_name for f in msgspec.structs.fields(view) if f.default is not msgspec.UNSET
        ]


def test_the_room_password_is_optional_and_nullable(document: dict[str, Any]) -> None:
    room = document["components"]["schemas"]["Room"]
    assert "password" not in room["required"]
    assert room["properties"]["password"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}


async def test_users_me_matches_the_route(tmp_path: Path, document: dict[str, Any]) -> None:
    """What the served ``users/me``, tariff and health check answer fits their schemas."""
    from signaling.auth import hs256_secret, issue_dev_token

    settings = Settings(data_dir=str(tmp_path))
    token = issue_dev_token(hs256_secret(settings), sub="alice", name="Alice", email="a@x.org")
    async with _client(settings) as client:
        headers = {"Authorization": f"Bearer {token}"}
        me = (await client.get("/v1/users/me", headers=headers)).json()
        tariff = (await client.get("/v1/users/me/tariff", headers=headers)).json()
        health = (await client.get("/healthz")).json()
    for schema, value in (("CurrentUser", me), ("Tariff", tariff), ("Health", health)):
        _validator(document, {"$ref": f"#/components/schemas/{schema}"}).validate(value)
    assert set(me) == set(document["components"]["schemas"]["CurrentUser"]["properties"])
