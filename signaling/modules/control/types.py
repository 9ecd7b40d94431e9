"""Commands and events of the ``control`` namespace (reference §7)."""

from __future__ import annotations

from typing import Literal

import msgspec

from signaling.state import Kind, LeaveReason, Role
from signaling.tariff import Tariff
from signaling.wire import Timestamp

# -- commands ------------------------------------------------------------------------------


class Join(msgspec.Struct, tag_field="action", tag="join"):
    display_name: str | None = None


class EnterRoom(msgspec.Struct, tag_field="action", tag="enter_room"):
    pass


class RaiseHand(msgspec.Struct, tag_field="action", tag="raise_hand"):
    pass


class LowerHand(msgspec.Struct, tag_field="action", tag="lower_hand"):
    pass


class GrantModeratorRole(msgspec.Struct, tag_field="action", tag="grant_moderator_role"):
    target: str


class RevokeModeratorRole(msgspec.Struct, tag_field="action", tag="revoke_moderator_role"):
    target: str


Command = Join | EnterRoom | RaiseHand | LowerHand | GrantModeratorRole | RevokeModeratorRole

# -- events --------------------------------------------------------------------------------


class ControlPeer(msgspec.Struct, omit_defaults=True, kw_only=True):
    """A participant's ``control`` data as others see it (§7.2)."""

    display_name: str
    role: Role
    avatar_url: str | None = None
    participation_kind: Kind
    hand_is_up: bool
    hand_updated_at: Timestamp
    joined_at: Timestamp
    left_at: Timestamp | None
    is_room_owner: bool


class CreatedBy(msgspec.Struct, omit_defaults=True, kw_only=True):
    title: str
    firstname: str
    lastname: str
    display_name: str
    avatar_url: str | None = None


class RoomInfo(msgspec.Struct, omit_defaults=True, kw_only=True):
    id: str
    password: str | None = None  # moderators only (§17.16)
    created_by: CreatedBy


class JoinSuccess(
    msgspec.Struct, tag_field="message", tag="join_success", omit_defaults=True, kw_only=True
):
    """The core of ``join_success``; each module adds its own key beside these (§7.2)."""

    id: str
    display_name: str
    avatar_url: str | None = None
    role: Role
    is_room_owner: bool
    closes_at: Timestamp | None = None
    tariff: Tariff
    room_info: RoomInfo
    participants: list[dict[str, object]]


class JoinBlocked(msgspec.Struct, tag_field="message", tag="join_blocked"):
    reason: Literal["participant_limit_reached"] = "participant_limit_reached"


class Joined(msgspec.Struct, tag_field="message", tag="joined"):
    """A participant's public data: ``id`` plus one key per module (``control``, ``chat``…)."""

    id: str
    control: ControlPeer


class Update(msgspec.Struct, tag_field="message", tag="update"):
    id: str
    control: ControlPeer


class Left(msgspec.Struct, tag_field="message", tag="left"):
    id: str
    reason: LeaveReason


class HandRaised(msgspec.Struct, tag_field="message", tag="hand_raised"):
    pass


class HandLowered(msgspec.Struct, tag_field="message", tag="hand_lowered"):
    pass


class RoleUpdated(msgspec.Struct, tag_field="message", tag="role_updated"):
    new_role: Role


class ModeratorRoleGranted(msgspec.Struct, tag_field="message", tag="moderator_role_granted"):
    target: str


class ModeratorRoleRevoked(msgspec.Struct, tag_field="message", tag="moderator_role_revoked"):
    target: str


class TimeLimitQuotaElapsed(msgspec.Struct, tag_field="message", tag="time_limit_quota_elapsed"):
    pass


class RoomDeleted(msgspec.Struct, tag_field="message", tag="room_deleted"):
    pass


class RateLimitExceeded(msgspec.Struct, tag_field="message", tag="rate_limit_exceeded"):
    pass


ErrorCode = Literal[
    "invalid_json",
    "invalid_namespace",
    "invalid_username",
    "already_joined",
    "not_yet_joined",
    "not_accepted_or_not_in_waiting_room",
    "raise_hands_disabled",
    "insufficient_permissions",
    "target_is_room_owner",
    "nothing_to_do",
    "service_unavailable",
    "internal_error",
]


class Error(msgspec.Struct, tag_field="message", tag="error"):
    error: ErrorCode


Event = (
    JoinSuccess
    | JoinBlocked
    | Joined
    | Update
    | Left
    | HandRaised
    | HandLowered
    | RoleUpdated
    | ModeratorRoleGranted
    | ModeratorRoleRevoked
    | TimeLimitQuotaElapsed
    | RoomDeleted
    | RateLimitExceeded
    | Error
)
