"""The ``control`` module: join, leave, hands, roles (reference §5, §7). Joining itself is
the join pipeline's (:mod:`signaling.join`); what others see, the roster's."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS, CloseCode
from signaling.hub import Audience, Delivery, global_channel, participant_channel
from signaling.modules import Errors, Module
from signaling.modules.control import core
from signaling.modules.control.types import (
    Command,
    ControlPeer,
    EnterRoom,
    ErrorCode,
    Event,
    GrantModeratorRole,
    HandLowered,
    HandRaised,
    Join,
    LowerHand,
    ModeratorRoleGranted,
    ModeratorRoleRevoked,
    RaiseHand,
    RevokeModeratorRole,
    RoleUpdated,
    RoomDeleted,
)
from signaling.profiles import avatar_url
from signaling.roster import HIDDEN_KINDS, Announcement
from signaling.session import ConnState
from signaling.state import LeaveReason, Participant, Role
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.session import Session

NAMESPACE = "control"
error = Errors[ErrorCode](NAMESPACE)


class ControlSignal(msgspec.Struct, omit_defaults=True):
    """What a control delivery asks of the receiving session."""

    role: Role | None = None
    close: str | None = None  # "room_deleted": close with 1000


class ControlModule(Module):
    namespace = NAMESPACE
    commands = Command
    events = Event
    peer_data_type = ControlPeer
    personal_type = Announcement
    before_join = True
    reports_bad_payload = True
    in_tariff = False

    async def on_command(self, session: Session, command: Any) -> None:
        match command:
            case Join():
                await self._join(session, command)
            case EnterRoom():
                if not await self.ctx.joins.enter_room(session):
                    error(session, "not_accepted_or_not_in_waiting_room")
            case RaiseHand() | LowerHand():
                await self._hand(session, isinstance(command, RaiseHand))
            case GrantModeratorRole() | RevokeModeratorRole():
                await self._moderator_role(session, command)

    # -- join and leave --------------------------------------------------------------------

    async def _join(self, session: Session, command: Join) -> None:
        if session.state != ConnState.NONE:
            error(session, "already_joined")
            return
        identity = session.ticket.participant
        name = core.display_name(session.kind, command.display_name, identity.name)
        if name is None:
            error(session, "invalid_username")
            return
        now = _now()
        participant = Participant(
            id=session.id,
            display_name=name,
            role=core.initial_role(session.kind, identity.is_room_owner),
            kind=session.kind,
            user_id=session.user_id,
            avatar_url=avatar_url(self.ctx.settings.avatar_base_url, identity.email)
            if session.kind == "user"
            else None,
            is_room_owner=identity.is_room_owner,
            hand_updated_at=now,
            joined_at=now,
            runner=session.runner,
            groups=list(identity.groups),
        )
        await self.ctx.joins.join(session, participant)

    async def on_leave(self, session: Session) -> None:
        if session.state != ConnState.JOINED:
            return
        left = await self.ctx.state.leave(
            session.room, session.breakout, session.id, _now(), session.runner, session.leave_reason
        )
        if left and session.kind not in HIDDEN_KINDS:  # it is gone: the others must hear it
            await self._left(session.room, session.breakout, session.id, session.leave_reason)

    async def on_presence_lost(self, room: str, breakout: str | None, pid: str) -> None:
        await self._left(room, breakout, pid, "timeout")

    async def _left(self, room: str, breakout: str | None, pid: str, reason: LeaveReason) -> None:
        roster = self.ctx.roster
        await self.ctx.reliably(partial(roster.announce_left, room, breakout, pid, reason))

    # -- what others see ---------------------------------------------------------------------

    def peer_data(self, participant: Participant, viewer: Session | None) -> Any:
        return core.peer(participant)

    def render(self, session: Session, personal: Any) -> str | None:
        return self.ctx.roster.render(session, personal)

    async def on_signal(self, session: Session, signal: Any) -> None:
        order = msgspec.convert(signal, ControlSignal)
        if order.role is not None:
            session.role = order.role
        if order.close is not None:
            session.close(CloseCode.NORMAL, reason=order.close)

    async def on_room_deleted(self, room: str) -> None:
        """Everyone in it gets ``room_deleted`` and is closed (§5.5)."""
        await self.ctx.publish(
            global_channel(room),
            Delivery(
                frame=encode_event(NAMESPACE, RoomDeleted()),
                audience=Audience.PRESENT,
                namespace=NAMESPACE,
                signal=ControlSignal(close="room_deleted"),
            ),
        )

    # -- hands and roles ---------------------------------------------------------------------

    async def _hand(self, session: Session, up: bool) -> None:
        if session.state != ConnState.JOINED:
            error(session, "not_yet_joined")
            return
        state = self.ctx.state
        if up and not await state.flag(session.room, "raise_hands_enabled", True):
            error(session, "raise_hands_disabled")
            return
        before = await state.participant(session.room, session.breakout, session.id)
        updated = await state.set_hand(session.room, session.breakout, session.id, up, _now())
        if updated is not None:
            try:
                await self.ctx.roster.announce(session.room, session.breakout, updated, "update")
            except BACKEND_ERRORS:
                if before is not None:  # as it was: nobody heard of the change
                    await state.set_hand(
                        session.room,
                        session.breakout,
                        session.id,
                        before.hand_is_up,
                        before.hand_updated_at,
                    )
                raise
        session.send(NAMESPACE, HandRaised() if up else HandLowered())

    async def _moderator_role(
        self, session: Session, command: GrantModeratorRole | RevokeModeratorRole
    ) -> None:
        if session.state != ConnState.JOINED:
            error(session, "not_yet_joined")
            return
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        state = self.ctx.state
        target = await state.participant(session.room, session.breakout, command.target)
        grant = isinstance(command, GrantModeratorRole)
        refusal = core.role_change_refusal(target, grant)
        if refusal is not None or target is None:
            error(session, refusal or "nothing_to_do")
            return
        new_role = core.changed_role(target, grant)
        updated = await state.set_role(session.room, session.breakout, target.id, new_role)
        if updated is None:
            error(session, "nothing_to_do")
            return
        try:
            await self.ctx.publish(
                participant_channel(session.room, target.id),
                Delivery(
                    frame=encode_event(NAMESPACE, RoleUpdated(new_role=new_role)),
                    namespace=NAMESPACE,
                    signal=ControlSignal(role=new_role),
                ),
            )
        except BACKEND_ERRORS:  # the target never heard of it: the role stays as it was
            await state.set_role(session.room, session.breakout, target.id, target.role)
            raise
        roster = self.ctx.roster
        await self.ctx.reliably(
            partial(roster.announce, session.room, session.breakout, updated, "update")
        )
        session.send(
            NAMESPACE,
            ModeratorRoleGranted(target=target.id)
            if grant
            else ModeratorRoleRevoked(target=target.id),
        )


def _now() -> str:
    return format_timestamp(utcnow())
