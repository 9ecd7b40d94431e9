"""REST rate limits (tickets/limits.py) against real servers: a burst over a group's limit
answers 429 ``too_many_requests`` with ``Retry-After`` and does nothing, waiting that long
succeeds; the buckets are per client address and per bearer subject, and shared by nodes.

Every test calls from its own loopback address (127.0.0.0/8 all reaches the server), so the
tests of one server do not share address buckets."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import httpx
import pytest

from tests.support.client import Api
from tests.support.nodes import NodeGroup
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess

RATE = 1  # requests a second in every group
BURST = 2 * RATE
LIMITS = {f"SIGNALING_REST_RATE_{group}": str(RATE) for group in ("READ", "WRITE", "START")}
_addresses = (f"127.0.0.{n}" for n in itertools.count(2))

Call = Callable[[], Awaitable[httpx.Response]]


@pytest.fixture(scope="module", params=["embedded", "redis"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    redis = RedisServer().start() if request.param == "redis" else None
    env = dict(LIMITS) if redis is None else {**LIMITS, "SIGNALING_REDIS_URL": redis.url}
    process = ServerProcess(env).start()
    yield process
    process.stop()
    if redis is not None:
        redis.kill()


class Users:
    """The clients a test makes, closed after it."""

    def __init__(self) -> None:
        self.apis: list[Api] = []

    def __call__(
        self, server: ServerProcess, address: str, sub: str | None = None, token: str = ""
    ) -> Api:
        """A fresh registered user of ``server`` (or ``sub``; or ``token`` as it is)
        calling from ``address``."""
        token = token or server.token(sub or f"user-{uuid.uuid4().hex[:8]}", "User")
        api = Api(server, token, local_address=address)
        self.apis.append(api)
        return api

    def anonymous(self, server: ServerProcess, address: str) -> Api:
        api = Api(server, local_address=address)
        self.apis.append(api)
        return api


@pytest.fixture
async def users() -> AsyncIterator[Users]:
    made = Users()
    yield made
    for api in made.apis:
        await api.aclose()


def _refused(response: httpx.Response) -> int:
    """The ``Retry-After`` of a rate-limit refusal (the body is checked by the client)."""
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "too_many_requests"
    retry_after = int(response.headers["Retry-After"])
    assert retry_after >= 1
    return retry_after


async def _burst(*calls: Call) -> tuple[list[httpx.Response], int]:
    """Call ``calls`` in turn until one is refused: the answers before it, and its
    ``Retry-After``. The burst is granted, and no more than refilled meanwhile."""
    start = time.monotonic()
    answered: list[httpx.Response] = []
    for call in itertools.islice(itertools.cycle(calls), BURST + 10):
        response = await call()
        if response.status_code == 429:
            assert BURST <= len(answered) <= BURST + (time.monotonic() - start) * RATE
            return answered, _refused(response)
        answered.append(response)
    raise AssertionError(f"never refused: {[r.status_code for r in answered]}")


async def test_reads_past_the_burst_wait_retry_after(server: ServerProcess, users: Users) -> None:
    user = users(server, next(_addresses))
    answered, retry_after = await _burst(lambda: user.request("GET", "/v1/users/me"))
    assert {r.status_code for r in answered} == {200}
    await asyncio.sleep(retry_after)
    assert (await user.request("GET", "/v1/users/me")).status_code == 200


async def test_a_refused_write_creates_nothing(server: ServerProcess, users: Users) -> None:
    user = users(server, next(_addresses))
    body = {"password": None, "enable_sip": False}
    created, retry_after = await _burst(lambda: user.request("POST", "/v1/rooms", body))
    assert {r.status_code for r in created} == {201}
    listed = await user.request("GET", "/v1/rooms")  # reads have their own bucket
    assert sorted(room["id"] for room in listed.json()) == sorted(r.json()["id"] for r in created)
    await asyncio.sleep(retry_after)
    assert (await user.request("POST", "/v1/rooms", body)).status_code == 201


async def test_start_calls_share_one_bucket_across_their_routes(
    server: ServerProcess, users: Users
) -> None:
    address = next(_addresses)
    owner = users(server, address)
    room = (await owner.create_room())["id"]
    started, retry_after = await _burst(
        lambda: owner.request("POST", f"/v1/rooms/{room}/start", {})
    )
    assert {r.status_code for r in started} == {200}
    guest = users.anonymous(server, address)  # no token: the address's bucket only
    invited = {"invite_code": str(uuid.uuid4())}
    _refused(await guest.request("POST", f"/v1/rooms/{room}/start_invited", invited))
    await asyncio.sleep(retry_after)
    assert (await owner.request("POST", f"/v1/rooms/{room}/start", {})).status_code == 200


async def test_one_bearer_from_two_addresses_shares_its_subject_bucket(
    server: ServerProcess, users: Users
) -> None:
    first, second = next(_addresses), next(_addresses)
    sub = f"roaming-{uuid.uuid4().hex[:8]}"
    here, there = users(server, first, sub), users(server, second, sub)
    assert BURST == 2
    assert (await here.request("GET", "/v1/users/me")).status_code == 200
    assert (await there.request("GET", "/v1/users/me")).status_code == 200
    _refused(await here.request("GET", "/v1/users/me"))  # its address has a token left
    neighbour = users(server, first)  # ... and still has it: the refusal took none
    assert (await neighbour.request("GET", "/v1/users/me")).status_code == 200
    _refused(await neighbour.request("GET", "/v1/users/me"))


async def test_two_users_from_one_address_share_its_bucket(
    server: ServerProcess, users: Users
) -> None:
    address = next(_addresses)
    alice, bob = users(server, address), users(server, address)
    assert BURST == 2
    assert (await alice.request("GET", "/v1/users/me")).status_code == 200
    assert (await bob.request("GET", "/v1/users/me")).status_code == 200
    _refused(await bob.request("GET", "/v1/users/me"))  # bob's own bucket has a token left
    carol = users(server, next(_addresses))  # another address: its own bucket
    assert (await carol.request("GET", "/v1/users/me")).status_code == 200


async def test_a_bad_token_still_takes_from_the_address(
    server: ServerProcess, users: Users
) -> None:
    address = next(_addresses)
    forger = users(server, address, token="not-a-jwt")
    answered, _ = await _burst(lambda: forger.request("GET", "/v1/users/me"))
    assert {r.status_code for r in answered} == {401}
    _refused(await users(server, address).request("GET", "/v1/users/me"))


async def test_probes_and_the_document_are_not_limited(server: ServerProcess) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=next(_addresses))
    async with httpx.AsyncClient(base_url=server.base_url, transport=transport) as http:
        for path in ["/healthz", "/v1/openapi.json", "/v1/events/x", "/metrics"] * (BURST + 1):
            assert (await http.get(path)).status_code != 429, path


@pytest.mark.timeout(60)
async def test_two_nodes_over_redis_limit_a_burst_as_one(users: Users) -> None:
    group = NodeGroup(2, appendonly=False, **LIMITS)
    try:
        sub = f"spread-{uuid.uuid4().hex[:8]}"
        apis = [users(node, "127.0.0.1", sub) for node in group.nodes]
        answered, retry_after = await _burst(
            *(lambda api=api: api.request("GET", "/v1/users/me") for api in apis)
        )
        assert {r.status_code for r in answered} == {200}
        for api in apis:  # refused on both nodes
            _refused(await api.request("GET", "/v1/users/me"))
        await asyncio.sleep(retry_after)
        assert (await apis[1].request("GET", "/v1/users/me")).status_code == 200
    finally:
        group.stop()
