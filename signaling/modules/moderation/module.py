"""The ``moderation`` module: kick, ban, debrief, renaming, raise hands and the waiting room's
commands (reference §8). Every command is moderator-only; targets must be present members of
the moderator's own signaling room (else the command is ignored, §8.2).

The REST side (``tickets/moderation.py``) takes the same actions without an issuer: ``find``
a present participant in any signaling room of the room, ``moderate`` it, ``accept`` a
waiting one, ``end`` the meeting session."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS, CloseCode
from signaling.hub import Audience, Delivery, global_channel, participant_channel, room_channel
from signaling.modules import Admission, Errors, Module
from signaling.modules.control.names import normalise_display_name
from signaling.modules.moderation import core
from signaling.modules.moderation.signal import ModerationSignal
from signaling.modules.moderation.types import (
    Accept,
    Ban,
    Banned,
    ChangeDisplayName,
    Command,
    Debrief,
    DebriefingStarted,
    DisableRaiseHands,
    DisableWaitingRoom,
    DisplayNameChanged,
    EnableRaiseHands,
    EnableWaitingRoom,
    ErrorCode,
    Event,
    Kick,
    Kicked,
    KickScope,
    ModerationJoinData,
    RaisedHandResetByModerator,
    RaiseHandsDisabled,
    RaiseHandsEnabled,
    Refusal,
    ResetRaisedHands,
    SendToWaitingRoom,
    SentToWaitingRoom,
    SessionEnded,
)
from signaling.modules.moderation.waiting_room import WaitingRoom
from signaling.session import ConnState
from signaling.state import Participant
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.modules.context import ModuleContext
    from signaling.session import Session

RAISE_HANDS_ENABLED = "raise_hands_enabled"
NAMESPACE = "moderation"
error = Errors[ErrorCode](NAMESPACE)
#: The commands aimed at a present participant that the REST side takes too.
TargetCommand = Kick | Ban | SendToWaitingRoom


class ModerationModule(Module):
    namespace = NAMESPACE
    commands = Command
    events = Event
    join_data_type = ModerationJoinData

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__(ctx)
        self.waiting_room = WaitingRoom(ctx)

    async def on_command(self, session: Session, command: Any) -> None:
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        match command:
            case Kick() | Ban() | SendToWaitingRoom():
                target = await self._target(session, command.target)
                if target is not None:
                    refusal = await self.moderate(session.room, command, target)
                    if refusal is not None:
                        error(session, refusal)
            case ChangeDisplayName():
                target = await self._target(session, command.target)
                if target is not None:
                    await self._rename(session, target, command.new_name)
            case Debrief():
                await self._debrief(session, command.kick_scope)
            case EnableWaitingRoom() | DisableWaitingRoom():
                await self.waiting_room.set_enabled(
                    session.room, isinstance(command, EnableWaitingRoom)
                )
            case Accept():
                await self.accept(session.room, command.target)
            case EnableRaiseHands() | DisableRaiseHands():
                await self._set_raise_hands(session, isinstance(command, EnableRaiseHands))
            case ResetRaisedHands():
                await self._lower_hands(session, core.hand_targets(command.target), notify=True)

    async def _target(self, session: Session, pid: str) -> Participant | None:
        return core.present(await self.ctx.state.participant(session.room, session.breakout, pid))

    async def find(self, room: str, pid: str) -> Participant | None:
        """``pid`` if it is a present participant of ``room``, in the main or a breakout room."""
        for breakout in await self.ctx.state.breakouts(room):
            found = core.present(await self.ctx.state.participant(room, breakout, pid))
            if found is not None:
                return found
        return None

    async def moderate(
        self, room: str, command: TargetCommand, target: Participant
    ) -> Refusal | None:
        """Kick, ban or send back ``target``, a present participant of ``room``, as
        ``command`` says; the refusal instead, if any (nothing is done then)."""
        channel = participant_channel(room, target.id)
        match command:
            case Kick():
                await self.waiting_room.forget(target.id)
                await self._signal(channel, Kicked(), ModerationSignal(close="kicked"))
            case Ban():
                refusal = core.ban_refusal(target)
                if refusal is not None or target.user_id is None:
                    return refusal or "cannot_ban_guest"
                await self.ctx.state.ban(room, target.user_id)
                try:
                    await self._signal(channel, Banned(), ModerationSignal(close="banned"))
                except BACKEND_ERRORS:  # the target was never told: no ban either
                    await self.ctx.state.unban(room, target.user_id)
                    raise
                await self.waiting_room.forget(target.id)
            case SendToWaitingRoom():
                refusal = core.send_back_refusal(target)
                if refusal is not None:
                    return refusal
                if not await self.waiting_room.enabled(room):
                    await self.waiting_room.set_enabled(room, True)
                await self.waiting_room.forget(target.id)
                await self._signal(
                    channel, SentToWaitingRoom(), ModerationSignal(to_waiting_room=True)
                )
        return None

    async def accept(self, room: str, pid: str) -> bool:
        """Let a waiting participant of ``room`` in (``accept``); False if it was not waiting."""
        return await self.waiting_room.accept(room, pid)

    async def end(self, room: str) -> bool:
        """End the room's running meeting session: its live state goes at once
        (``session.ended``, reason ``ended``), then everyone in it, joined or waiting, gets
        ``session_ended`` (``issued_by`` null) and is closed with 1000. False if none runs."""
        if not await self.ctx.state.end_session(room):
            return False
        ended = Delivery(
            frame=encode_event(NAMESPACE, SessionEnded(issued_by=None)),
            audience=Audience.PRESENT,
            namespace=NAMESPACE,
            signal=ModerationSignal(ended=True),
        )
        # the session has ended already: everyone in it must hear of it
        await self.ctx.reliably(partial(self.ctx.publish, global_channel(room), ended))
        return True

    async def _signal(self, channel: str, event: msgspec.Struct, order: ModerationSignal) -> None:
        await self.ctx.publish(
            channel,
            Delivery(frame=encode_event(NAMESPACE, event), namespace=NAMESPACE, signal=order),
        )

    async def _rename(self, session: Session, target: Participant, new_name: str) -> None:
        refusal = core.rename_refusal(target)
        if refusal is not None:
            error(session, refusal)
            return
        name = normalise_display_name(new_name)
        if name is None:
            error(session, "invalid_display_name")
            return
        state = self.ctx.state
        renamed = await state.set_display_name(session.room, session.breakout, target.id, name)
        if renamed is None:
            return
        event = DisplayNameChanged(
            target=target.id, issued_by=session.id, old_name=target.display_name, new_name=name
        )
        try:
            await self.ctx.publish(
                global_channel(session.room), Delivery(frame=encode_event(NAMESPACE, event))
            )
        except BACKEND_ERRORS:  # nobody heard of it: the old name stays
            await state.set_display_name(
                session.room, session.breakout, target.id, target.display_name
            )
            raise
        await self.ctx.reliably(
            partial(self.ctx.roster.announce, session.room, session.breakout, renamed, "update")
        )

    async def _debrief(self, session: Session, scope: KickScope) -> None:
        for member in await self.ctx.state.participants(session.room, session.breakout):
            if core.in_scope(scope, member.role):
                await self.waiting_room.forget(member.id)
        await self.waiting_room.set_enabled(session.room, True)
        await self.ctx.publish(
            room_channel(session.room, session.breakout),
            Delivery(
                namespace=NAMESPACE,
                signal=ModerationSignal(debrief=scope, issued_by=session.id),
            ),
        )

    async def on_signal(self, session: Session, signal: Any) -> None:
        order = msgspec.convert(signal, ModerationSignal)
        if order.accepted:
            self.waiting_room.mark_accepted(session)
        elif order.ended:
            session.close(CloseCode.NORMAL)
        elif session.state != ConnState.JOINED:
            return
        elif order.close is not None:
            session.close(CloseCode.NORMAL, order.close)
        elif order.to_waiting_room:
            await self.waiting_room.send_back(session)
        elif order.debrief is not None:
            if core.in_scope(order.debrief, session.role):
                session.send(NAMESPACE, SessionEnded(issued_by=order.issued_by))
                session.close(CloseCode.NORMAL, "kicked")
            else:
                session.send(NAMESPACE, DebriefingStarted(issued_by=order.issued_by))

    # -- raise hands -----------------------------------------------------------------------

    async def _set_raise_hands(self, session: Session, enabled: bool) -> None:
        state = self.ctx.state
        was = await state.flag(session.room, RAISE_HANDS_ENABLED, True)
        await state.set_flag(session.room, RAISE_HANDS_ENABLED, enabled)
        event = RaiseHandsEnabled(session.id) if enabled else RaiseHandsDisabled(session.id)
        try:
            await self.ctx.publish(
                room_channel(session.room, session.breakout),
                Delivery(frame=encode_event(NAMESPACE, event)),
            )
        except BACKEND_ERRORS:  # nobody heard of it: as it was
            await state.set_flag(session.room, RAISE_HANDS_ENABLED, was)
            raise
        if not enabled:
            await self._lower_hands(session, None, notify=False)

    async def _lower_hands(self, session: Session, targets: set[str] | None, notify: bool) -> None:
        """Lower the raised hands of present members of the moderator's room (all, or
        ``targets``); each gets ``raised_hand_reset_by_moderator`` if ``notify``."""
        state = self.ctx.state
        frame = encode_event(NAMESPACE, RaisedHandResetByModerator(session.id))
        for member in await state.participants(session.room, session.breakout):
            if member.left_at is not None or not member.hand_is_up:
                continue
            if targets is not None and member.id not in targets:
                continue
            lowered = await state.set_hand(
                session.room, session.breakout, member.id, False, format_timestamp(utcnow())
            )
            if lowered is None:
                continue
            # lowered already: the room and the participant must hear of it
            await self.ctx.reliably(
                partial(self.ctx.roster.announce, session.room, session.breakout, lowered, "update")
            )
            if notify:
                told = Delivery(frame=frame)
                channel = participant_channel(session.room, member.id)
                await self.ctx.reliably(partial(self.ctx.publish, channel, told))

    # -- hooks -----------------------------------------------------------------------------

    async def join_data(self, session: Session) -> Any:
        state = self.ctx.state
        data = ModerationJoinData(
            raise_hands_enabled=await state.flag(session.room, RAISE_HANDS_ENABLED, True)
        )
        if session.role == "moderator":
            data.waiting_room_enabled = await self.waiting_room.enabled(session.room)
            data.waiting_room_participants = await self.waiting_room.listing(session.room)
        return data

    async def on_leave(self, session: Session) -> None:
        if session.state == ConnState.WAITING:  # off the lists, uncounted, moderators told
            await self.waiting_room.forsake(session.room, session.id)

    async def admit(self, session: Session, participant: Participant) -> Admission:
        return await self.waiting_room.admit(session, participant)

    async def release(self, session: Session) -> Participant | None:
        return await self.waiting_room.release(session)

    async def on_held_lost(self, room: str, pid: str) -> None:
        await self.waiting_room.forsake(room, pid)

    async def on_refresh(self, sessions: list[Session]) -> None:
        await self.waiting_room.refresh([session.id for session in sessions])
