"""Commands and events of the ``moderation`` namespace, the waiting room included (§8)."""

from __future__ import annotations

from typing import Literal

import msgspec

from signaling.modules.control.types import ControlPeer

# -- commands (all moderator-only) ----------------------------------------------------------


class Kick(msgspec.Struct, tag_field="action", tag="kick"):
    target: str


class Ban(msgspec.Struct, tag_field="action", tag="ban"):
    target: str


class SendToWaitingRoom(msgspec.Struct, tag_field="action", tag="send_to_waiting_room"):
    target: str


KickScope = Literal["guests", "users_and_guests", "all"]


class Debrief(msgspec.Struct, tag_field="action", tag="debrief"):
    kick_scope: KickScope


class ChangeDisplayName(msgspec.Struct, tag_field="action", tag="change_display_name"):
    target: str
    new_name: str


class EnableWaitingRoom(msgspec.Struct, tag_field="action", tag="enable_waiting_room"):
    pass


class DisableWaitingRoom(msgspec.Struct, tag_field="action", tag="disable_waiting_room"):
    pass


class Accept(msgspec.Struct, tag_field="action", tag="accept"):
    target: str


class EnableRaiseHands(msgspec.Struct, tag_field="action", tag="enable_raise_hands"):
    pass


class DisableRaiseHands(msgspec.Struct, tag_field="action", tag="disable_raise_hands"):
    pass


class ResetRaisedHands(msgspec.Struct, tag_field="action", tag="reset_raised_hands"):
    target: str | list[str] | None = None


Command = (
    Kick
    | Ban
    | SendToWaitingRoom
    | Debrief
    | ChangeDisplayName
    | EnableWaitingRoom
    | DisableWaitingRoom
    | Accept
    | EnableRaiseHands
    | DisableRaiseHands
    | ResetRaisedHands
)

# -- events --------------------------------------------------------------------------------


class Kicked(msgspec.Struct, tag_field="message", tag="kicked"):
    pass


class Banned(msgspec.Struct, tag_field="message", tag="banned"):
    pass


class SentToWaitingRoom(msgspec.Struct, tag_field="message", tag="sent_to_waiting_room"):
    pass


class SessionEnded(msgspec.Struct, tag_field="message", tag="session_ended"):
    """A debriefing sent the recipient away, or the room's backend ended the meeting session
    by REST (``issued_by`` null)."""

    issued_by: str | None


class DebriefingStarted(msgspec.Struct, tag_field="message", tag="debriefing_started"):
    issued_by: str


class InWaitingRoom(msgspec.Struct, tag_field="message", tag="in_waiting_room"):
    pass


class JoinedWaitingRoom(msgspec.Struct, tag_field="message", tag="joined_waiting_room"):
    id: str
    control: ControlPeer


class LeftWaitingRoom(msgspec.Struct, tag_field="message", tag="left_waiting_room"):
    id: str


class Accepted(msgspec.Struct, tag_field="message", tag="accepted"):
    pass


class DisplayNameChanged(msgspec.Struct, tag_field="message", tag="display_name_changed"):
    target: str
    issued_by: str
    old_name: str
    new_name: str


class WaitingRoomEnabled(msgspec.Struct, tag_field="message", tag="waiting_room_enabled"):
    pass


class WaitingRoomDisabled(msgspec.Struct, tag_field="message", tag="waiting_room_disabled"):
    pass


class RaiseHandsEnabled(msgspec.Struct, tag_field="message", tag="raise_hands_enabled"):
    issued_by: str


class RaiseHandsDisabled(msgspec.Struct, tag_field="message", tag="raise_hands_disabled"):
    issued_by: str


class RaisedHandResetByModerator(
    msgspec.Struct, tag_field="message", tag="raised_hand_reset_by_moderator"
):
    issued_by: str


#: Why a kick, ban or send_to_waiting_room of a present participant is refused.
Refusal = Literal[
    "cannot_ban_guest",
    "cannot_ban_room_owner",
    "cannot_send_room_owner_to_waiting_room",
]

ErrorCode = Literal[
    "insufficient_permissions",
    Refusal,
    "cannot_change_name_of_registered_users",
    "invalid_display_name",
    "service_unavailable",
    "internal_error",
]


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: ErrorCode


Event = (
    Kicked
    | Banned
    | SentToWaitingRoom
    | SessionEnded
    | DebriefingStarted
    | InWaitingRoom
    | JoinedWaitingRoom
    | LeftWaitingRoom
    | Accepted
    | DisplayNameChanged
    | WaitingRoomEnabled
    | WaitingRoomDisabled
    | RaiseHandsEnabled
    | RaiseHandsDisabled
    | RaisedHandResetByModerator
    | Error
)


class WaitingParticipant(msgspec.Struct):
    id: str
    control: ControlPeer
    waiting_room_state: Literal["waiting", "accepted"]


class ModerationJoinData(msgspec.Struct, omit_defaults=True):
    """Everyone gets ``raise_hands_enabled``; moderators also the waiting room (§8.1)."""

    raise_hands_enabled: bool
    waiting_room_enabled: bool | None = None
    waiting_room_participants: list[WaitingParticipant] | None = None
