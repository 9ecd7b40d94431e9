"""Schemathesis against a live server: every operation of the OpenAPI document (as
:func:`build_document` makes it; a test below checks that the server serves the same at
``GET /v1/openapi.json``), with generated requests, must answer without a 5xx and as the
document says (status codes, content types, headers and bodies).

Generated ids are random UUIDs, so on their own they would only ever meet 404s: every case
runs in one of four variants, in turn (see :func:`_prepare`), most of them aimed at real
rooms, invites and call-in credentials, as their creator, as another user, with an invite
code or with no credentials at all. Positive and negative data, explicit examples of the
document and schemathesis' coverage cases; deterministic, bounded by ``MAX_EXAMPLES``.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.config import HealthCheck

from signaling.auth import CALL_IN_ROLE
from signaling.docs.openapi import INVITE_CODE, build_document
from tests.support.server import ServerProcess
from tickets.meta import OPENAPI_PATH

#: Per operation and phase; the whole file stays well under a minute.
MAX_EXAMPLES = 25

#: Not ``unsupported_method``: the server's 405 answers carry no ``Allow`` header.
CHECKS: list[CheckFunction] = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]

_variants = itertools.count()
#: Requests sent per operation label and status, for the summary test.
SEEN: dict[str, dict[int, int]] = {}


class Live:
    """The server, its users, and real rooms to aim the generated requests at."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.owner = server.token("schemathesis-owner", "Olivia Owner", email="o@example.org")
        self.other = server.token("schemathesis-other", "Bob Other")
        self.gateway = server.token("gw", service="call-in")
        self.http = httpx.Client(base_url=server.base_url, timeout=10)
        self.session = requests.Session()
        self.rooms = itertools.count()
        self._shared: dict[str, str] | None = None

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def room(self, *, password: str | None = None, sip: bool = True) -> dict[str, str]:
        """A new room of the owner with an invite (and a SIP config): its ids and
        credentials."""
        owner = self.bearer(self.owner)
        body = {"enable_sip": sip, "password": password}
        room = self.http.post("/v1/rooms", json=body, headers=owner)
        room.raise_for_status()
        room_id = room.json()["id"]
        invite = self.http.post(f"/v1/rooms/{room_id}/invites", headers=owner)
        invite.raise_for_status()
        out = {"room_id": room_id, "invite_code": invite.json()["invite_code"]}
        if sip:
            config = self.http.get(f"/v1/rooms/{room_id}/sip", headers=owner)
            config.raise_for_status()
            out |= {"sip_id": config.json()["sip_id"], "pin": config.json()["password"]}
        return out

    def fresh(self, operation: str) -> dict[str, str]:
        """A room for one case; every other one has no SIP config (PUT sip creates it),
        except for the call-in start."""
        with_sip = next(self.rooms) % 2 == 0 or operation.endswith("/call_in/start")
        return self.room(sip=with_sip)

    def shared(self) -> dict[str, str]:
        """One room with a password, for the cases of another user and of no credentials:
        their wrong passwords add up to 429 on ``start_invited``."""
        if self._shared is None:
            self._shared = self.room(password="secret123")
        return self._shared


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    server = ServerProcess({"SIGNALING_RATE_LIMIT": "200", "SIGNALING_RATE_BURST": "200"}).start()
    state = Live(server)
    yield state
    state.http.close()
    state.session.close()
    server.stop()


def _schema() -> Any:
    """The document as the code builds it (a test below checks the server serves the same)."""
    loaded = schemathesis.openapi.from_dict(build_document())
    loaded.config.update(suppress_health_check=[HealthCheck.all])
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        deterministic=True,
        database="none",
        with_security_parameters=False,
    )
    return loaded


schema = _schema()


def _prepare(case: Case[Any], live: Live) -> dict[str, str]:
    """Pick the case's variant (in turn): rewrite its ids and credentials in place and
    return its headers.

    0. as generated, with the owner's token (the gateway's for the call-in start);
    1. aimed at a fresh room of the owner, same token;
    2. aimed at the shared password room, as another user (call-in: a user token; routes
       that take an invite code: ``InviteCode`` of the room's invite);
    3. aimed at the shared room, without credentials.
    """
    variant = next(_variants) % 4
    security: list[dict[str, list[str]]] = case.operation.definition.raw.get("security", [])
    schemes = {name for requirement in security for name in requirement}
    roles = {role for requirement in security for names in requirement.values() for role in names}
    if variant == 3 or not schemes:
        headers: dict[str, str] = {}
    elif variant == 2 and INVITE_CODE in schemes:
        headers = {"Authorization": f"InviteCode {live.shared()['invite_code']}"}
    elif variant == 2:
        headers = live.bearer(live.other)
    else:
        headers = live.bearer(live.gateway if CALL_IN_ROLE in roles else live.owner)
    if variant == 0:
        return headers
    real = live.fresh(case.operation.path) if variant == 1 else live.shared()
    params = case.path_parameters or {}
    for name in ("room_id", "invite_code"):
        if name in params:
            params[name] = real[name]
    body = case.body
    if isinstance(body, dict):
        if "invite_code" in body:
            body["invite_code"] = real["invite_code"]
        if {"id", "pin"} <= set(body) and "sip_id" in real:
            body["id"], body["pin"] = real["sip_id"], real["pin"]
    return headers


CaseTest = Callable[[Case[Any], Live], None]


def _parametrize(test: CaseTest) -> CaseTest:
    """``schema.parametrize()``, typed: one test per operation of the document."""
    parametrized: CaseTest = schema.parametrize()(test)
    return parametrized


@pytest.mark.timeout(600)  # every example of one operation, on a loaded machine too
@_parametrize
def test_the_server_answers_as_documented(case: Case[Any], live: Live) -> None:
    headers = _prepare(case, live)
    response = case.call(base_url=live.server.base_url, headers=headers, session=live.session)
    SEEN.setdefault(case.operation.label, {}).setdefault(response.status_code, 0)
    SEEN[case.operation.label][response.status_code] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_the_server_serves_the_document(live: Live) -> None:
    response = live.http.get(OPENAPI_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == build_document()


def test_unknown_ids_are_404(live: Live) -> None:
    """Sanity of the set-up: a random room id is unknown."""
    response = live.http.get(f"/v1/rooms/{uuid.uuid4()}", headers=live.bearer(live.owner))
    assert response.status_code == 404


def test_the_cases_reached_every_kind_of_answer() -> None:
    """The variants work: between them the cases met successes and every client error
    (runs after the schemathesis test, and only when all its operations ran)."""
    operations = {
        f"{method.upper()} {path}"
        for path, item in build_document()["paths"].items()
        for method in item
        if method != "parameters"
    }
    if not operations <= set(SEEN):
        pytest.skip("the schemathesis test did not run for every operation")
    statuses = {status for answers in SEEN.values() for status in answers}
    assert {200, 201, 204, 400, 401, 403, 404, 422, 429} <= statuses, sorted(statuses)
    assert not {status for status in statuses if status >= 500}
