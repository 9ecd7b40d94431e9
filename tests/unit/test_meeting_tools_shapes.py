"""The web app's fatal shapes (supplement A.8, B.7, C.3) are required by the committed
AsyncAPI document, which every frame of the end-to-end tests is checked against: the
talking stick's ``history`` and ``remaining`` arrays in ``started`` and in
``join_success.automod.config``, the ballot's ``allowed_participants`` array in ``started``
and in every vote summary, and module keys that are absent rather than null."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.conformance import load_document

ARRAYS = [
    ("automod.Started", "history"),
    ("automod.Started", "remaining"),
    ("automod.Config", "history"),
    ("automod.Config", "remaining"),
    ("legal_vote.Started", "allowed_participants"),
    ("legal_vote.Summary", "allowed_participants"),
]


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = load_document()["components"]["schemas"]
    return schemas


@pytest.mark.parametrize(("component", "field"), ARRAYS)
def test_the_arrays_the_web_app_needs_are_required(
    schemas: dict[str, Any], component: str, field: str
) -> None:
    schema = schemas[component]
    assert field in schema["required"]
    assert schema["properties"][field]["type"] == "array"


def test_join_success_keys_are_never_null(schemas: dict[str, Any]) -> None:
    properties = schemas["control.JoinSuccess"]["properties"]
    for key in ("timer", "legal_vote", "automod"):
        assert set(properties[key]) == {"$ref", "description"}  # an object, not nullable
        assert key not in schemas["control.JoinSuccess"].get("required", [])
    assert schemas["automod.JoinData"]["required"] == ["config", "speaker"]
