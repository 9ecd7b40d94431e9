"""Command payloads as the OpenTalk web app v2.8.0 sends them, for the module tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Json = dict[str, Any]


def talking_stick(playlist: Sequence[str | None] | None, **fields: Any) -> Json:
    """The automod ``start`` of the Talking stick tab (supplement B.7); ``fields`` override."""
    command: Json = {
        "action": "start",
        "selection_strategy": "playlist",
        "show_list": True,
        "consider_hand_raise": False,
        "allow_double_selection": False,
        "animation_on_random": False,
        "auto_append_on_join": True,
        "playlist": None if playlist is None else list(playlist),
    }
    return command | fields
