"""The ExpiringStore contract (signaling/store/__init__.py), run against every backend."""

from __future__ import annotations

import asyncio
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.store import ExpiringStore
from tests.contracts.conftest import Factory

SHORT = 0.05  # a TTL that expires during a test
PAST_SHORT = 0.12  # sleeping this long outlives SHORT with a margin
LONG = 60.0  # a TTL that never expires during a test


def _key(name: str = "k") -> str:
    return f"test:{uuid.uuid4().hex}:{name}"


async def test_put_then_get(expiring_store: ExpiringStore) -> None:
    key = _key()
    assert await expiring_store.get(key) is None
    await expiring_store.put(key, b"v1", LONG)
    assert await expiring_store.get(key) == b"v1"
    assert await expiring_store.get(key) == b"v1"  # get does not consume


async def test_put_overwrites_value_and_ttl(expiring_store: ExpiringStore) -> None:
    key = _key()
    await expiring_store.put(key, b"old", SHORT)
    await expiring_store.put(key, b"new", LONG)
    await asyncio.sleep(PAST_SHORT)
    assert await expiring_store.get(key) == b"new"


async def test_keys_are_independent(expiring_store: ExpiringStore) -> None:
    a, b = _key("a"), _key("b")
    await expiring_store.put(a, b"A", LONG)
    await expiring_store.put(b, b"B", LONG)
    await expiring_store.delete(a)
    assert await expiring_store.get(a) is None
    assert await expiring_store.get(b) == b"B"


async def test_expired_key_behaves_like_absent(expiring_store: ExpiringStore) -> None:
    keys = [_key(str(i)) for i in range(6)]
    for key in keys:
        await expiring_store.put(key, b"v", SHORT)
    assert await expiring_store.get(keys[0]) == b"v"
    await asyncio.sleep(PAST_SHORT)
    assert await expiring_store.get(keys[0]) is None
    assert await expiring_store.take(keys[1]) is None
    assert await expiring_store.refresh(keys[2], LONG) is False
    assert await expiring_store.refresh_if(keys[3], b"v", LONG) is False
    assert await expiring_store.delete_if(keys[4], b"v") is False
    assert await expiring_store.put_new(keys[5], b"w", LONG) is True
    assert await expiring_store.get(keys[5]) == b"w"
    # refresh on an expired key must not have revived it
    assert await expiring_store.get(keys[2]) is None
    assert await expiring_store.get(keys[3]) is None


async def test_put_new_only_once_while_the_key_lives(expiring_store: ExpiringStore) -> None:
    key = _key()
    assert await expiring_store.put_new(key, b"first", SHORT) is True
    assert await expiring_store.put_new(key, b"second", LONG) is False
    assert await expiring_store.get(key) == b"first"
    await asyncio.sleep(PAST_SHORT)  # the failed put_new did not extend the TTL
    assert await expiring_store.put_new(key, b"third", LONG) is True
    assert await expiring_store.get(key) == b"third"


async def test_put_new_succeeds_after_delete(expiring_store: ExpiringStore) -> None:
    key = _key()
    assert await expiring_store.put_new(key, b"a", LONG)
    await expiring_store.delete(key)
    assert await expiring_store.put_new(key, b"b", LONG)
    assert await expiring_store.get(key) == b"b"


async def test_concurrent_put_new_has_exactly_one_winner(expiring_store: ExpiringStore) -> None:
    key = _key()
    values = [f"owner-{i}".encode() for i in range(20)]
    results = await asyncio.gather(*(expiring_store.put_new(key, v, LONG) for v in values))
    assert results.count(True) == 1
    winner = values[results.index(True)]
    assert await expiring_store.get(key) == winner


async def test_take_returns_and_removes(expiring_store: ExpiringStore) -> None:
    key = _key()
    await expiring_store.put(key, b"ticket", LONG)
    assert await expiring_store.take(key) == b"ticket"
    assert await expiring_store.take(key) is None
    assert await expiring_store.get(key) is None


