"""The control namespace's rules, pure (reference §5.1, §7): who a joiner is, what others see
of it, and who may change whose role, checked in the reference's order."""

from __future__ import annotations

from signaling.modules.control.names import mask_phone_number, normalise_display_name
from signaling.modules.control.types import ControlPeer, ErrorCode
from signaling.state import Kind, Participant, Role


def display_name(kind: Kind, given: str | None, account_name: str) -> str | None:
    """The joiner's name: a SIP caller's number masked, a user's account name when it gives
    none; None if what is left is not a valid name (``invalid_username``)."""
    if kind == "sip" and given is not None:
        given = mask_phone_number(given)
    elif given is None and kind == "user":
        given = account_name
    return normalise_display_name(given)


def initial_role(kind: Kind, is_room_owner: bool) -> Role:
    """The room's owner moderates; other registered users are users, everyone else a guest."""
    if is_room_owner:
        return "moderator"
    return "user" if kind == "user" else "guest"


def peer(participant: Participant) -> ControlPeer:
    """A participant's ``control`` data as others see it."""
    return ControlPeer(
        display_name=participant.display_name,
        role=participant.role,
        avatar_url=participant.avatar_url,
        participation_kind=participant.kind,
        hand_is_up=participant.hand_is_up,
        hand_updated_at=participant.hand_updated_at,
        joined_at=participant.joined_at,
        left_at=participant.left_at,
        is_room_owner=participant.is_room_owner,
    )


def role_change_refusal(target: Participant | None, grant: bool) -> ErrorCode | None:
    """Why a moderator may not grant (``grant``) or revoke ``target``'s moderator role, in
    the reference's order; None if it may."""
    if target is None or target.left_at is not None:
        return "nothing_to_do"
    if (target.role == "moderator") == grant:
        return "nothing_to_do"
    if not grant and target.is_room_owner:
        return "target_is_room_owner"
    return None


def changed_role(target: Participant, grant: bool) -> Role:
    """``target``'s role after a grant or a revoke (back to what its kind starts as)."""
    if grant:
        return "moderator"
    return "user" if target.kind == "user" else "guest"
