"""Commands and events of the ``moderation`` namespace (reference §8)."""

from __future__ import annotations

from typing import Literal

import msgspec

# -- commands ------------------------------------------------------------------------------


class EnableRaiseHands(msgspec.Struct, tag_field="action", tag="enable_raise_hands"):
    pass


class DisableRaiseHands(msgspec.Struct, tag_field="action", tag="disable_raise_hands"):
    pass


class ResetRaisedHands(msgspec.Struct, tag_field="action", tag="reset_raised_hands"):
    target: str | list[str] | None = None


Command = EnableRaiseHands | DisableRaiseHands | ResetRaisedHands

# -- events --------------------------------------------------------------------------------


class RaiseHandsEnabled(msgspec.Struct, tag_field="message", tag="raise_hands_enabled"):
    issued_by: str


class RaiseHandsDisabled(msgspec.Struct, tag_field="message", tag="raise_hands_disabled"):
    issued_by: str


class RaisedHandResetByModerator(
    msgspec.Struct, tag_field="message", tag="raised_hand_reset_by_moderator"
):
    issued_by: str


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: Literal["insufficient_permissions", "service_unavailable", "internal_error"]


Event = RaiseHandsEnabled | RaiseHandsDisabled | RaisedHandResetByModerator | Error


class WaitingParticipant(msgspec.Struct):
    id: str
    control: dict[str, object]
    waiting_room_state: Literal["waiting", "accepted"]


class ModerationJoinData(msgspec.Struct, omit_defaults=True):
    """Everyone gets ``raise_hands_enabled``; moderators also the waiting room (§8.1)."""

    raise_hands_enabled: bool
    waiting_room_enabled: bool | None = None
    waiting_room_participants: list[WaitingParticipant] | None = None
