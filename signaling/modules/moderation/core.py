"""The moderation namespace's rules, pure (reference §8): whom a command may touch, checked
in the reference's order."""

from __future__ import annotations

from signaling.modules.moderation.types import ErrorCode, KickScope, Refusal
from signaling.state import Participant, Role


def present(target: Participant | None) -> Participant | None:
    """A command's target if it is a present member (else the command is ignored, §8.2)."""
    return target if target is not None and target.left_at is None else None


def never_waits(participant: Participant) -> bool:
    """Moderators and recorders skip the waiting room (§5.1 step 4)."""
    return participant.role == "moderator" or participant.kind == "recorder"


def in_scope(scope: KickScope, role: Role) -> bool:
    """Whether a participant of ``role`` is sent away by a debriefing of ``scope``."""
    return scope == "all" or role == "guest" or (scope == "users_and_guests" and role == "user")


def hand_targets(target: str | list[str] | None) -> set[str] | None:
    """``reset_raised_hands`` targets: None is everyone."""
    if target is None:
        return None
    return {target} if isinstance(target, str) else set(target)


def ban_refusal(target: Participant) -> Refusal | None:
    """Why ``target`` may not be banned; None if it may."""
    if target.is_room_owner:
        return "cannot_ban_room_owner"
    if target.user_id is None:
        return "cannot_ban_guest"
    return None


def send_back_refusal(target: Participant) -> Refusal | None:
    """Why ``target`` may not be sent to the waiting room; None if it may."""
    return "cannot_send_room_owner_to_waiting_room" if target.is_room_owner else None


def rename_refusal(target: Participant) -> ErrorCode | None:
    """Why ``target`` may not be renamed (registered users keep their names); None if it may."""
    return None if target.kind in ("guest", "sip") else "cannot_change_name_of_registered_users"
