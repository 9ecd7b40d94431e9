"""The start endpoints: user, invited guest, SIP call-in and resumption (reference §2)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.support.client import Api, Peer
from tests.support.server import ServerProcess


async def test_start_needs_a_valid_bearer_token(server: ServerProcess, owner: Api) -> None:
    room = await owner.create_room()
    path = f"/v1/rooms/{room['id']}/start"
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic abc"}):
        response = await owner.http.post(path, json={}, headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
    expired = server.token("someone", "Some One", ttl=-60)
    response = await owner.request("POST", path, {}, token=expired)
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


async def test_start_unknown_room_is_404(owner: Api) -> None:
    for room_id in (str(uuid.uuid4()), "not-a-uuid"):
        response = await owner.request("POST", f"/v1/rooms/{room_id}/start", {})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


async def test_start_accepts_an_empty_body_and_ignores_a_password(owner: Api, user: Api) -> None:
    room = await owner.create_room(password="secret")
    response = await user.http.post(
        f"/v1/rooms/{room['id']}/start", headers={"Authorization": f"Bearer {user.token}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["ticket"]) == 64 and body["ticket"].startswith(room["id"] + "#")
    assert len(body["resumption"]) == 64
    second = await user.start(room["id"], password="wrong", breakout_room=None)
    assert second["ticket"] != body["ticket"] and second["resumption"] != body["resumption"]


async def test_start_with_a_breakout_room_but_none_active(owner: Api) -> None:
    room = await owner.create_room()
    response = await owner.request(
        "POST", f"/v1/rooms/{room['id']}/start", {"breakout_room": str(uuid.uuid4())}
    )
    assert (response.status_code, response.json()["code"]) == (400, "no_breakout_rooms")


async def test_start_rejects_bad_bodies(owner: Api) -> None:
    room = await owner.create_room()
    path = f"/v1/rooms/{room['id']}/start"
    headers = {"Authorization": f"Bearer {owner.token}", "Content-Type": "application/json"}
    response = await owner.http.post(path, content=b"{nope", headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_json")
    response = await owner.request("POST", path, {"resumption": 42})
    assert (response.status_code, response.json()["code"]) == (422, "validation_failed")
    assert response.json()["errors"][0]["field"] == "resumption"


async def invite(owner: Api, room_id: str) -> str:
    response = await owner.request("POST", f"/v1/rooms/{room_id}/invites", {})
    assert response.status_code == 201, response.text
    code: str = response.json()["invite_code"]
    return code


async def test_a_guest_starts_with_invite_and_password(server: ServerProcess, owner: Api) -> None:
    room = await owner.create_room(password="secret123")
    code = await invite(owner, room["id"])
    path = f"/v1/rooms/{room['id']}/start_invited"
    response = await owner.http.post(
        path,
        json={"invite_code": code, "password": "secret123"},
        headers={"Authorization": "Bearer ignored-garbage"},
    )
    assert response.status_code == 200, response.text
    peer = await Peer.connect(server, response.json()["ticket"])
    await peer.send("control", {"action": "join"})
    assert (await peer.expect("control", "error"))["error"] == "invalid_username"
    success = await peer.join("Gwen Guest")
    assert success["role"] == "guest"
    assert "avatar_url" not in success
    assert "password" not in success["room_info"]
    await peer.close()


async def test_start_invited_errors(owner: Api) -> None:
    room = await owner.create_room(password="secret123")
    other = await owner.create_room()
    code = await invite(owner, room["id"])
    path = f"/v1/rooms/{room['id']}/start_invited"
    cases = [
        ({"invite_code": "nope", "password": "secret123"}, 422, "validation_failed"),
        ({"invite_code": str(uuid.uuid4()), "password": "secret123"}, 404, "not_found"),
        ({"invite_code": code}, 401, "wrong_room_password"),
        ({"invite_code": code, "password": "Secret123"}, 401, "wrong_room_password"),
        ({}, 422, "validation_failed"),
    ]
    for body, status, error in cases:
        response = await owner.http.post(path, json=body)
        assert (response.status_code, response.json()["code"]) == (status, error), body
    response = await owner.http.post(
        f"/v1/rooms/{other['id']}/start_invited", json={"invite_code": code, "password": "x"}
    )
    assert (response.status_code, response.json()["code"]) == (400, "bad_request")
    revoked = await invite(owner, room["id"])
    assert (
        await owner.request("DELETE", f"/v1/rooms/{room['id']}/invites/{revoked}")
    ).status_code == 204
    response = await owner.http.post(path, json={"invite_code": revoked, "password": "secret123"})
    assert response.status_code == 404


async def test_wrong_passwords_are_throttled(owner: Api) -> None:
    room = await owner.create_room(password="right")
    code = await invite(owner, room["id"])
    path = f"/v1/rooms/{room['id']}/start_invited"
    statuses = []
    for _ in range(5):
        response = await owner.http.post(path, json={"invite_code": code, "password": "wrong"})
        statuses.append(response.status_code)
    assert statuses == [401] * 5
    for password in ("wrong", "right"):
        response = await owner.http.post(path, json={"invite_code": code, "password": password})
        assert response.status_code == 429
        assert response.json()["code"] == "too_many_requests"
        assert 1 <= int(response.headers["Retry-After"]) <= 60


async def test_a_password_less_room_ignores_a_given_password(owner: Api) -> None:
    room = await owner.create_room()
    code = await invite(owner, room["id"])
    response = await owner.http.post(
        f"/v1/rooms/{room['id']}/start_invited", json={"invite_code": code, "password": "any"}
    )
    assert response.status_code == 200


async def sip_config(owner: Api, room_id: str, **body: object) -> dict[str, object]:
    response = await owner.request("PUT", f"/v1/rooms/{room_id}/sip", body or {"lobby": False})
    assert response.status_code in (200, 201), response.text
    config: dict[str, object] = response.json()
    return config


async def test_call_in_start_and_masked_name(server: ServerProcess, owner: Api, user: Api) -> None:
    room = await owner.create_room()
    config = await sip_config(owner, room["id"])
    gateway = server.token("gateway", service="call-in")
    path = "/v1/services/call_in/start"
    body = {"id": config["sip_id"], "pin": config["password"]}

    response = await owner.http.post(path, json=body)
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")
    response = await user.request("POST", path, body)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    for bad in (
        {"id": "123", "pin": body["pin"]},
        {"id": body["id"], "pin": "12345678901"},
        {"id": "012345678a", "pin": body["pin"]},
    ):
        response = await owner.request("POST", path, bad, token=gateway)
        assert (response.status_code, response.json()["code"]) == (422, "validation_failed")
    wrong_pin = "0000000000" if body["pin"] != "0000000000" else "1111111111"
    for bad in (
        {"id": body["id"], "pin": wrong_pin},
        {"id": "9" * 10 if body["id"] != "9" * 10 else "8" * 10, "pin": body["pin"]},
    ):
        response = await owner.request("POST", path, bad, token=gateway)
        assert (response.status_code, response.json()["code"]) == (400, "invalid_credentials")

    response = await owner.request("POST", path, body, token=gateway)
    assert response.status_code == 200, response.text
    peer = await Peer.connect(server, response.json()["ticket"])
    success = await peer.join("+49 30 12345678")
    assert success["display_name"] == "+** ** *****678"
    assert success["role"] == "guest"
    await peer.close()


async def test_resumption_keeps_the_participant_id(
    server: ServerProcess, owner: Api, user: Api
) -> None:
    room = await owner.create_room()
    first = await user.start(room["id"])
    peer = await Peer.connect(server, first["ticket"])
    await peer.join("Bob")
    response = await user.request(
        "POST", f"/v1/rooms/{room['id']}/start", {"resumption": first["resumption"]}
    )
    assert (response.status_code, response.json()["code"]) == (400, "session_running")
    await peer.close()
    again = await user.start(room["id"], resumption=first["resumption"])
    resumed = await Peer.connect(server, again["ticket"])
    assert (await resumed.join("Bob"))["id"] == peer.id
    await resumed.close()
    used = await user.start(room["id"], resumption=first["resumption"])
    fresh = await Peer.connect(server, used["ticket"])
    assert (await fresh.join("Bob"))["id"] != peer.id
    await fresh.close()


@pytest.mark.parametrize("who", ["other_user", "other_room", "unknown"])
async def test_a_foreign_resumption_token_gives_a_fresh_id(
    server: ServerProcess, owner: Api, user: Api, who: str
) -> None:
    room = await owner.create_room()
    first = await user.start(room["id"])
    peer = await Peer.connect(server, first["ticket"])
    await peer.join("Bob")
    await peer.close()
    await asyncio.sleep(0.1)
    token = first["resumption"] if who != "unknown" else "x" * 64
    target = room if who != "other_room" else await owner.create_room()
    api = owner if who == "other_user" else user
    again = await api.start(target["id"], resumption=token)
    fresh = await Peer.connect(server, again["ticket"])
    assert (await fresh.join("Someone"))["id"] != peer.id
    await fresh.close()
