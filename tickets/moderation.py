"""Moderation by REST (issue 14): a room's backend kicks, bans or sends back a participant,
accepts one out of the waiting room or ends the meeting session. Each acts as the moderator's
command of that name (reference §8.2): the same events to everyone, ``issued_by`` null. The
participant may be in a breakout room and on any node."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from signaling.auth import ADMIN_ROLE
from signaling.errors import (
    CANNOT_BAN_GUEST,
    CANNOT_BAN_ROOM_OWNER,
    CANNOT_SEND_ROOM_OWNER_TO_WAITING_ROOM,
    MODERATION_DISABLED,
    NOT_FOUND,
    Failure,
    Problem,
)
from signaling.modules.moderation.module import TargetCommand
from signaling.modules.moderation.types import Ban, Kick, Refusal, SendToWaitingRoom
from signaling.registry import Room
from tickets.access import (
    MANAGER_FAILURES,
    NO_RUNNING_SESSION,
    NO_SESSION,
    Api,
    Moderation,
    canonical_uuid,
)
from tickets.declaration import BACKEND, INTERNAL, NO_CONTENT, Endpoint
from tickets.http import no_content

UNKNOWN_PARTICIPANT = NOT_FOUND.saying("no such participant in the room")
NOT_WAITING = NOT_FOUND.saying("no such participant waits in the room's waiting room")
REFUSALS: dict[Refusal, Problem] = {
    "cannot_ban_guest": CANNOT_BAN_GUEST,
    "cannot_ban_room_owner": CANNOT_BAN_ROOM_OWNER,
    "cannot_send_room_owner_to_waiting_room": CANNOT_SEND_ROOM_OWNER_TO_WAITING_ROOM,
}


async def _moderation(api: Api, request: Request) -> tuple[Room, Moderation]:
    """The path's room for its manager, and the moderation actions (409 when disabled)."""
    room = await api.managed_room(request)
    moderation = api.node.moderation
    if moderation is None:
        raise MODERATION_DISABLED()
    return room, moderation


async def _on_participant(
    api: Api, request: Request, command: type[Kick | Ban | SendToWaitingRoom]
) -> Response:
    room, moderation = await _moderation(api, request)
    pid = canonical_uuid(request.path_params["participant_id"])
    target = None if pid is None else await moderation.find(room.id, pid)
    if target is None:
        raise UNKNOWN_PARTICIPANT()
    action: TargetCommand = command(target=target.id)
    refusal = await moderation.moderate(room.id, action, target)
    if refusal is not None:
        raise REFUSALS[refusal]()
    return no_content()


async def kick_participant(api: Api, request: Request) -> Response:
    return await _on_participant(api, request, Kick)


async def ban_participant(api: Api, request: Request) -> Response:
    return await _on_participant(api, request, Ban)


async def send_participant_to_waiting_room(api: Api, request: Request) -> Response:
    return await _on_participant(api, request, SendToWaitingRoom)


async def accept_waiting_participant(api: Api, request: Request) -> Response:
    room, moderation = await _moderation(api, request)
    pid = canonical_uuid(request.path_params["participant_id"])
    if pid is None or not await moderation.accept(room.id, pid):
        raise NOT_WAITING()
    return no_content()


async def end_session(api: Api, request: Request) -> Response:
    room, moderation = await _moderation(api, request)
    if not await moderation.end(room.id):
        raise NO_SESSION()
    return no_content()


PARTICIPANT = "/v1/rooms/{room_id}/participants/{participant_id}"
MANAGERS = f"The room's creator and `{ADMIN_ROLE}` service tokens may do this."
DISABLED = Failure(MODERATION_DISABLED, "the tariff disables the moderation module")
PARTICIPANT_NOT_FOUND = Failure(
    UNKNOWN_PARTICIPANT,
    "no participant of that id is present in the room's main or breakout rooms (an id that is "
    "not a UUID is unknown too; a waiting participant is not present)",
)
WAITER_NOT_FOUND = Failure(
    NOT_WAITING, "no participant of that id waits unaccepted in the room's waiting room"
)
ANYWHERE = "The participant may be in the main or a breakout room, on any node."
TARGET_FAILURES = (*MANAGER_FAILURES, DISABLED, PARTICIPANT_NOT_FOUND)
ENDPOINTS = (
    Endpoint(
        "POST",
        f"{PARTICIPANT}/kick",
        kick_participant,
        "moderation",
        "Kick a participant",
        "As a moderator's `kick`: the participant gets `kicked` and is closed with 1000, the "
        "others in its room see `left` (reason `kicked`); it may start again (through the "
        f"waiting room when that is on). {ANYWHERE} {MANAGERS}",
        "bearer",
        (NO_CONTENT,),
        (*TARGET_FAILURES, BACKEND, INTERNAL),
    ),
    Endpoint(
        "POST",
        f"{PARTICIPANT}/ban",
        ban_participant,
        "moderation",
        "Ban a participant",
        "As a moderator's `ban`: the participant gets `banned` and is closed with 1000, the "
        "others in its room see `left` (reason `banned`), and its user's `/start` answers 403 "
        "`banned_from_room` until the meeting session ends. Registered users only. "
        f"{ANYWHERE} {MANAGERS}",
        "bearer",
        (NO_CONTENT,),
        (
            *TARGET_FAILURES,
            Failure(CANNOT_BAN_GUEST, "the participant is a guest or a SIP caller"),
            Failure(CANNOT_BAN_ROOM_OWNER, "the participant is the room's owner"),
            BACKEND,
            INTERNAL,
        ),
    ),
    Endpoint(
        "POST",
        f"{PARTICIPANT}/send_to_waiting_room",
        send_participant_to_waiting_room,
        "moderation",
        "Send a participant to the waiting room",
        "As a moderator's `send_to_waiting_room`: the waiting room is switched on if it is "
        "off (everyone gets `waiting_room_enabled`); the participant gets "
        "`sent_to_waiting_room` then `in_waiting_room` (its socket stays open), the others in "
        "its room see `left` (reason `sent_to_waiting_room`), moderators "
        f"`joined_waiting_room`. {ANYWHERE} {MANAGERS}",
        "bearer",
        (NO_CONTENT,),
        (
            *TARGET_FAILURES,
            Failure(CANNOT_SEND_ROOM_OWNER_TO_WAITING_ROOM, "the participant is the room's owner"),
            BACKEND,
            INTERNAL,
        ),
    ),
    Endpoint(
        "POST",
        "/v1/rooms/{room_id}/waiting/{participant_id}/accept",
        accept_waiting_participant,
        "moderation",
        "Accept a participant out of the waiting room",
        "As a moderator's `accept`: the waiting participant gets `accepted` and may enter "
        f"(`enter_room`); nobody else is told until it does. {MANAGERS}",
        "bearer",
        (NO_CONTENT,),
        (*MANAGER_FAILURES, DISABLED, WAITER_NOT_FOUND, BACKEND, INTERNAL),
    ),
    Endpoint(
        "POST",
        "/v1/rooms/{room_id}/end",
        end_session,
        "moderation",
        "End the meeting session",
        "Everyone in the room (main, breakout and waiting room) gets the moderation event "
        "`session_ended` with `issued_by` null and is closed with 1000. The meeting session "
        "ends at once (`session.ended` with reason `ended`, `participant.left` with reason "
        "`ended` for everyone present) and the live state goes with it (bans, chat, polls); "
        f"the room stays and a later start begins a new session. {MANAGERS}",
        "bearer",
        (NO_CONTENT,),
        (*MANAGER_FAILURES, DISABLED, NO_RUNNING_SESSION, BACKEND, INTERNAL),
    ),
)