async def test_take_hands_the_value_to_exactly_one_of_many(
    expiring_store: ExpiringStore,
) -> None:
    key = _key()
    await expiring_store.put(key, b"only-once", LONG)
    results = await asyncio.gather(*(expiring_store.take(key) for _ in range(25)))
    assert [r for r in results if r is not None] == [b"only-once"]
    assert await expiring_store.get(key) is None


async def test_refresh_extends_a_live_key(expiring_store: ExpiringStore) -> None:
    key = _key()
    await expiring_store.put(key, b"v", SHORT)
    assert await expiring_store.refresh(key, LONG) is True
    await asyncio.sleep(PAST_SHORT)
    assert await expiring_store.get(key) == b"v"


async def test_refresh_can_shorten(expiring_store: ExpiringStore) -> None:
    key = _key()
    await expiring_store.put(key, b"v", LONG)
    assert await expiring_store.refresh(key, SHORT) is True
    await asyncio.sleep(PAST_SHORT)
    assert await expiring_store.get(key) is None


async def test_refresh_missing_key_is_false_and_creates_nothing(
    expiring_store: ExpiringStore,
) -> None:
    key = _key()
    assert await expiring_store.refresh(key, LONG) is False
    assert await expiring_store.get(key) is None


async def test_refresh_if_only_for_the_owner(expiring_store: ExpiringStore) -> None:
    key = _key()
    await expiring_store.put(key, b"owner-a", SHORT)
    assert await expiring_store.refresh_if(key, b"owner-b", LONG) is False
    assert await expiring_store.refresh_if(key, b"owner-a", LONG) is True
    await asyncio.sleep(PAST_SHORT)
    assert await expiring_store.get(key) == b"owner-a"


async def test_refresh_if_with_wrong_value_does_not_extend(
    expiring_store: ExpiringStore,
) -> None:
    key = _key()
    await expiring_store.put(key, b"owner-a", SHORT)
    assert await expiring_store.refresh_if(key, b"owner-b", LONG) is False
    await asyncio.sleep(PAST_SHORT)
    assert await expiring_store.get(key) is None


async def test_refresh_if_missing_key_creates_nothing(expiring_store: ExpiringStore) -> None:
    key = _key()
    assert await expiring_store.refresh_if(key, b"v", LONG) is False
    assert await expiring_store.get(key) is None


async def test_delete_if_only_deletes_the_owners_value(expiring_store: ExpiringStore) -> None:
    key = _key()
    await expiring_store.put(key, b"owner-a", LONG)
    assert await expiring_store.delete_if(key, b"owner-b") is False
    assert await expiring_store.get(key) == b"owner-a"
    assert await expiring_store.delete_if(key, b"owner-a") is True
    assert await expiring_store.get(key) is None
    assert await expiring_store.delete_if(key, b"owner-a") is False


async def test_stale_owner_cannot_release_a_new_owners_lock(
    expiring_store: ExpiringStore,
) -> None:
    key = _key()
    assert await expiring_store.put_new(key, b"stale", SHORT)
    await asyncio.sleep(PAST_SHORT)
    assert await expiring_store.put_new(key, b"fresh", LONG)
    assert await expiring_store.delete_if(key, b"stale") is False
    assert await expiring_store.refresh_if(key, b"stale", LONG) is False
    assert await expiring_store.get(key) == b"fresh"


async def test_delete_is_unconditional_and_idempotent(expiring_store: ExpiringStore) -> None:
    key = _key()
    await expiring_store.put(key, b"v", LONG)
    await expiring_store.delete(key)
    await expiring_store.delete(key)
    assert await expiring_store.get(key) is None


async def test_binary_values_round_trip(expiring_store: ExpiringStore) -> None:
    key = _key()
    value = bytes(range(256))
    await expiring_store.put(key, value, LONG)
    assert await expiring_store.get(key) == value
    assert await expiring_store.take(key) == value


