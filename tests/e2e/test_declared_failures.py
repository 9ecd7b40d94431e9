"""Each endpoint answers the failures its declaration names, where a request shows it
cheaply: no credential, an unknown room or invite, another user's room, a broken body."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
import pytest
from msgspec import json

from signaling.errors import (
    INVALID_CONTENT_TYPE,
    INVALID_JSON,
    MAX_BODY,
    PAYLOAD_TOO_LARGE,
    Failure,
    Problem,
)
from tests.support.server import ServerProcess
from tickets import access, chat, events, moderation, sessions, sip, webhooks
from tickets.api import ENDPOINTS
from tickets.declaration import Endpoint

#: A body that shows each failure of ``tickets.http.read_body``, with its content type.
BROKEN_BODIES: dict[Problem, tuple[bytes, str]] = {
    INVALID_JSON: (b"{", "application/json"),
    INVALID_CONTENT_TYPE: (b"{}", "text/plain"),
    PAYLOAD_TOO_LARGE: (b" " * (MAX_BODY + 1), "application/json"),
}


@dataclasses.dataclass(frozen=True)
class Call:
    url: str
    headers: dict[str, str]
    content: bytes | None = None


@pytest.mark.timeout(120)
async def test_each_declared_failure_is_answered(server: ServerProcess) -> None:
    alice = {"Authorization": f"Bearer {server.token(f'alice-{uuid.uuid4().hex[:8]}')}"}
    bob = {"Authorization": f"Bearer {server.token(f'bob-{uuid.uuid4().hex[:8]}')}"}
    gateway = {"Authorization": f"Bearer {server.token('gateway', service='call-in')}"}
    admin = {"Authorization": f"Bearer {server.token('crm', service='admin')}"}
    credentials = {
        "bearer": alice,
        "bearer_or_invite": alice,
        "call_in": gateway,
        "admin": admin,
        "none": {},
    }
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        created = await http.post("/v1/rooms", json={"enable_sip": False}, headers=alice)
        room = created.json()["id"]
        made = await http.post(f"/v1/rooms/{room}/invites", json={}, headers=alice)
        invite = made.json()["invite_code"]
        hook = {"url": "http://127.0.0.1:9/hook", "events": ["poll.done"], "secret": "s"}
        webhook = (await http.post("/v1/webhooks", json=hook, headers=admin)).json()["id"]

        def url(
            endpoint: Endpoint,
            room_id: str = room,
            invite_code: str = invite,
            webhook_id: str = webhook,
        ) -> str:
            path = endpoint.path.replace("{anything:path}", "upcoming")
            return path.format(
                room_id=room_id,
                invite_code=invite_code,
                webhook_id=webhook_id,
                session_id=str(uuid.uuid4()),  # no session has it
                participant_id=str(uuid.uuid4()),  # nobody is in the room
            )

        def scenario(endpoint: Endpoint, failure: Failure) -> Call | None:
            """The request that shows ``failure`` at ``endpoint``; None where none is cheap."""
            own = Call(url(endpoint), credentials[endpoint.auth])
            if failure == access.BAD_TOKEN:
                return Call(own.url, {})
            if failure == access.ROOM_NOT_FOUND:
                return Call(url(endpoint, room_id=str(uuid.uuid4())), own.headers)
            if failure == access.NOT_CREATOR:
                return Call(own.url, bob)
            if failure in (access.INVITE_NOT_FOUND, sip.NOT_CONFIGURED):
                return Call(url(endpoint, invite_code=str(uuid.uuid4())), own.headers)
            if failure == access.NOT_ADMIN:
                return Call(own.url, alice)
            if failure == access.NOT_MANAGER:
                return Call(own.url, bob)
            if failure == access.MANAGER_FAILURES[1]:  # an unusable invite code
                return Call(own.url, {"Authorization": f"InviteCode {uuid.uuid4()}"})
            if failure in (moderation.PARTICIPANT_NOT_FOUND, moderation.WAITER_NOT_FOUND):
                return own
            if failure == access.NO_RUNNING_SESSION:  # the room has none; a valid body
                body = endpoint.body_example
                return Call(own.url, own.headers, None if body is None else json.encode(body))
            if failure == chat.BAD_FORMAT and "{room_id}" in endpoint.path:
                return Call(f"{own.url}?format=xml", own.headers)
            if failure == webhooks.WEBHOOK_NOT_FOUND:
                return Call(url(endpoint, webhook_id=str(uuid.uuid4())), own.headers)
            if failure == sessions.SESSION_NOT_FOUND:
                return own
            if failure.problem in BROKEN_BODIES and endpoint.body is not None:
                content, media = BROKEN_BODIES[failure.problem]
                return Call(own.url, {**own.headers, "Content-Type": media}, content)
            if failure.problem == events.NO_EVENTS:
                return own
            return None

        checked: list[str] = []
        for endpoint in ENDPOINTS:
            for failure in endpoint.failures:
                call = scenario(endpoint, failure)
                if call is None:
                    continue
                response = await http.request(
                    endpoint.method, call.url, headers=call.headers, content=call.content
                )
                answered = (response.status_code, response.json()["code"])
                expected = (failure.problem.status, failure.problem.code)
                assert answered == expected, (endpoint.method, call.url, failure.when)
                checked.append(failure.problem.code)
    assert checked.count("unauthorized") >= 15
    assert checked.count("forbidden") >= 10
    assert checked.count("invalid_json") == sum(1 for e in ENDPOINTS if e.body is not None)
    assert len(checked) >= 70
