"""The REST records over real HTTP against a server process: rooms, invites, SIP configs,
``users/me``, tariffs, the event stubs, and records surviving a restart."""

from __future__ import annotations

import asyncio
import hashlib
import re
import signal
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signaling.auth import issue_dev_token
from tests.support.client import Api, Json, Peer
from tests.support.server import ServerProcess

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
PROFILE_KEYS = {"id", "email", "title", "firstname", "lastname", "display_name", "avatar_url"}
INVITE_KEYS = {
    "invite_code",
    "created",
    "created_by",
    "updated",
    "updated_by",
    "room",
    "active",
    "expiration",
}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(data_dir=str(tmp_path_factory.mktemp("records-server"))).start()
    yield proc
    proc.stop()


class User(NamedTuple):
    sub: str
    token: str
    api: Api


MakeUser = Callable[..., User]


@pytest.fixture
async def make_user(server: ServerProcess) -> AsyncIterator[MakeUser]:
    """Fresh users (unique ``sub``) with their own API clients, closed after the test."""
    apis: list[Api] = []

    def make(name: str = "Alice", email: str | None = "alice@example.org", **claims: Any) -> User:
        sub = f"{name.lower() or 'user'}-{uuid.uuid4()}"
        token = server.token(sub, name or None, email=email, **claims)
        api = Api(server, token)
        apis.append(api)
        return User(sub, token, api)

    yield make
    for api in apis:
        await api.aclose()


@pytest.fixture
def alice(make_user: MakeUser) -> User:
    return make_user("Alice", "alice@example.org")


@pytest.fixture
def bob(make_user: MakeUser) -> User:
    return make_user("Bob", None)


@pytest.fixture
async def anon(server: ServerProcess) -> AsyncIterator[Api]:
    api = Api(server)
    yield api
    await api.aclose()