async def test_the_all_operations_answer_key_by_key(expiring_store: ExpiringStore) -> None:
    """``get_all``, ``refresh_all`` and ``refresh_all_if`` over more keys than one Redis
    pipeline batch: one answer per key, in order, each as its single operation gives it."""
    keys = [_key(str(i)) for i in range(2500)]
    held = set(keys[::3])
    for key in held:
        await expiring_store.put(key, b"owner", LONG)
    assert await expiring_store.get_all(keys) == [b"owner" if k in held else None for k in keys]
    owners = [(key, b"owner" if i % 2 else b"other") for i, key in enumerate(keys)]
    assert await expiring_store.refresh_all_if(owners, LONG) == [
        key in held and value == b"owner" for key, value in owners
    ]
    assert await expiring_store.refresh_all(keys, LONG) == [key in held for key in keys]
    assert await expiring_store.get_all([]) == []


async def test_the_all_refreshes_extend_the_ttl(expiring_store: ExpiringStore) -> None:
    mine, theirs, plain = _key("mine"), _key("theirs"), _key("plain")
    for key in (mine, theirs, plain):
        await expiring_store.put(key, b"owner", SHORT)
    assert await expiring_store.refresh_all_if([(mine, b"owner"), (theirs, b"x")], LONG) == [
        True,
        False,
    ]
    assert await expiring_store.refresh_all([plain], LONG) == [True]
    await asyncio.sleep(PAST_SHORT)
    assert await expiring_store.get_all([mine, theirs, plain]) == [b"owner", None, b"owner"]


# --- a model with no expiry ------------------------------------------------------------------

_KEYS = st.sampled_from(["a", "b", "c"])
_VALUES = st.sampled_from([b"x", b"y", b""])
_OPS = st.one_of(
    st.tuples(st.just("put"), _KEYS, _VALUES),
    st.tuples(st.just("put_new"), _KEYS, _VALUES),
    st.tuples(st.just("get"), _KEYS, st.none()),
    st.tuples(st.just("take"), _KEYS, st.none()),
    st.tuples(st.just("refresh"), _KEYS, st.none()),
    st.tuples(st.just("refresh_if"), _KEYS, _VALUES),
    st.tuples(st.just("delete"), _KEYS, st.none()),
    st.tuples(st.just("delete_if"), _KEYS, _VALUES),
)


async def _apply(
    store: ExpiringStore, model: dict[str, bytes], op: str, key: str, value: bytes | None
) -> tuple[object, object]:
    """Run one operation on the store and the model; return (store result, model result)."""
    if op == "put":
        assert value is not None
        model[key] = value
        await store.put(key, value, LONG)
        return None, None
    if op == "put_new":
        assert value is not None
        expected = key not in model
        if expected:
            model[key] = value
        return await store.put_new(key, value, LONG), expected
    if op == "get":
        return await store.get(key), model.get(key)
    if op == "take":
        return await store.take(key), model.pop(key, None)
    if op == "refresh":
        return await store.refresh(key, LONG), key in model
    if op == "refresh_if":
        return await store.refresh_if(key, value or b"", LONG), model.get(key) == value
    if op == "delete":
        model.pop(key, None)
        await store.delete(key)
        return None, None
    assert op == "delete_if"
    matches = key in model and model[key] == value
    if matches:
        del model[key]
    return await store.delete_if(key, value or b""), matches


@settings(max_examples=150, deadline=None)
@given(ops=st.lists(_OPS, max_size=40))
async def test_matches_a_dict_model_without_expiry(
    expiring_store_factory: Factory[ExpiringStore],
    ops: list[tuple[str, str, bytes | None]],
) -> None:
    prefix = f"model:{uuid.uuid4().hex}:"
    model: dict[str, bytes] = {}
    async with expiring_store_factory() as store:
        for step, (op, name, value) in enumerate(ops):
            got, expected = await _apply(store, model, op, prefix + name, value)
            assert got == expected, f"step {step}: {op}({name!r}, {value!r})"
        for name in ("a", "b", "c"):
            assert await store.get(prefix + name) == model.get(prefix + name)
