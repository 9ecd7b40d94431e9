"""The rooms' ``chat_persistence``, ``starts_at`` and ``duration`` over REST, on both
backends: set on create and PATCH, cleared with null, shown in every room view, and bad
values refused with 422 naming the field and changing nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.client import Api, Json


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [error["field"] for error in body["errors"]] == [field], body


async def test_the_fields_default_to_off_and_unset(owner: Api) -> None:
    room = await owner.create_room()
    assert (room["chat_persistence"], room["starts_at"], room["duration"]) == (False, None, None)


async def test_create_sets_them_and_every_view_shows_them(owner: Api, user: Api) -> None:
    room = await owner.create_room(
        chat_persistence=True, starts_at="2030-05-01T11:30:00+02:00", duration=90
    )
    assert room["chat_persistence"] is True and room["duration"] == 90
    assert room["starts_at"] == "2030-05-01T09:30:00.000000Z"  # in UTC, as every timestamp
    url = f"/v1/rooms/{room['id']}"
    assert _ok(await owner.request("GET", url)) == room
    others_view = _ok(await user.request("GET", url))
    assert others_view == {k: v for k, v in room.items() if k != "password"}
    listed: list[Json] = _ok(await owner.request("GET", "/v1/rooms"))
    assert [r for r in listed if r["id"] == room["id"]] == [room]


async def test_patch_changes_and_clears_them(owner: Api) -> None:
    room = await owner.create_room()
    url = f"/v1/rooms/{room['id']}"
    body = {"chat_persistence": True, "starts_at": "2030-01-01T08:00:00Z", "duration": 1440}
    patched = _ok(await owner.request("PATCH", url, body))
    expected = {**room, **body, "starts_at": "2030-01-01T08:00:00.000000Z"}
    assert patched == expected
    patched = _ok(await owner.request("PATCH", url, {"waiting_room": True}))
    assert patched == {**expected, "waiting_room": True}  # absent fields stay
    cleared = _ok(await owner.request("PATCH", url, {"starts_at": None, "duration": None}))
    assert cleared == {**expected, "waiting_room": True, "starts_at": None, "duration": None}
    assert (
        _ok(await owner.request("PATCH", url, {"chat_persistence": False}))["chat_persistence"]
        is False
    )
    assert _ok(await owner.request("GET", url))["chat_persistence"] is False


BAD_VALUES = [
    ({"duration": 0}, "duration"),
    ({"duration": 1441}, "duration"),
    ({"duration": 1.5}, "duration"),
    ({"duration": "60"}, "duration"),
    ({"starts_at": "2030-01-01T08:00:00"}, "starts_at"),  # no offset
    ({"starts_at": "2030-01-01"}, "starts_at"),
    ({"starts_at": "tomorrow"}, "starts_at"),
    ({"starts_at": 1893484800}, "starts_at"),
    ({"starts_at": "0001-01-01T00:00:00+01:00"}, "starts_at"),  # before year 1 in UTC
    ({"starts_at": "9999-12-31T23:59:59-01:00"}, "starts_at"),  # after year 9999 in UTC
    ({"chat_persistence": None}, "chat_persistence"),
    ({"chat_persistence": "yes"}, "chat_persistence"),
]


@pytest.mark.parametrize(("body", "field"), BAD_VALUES)
async def test_create_refuses_bad_values(owner: Api, body: dict[str, Any], field: str) -> None:
    before = _ok(await owner.request("GET", "/v1/rooms"))
    response = await owner.request("POST", "/v1/rooms", {"enable_sip": False, **body})
    _refused(response, field)
    assert _ok(await owner.request("GET", "/v1/rooms")) == before


@pytest.mark.parametrize(("body", "field"), BAD_VALUES)
async def test_patch_refuses_bad_values(owner: Api, body: dict[str, Any], field: str) -> None:
    room = await owner.create_room(starts_at="2030-01-01T08:00:00Z", duration=30)
    url = f"/v1/rooms/{room['id']}"
    _refused(await owner.request("PATCH", url, {"waiting_room": True, **body}), field)
    assert _ok(await owner.request("GET", url)) == room
