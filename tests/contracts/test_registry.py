"""The Registry contract (signaling/registry/__init__.py), run against SQLite, Redis and Redis
Cluster.

The fixtures live here (tests/contracts/conftest.py belongs to the other interfaces): a
session-scoped ``registry_backend_factory`` parametrised over ``BACKENDS`` makes a
:class:`Backend` (fresh, empty storage: a temp dir, a ``FLUSHDB``-ed database on one
session-wide ``redis-server``, or a prefix of its own on the session's cluster), and
``registry`` is an opened registry over it. Hypothesis tests take the session-scoped factory
and make fresh storage per example. Tests at the end check what only the Redis layout promises
(key names, no TTLs, no resurrection under races).
"""

from __future__ import annotations

import abc
import asyncio
import functools
import itertools
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest
import redis.asyncio as aioredis
from hypothesis import given, settings
from hypothesis import strategies as st

import signaling.registry.redis as redis_registry
import signaling.registry.sqlite as sqlite_registry
from signaling.redis_client import Client, cluster_nodes
from signaling.registry import (
    MAX_DURATION,
    MIN_DURATION,
    SIP_ID_ATTEMPTS,
    Invite,
    Registry,
    RegistryError,
    Room,
    SchemaTooNewError,
    SipConfig,
    UnknownRoomError,
    UserProfile,
)
from signaling.registry.redis import RedisRegistry
from signaling.registry.sqlite import SqliteRegistry
from tests.support.redis import RedisServer
from tests.support.redis_cluster import shared_cluster
from tests.support.server import free_port

BACKENDS = ["sqlite", "redis", "cluster"]
PREFIX = "test-signaling:"

ALICE = UserProfile(id="alice", email="alice@example.org", display_name="Alice A.")
BOB = UserProfile(id="bob", display_name="Bob")


# -- backends ---------------------------------------------------------------------------------


class Backend(abc.ABC):
    """Fresh storage for one test and any number of registries over it (like several nodes)."""

    name: str
    schema_version: int

    @abc.abstractmethod
    def new_registry(self) -> Registry:
        """A registry over this storage, not opened yet."""

    @abc.abstractmethod
    async def set_schema_version(self, version: int) -> None:
        """Mark the storage as written by a release with that schema version."""

    async def close(self) -> None:
        return None

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[Registry]:
        registry = self.new_registry()
        await registry.open()
        try:
            yield registry
        finally:
            await registry.close()


class SqliteBackend(Backend):
    name = "sqlite"
    schema_version = sqlite_registry.SCHEMA_VERSION

    def __init__(self, directory: str) -> None:
        self.path = str(Path(directory) / "data" / "registry.sqlite3")

    def new_registry(self) -> Registry:
        return SqliteRegistry(self.path)

    async def set_schema_version(self, version: int) -> None:
        conn = sqlite3.connect(self.path)
        try:
            conn.execute(f"PRAGMA user_version = {version:d}")
        finally:
            conn.close()


class RedisBackend(Backend):
    """Each registry gets its own client, as each node would."""

    name = "redis"
    schema_version = redis_registry.SCHEMA_VERSION

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = PREFIX
        self.clients: list[Client] = []

    def connect(self) -> Client:
        # A blocking pool queues bursts (300 concurrent puts) instead of failing past its size.
        pool = aioredis.BlockingConnectionPool.from_url(self.url, max_connections=32)
        return aioredis.Redis.from_pool(pool)

    def client(self) -> Client:
        client = self.connect()
        self.clients.append(client)
        return client

    def new_registry(self) -> Registry:
        return RedisRegistry(self.client(), prefix=self.prefix)

    async def set_schema_version(self, version: int) -> None:
        await self.client().set(self.prefix + "registry:version", version)

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
        self.clients.clear()


class ClusterBackend(RedisBackend):
    """The session's cluster, under a prefix no other test uses."""

    name = "cluster"

    def __init__(self) -> None:
        super().__init__("")
        self.prefix = f"registry-contract-{uuid.uuid4().hex}:"

    def connect(self) -> Client:
        nodes = cluster_nodes(shared_cluster().nodes)
        return aioredis.RedisCluster(startup_nodes=nodes, max_connections=512)  # never queues


BackendFactory = Callable[[], AbstractAsyncContextManager[Backend]]


@pytest.fixture(scope="session")
def registry_redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.kill()
    shutil.rmtree(server.dir, ignore_errors=True)