def error(response: httpx.Response, status: int, code: str) -> Json:
    """Assert a JSON error answer and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: Json = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str)
    return body


def field_error(response: httpx.Response, field: str) -> None:
    body = error(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == [field], body


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    if status == 204:
        assert response.content == b""
        return None
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def future(seconds: float = 3600) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def make_invite(api: Api, room_id: str, **body: Any) -> Json:
    invite: Json = ok(await api.request("POST", f"/v1/rooms/{room_id}/invites", body), 201)
    return invite


# -- a fixed room for the route tables ---------------------------------------------------------


class Fixture(NamedTuple):
    owner_token: str
    room: str
    invite: str


@pytest.fixture(scope="session")
def fixed(server: ServerProcess) -> Fixture:
    """A room with a SIP config and an invite, made once for the parametrised route checks."""
    token = server.token(f"owner-{uuid.uuid4()}", "Owner")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as http:
        room = http.post("/v1/rooms", json={"password": "pw", "enable_sip": True})
        assert room.status_code == 201, room.text
        room_id = room.json()["id"]
        invite = http.post(f"/v1/rooms/{room_id}/invites", json={})
        assert invite.status_code == 201, invite.text
    return Fixture(token, room_id, invite.json()["invite_code"])


BEARER_ROUTES = [
    ("GET", "/v1/rooms"),
    ("POST", "/v1/rooms"),
    ("GET", "/v1/rooms/{room}"),
    ("PATCH", "/v1/rooms/{room}"),
    ("DELETE", "/v1/rooms/{room}"),
    ("GET", "/v1/rooms/{room}/invites"),
    ("POST", "/v1/rooms/{room}/invites"),
    ("GET", "/v1/rooms/{room}/invites/{invite}"),
    ("PUT", "/v1/rooms/{room}/invites/{invite}"),
    ("DELETE", "/v1/rooms/{room}/invites/{invite}"),
    ("GET", "/v1/rooms/{room}/sip"),
    ("PUT", "/v1/rooms/{room}/sip"),
    ("DELETE", "/v1/rooms/{room}/sip"),
    ("GET", "/v1/rooms/{room}/tariff"),
    ("GET", "/v1/rooms/{room}/event"),
    ("GET", "/v1/users/me"),
    ("GET", "/v1/users/me/tariff"),
]
CREATOR_ROUTES = [
    ("PATCH", "/v1/rooms/{room}", {"waiting_room": True}),
    ("DELETE", "/v1/rooms/{room}", None),
    ("GET", "/v1/rooms/{room}/invites", None),
    ("POST", "/v1/rooms/{room}/invites", {}),
    ("GET", "/v1/rooms/{room}/invites/{invite}", None),
    ("PUT", "/v1/rooms/{room}/invites/{invite}", {"expiration": None}),
    ("DELETE", "/v1/rooms/{room}/invites/{invite}", None),
    ("GET", "/v1/rooms/{room}/sip", None),
    ("PUT", "/v1/rooms/{room}/sip", {"lobby": True}),
    ("DELETE", "/v1/rooms/{room}/sip", None),
]
ROOM_ROUTES = [
    ("GET", "/v1/rooms/{room}", None),
    ("PATCH", "/v1/rooms/{room}", {"waiting_room": True}),
    ("DELETE", "/v1/rooms/{room}", None),
    ("GET", "/v1/rooms/{room}/invites", None),
    ("POST", "/v1/rooms/{room}/invites", {}),
    ("GET", "/v1/rooms/{room}/invites/{invite}", None),
    ("PUT", "/v1/rooms/{room}/invites/{invite}", {"expiration": None}),
    ("DELETE", "/v1/rooms/{room}/invites/{invite}", None),
    ("GET", "/v1/rooms/{room}/sip", None),
    ("PUT", "/v1/rooms/{room}/sip", {"lobby": True}),
    ("DELETE", "/v1/rooms/{room}/sip", None),
    ("GET", "/v1/rooms/{room}/tariff", None),
]


def bad_tokens(server: ServerProcess) -> dict[str, str | None]:
    return {
        "missing": None,
        "garbage": "garbage",
        "expired": server.token("alice", "Alice", ttl=-3600),
        "wrong-secret": issue_dev_token("another-secret-another-secret-0123456789", sub="alice"),
    }


@pytest.mark.parametrize("kind", ["missing", "garbage", "expired", "wrong-secret"])
@pytest.mark.parametrize(("method", "path"), BEARER_ROUTES)
async def test_bearer_routes_answer_401_without_a_valid_token(
    server: ServerProcess, anon: Api, fixed: Fixture, method: str, path: str, kind: str
) -> None:
    token = bad_tokens(server)[kind]
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    url = path.format(room=fixed.room, invite=fixed.invite)
    response = await anon.request(method, url, {"waiting_room": True}, headers=headers)
    error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].lower().startswith("bearer")


@pytest.mark.parametrize("header", ["Basic YWxpY2U6c2VjcmV0", "Bearer", "token", "Bearer x y"])
async def test_malformed_authorization_headers_are_401(anon: Api, header: str) -> None:
    error(
        await anon.request("GET", "/v1/users/me", headers={"Authorization": header}),
        401,
        "unauthorized",
    )


@pytest.mark.parametrize(("method", "path", "body"), CREATOR_ROUTES)
async def test_creator_routes_answer_403_to_others(
    bob: User, fixed: Fixture, method: str, path: str, body: Any
) -> None:
    url = path.format(room=fixed.room, invite=fixed.invite)
    error(await bob.api.request(method, url, body), 403, "forbidden")


async def test_forbidden_changes_change_nothing(
    bob: User, fixed: Fixture, server: ServerProcess
) -> None:
    for method, path, body in CREATOR_ROUTES:
        await bob.api.request(method, path.format(room=fixed.room, invite=fixed.invite), body)
    owner = Api(server, fixed.owner_token)
    try:
        room = ok(await owner.request("GET", f"/v1/rooms/{fixed.room}"))
        assert room["waiting_room"] is False and room["password"] == "pw"
        invite = ok(await owner.request("GET", f"/v1/rooms/{fixed.room}/invites/{fixed.invite}"))
        assert invite["active"] is True
        sip = ok(await owner.request("GET", f"/v1/rooms/{fixed.room}/sip"))
        assert sip["lobby"] is False
    finally:
        await owner.aclose()


@pytest.mark.parametrize(
    "room_id", [str(uuid.uuid4()), "not-a-uuid", "12345", "{" + str(uuid.uuid4()) + "}"]
)
@pytest.mark.parametrize(("method", "path", "body"), ROOM_ROUTES)
async def test_unknown_rooms_are_404(
    alice: User, fixed: Fixture, method: str, path: str, body: Any, room_id: str
) -> None:
    url = path.format(room=room_id, invite=fixed.invite)
    error(await alice.api.request(method, url, body), 404, "not_found")


@pytest.mark.parametrize("code", [str(uuid.uuid4()), "nope", "0" * 36])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_unknown_invites_are_404(alice: User, method: str, code: str) -> None:
    room = await alice.api.create_room()
    url = f"/v1/rooms/{room['id']}/invites/{code}"
    error(await alice.api.request(method, url, {"expiration": None}), 404, "not_found")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_an_invite_of_another_room_is_404(alice: User, method: str) -> None:
    first = await alice.api.create_room()
    second = await alice.api.create_room()
    invite = await make_invite(alice.api, first["id"])
    url = f"/v1/rooms/{second['id']}/invites/{invite['invite_code']}"
    error(await alice.api.request(method, url, {"expiration": None}), 404, "not_found")


# -- rooms -------------------------------------------------------------------------------------


async def test_create_and_get_a_room(alice: User, bob: User) -> None:
    response = await alice.api.request(
        "POST", "/v1/rooms", {"password": "s3cret", "enable_sip": False}
    )
    room = ok(response, 201)
    assert list(room) == [
        "id",
        "created_by",
        "created_at",
        "password",
        "waiting_room",
        "chat_persistence",
        "starts_at",
        "duration",
    ]
    assert str(uuid.UUID(room["id"])) == room["id"]
    assert room["password"] == "s3cret" and room["waiting_room"] is False
    assert TIMESTAMP.fullmatch(room["created_at"])
    created = datetime.fromisoformat(room["created_at"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
    profile = room["created_by"]
    assert set(profile) == PROFILE_KEYS
    assert profile["id"] == alice.sub and profile["display_name"] == "Alice"
    assert profile["email"] == "alice@example.org"
    assert profile["avatar_url"].startswith("https://")

    assert ok(await alice.api.request("GET", f"/v1/rooms/{room['id']}")) == room
    seen_by_bob = ok(await bob.api.request("GET", f"/v1/rooms/{room['id']}"))
    assert "password" not in seen_by_bob
    assert seen_by_bob == {k: v for k, v in room.items() if k != "password"}
    upper = ok(await alice.api.request("GET", f"/v1/rooms/{room['id'].upper()}"))
    assert upper == room


async def test_create_room_options(alice: User) -> None:
    room = await alice.api.create_room(waiting_room=True)
    assert room["waiting_room"] is True and room["password"] is None
    empty = await alice.api.create_room(password="")
    assert empty["password"] is None  # an empty password is no password
    longest = await alice.api.create_room(password="ä" * 255)
    assert longest["password"] == "ä" * 255
    minimal = ok(await alice.api.request("POST", "/v1/rooms", {"enable_sip": False}), 201)
    assert minimal["password"] is None and minimal["waiting_room"] is False
    extra = ok(
        await alice.api.request(
            "POST", "/v1/rooms", {"enable_sip": False, "e2e_encryption": False, "x": [1]}
        ),
        201,
    )
    assert extra["password"] is None


async def test_enable_sip_creates_a_sip_config(alice: User) -> None:
    with_sip = await alice.api.create_room(enable_sip=True)
    sip = ok(await alice.api.request("GET", f"/v1/rooms/{with_sip['id']}/sip"))
    assert sip["room"] == with_sip["id"] and sip["lobby"] is False
    assert re.fullmatch(r"[0-9]{10}", sip["sip_id"]) and re.fullmatch(r"[0-9]{10}", sip["password"])
    without = await alice.api.create_room(enable_sip=False)
    error(await alice.api.request("GET", f"/v1/rooms/{without['id']}/sip"), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"password": "x" * 256, "enable_sip": False},
        {"password": 123, "enable_sip": False},
        {"password": None},
        {"password": None, "enable_sip": "yes"},
        {"password": None, "enable_sip": None},
        {"password": None, "enable_sip": False, "waiting_room": None},
        {"password": None, "enable_sip": False, "waiting_room": 1},
        [],
        "room",
        42,
        None,
    ],
)
async def test_create_room_rejects_bad_bodies(alice: User, body: Any) -> None:
    response = await alice.api.request("POST", "/v1/rooms", body)
    if body is None:  # httpx sends no body at all
        error(response, 400, "invalid_json")
    else:
        body_out = error(response, 422, "validation_failed")
        assert len(body_out["errors"]) == 1


async def test_create_room_names_the_bad_field(alice: User) -> None:
    field_error(await alice.api.request("POST", "/v1/rooms", {"password": None}), "enable_sip")
    field_error(
        await alice.api.request("POST", "/v1/rooms", {"password": "x" * 256, "enable_sip": True}),
        "password",
    )
    field_error(
        await alice.api.request("POST", "/v1/rooms", {"enable_sip": True, "waiting_room": "no"}),
        "waiting_room",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/rooms"),
        ("PATCH", "/v1/rooms/{room}"),
        ("POST", "/v1/rooms/{room}/invites"),
        ("PUT", "/v1/rooms/{room}/invites/{invite}"),
        ("PUT", "/v1/rooms/{room}/sip"),
        ("POST", "/v1/invite/verify"),
    ],
)
@pytest.mark.parametrize("raw", [b"{", b'{"password": }', b"nul", b"\xff\xfe", b'{"a": 1} x'])
async def test_malformed_json_is_400(
    server: ServerProcess, fixed: Fixture, method: str, path: str, raw: bytes
) -> None:
    api = Api(server, fixed.owner_token)
    try:
        url = path.format(room=fixed.room, invite=fixed.invite)
        response = await api.request(
            method, url, content=raw, headers={"Content-Type": "application/json"}
        )
        error(response, 400, "invalid_json")
    finally:
        await api.aclose()


async def test_wrong_content_type_is_400(alice: User) -> None:
    response = await alice.api.request(
        "POST", "/v1/rooms", content=b"enable_sip=true", headers={"Content-Type": "text/plain"}
    )
    error(response, 400, "invalid_content_type")


async def test_list_own_rooms_with_pages(make_user: MakeUser, bob: User) -> None:
    carol = make_user("Carol", None)
    assert ok(await carol.api.request("GET", "/v1/rooms")) == []
    rooms = [await carol.api.create_room(password=f"p{i}") for i in range(5)]
    await bob.api.create_room()
    listed = ok(await carol.api.request("GET", "/v1/rooms"))
    assert [r["id"] for r in listed] == [r["id"] for r in rooms]
    assert listed == rooms  # the creator sees the passwords
    page = ok(await carol.api.request("GET", "/v1/rooms?per_page=2&page=2"))
    assert [r["id"] for r in page] == [r["id"] for r in rooms[2:4]]
    assert len(ok(await carol.api.request("GET", "/v1/rooms?per_page=2&page=3"))) == 1
    assert ok(await carol.api.request("GET", "/v1/rooms?per_page=2&page=4")) == []
    assert len(ok(await carol.api.request("GET", "/v1/rooms?per_page=100&page=1"))) == 5
    assert len(ok(await carol.api.request("GET", "/v1/rooms?per_page=1"))) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=-1", "per_page"),
        ("per_page=abc", "per_page"),
        ("per_page=", "per_page"),
        ("per_page=1.5", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
    ],
)
async def test_bad_pages_are_422(alice: User, query: str, field: str) -> None:
    room = await alice.api.create_room()
    field_error(await alice.api.request("GET", f"/v1/rooms?{query}"), field)
    field_error(await alice.api.request("GET", f"/v1/rooms/{room['id']}/invites?{query}"), field)


async def test_patch_a_room(alice: User, bob: User) -> None:
    room = await alice.api.create_room()
    url = f"/v1/rooms/{room['id']}"
    patched = ok(await alice.api.request("PATCH", url, {"password": "new"}))
    assert patched == {**room, "password": "new"}
    patched = ok(await alice.api.request("PATCH", url, {"waiting_room": True}))
    assert patched == {**room, "password": "new", "waiting_room": True}
    assert ok(await alice.api.request("PATCH", url, {})) == patched
    patched = ok(await alice.api.request("PATCH", url, {"password": None, "waiting_room": False}))
    assert patched == room
    patched = ok(await alice.api.request("PATCH", url, {"password": ""}))
    assert patched["password"] is None
    assert ok(await alice.api.request("GET", url)) == patched
    assert "password" not in ok(await bob.api.request("GET", url))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "x" * 256}, "password"),
        ({"password": 5}, "password"),
        ({"waiting_room": None}, "waiting_room"),
        ({"waiting_room": "true"}, "waiting_room"),
        ([], "body"),
    ],
)
async def test_patch_rejects_bad_bodies(alice: User, body: Any, field: str) -> None:
    room = await alice.api.create_room()
    field_error(await alice.api.request("PATCH", f"/v1/rooms/{room['id']}", body), field)


async def test_delete_a_room_removes_its_records(alice: User, anon: Api) -> None:
    room = await alice.api.create_room(enable_sip=True)
    invite = await make_invite(alice.api, room["id"])
    url = f"/v1/rooms/{room['id']}"
    ok(await alice.api.request("DELETE", url), 204)
    error(await alice.api.request("GET", url), 404, "not_found")
    error(await alice.api.request("DELETE", url), 404, "not_found")
    error(await alice.api.request("GET", f"{url}/sip"), 404, "not_found")
    error(await alice.api.request("GET", f"{url}/invites"), 404, "not_found")
    verify = {"invite_code": invite["invite_code"]}
    error(await anon.request("POST", "/v1/invite/verify", verify), 404, "not_found")
    assert room["id"] not in [r["id"] for r in ok(await alice.api.request("GET", "/v1/rooms"))]


async def test_deleting_a_room_closes_its_live_session(alice: User, server: ServerProcess) -> None:
    room = await alice.api.create_room()
    start = await alice.api.start(room["id"])
    peer = await Peer.connect(server, start["ticket"])
    try:
        await peer.join("Alice")
        ok(await alice.api.request("DELETE", f"/v1/rooms/{room['id']}"), 204)
        frame = await peer.recv(timeout=5)
        while frame.get("payload", {}).get("message") != "room_deleted":
            frame = await peer.recv(timeout=5)
        code, _ = await peer.closed()
        assert code == 1000
    finally:
        await peer.close()


# -- invites -----------------------------------------------------------------------------------


async def test_invite_lifecycle(alice: User, anon: Api) -> None:
    room = await alice.api.create_room()
    base = f"/v1/rooms/{room['id']}/invites"
    expiration = future()
    invite = await make_invite(alice.api, room["id"], expiration=expiration)
    assert set(invite) == INVITE_KEYS
    assert str(uuid.UUID(invite["invite_code"])) == invite["invite_code"]
    assert invite["room"] == room["id"] and invite["active"] is True
    assert invite["created_by"]["id"] == alice.sub and invite["updated_by"]["id"] == alice.sub
    assert set(invite["created_by"]) == PROFILE_KEYS
    for key in ("created", "updated", "expiration"):
        assert TIMESTAMP.fullmatch(invite[key]), invite[key]
    assert datetime.fromisoformat(invite["expiration"].replace("Z", "+00:00")) == (
        datetime.fromisoformat(expiration)
    )

    without_body = ok(await alice.api.request("POST", base), 201)
    assert without_body["expiration"] is None
    null = await make_invite(alice.api, room["id"], expiration=None)
    assert null["expiration"] is None

    listed = ok(await alice.api.request("GET", base))
    assert [i["invite_code"] for i in listed] == [
        invite["invite_code"],
        without_body["invite_code"],
        null["invite_code"],
    ]
    assert ok(await alice.api.request("GET", f"{base}?per_page=1&page=2")) == [without_body]
    url = f"{base}/{invite['invite_code']}"
    assert ok(await alice.api.request("GET", url)) == invite
    upper = f"{base}/{invite['invite_code'].upper()}"
    assert ok(await alice.api.request("GET", upper)) == invite

    later = future(7200)
    updated = ok(await alice.api.request("PUT", url, {"expiration": later}))
    assert updated["expiration"] == datetime.fromisoformat(later).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert updated["created"] == invite["created"] and updated["updated"] >= invite["updated"]
    cleared = ok(await alice.api.request("PUT", url, {"expiration": None}))
    assert cleared["expiration"] is None

    verify = {"invite_code": invite["invite_code"]}
    ok(await anon.request("POST", "/v1/invite/verify", verify))
    ok(await alice.api.request("DELETE", url), 204)
    revoked = ok(await alice.api.request("GET", url))
    assert revoked["active"] is False
    assert len(ok(await alice.api.request("GET", base))) == 3
    error(await anon.request("POST", "/v1/invite/verify", verify), 404, "not_found")
    ok(await alice.api.request("DELETE", url), 204)  # revoking again is harmless


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expiration": "2001-01-01T00:00:00Z"}, "expiration"),
        ({"expiration": "yesterday"}, "expiration"),
        ({"expiration": 12}, "expiration"),
        ([], "body"),
    ],
)
async def test_create_invite_rejects_bad_bodies(alice: User, body: Any, field: str) -> None:
    room = await alice.api.create_room()
    field_error(await alice.api.request("POST", f"/v1/rooms/{room['id']}/invites", body), field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "expiration"),
        ({"expiration": "2001-01-01T00:00:00+02:00"}, "expiration"),
        ({"expiration": True}, "expiration"),
    ],
)
async def test_update_invite_rejects_bad_bodies(alice: User, body: Any, field: str) -> None:
    room = await alice.api.create_room()
    invite = await make_invite(alice.api, room["id"])
    url = f"/v1/rooms/{room['id']}/invites/{invite['invite_code']}"
    field_error(await alice.api.request("PUT", url, body), field)
    error(await alice.api.request("PUT", url), 400, "invalid_json")
    assert ok(await alice.api.request("GET", url)) == invite


async def test_verify_invite(alice: User, anon: Api) -> None:
    open_room = await alice.api.create_room()
    locked = await alice.api.create_room(password="pw")
    for room, required in ((open_room, False), (locked, True)):
        invite = await make_invite(alice.api, room["id"], expiration=future())
        body = {"invite_code": invite["invite_code"]}
        answer = ok(await anon.request("POST", "/v1/invite/verify", body))
        assert answer == {"room_id": room["id"], "password_required": required}
        for header in ("Bearer garbage", f"Bearer {alice.token}", "Bearer", "Basic x"):
            response = await anon.request(
                "POST", "/v1/invite/verify", body, headers={"Authorization": header}
            )
            assert ok(response) == answer


async def test_verify_rejects_bad_codes(anon: Api) -> None:
    for code in ("nope", "", "1234", str(uuid.uuid4())[:-1]):
        field_error(
            await anon.request("POST", "/v1/invite/verify", {"invite_code": code}), "invite_code"
        )
    field_error(await anon.request("POST", "/v1/invite/verify", {"invite_code": 7}), "invite_code")
    field_error(await anon.request("POST", "/v1/invite/verify", {}), "invite_code")
    error(await anon.request("POST", "/v1/invite/verify"), 400, "invalid_json")
    unknown = {"invite_code": str(uuid.uuid4())}
    error(await anon.request("POST", "/v1/invite/verify", unknown), 404, "not_found")


async def test_expired_invites_are_unusable(alice: User, anon: Api) -> None:
    room = await alice.api.create_room()
    invite = await make_invite(alice.api, room["id"], expiration=future(1.0))
    body = {"invite_code": invite["invite_code"]}
    ok(await anon.request("POST", "/v1/invite/verify", body))
    await asyncio.sleep(1.5)
    error(await anon.request("POST", "/v1/invite/verify", body), 404, "not_found")
    header = {"Authorization": f"InviteCode {invite['invite_code']}"}
    error(
        await anon.request("GET", f"/v1/rooms/{room['id']}/event", headers=header),
        401,
        "unauthorized",
    )
    listed = ok(await alice.api.request("GET", f"/v1/rooms/{room['id']}/invites"))
    assert listed[0]["active"] is True  # expired, not revoked


# -- SIP ---------------------------------------------------------------------------------------


async def test_sip_config_lifecycle(alice: User) -> None:
    room = await alice.api.create_room()
    url = f"/v1/rooms/{room['id']}/sip"
    error(await alice.api.request("GET", url), 404, "not_found")
    error(await alice.api.request("DELETE", url), 404, "not_found")

    created = ok(await alice.api.request("PUT", url, {"lobby": True}), 201)
    assert list(created) == ["room", "sip_id", "password", "lobby"]
    assert created["room"] == room["id"] and created["lobby"] is True
    assert re.fullmatch(r"[0-9]{10}", created["sip_id"])
    assert re.fullmatch(r"[0-9]{10}", created["password"])
    assert ok(await alice.api.request("GET", url)) == created

    changed = ok(await alice.api.request("PUT", url, {"password": "0012345678"}))
    assert changed == {**created, "password": "0012345678"}
    changed = ok(await alice.api.request("PUT", url, {"lobby": False, "password": "0000000000"}))
    assert changed == {**created, "password": "0000000000", "lobby": False}
    assert ok(await alice.api.request("GET", url)) == changed

    ok(await alice.api.request("DELETE", url), 204)
    error(await alice.api.request("GET", url), 404, "not_found")
    again = ok(await alice.api.request("PUT", url, {"password": "9999999999"}), 201)
    assert again["password"] == "9999999999" and again["lobby"] is False


async def test_sip_ids_differ_between_rooms(alice: User) -> None:
    ids = set()
    for _ in range(10):
        room = await alice.api.create_room(enable_sip=True)
        ids.add(ok(await alice.api.request("GET", f"/v1/rooms/{room['id']}/sip"))["sip_id"])
    assert len(ids) == 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"unknown": 1}, "body"),
        ({"password": "123456789"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": "12345abcde"}, "password"),
        ({"password": "\uff11" * 10}, "password"),
        ({"password": " 123456789"}, "password"),
        ({"password": 1234567890}, "password"),
        ({"password": None}, "password"),
        ({"lobby": "yes"}, "lobby"),
        ({"lobby": None}, "lobby"),
        ([], "body"),
    ],
)
async def test_sip_put_rejects_bad_bodies(alice: User, body: Any, field: str) -> None:
    room = await alice.api.create_room()
    url = f"/v1/rooms/{room['id']}/sip"
    field_error(await alice.api.request("PUT", url, body), field)
    error(await alice.api.request("GET", url), 404, "not_found")  # nothing was created


# -- the caller, tariffs, events ----------------------------------------------------------------


async def test_users_me(make_user: MakeUser) -> None:
    user = make_user("Dana Doe", "Dana@Example.org")
    me = ok(await user.api.request("GET", "/v1/users/me"))
    assert me == {
        "id": user.sub,
        "email": "Dana@Example.org",
        "title": "",
        "firstname": "",
        "lastname": "",
        "display_name": "Dana Doe",
        "avatar_url": "https://seccdn.libravatar.org/avatar/"
        + hashlib.md5(b"dana@example.org", usedforsecurity=False).hexdigest(),
        "language": "en",
        "tariff_status": "default",
        "used_storage": 0,
    }
    bare = make_user("", None)
    me = ok(await bare.api.request("GET", "/v1/users/me"))
    assert me["id"] == bare.sub and me["display_name"] == bare.sub
    assert me["email"] == "" and me["avatar_url"] == ""


async def test_tariffs(alice: User, bob: User, anon: Api) -> None:
    tariff = ok(await alice.api.request("GET", "/v1/users/me/tariff"))
    assert set(tariff) >= {"id", "name", "quotas", "modules"}
    assert isinstance(tariff["modules"], dict)
    assert all(set(v) == {"features"} for v in tariff["modules"].values())
    assert "room_participant_limit" not in tariff["quotas"]  # unlimited: omitted

    room = await alice.api.create_room()
    url = f"/v1/rooms/{room['id']}/tariff"
    assert ok(await alice.api.request("GET", url)) == tariff
    assert ok(await bob.api.request("GET", url)) == tariff
    invite = await make_invite(alice.api, room["id"])
    header = {"Authorization": f"InviteCode {invite['invite_code']}"}
    assert ok(await anon.request("GET", url, headers=header)) == tariff

    other = await alice.api.create_room()
    other_url = f"/v1/rooms/{other['id']}/tariff"
    error(await anon.request("GET", other_url, headers=header), 401, "unauthorized")


async def test_room_event_is_always_404_with_a_valid_credential(
    alice: User, bob: User, anon: Api
) -> None:
    room = await alice.api.create_room()
    url = f"/v1/rooms/{room['id']}/event"
    error(await alice.api.request("GET", url), 404, "not_found")
    error(await bob.api.request("GET", url), 404, "not_found")
    error(await bob.api.request("GET", f"/v1/rooms/{uuid.uuid4()}/event"), 404, "not_found")
    invite = await make_invite(alice.api, room["id"])
    for scheme in ("InviteCode", "invitecode", "INVITECODE"):
        header = {"Authorization": f"{scheme} {invite['invite_code']}"}
        error(await anon.request("GET", url, headers=header), 404, "not_found")

    error(await anon.request("GET", url), 401, "unauthorized")
    for credential in (
        f"InviteCode {uuid.uuid4()}",
        "InviteCode nope",
        "InviteCode",
        "Bearer garbage",
    ):
        response = await anon.request("GET", url, headers={"Authorization": credential})
        error(response, 401, "unauthorized")
    ok(await alice.api.request("DELETE", f"{url[:-6]}/invites/{invite['invite_code']}"), 204)
    header = {"Authorization": f"InviteCode {invite['invite_code']}"}
    error(await anon.request("GET", url, headers=header), 401, "unauthorized")


@pytest.mark.parametrize("path", ["x", "00000000-0000-0000-0000-000000000000", "a/b/c", ""])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_events_are_404(anon: Api, alice: User, path: str, method: str) -> None:
    error(await anon.request(method, f"/v1/events/{path}"), 404, "not_found")
    error(await alice.api.request(method, f"/v1/events/{path}"), 404, "not_found")


async def test_wrong_methods_are_not_5xx(alice: User) -> None:
    room = await alice.api.create_room()
    for method, path in [
        ("PUT", "/v1/rooms"),
        ("POST", f"/v1/rooms/{room['id']}/sip"),
        ("GET", "/v1/invite/verify"),
        ("PATCH", "/v1/users/me"),
    ]:
        response = await alice.api.request(method, path)
        assert response.status_code == 405, response.text
        assert response.json()["code"]


# -- restart ----------------------------------------------------------------------------------


def test_records_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = str(tmp_path_factory.mktemp("restart"))
    first = ServerProcess(data_dir=data_dir).start()
    token = first.token("restart-owner", "Owner", email="owner@example.org")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=first.base_url, headers=headers, timeout=10) as http:
            room = http.post(
                "/v1/rooms", json={"password": "pw", "enable_sip": True, "waiting_room": True}
            ).json()
            base = f"/v1/rooms/{room['id']}"
            kept = http.post(f"{base}/invites", json={"expiration": future()}).json()
            revoked = http.post(f"{base}/invites", json={}).json()
            assert http.delete(f"{base}/invites/{revoked['invite_code']}").status_code == 204
            sip = http.put(f"{base}/sip", json={"lobby": True, "password": "0123456789"}).json()
            invites = http.get(f"{base}/invites").json()
            assert len(invites) == 2
    finally:
        code = first.stop()
    assert code in (0, -signal.SIGTERM), first.log()

    second = ServerProcess(data_dir=data_dir).start()
    try:
        with httpx.Client(base_url=second.base_url, headers=headers, timeout=10) as http:
            assert http.get(base).json() == room
            assert http.get("/v1/rooms").json() == [room]
            assert http.get(f"{base}/invites").json() == invites
            assert http.get(f"{base}/invites/{kept['invite_code']}").json() == kept
            assert http.get(f"{base}/sip").json() == sip
            verify = http.post("/v1/invite/verify", json={"invite_code": kept["invite_code"]})
            assert verify.json() == {"room_id": room["id"], "password_required": True}
            gone = http.post("/v1/invite/verify", json={"invite_code": revoked["invite_code"]})
            assert gone.status_code == 404
            # New records still get fresh ids after the restart.
            again = http.post("/v1/rooms", json={"enable_sip": True})
            assert again.status_code == 201 and again.json()["id"] != room["id"]
    finally:
        second.stop()


# -- properties: arbitrary bodies never cause a 5xx -------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300)
    | st.sampled_from(["0123456789", "2099-01-01T00:00:00Z", "2001-01-01T00:00:00Z", ""]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["password", "enable_sip", "waiting_room", "expiration", "invite_code", "lobby"]
bodies = json_values | st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=5), json_values, max_size=5
)
BODY_ROUTES = [
    ("POST", "/v1/rooms"),
    ("PATCH", "/v1/rooms/{room}"),
    ("POST", "/v1/rooms/{room}/invites"),
    ("PUT", "/v1/rooms/{room}/invites/{invite}"),
    ("PUT", "/v1/rooms/{room}/sip"),
    ("POST", "/v1/invite/verify"),
]


def _never_5xx(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert isinstance(response.json()["code"], str)


@pytest.fixture(scope="module")
def prop_http(server: ServerProcess) -> Iterator[tuple[httpx.Client, Fixture]]:
    token = server.token(f"prop-{uuid.uuid4()}", "Prop")
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as http:
        room = http.post("/v1/rooms", json={"enable_sip": False}).json()["id"]
        invite = http.post(f"/v1/rooms/{room}/invites", json={}).json()["invite_code"]
        yield http, Fixture(token, room, invite)


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_arbitrary_json_bodies_never_cause_a_5xx(
    prop_http: tuple[httpx.Client, Fixture], method: str, path: str, body: Any
) -> None:
    http, fx = prop_http
    response = http.request(method, path.format(room=fx.room, invite=fx.invite), json=body)
    _never_5xx(response)


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_cause_a_5xx(
    prop_http: tuple[httpx.Client, Fixture], method: str, path: str, raw: bytes
) -> None:
    http, fx = prop_http
    response = http.request(
        method,
        path.format(room=fx.room, invite=fx.invite),
        content=raw,
        headers={"Content-Type": "application/json"},
    )
    _never_5xx(response)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    per_page=st.text(max_size=6) | st.integers(-5, 200).map(str),
    page=st.text(max_size=6) | st.integers(-5, 10).map(str),
    segment=st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="/?#%"),
        max_size=40,
    ),
)
def test_arbitrary_query_and_path_params_never_cause_a_5xx(
    prop_http: tuple[httpx.Client, Fixture], per_page: str, page: str, segment: str
) -> None:
    http, _ = prop_http
    listed = http.get("/v1/rooms", params={"per_page": per_page, "page": page})
    _never_5xx(listed)
    if listed.status_code == 200:
        assert len(listed.json()) <= 100
    if segment:
        _never_5xx(http.get(f"/v1/rooms/{segment}"))
        _never_5xx(http.get(f"/v1/rooms/{segment}/invites/{segment}"))