@asynccontextmanager
async def _sqlite_backend() -> AsyncIterator[Backend]:
    directory = tempfile.mkdtemp(prefix="registry-contract-")
    try:
        yield SqliteBackend(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _redis_backend(server: RedisServer) -> BackendFactory:
    @asynccontextmanager
    async def backend() -> AsyncIterator[Backend]:
        instance = RedisBackend(server.url)
        try:
            await instance.client().flushdb()
            yield instance
        finally:
            await instance.close()

    return backend


@asynccontextmanager
async def _cluster_backend() -> AsyncIterator[Backend]:
    instance = ClusterBackend()
    try:
        yield instance
    finally:
        await instance.close()


@pytest.fixture(scope="session", params=BACKENDS)
def registry_backend_factory(request: pytest.FixtureRequest) -> BackendFactory:
    if request.param == "cluster":
        return _cluster_backend
    if request.param == "redis":
        return _redis_backend(request.getfixturevalue("registry_redis_server"))
    assert request.param == "sqlite"
    return _sqlite_backend


@pytest.fixture
async def backend(registry_backend_factory: BackendFactory) -> AsyncIterator[Backend]:
    async with registry_backend_factory() as instance:
        yield instance


@pytest.fixture
async def registry(backend: Backend) -> AsyncIterator[Registry]:
    async with backend.opened() as instance:
        yield instance


@pytest.fixture
def script_digits(monkeypatch: pytest.MonkeyPatch) -> Callable[[Iterable[str]], list[str]]:
    """Make every random digit draw (SIP ids and PINs) come from a scripted sequence."""

    def install(values: Iterable[str]) -> list[str]:
        drawn: list[str] = []
        script = iter(values)

        def fake(length: int) -> str:
            value = next(script)[:length]
            drawn.append(value)
            return value

        for module in (sqlite_registry, redis_registry):
            monkeypatch.setattr(module, "random_digits", fake)
        return drawn

    return install


def _is_uuid4(text: str) -> bool:
    return str(uuid.UUID(text)) == text and uuid.UUID(text).version == 4


def _digits(text: str) -> bool:
    return len(text) == 10 and all(c in "0123456789" for c in text)


async def test_both_implement_the_protocol(tmp_path: Path) -> None:
    client = aioredis.Redis(port=free_port())  # never connects
    implementations: list[Registry] = [
        SqliteRegistry(str(tmp_path / "r.sqlite3")),
        RedisRegistry(client),
    ]
    assert len(implementations) == 2
    await client.aclose()


# -- lifecycle --------------------------------------------------------------------------------


async def test_open_twice_is_harmless(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    await registry.open()
    assert await registry.get_room(room.id) == room


async def test_methods_need_open(backend: Backend) -> None:
    reg = backend.new_registry()
    with pytest.raises(RegistryError):
        await reg.get_room("x")
    with pytest.raises(RegistryError):
        await reg.create_room(ALICE, None, False)
    await reg.open()
    await reg.close()
    with pytest.raises(RegistryError):
        await reg.get_room("x")
    with pytest.raises(RegistryError):
        await reg.put_sip_config("x", password=None, lobby=None)
    await reg.close()  # closing twice is harmless


async def test_reopen_keeps_records(backend: Backend) -> None:
    async with backend.opened() as first:
        room = await first.create_room(ALICE, "pw", True)
        invite = await first.create_invite(room.id, ALICE, datetime.now(UTC) + timedelta(days=1))
        revoked = await first.revoke_invite(
            (await first.create_invite(room.id, ALICE, None)).invite_code, BOB
        )
        sip, _ = await first.put_sip_config(room.id, password=None, lobby=True)
    async with backend.opened() as second:
        assert await second.get_room(room.id) == room
        assert await second.rooms_created_by(ALICE.id) == [room]
        assert await second.invites_of_room(room.id) == [invite, revoked]
        assert await second.get_sip_config(room.id) == sip
        assert await second.find_sip_config(sip.sip_id) == sip


async def test_refuses_a_newer_schema(backend: Backend) -> None:
    async with backend.opened() as reg:
        room = await reg.create_room(ALICE, None, False)
    newer = backend.schema_version + 1
    await backend.set_schema_version(newer)
    reg = backend.new_registry()
    with pytest.raises(SchemaTooNewError, match=f"version {newer}"):
        await reg.open()
    with pytest.raises(RegistryError):
        await reg.get_room(room.id)
    await reg.close()


async def test_registries_over_one_storage_share_records(backend: Backend) -> None:
    async with backend.opened() as one, backend.opened() as two:
        room = await one.create_room(ALICE, None, False)
        assert await two.get_room(room.id) == room
        invite = await two.create_invite(room.id, BOB, None)
        assert await one.invites_of_room(room.id) == [invite]
        rooms = [await one.create_room(BOB, None, False) for _ in range(20)]
        results = await asyncio.gather(
            *(
                (one if i % 2 else two).put_sip_config(r.id, password=None, lobby=None)
                for i, r in enumerate(rooms)
            )
        )
        assert len({config.sip_id for config, _ in results}) == 20
        assert await two.delete_room(room.id)
        assert await one.get_room(room.id) is None
        assert await one.get_invite(invite.invite_code) is None


# -- rooms ------------------------------------------------------------------------------------


async def test_room_crud(registry: Registry) -> None:
    before = datetime.now(UTC)
    room = await registry.create_room(ALICE, "secret", True)
    assert _is_uuid4(room.id)
    assert room.created_by == ALICE
    assert room.password == "secret" and room.waiting_room is True
    assert room.created_at.tzinfo is not None and before <= room.created_at <= datetime.now(UTC)

    loaded = await registry.get_room(room.id)
    assert loaded == room
    assert loaded.created_at.utcoffset() == timedelta(0)

    updated = await registry.update_room(room.id, password=None)
    assert updated is not None and updated.password is None and updated.waiting_room is True
    updated = await registry.update_room(room.id, waiting_room=False)
    assert updated is not None and updated.password is None and updated.waiting_room is False
    updated = await registry.update_room(room.id, password="p2", waiting_room=True)
    assert updated is not None and (updated.password, updated.waiting_room) == ("p2", True)
    assert (updated.id, updated.created_by, updated.created_at) == (
        room.id,
        room.created_by,
        room.created_at,
    )
    unchanged = await registry.update_room(room.id)
    assert unchanged == updated
    same = await registry.update_room(room.id, password="p2")
    assert same == updated
    assert await registry.get_room(room.id) == updated
    assert await registry.rooms_created_by(ALICE.id) == [updated]

    assert await registry.delete_room(room.id) is True
    assert await registry.get_room(room.id) is None
    assert await registry.delete_room(room.id) is False
    assert await registry.update_room(room.id, password="x") is None
    assert await registry.update_room(room.id) is None
    assert await registry.get_room(room.id) is None  # no resurrection
    assert await registry.rooms_created_by(ALICE.id) == []


async def test_unknown_rooms(registry: Registry) -> None:
    unknown = str(uuid.uuid4())
    assert await registry.get_room(unknown) is None
    assert await registry.update_room(unknown, waiting_room=True) is None
    assert await registry.delete_room(unknown) is False
    assert await registry.get_room(unknown) is None
    assert await registry.invites_of_room(unknown) == []
    assert await registry.get_sip_config(unknown) is None
    assert await registry.delete_sip_config(unknown) is False


async def test_rooms_created_by_lists_own_rooms_oldest_first(registry: Registry) -> None:
    mine = [await registry.create_room(ALICE, None, False) for _ in range(5)]
    theirs = await registry.create_room(BOB, None, False)
    assert await registry.rooms_created_by("alice") == mine
    assert await registry.rooms_created_by("bob") == [theirs]
    assert await registry.rooms_created_by("carol") == []
    assert await registry.delete_room(mine[2].id)
    assert await registry.rooms_created_by("alice") == mine[:2] + mine[3:]


async def test_rooms_are_listed_by_creator_id_only(registry: Registry) -> None:
    renamed = UserProfile(id="alice", display_name="Alice Renamed")
    first = await registry.create_room(ALICE, None, False)
    second = await registry.create_room(renamed, None, False)
    assert await registry.rooms_created_by("alice") == [first, second]
    assert [r.created_by for r in await registry.rooms_created_by("alice")] == [ALICE, renamed]


async def test_profile_and_odd_text_round_trip(registry: Registry) -> None:
    profile = UserProfile(id="ü'\"; DROP TABLE rooms; --:*", display_name="🙂 \x00 x")
    room = await registry.create_room(profile, "pä's\"wörd", False)
    loaded = await registry.get_room(room.id)
    assert loaded is not None and loaded.created_by == profile and loaded.password == "pä's\"wörd"
    assert [r.id for r in await registry.rooms_created_by(profile.id)] == [room.id]
    empty = await registry.create_room(UserProfile(id=""), "", False)
    assert await registry.rooms_created_by("") == [empty]
    assert (await registry.get_room(empty.id)) == empty and empty.password == ""
    assert await registry.delete_room(room.id)
    assert await registry.rooms_created_by(profile.id) == []


async def test_room_schedule_fields(registry: Registry) -> None:
    plain = await registry.create_room(ALICE, None, False)
    assert (plain.chat_persistence, plain.starts_at, plain.duration) == (False, None, None)
    berlin = timezone(timedelta(hours=2))
    starts_at = datetime(2030, 5, 1, 9, 30, 0, 123456, tzinfo=berlin)
    room = await registry.create_room(
        ALICE, "pw", True, chat_persistence=True, starts_at=starts_at, duration=MAX_DURATION
    )
    assert (room.chat_persistence, room.duration) == (True, MAX_DURATION)
    assert room.starts_at == starts_at and room.starts_at.utcoffset() == timedelta(0)
    assert await registry.get_room(room.id) == room
    assert await registry.rooms_created_by(ALICE.id) == [plain, room]

    later = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    moved = await registry.update_room(room.id, starts_at=later, duration=MIN_DURATION)
    assert moved == msgspec.structs.replace(room, starts_at=later, duration=MIN_DURATION)
    cleared = await registry.update_room(room.id, starts_at=None, duration=None)
    assert cleared == msgspec.structs.replace(room, starts_at=None, duration=None)
    off = await registry.update_room(room.id, chat_persistence=False)
    assert off == msgspec.structs.replace(cleared, chat_persistence=False)
    assert await registry.update_room(room.id, password="x") == msgspec.structs.replace(
        off, password="x"
    )
    assert await registry.get_room(room.id) == msgspec.structs.replace(off, password="x")


@pytest.mark.parametrize("duration", [MIN_DURATION - 1, MAX_DURATION + 1, -5])
async def test_room_duration_out_of_range_changes_nothing(
    registry: Registry, duration: int
) -> None:
    with pytest.raises(ValueError, match="duration"):
        await registry.create_room(ALICE, None, False, duration=duration)
    assert await registry.rooms_created_by(ALICE.id) == []
    room = await registry.create_room(ALICE, None, False, duration=60)
    with pytest.raises(ValueError, match="duration"):
        await registry.update_room(room.id, duration=duration, waiting_room=True)
    assert await registry.get_room(room.id) == room


# -- invites ----------------------------------------------------------------------------------


async def test_invite_crud(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    expiration = datetime.now(UTC) + timedelta(hours=1)
    invite = await registry.create_invite(room.id, ALICE, expiration)
    assert _is_uuid4(invite.invite_code)
    assert invite.room == room.id and invite.active
    assert invite.created_by == ALICE and invite.updated_by == ALICE
    assert invite.created == invite.updated
    assert invite.created.utcoffset() == timedelta(0)
    assert invite.expiration == expiration
    assert await registry.get_invite(invite.invite_code) == invite

    forever = await registry.create_invite(room.id, ALICE, None)
    assert forever.expiration is None
    listed = await registry.invites_of_room(room.id)
    assert listed == [invite, forever]

    later = expiration + timedelta(days=1)
    updated = await registry.update_invite(invite.invite_code, BOB, later)
    assert updated is not None and updated.expiration == later
    assert updated.updated_by == BOB and updated.created_by == ALICE
    assert updated.updated >= invite.updated and updated.created == invite.created
    assert updated.active and updated.room == room.id
    assert await registry.get_invite(invite.invite_code) == updated
    cleared = await registry.update_invite(invite.invite_code, ALICE, None)
    assert cleared is not None and cleared.expiration is None and cleared.updated_by == ALICE

    revoked = await registry.revoke_invite(invite.invite_code, BOB)
    assert revoked is not None and revoked.active is False and revoked.updated_by == BOB
    assert revoked.expiration is None and revoked.updated >= cleared.updated
    assert not revoked.usable(datetime.now(UTC))
    assert await registry.invites_of_room(room.id) == [revoked, forever]  # stays listed
    assert (await registry.get_invite(invite.invite_code)) == revoked

    unknown = str(uuid.uuid4())
    assert await registry.get_invite(unknown) is None
    assert await registry.update_invite(unknown, ALICE, None) is None
    assert await registry.revoke_invite(unknown, ALICE) is None
    assert await registry.get_invite(unknown) is None


async def test_revoked_invite_stays_revoked(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    invite = await registry.create_invite(room.id, ALICE, None)
    await registry.revoke_invite(invite.invite_code, ALICE)
    again = await registry.revoke_invite(invite.invite_code, BOB)
    assert again is not None and not again.active and again.updated_by == BOB
    expiration = datetime.now(UTC) + timedelta(hours=1)
    updated = await registry.update_invite(invite.invite_code, ALICE, expiration)
    assert updated is not None and not updated.active and updated.expiration == expiration
    assert not updated.usable(datetime.now(UTC))


async def test_invites_are_listed_per_room(registry: Registry) -> None:
    one = await registry.create_room(ALICE, None, False)
    two = await registry.create_room(BOB, None, False)
    a = await registry.create_invite(one.id, ALICE, None)
    b = await registry.create_invite(two.id, BOB, None)
    c = await registry.create_invite(one.id, BOB, None)
    assert await registry.invites_of_room(one.id) == [a, c]
    assert await registry.invites_of_room(two.id) == [b]


async def test_invite_usable(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    now = datetime.now(UTC)
    invite = await registry.create_invite(room.id, ALICE, now + timedelta(seconds=60))
    assert invite.usable(now)
    assert not invite.usable(now + timedelta(seconds=60))  # expiration is exclusive
    assert not invite.usable(now + timedelta(seconds=61))
    forever = await registry.create_invite(room.id, ALICE, None)
    assert forever.usable(now + timedelta(days=10_000))
    past = await registry.create_invite(room.id, ALICE, now - timedelta(seconds=1))
    assert not past.usable(now)
    loaded = await registry.get_invite(invite.invite_code)
    assert loaded is not None and loaded.usable(now)
    revoked = await registry.revoke_invite(forever.invite_code, ALICE)
    assert revoked is not None and not revoked.usable(now)


async def test_invite_expiration_is_stored_in_utc(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    plus_two = datetime(2030, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    invite = await registry.create_invite(room.id, ALICE, plus_two)
    assert invite.expiration == plus_two and invite.expiration.utcoffset() == timedelta(0)
    loaded = await registry.get_invite(invite.invite_code)
    assert loaded is not None and loaded.expiration is not None
    assert loaded.expiration == plus_two and loaded.expiration.utcoffset() == timedelta(0)
    naive = await registry.create_invite(room.id, ALICE, datetime(2030, 1, 1, 12, 0))
    assert naive.expiration == datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    loaded = await registry.get_invite(naive.invite_code)
    assert loaded is not None and loaded.expiration == datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    updated = await registry.update_invite(naive.invite_code, ALICE, datetime(2031, 5, 5, 5, 5))
    assert updated is not None and updated.expiration == datetime(2031, 5, 5, 5, 5, tzinfo=UTC)
    minus_five = datetime(2031, 1, 1, 7, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5)))
    updated = await registry.update_invite(naive.invite_code, ALICE, minus_five)
    assert updated is not None and updated.expiration == minus_five
    assert updated.expiration.utcoffset() == timedelta(0)
    assert await registry.get_invite(naive.invite_code) == updated


async def test_invite_for_unknown_room(registry: Registry) -> None:
    unknown = str(uuid.uuid4())
    with pytest.raises(UnknownRoomError):
        await registry.create_invite(unknown, ALICE, None)
    assert await registry.invites_of_room(unknown) == []
    room = await registry.create_room(ALICE, None, False)
    await registry.delete_room(room.id)
    with pytest.raises(UnknownRoomError):
        await registry.create_invite(room.id, ALICE, None)
    assert await registry.invites_of_room(room.id) == []


# -- SIP --------------------------------------------------------------------------------------


async def test_sip_config_crud(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    assert await registry.get_sip_config(room.id) is None

    config, created = await registry.put_sip_config(room.id, password=None, lobby=None)
    assert created is True
    assert config.room == room.id and _digits(config.sip_id) and _digits(config.password)
    assert config.lobby is False
    assert await registry.get_sip_config(room.id) == config
    assert await registry.find_sip_config(config.sip_id) == config

    changed, created = await registry.put_sip_config(room.id, password="0000000001", lobby=None)
    assert created is False
    assert (changed.sip_id, changed.password, changed.lobby) == (config.sip_id, "0000000001", False)
    changed, created = await registry.put_sip_config(room.id, password=None, lobby=True)
    assert created is False and (changed.password, changed.lobby) == ("0000000001", True)
    assert await registry.find_sip_config(config.sip_id) == changed
    same, created = await registry.put_sip_config(room.id, password=None, lobby=None)
    assert created is False and same == changed
    changed, created = await registry.put_sip_config(room.id, password="9999999999", lobby=False)
    assert created is False and (changed.password, changed.lobby) == ("9999999999", False)
    assert changed.sip_id == config.sip_id
    assert await registry.get_sip_config(room.id) == changed

    assert await registry.delete_sip_config(room.id) is True
    assert await registry.get_sip_config(room.id) is None
    assert await registry.find_sip_config(config.sip_id) is None
    assert await registry.delete_sip_config(room.id) is False
    assert await registry.get_room(room.id) is not None  # the room stays

    fresh, created = await registry.put_sip_config(room.id, password="0123456789", lobby=True)
    assert created and fresh.password == "0123456789" and fresh.lobby is True
    assert _digits(fresh.sip_id)
    assert await registry.find_sip_config(fresh.sip_id) == fresh


async def test_sip_config_created_with_lobby_false(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    config, created = await registry.put_sip_config(room.id, password=None, lobby=False)
    assert created and config.lobby is False and _digits(config.password)


async def test_generated_pin_and_id_are_ten_digits_with_leading_zeros(
    registry: Registry, script_digits: Callable[[Iterable[str]], list[str]]
) -> None:
    drawn = script_digits(["0000000042", "0012345678"])
    room = await registry.create_room(ALICE, None, False)
    config, created = await registry.put_sip_config(room.id, password=None, lobby=None)
    assert created
    assert drawn == ["0000000042", "0012345678"]  # the PIN first, then the id
    assert (config.password, config.sip_id) == ("0000000042", "0012345678")
    assert await registry.find_sip_config("0012345678") == config
    assert await registry.find_sip_config("12345678") is None


async def test_find_sip_config_misses(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    config, _ = await registry.put_sip_config(room.id, password=None, lobby=None)
    for sip_id in ["", "0", config.sip_id[:-1], config.sip_id + "0", "x" * 10, room.id]:
        assert await registry.find_sip_config(sip_id) is None


@pytest.mark.parametrize("pin", ["", "123456789", "12345678901", "abcdefghij", "\uff11" * 10])
async def test_sip_config_rejects_bad_pins(registry: Registry, pin: str) -> None:
    room = await registry.create_room(ALICE, None, False)
    with pytest.raises(ValueError):
        await registry.put_sip_config(room.id, password=pin, lobby=None)
    assert await registry.get_sip_config(room.id) is None
    config, _ = await registry.put_sip_config(room.id, password=None, lobby=None)
    with pytest.raises(ValueError):
        await registry.put_sip_config(room.id, password=pin, lobby=True)
    assert await registry.get_sip_config(room.id) == config
    with pytest.raises(ValueError):  # checked before the room is looked up
        await registry.put_sip_config(str(uuid.uuid4()), password=pin, lobby=None)


async def test_sip_config_for_unknown_room(registry: Registry) -> None:
    unknown = str(uuid.uuid4())
    with pytest.raises(UnknownRoomError):
        await registry.put_sip_config(unknown, password=None, lobby=None)
    with pytest.raises(UnknownRoomError):
        await registry.put_sip_config(unknown, password="1234567890", lobby=True)
    assert await registry.get_sip_config(unknown) is None


async def test_sip_ids_unique_across_many_rooms(registry: Registry) -> None:
    rooms = await asyncio.gather(*(registry.create_room(ALICE, None, False) for _ in range(300)))
    results = await asyncio.gather(
        *(registry.put_sip_config(room.id, password=None, lobby=None) for room in rooms)
    )
    ids = [config.sip_id for config, created in results]
    assert all(created for _, created in results)
    assert len(set(ids)) == len(ids) == 300
    assert all(_digits(i) for i in ids)
    assert [config.room for config, _ in results] == [room.id for room in rooms]
    for config, _ in results[:20]:
        assert await registry.find_sip_config(config.sip_id) == config


async def test_sip_id_collision_draws_again(
    registry: Registry, script_digits: Callable[[Iterable[str]], list[str]]
) -> None:
    drawn = script_digits(
        itertools.chain(["1111111111", "1111111111", "2222222222"], itertools.repeat("1111111111"))
    )
    first = await registry.create_room(ALICE, None, False)
    second = await registry.create_room(ALICE, None, False)
    one, _ = await registry.put_sip_config(first.id, password="5555555555", lobby=None)
    assert one.sip_id == "1111111111"
    # The second room draws 1111111111 again (taken by the first), then 2222222222.
    two, created = await registry.put_sip_config(second.id, password="5555555555", lobby=None)
    assert created and two.sip_id == "2222222222"
    assert drawn == ["1111111111", "1111111111", "2222222222"]
    assert await registry.find_sip_config("1111111111") == one
    assert await registry.find_sip_config("2222222222") == two


async def test_sip_id_gives_up_when_every_draw_collides(
    registry: Registry, script_digits: Callable[[Iterable[str]], list[str]]
) -> None:
    drawn = script_digits(
        itertools.chain(["1111111111", "1111111111", "2222222222"], itertools.repeat("1111111111"))
    )
    first = await registry.create_room(ALICE, None, False)
    second = await registry.create_room(ALICE, None, False)
    one, _ = await registry.put_sip_config(first.id, password="5555555555", lobby=None)
    await registry.put_sip_config(second.id, password="5555555555", lobby=None)
    third = await registry.create_room(ALICE, None, False)
    del drawn[:]
    with pytest.raises(RegistryError):
        await registry.put_sip_config(third.id, password="5555555555", lobby=None)
    assert len(drawn) == SIP_ID_ATTEMPTS
    assert await registry.get_sip_config(third.id) is None
    assert await registry.get_room(third.id) == third  # still usable
    assert await registry.find_sip_config("1111111111") == one


async def test_deleting_a_sip_config_frees_its_id(
    registry: Registry, script_digits: Callable[[Iterable[str]], list[str]]
) -> None:
    script_digits(itertools.repeat("3333333333"))
    first = await registry.create_room(ALICE, None, False)
    second = await registry.create_room(BOB, None, False)
    one, _ = await registry.put_sip_config(first.id, password=None, lobby=None)
    assert await registry.delete_sip_config(first.id)
    two, created = await registry.put_sip_config(second.id, password=None, lobby=True)
    assert created and two.sip_id == one.sip_id == "3333333333"
    assert await registry.find_sip_config("3333333333") == two
    assert await registry.delete_sip_config(first.id) is False
    assert await registry.find_sip_config("3333333333") == two  # not the first room's any more
    # Deleting the room frees the id as well.
    assert await registry.delete_room(second.id)
    assert await registry.find_sip_config("3333333333") is None
    again, created = await registry.put_sip_config(first.id, password=None, lobby=None)
    assert created and again.sip_id == "3333333333" and again.room == first.id


# -- cascades and races -----------------------------------------------------------------------


async def test_deleting_a_room_deletes_its_invites_and_sip_config(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    other = await registry.create_room(ALICE, None, False)
    invites = [await registry.create_invite(room.id, ALICE, None) for _ in range(3)]
    await registry.revoke_invite(invites[0].invite_code, BOB)
    kept = await registry.create_invite(other.id, ALICE, None)
    sip, _ = await registry.put_sip_config(room.id, password=None, lobby=None)
    other_sip, _ = await registry.put_sip_config(other.id, password=None, lobby=None)

    assert await registry.delete_room(room.id)
    for invite in invites:
        assert await registry.get_invite(invite.invite_code) is None
        assert await registry.update_invite(invite.invite_code, ALICE, None) is None
        assert await registry.revoke_invite(invite.invite_code, ALICE) is None
    assert await registry.invites_of_room(room.id) == []
    assert await registry.get_sip_config(room.id) is None
    assert await registry.find_sip_config(sip.sip_id) is None
    assert await registry.delete_sip_config(room.id) is False
    with pytest.raises(UnknownRoomError):
        await registry.put_sip_config(room.id, password=None, lobby=None)
    assert await registry.rooms_created_by(ALICE.id) == [other]
    assert await registry.get_invite(kept.invite_code) == kept
    assert await registry.invites_of_room(other.id) == [kept]
    assert await registry.find_sip_config(other_sip.sip_id) == other_sip


async def test_concurrent_writes_are_serialised(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    results = await asyncio.gather(
        *(registry.create_invite(room.id, ALICE, None) for _ in range(50)),
        *(registry.update_room(room.id, waiting_room=i % 2 == 0) for i in range(50)),
        *(registry.update_room(room.id, password=str(i)) for i in range(50)),
    )
    assert len(results) == 150
    assert len(await registry.invites_of_room(room.id)) == 50
    final = await registry.get_room(room.id)
    assert final is not None and final.created_by == ALICE and final.created_at == room.created_at


async def test_updates_racing_a_delete_do_not_resurrect(registry: Registry) -> None:
    for _ in range(5):
        room = await registry.create_room(ALICE, "pw", False)
        invite = await registry.create_invite(room.id, ALICE, None)
        await registry.put_sip_config(room.id, password=None, lobby=None)
        outcomes = await asyncio.gather(
            *(registry.update_room(room.id, waiting_room=i % 2 == 0) for i in range(10)),
            *(registry.revoke_invite(invite.invite_code, BOB) for _ in range(5)),
            registry.delete_room(room.id),
            *(registry.update_room(room.id, password=None) for _ in range(10)),
            *(registry.update_invite(invite.invite_code, BOB, None) for _ in range(5)),
            *(registry.put_sip_config(room.id, password=None, lobby=True) for _ in range(5)),
            return_exceptions=True,
        )
        for outcome in outcomes:
            assert outcome is None or isinstance(
                outcome, Room | Invite | tuple | bool | UnknownRoomError
            ), outcome
        assert await registry.get_room(room.id) is None
        assert await registry.get_invite(invite.invite_code) is None
        assert await registry.get_sip_config(room.id) is None
        assert await registry.invites_of_room(room.id) == []
    assert await registry.rooms_created_by(ALICE.id) == []


async def test_sip_config_racing_a_room_delete(registry: Registry) -> None:
    for _ in range(10):
        room = await registry.create_room(ALICE, None, False)
        put, deleted = await asyncio.gather(
            registry.put_sip_config(room.id, password=None, lobby=None),
            registry.delete_room(room.id),
            return_exceptions=True,
        )
        assert deleted is True
        assert isinstance(put, tuple | UnknownRoomError)
        assert await registry.get_sip_config(room.id) is None
        if isinstance(put, tuple):
            config, _ = put
            assert isinstance(config, SipConfig)
            assert await registry.find_sip_config(config.sip_id) is None


async def test_concurrent_puts_create_one_sip_config(registry: Registry) -> None:
    room = await registry.create_room(ALICE, None, False)
    results = await asyncio.gather(
        *(registry.put_sip_config(room.id, password=None, lobby=i % 2 == 0) for i in range(20))
    )
    assert sum(created for _, created in results) == 1
    assert len({config.sip_id for config, _ in results}) == 1
    final = await registry.get_sip_config(room.id)
    assert final is not None and await registry.find_sip_config(final.sip_id) == final


# -- a model of the whole registry ------------------------------------------------------------

_USERS = ["alice", "bob", "ü:'\"*", ""]
_PASSWORDS = st.none() | st.text(max_size=6)
_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.one_of(st.none(), st.timezones()),
)
_DURATIONS = st.integers(MIN_DURATION, MAX_DURATION)
_UNSET = st.just(msgspec.UNSET)
_OPS = st.one_of(
    st.tuples(
        st.just("create"),
        st.sampled_from(_USERS),
        _PASSWORDS,
        st.booleans(),
        st.fixed_dictionaries(
            {},
            optional={
                "chat_persistence": st.booleans(),
                "starts_at": st.none() | _MOMENTS,
                "duration": st.none() | _DURATIONS,
            },
        ),
    ),
    st.tuples(
        st.just("update"),
        st.integers(0, 7),
        st.fixed_dictionaries(
            {
                "password": _UNSET | _PASSWORDS,
                "waiting_room": _UNSET | st.booleans(),
                "chat_persistence": _UNSET | st.booleans(),
                "starts_at": _UNSET | st.none() | _MOMENTS,
                "duration": _UNSET | st.none() | _DURATIONS,
            }
        ),
    ),
    st.tuples(st.just("delete"), st.integers(0, 7)),
    st.tuples(st.just("invite"), st.integers(0, 7)),
    st.tuples(st.just("sip"), st.integers(0, 7), st.none() | st.booleans()),
    st.tuples(st.just("unsip"), st.integers(0, 7)),
)


def _in_utc(moment: Any) -> Any:
    """A datetime in UTC (naive ones are UTC); anything else as it is."""
    if not isinstance(moment, datetime):
        return moment
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class _Model:
    """What the registry should hold: live rooms in creation order, their invites and SIP."""

    def __init__(self) -> None:
        self.created: list[str] = []  # every room id ever created, including deleted ones
        self.rooms: dict[str, Room] = {}
        self.invites: dict[str, list[Invite]] = {}
        self.sip: dict[str, SipConfig] = {}

    def pick(self, index: int) -> str:
        return self.created[index % len(self.created)] if self.created else str(uuid.uuid4())


async def _step(registry: Registry, model: _Model, op: tuple[Any, ...]) -> None:
    match op:
        case ("create", user, password, waiting_room, schedule):
            room = await registry.create_room(
                UserProfile(id=user), password, waiting_room, **schedule
            )
            expected = {"password": password, "waiting_room": waiting_room}
            expected |= {name: _in_utc(value) for name, value in schedule.items()}
            assert {name: getattr(room, name) for name in expected} == expected
            model.created.append(room.id)
            model.rooms[room.id] = room
            model.invites[room.id] = []
        case ("update", index, changes):
            room_id = model.pick(index)
            got = await registry.update_room(room_id, **changes)
            old = model.rooms.get(room_id)
            if old is None:
                assert got is None
                return
            given = {k: _in_utc(v) for k, v in changes.items() if v is not msgspec.UNSET}
            expected_room = msgspec.structs.replace(old, **given)
            assert got == expected_room
            model.rooms[room_id] = expected_room
        case ("delete", index):
            room_id = model.pick(index)
            assert await registry.delete_room(room_id) is (room_id in model.rooms)
            model.rooms.pop(room_id, None)
            model.invites.pop(room_id, None)
            model.sip.pop(room_id, None)
        case ("invite", index):
            room_id = model.pick(index)
            if room_id not in model.rooms:
                with pytest.raises(UnknownRoomError):
                    await registry.create_invite(room_id, ALICE, None)
                return
            model.invites[room_id].append(await registry.create_invite(room_id, ALICE, None))
        case ("sip", index, lobby):
            room_id = model.pick(index)
            if room_id not in model.rooms:
                with pytest.raises(UnknownRoomError):
                    await registry.put_sip_config(room_id, password=None, lobby=lobby)
                return
            config, created = await registry.put_sip_config(room_id, password=None, lobby=lobby)
            old_sip = model.sip.get(room_id)
            assert created is (old_sip is None)
            if old_sip is not None:
                assert (config.sip_id, config.password) == (old_sip.sip_id, old_sip.password)
                assert config.lobby is (old_sip.lobby if lobby is None else lobby)
            model.sip[room_id] = config
        case ("unsip", index):
            room_id = model.pick(index)
            assert await registry.delete_sip_config(room_id) is (room_id in model.sip)
            model.sip.pop(room_id, None)
        case _:
            raise AssertionError(op)


async def _check(registry: Registry, model: _Model) -> None:
    for user in _USERS:
        expected = [r for r in model.rooms.values() if r.created_by.id == user]
        expected.sort(key=lambda r: (r.created_at, model.created.index(r.id)))
        assert await registry.rooms_created_by(user) == expected, user
    for room_id in model.created:
        assert await registry.get_room(room_id) == model.rooms.get(room_id)
        assert await registry.invites_of_room(room_id) == model.invites.get(room_id, [])
        assert await registry.get_sip_config(room_id) == model.sip.get(room_id)
    for config in model.sip.values():
        assert await registry.find_sip_config(config.sip_id) == config
    assert len({c.sip_id for c in model.sip.values()}) == len(model.sip)


@settings(max_examples=25, deadline=None)
@given(ops=st.lists(_OPS, max_size=30))
async def test_matches_a_model(
    registry_backend_factory: BackendFactory, ops: list[tuple[Any, ...]]
) -> None:
    model = _Model()
    async with registry_backend_factory() as backend, backend.opened() as registry:
        for op in ops:
            await _step(registry, model, op)
        await _check(registry, model)


@settings(max_examples=20, deadline=None)
@given(
    expirations=st.lists(
        st.none()
        | st.datetimes(
            min_value=datetime(2000, 1, 1),
            max_value=datetime(2100, 1, 1),
            timezones=st.one_of(st.none(), st.timezones()),
        ),
        min_size=1,
        max_size=4,
    )
)
async def test_invite_expirations_round_trip(
    registry_backend_factory: BackendFactory, expirations: list[datetime | None]
) -> None:
    async with registry_backend_factory() as backend, backend.opened() as registry:
        room = await registry.create_room(ALICE, None, False)
        invite = await registry.create_invite(room.id, ALICE, expirations[0])
        for expiration in expirations[1:]:
            updated = await registry.update_invite(invite.invite_code, BOB, expiration)
            assert updated is not None
            invite = updated
        expected = expirations[-1]
        if expected is not None:
            # Naive means UTC. Compare in UTC: across zones, == is False when one side is an
            # ambiguous or missing wall time (PEP 495).
            expected = expected.replace(tzinfo=UTC) if expected.tzinfo is None else expected
            expected = expected.astimezone(UTC)
        assert invite.expiration == expected
        loaded = await registry.get_invite(invite.invite_code)
        assert loaded == invite
        assert loaded.expiration is None or loaded.expiration.utcoffset() == timedelta(0)


# -- what only the Redis layout promises ------------------------------------------------------


@pytest.fixture
async def redis_client(registry_redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(registry_redis_server.url)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.aclose()


@asynccontextmanager
async def _redis_registry(client: aioredis.Redis, prefix: str = PREFIX) -> AsyncIterator[Registry]:
    registry = RedisRegistry(client, prefix=prefix)
    await registry.open()
    try:
        yield registry
    finally:
        await registry.close()


async def _keys(client: aioredis.Redis) -> set[str]:
    return {key.decode() if isinstance(key, bytes) else key for key in await client.keys("*")}


async def test_redis_layout_has_no_ttls_and_delete_leaves_nothing(
    redis_client: aioredis.Redis,
) -> None:
    async with _redis_registry(redis_client) as reg:
        assert await _keys(redis_client) == {PREFIX + "registry:version"}
        room = await reg.create_room(ALICE, None, False)
        invite = await reg.create_invite(room.id, ALICE, datetime.now(UTC) + timedelta(hours=1))
        sip, _ = await reg.put_sip_config(room.id, password=None, lobby=None)
        base = PREFIX + "registry:"
        assert await _keys(redis_client) == {
            base + "version",
            base + f"room:{room.id}",
            base + "rooms-by:alice",
            base + f"invite:{invite.invite_code}",
            base + f"room-invites:{room.id}",
            base + f"sip:{room.id}",
            base + f"sip-id:{sip.sip_id}",
        }
        for key in await _keys(redis_client):
            assert await redis_client.ttl(key) == -1, key
        assert await redis_client.get(base + f"sip-id:{sip.sip_id}") == room.id.encode()
        assert await redis_client.get(base + "version") == b"1"
        assert await reg.delete_room(room.id)
        assert await _keys(redis_client) == {base + "version"}


async def test_redis_room_records_of_the_previous_release_still_decode(
    redis_client: aioredis.Redis,
) -> None:
    """A record written before ``chat_persistence``/``starts_at``/``duration`` existed."""
    async with _redis_registry(redis_client) as reg:
        room_id = str(uuid.uuid4())
        old = {
            "id": room_id,
            "created_by": {"id": "alice", "display_name": "Alice A."},
            "created_at": "2026-01-02T03:04:05.678901Z",
            "password": "pw",
            "waiting_room": True,
        }
        await redis_client.set(PREFIX + f"registry:room:{room_id}", msgspec.json.encode(old))
        await redis_client.zadd(PREFIX + "registry:rooms-by:alice", {room_id: 1})
        room = await reg.get_room(room_id)
        assert room is not None
        assert (room.password, room.waiting_room) == ("pw", True)
        assert (room.chat_persistence, room.starts_at, room.duration) == (False, None, None)
        assert await reg.rooms_created_by("alice") == [room]
        updated = await reg.update_room(room_id, duration=30)
        assert updated == msgspec.structs.replace(room, duration=30)
        assert await reg.get_room(room_id) == updated


async def test_redis_prefixes_isolate_registries(redis_client: aioredis.Redis) -> None:
    async with (
        _redis_registry(redis_client, "one:") as one,
        _redis_registry(redis_client, "two:") as two,
    ):
        room = await one.create_room(ALICE, None, False)
        assert await two.get_room(room.id) is None
        assert await two.rooms_created_by(ALICE.id) == []
        assert await one.rooms_created_by(ALICE.id) == [room]
        assert all(
            key.startswith(("one:registry:", "two:registry:")) for key in await _keys(redis_client)
        )


async def test_redis_close_leaves_the_client_open(redis_client: aioredis.Redis) -> None:
    async with _redis_registry(redis_client) as reg:
        await reg.create_room(ALICE, None, False)
    assert await redis_client.ping()


async def test_redis_decoded_responses_work(registry_redis_server: RedisServer) -> None:
    client = aioredis.Redis.from_url(registry_redis_server.url, decode_responses=True)
    try:
        await client.flushdb()
        async with _redis_registry(client) as reg:
            room = await reg.create_room(ALICE, "pw", True)
            invite = await reg.create_invite(room.id, ALICE, None)
            sip, _ = await reg.put_sip_config(room.id, password=None, lobby=None)
            assert await reg.get_room(room.id) == room
            assert await reg.rooms_created_by(ALICE.id) == [room]
            assert await reg.invites_of_room(room.id) == [invite]
            assert await reg.find_sip_config(sip.sip_id) == sip
            assert await reg.update_room(room.id, password=None) is not None
            assert await reg.delete_room(room.id)
    finally:
        await client.aclose()


async def test_redis_open_refuses_an_unreadable_version(redis_client: aioredis.Redis) -> None:
    await redis_client.set(PREFIX + "registry:version", "not a number")
    reg = RedisRegistry(redis_client, prefix=PREFIX)
    with pytest.raises(RegistryError, match="no schema version"):
        await reg.open()
    with pytest.raises(RegistryError):
        await reg.get_room("x")


async def test_redis_open_fails_cleanly_without_a_server() -> None:
    client = aioredis.Redis(port=free_port(), socket_connect_timeout=1)
    try:
        with pytest.raises(RegistryError, match="not usable"):
            await RedisRegistry(client).open()
    finally:
        await client.aclose()


def _interfere_after_first_read(
    monkeypatch: pytest.MonkeyPatch,
    client: aioredis.Redis,
    key_suffix: str,
    action: Callable[[], Awaitable[Any]],
) -> None:
    """Run ``action`` (on another client) right after ``client`` first reads a matching key."""
    original = client.get
    fired = False

    async def get(name: Any) -> Any:
        nonlocal fired
        value = await original(name)
        if not fired and str(name).endswith(key_suffix):
            fired = True
            await action()
        return value

    monkeypatch.setattr(client, "get", get)


async def test_redis_updates_do_not_resurrect_a_room_deleted_meanwhile(
    redis_client: aioredis.Redis,
    registry_redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other_client = aioredis.Redis.from_url(registry_redis_server.url)
    try:
        async with _redis_registry(redis_client) as reg, _redis_registry(other_client) as other:
            for method in ("update_room", "update_invite", "revoke_invite", "put_sip_config"):
                room = await reg.create_room(ALICE, None, False)
                invite = await reg.create_invite(room.id, ALICE, None)
                await reg.put_sip_config(room.id, password=None, lobby=None)
                suffix = {
                    "update_room": f"room:{room.id}",
                    "update_invite": f"invite:{invite.invite_code}",
                    "revoke_invite": f"invite:{invite.invite_code}",
                    "put_sip_config": f"sip:{room.id}",
                }[method]
                with monkeypatch.context() as patch:
                    _interfere_after_first_read(
                        patch, redis_client, suffix, functools.partial(other.delete_room, room.id)
                    )
                    if method == "update_room":
                        assert await reg.update_room(room.id, password="x") is None
                    elif method == "update_invite":
                        assert await reg.update_invite(invite.invite_code, BOB, None) is None
                    elif method == "revoke_invite":
                        assert await reg.revoke_invite(invite.invite_code, BOB) is None
                    else:
                        with pytest.raises(UnknownRoomError):
                            await reg.put_sip_config(room.id, password=None, lobby=True)
                assert await _keys(redis_client) == {PREFIX + "registry:version"}, method
    finally:
        await other_client.aclose()


async def test_redis_update_retries_after_a_concurrent_change(
    redis_client: aioredis.Redis,
    registry_redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other_client = aioredis.Redis.from_url(registry_redis_server.url)
    try:
        async with _redis_registry(redis_client) as reg, _redis_registry(other_client) as other:
            room = await reg.create_room(ALICE, None, False)
            _interfere_after_first_read(
                monkeypatch,
                redis_client,
                f"room:{room.id}",
                lambda: other.update_room(room.id, waiting_room=True),
            )
            updated = await reg.update_room(room.id, password="pw")
            assert updated is not None and (updated.password, updated.waiting_room) == ("pw", True)
            assert await other.get_room(room.id) == updated
    finally:
        await other_client.aclose()
