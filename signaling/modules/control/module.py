"""The ``control`` module: join, leave, hands, roles, and what every participant sees of
every other (reference §5, §7)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS, CloseCode
from signaling.hub import Delivery, participant_channel, room_channel
from signaling.modules import Module
from signaling.modules.control.names import mask_phone_number, normalise_display_name
from signaling.modules.control.types import (
    Command,
    ControlPeer,
    CreatedBy,
    EnterRoom,
    Event,
    GrantModeratorRole,
    HandLowered,
    HandRaised,
    Join,
    JoinBlocked,
    JoinSuccess,
    Left,
    LowerHand,
    ModeratorRoleGranted,
    ModeratorRoleRevoked,
    RaiseHand,
    RevokeModeratorRole,
    RoleUpdated,
    RoomInfo,
    TimeLimitQuotaElapsed,
)
from signaling.modules.moderation.waiting_room import WaitingRoom
from signaling.session import ConnState
from signaling.state import LeaveReason, Participant, Role
from signaling.wire import encode_event, format_timestamp, utcnow
from tickets.profiles import avatar_url
from tickets.registry import Room

if TYPE_CHECKING:
    from signaling.node import Node
    from signaling.session import Session

HIDDEN_KINDS = {"recorder"}


class Announcement(msgspec.Struct):
    """A ``joined``/``update`` rendered per recipient."""

    message: str
    participant: Participant
    states: dict[str, Any] = {}  # peer data kept in room state, by namespace


class ControlSignal(msgspec.Struct, omit_defaults=True):
    """What a control delivery asks of the receiving session."""

    role: Role | None = None
    close: str | None = None  # "room_deleted": close with 1000


class ControlModule(Module):
    namespace = "control"
    commands = Command
    events = Event
    peer_data_type = ControlPeer
    personal_type = Announcement
    before_join = True
    reports_bad_payload = True
    in_tariff = False

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.waiting_room = WaitingRoom(node, self)

    async def on_command(self, session: Session, command: Any) -> None:
        match command:
            case Join():
                await self._join(session, command)
            case EnterRoom():
                participant = await self.waiting_room.admit(session)
                if participant is None:
                    session.send_error("control", "not_accepted_or_not_in_waiting_room")
                else:
                    await self.enter(session, participant, counted=True)
            case RaiseHand() | LowerHand():
                await self._hand(session, isinstance(command, RaiseHand))
            case GrantModeratorRole() | RevokeModeratorRole():
                await self._moderator_role(session, command)

    # -- join ------------------------------------------------------------------------------

    async def _join(self, session: Session, command: Join) -> None:
        if session.state != ConnState.NONE:
            session.send_error("control", "already_joined")
            return
        identity = session.ticket.participant
        raw_name = command.display_name
        if session.kind == "sip" and raw_name is not None:
            raw_name = mask_phone_number(raw_name)
        elif raw_name is None and session.kind == "user":
            raw_name = identity.name
        name = normalise_display_name(raw_name)
        if name is None:
            session.send_error("control", "invalid_username")
            return
        now = format_timestamp(utcnow())
        role: Role = "guest"
        if identity.is_room_owner:
            role = "moderator"
        elif session.kind == "user":
            role = "user"
        participant = Participant(
            id=session.id,
            display_name=name,
            role=role,
            kind=session.kind,
            user_id=session.user_id,
            avatar_url=avatar_url(self.node.settings.avatar_base_url, identity.email)
            if session.kind == "user"
            else None,
            is_room_owner=identity.is_room_owner,
            hand_updated_at=now,
            joined_at=now,
            runner=session.runner,
            groups=list(identity.groups),
        )
        if await self.waiting_room.applies(session, participant):
            await self.waiting_room.hold(session, participant)
        else:
            await self.enter(session, participant, counted=False)

    async def enter(self, session: Session, participant: Participant, *, counted: bool) -> None:
        """Put ``participant`` into the session's signaling room: tariff check, state,
        ``join_success`` to the joiner, ``joined`` to the others (§5.1 step 5)."""
        node = self.node
        room_record = await node.registry.get_room(session.room)
        if room_record is None:
            session.close(CloseCode.NORMAL, reason="room deleted")
            return
        for module in node.modules.values():
            if not await module.may_enter(session):
                session.close(CloseCode.NORMAL, reason=f"{module.namespace} refused the join")
                return
        session.begin_join()
        try:
            await self._enter(session, participant, counted, room_record)
        finally:
            session.abort_join()

    async def _enter(
        self, session: Session, participant: Participant, counted: bool, room_record: Room
    ) -> None:
        node = self.node
        settings = node.settings
        limit = settings.time_limit
        closes_at = format_timestamp(utcnow() + timedelta(seconds=limit)) if limit else None
        participant = msgspec.structs.replace(participant, joined_at=self.now())  # a new join
        result = await node.state.join(
            session.room,
            session.breakout,
            participant,
            limit=settings.participant_limit,
            closes_at=closes_at,
            counted=counted,
            record_limit=settings.room_record_limit,
        )
        if result.blocked or result.participant is None:
            self.send_join_blocked(session)
            return
        stored = result.participant
        session.role = stored.role
        session.display_name = stored.display_name
        # Those who joined after us announce themselves with ``joined`` (we hear it: we are
        # subscribed and holding deliveries), so they are not listed even if already stored.
        members = [
            p
            for p in await node.state.participants(session.room, session.breakout)
            if p.id != session.id and p.kind not in HIDDEN_KINDS and p.seq < stored.seq
        ]
        states = await self.stored_peer_data(
            session.room, session.breakout, [p.id for p in members]
        )
        others = [self.public_data(p, session, states.get(p.id)) for p in members]
        creator = room_record.created_by
        core = JoinSuccess(
            id=session.id,
            display_name=stored.display_name,
            avatar_url=stored.avatar_url,
            role=stored.role,
            is_room_owner=stored.is_room_owner,
            closes_at=result.closes_at,
            tariff=node.tariff,
            room_info=RoomInfo(
                id=room_record.id,
                password=room_record.password if stored.role == "moderator" else None,
                created_by=CreatedBy(
                    title=creator.title,
                    firstname=creator.firstname,
                    lastname=creator.lastname,
                    display_name=creator.display_name,
                    avatar_url=creator.avatar_url or None,
                ),
            ),
            participants=others,
        )
        payload: dict[str, Any] = msgspec.to_builtins(core)
        for module in node.modules.values():
            data = await module.join_data(session)
            if data is not None:
                payload[module.namespace] = data
        if stored.kind not in HIDDEN_KINDS:
            # Announced before the joiner hears it succeeded: a join nobody else sees is undone.
            try:
                await self.announce(session.room, session.breakout, stored, "joined")
                for module in node.modules.values():
                    await module.on_joined(session, stored)
            except BACKEND_ERRORS:
                await self._undo_join(session, stored)
                raise
        session.send("control", payload)
        session.finish_join(stored.seq)
        if result.closes_at is not None:
            self._arm_time_limit(session, result.closes_at)

    async def _undo_join(self, session: Session, stored: Participant) -> None:
        """Take back a join whose announcement failed; if even that fails, the client must
        reconnect (1012) and resume into the truth."""
        try:
            await self.node.state.leave(
                session.room, session.breakout, session.id, self.now(), session.runner
            )
        except BACKEND_ERRORS:
            session.close(CloseCode.RESTART, reason="join could not be completed")

    def _arm_time_limit(self, session: Session, closes_at: str) -> None:
        remaining = (datetime.fromisoformat(closes_at) - utcnow()).total_seconds()
        loop = asyncio.get_running_loop()

        def elapsed() -> None:
            session.send("control", TimeLimitQuotaElapsed())
            session.close(CloseCode.NORMAL, reason="time limit reached")

        session.set_timer("time_limit", loop.time() + max(0.0, remaining), elapsed)

    # -- what others see ---------------------------------------------------------------------

    def send_join_blocked(self, session: Session) -> None:
        """The room is full: the socket stays in state None and may retry (§5.3)."""
        session.join_blocked = True
        session.send("control", JoinBlocked())

    @staticmethod
    def now() -> str:
        return format_timestamp(utcnow())

    def peer_data(self, participant: Participant, viewer: Session | None) -> Any:
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

    def public_data(
        self,
        participant: Participant,
        viewer: Session | None,
        states: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``{"id", <namespace>: <peer data>…}``: a participant as ``viewer`` sees it, with
        the peer data ``states`` that modules keep in room state (see ``peer_states``)."""
        data: dict[str, Any] = {"id": participant.id}
        for module in self.node.modules.values():
            peer = module.peer_data(participant, viewer)
            if peer is not None:
                data[module.namespace] = peer
        if states:
            data.update(states)
        return data

    async def stored_peer_data(
        self, room: str, breakout: str | None, pids: list[str]
    ) -> dict[str, dict[str, Any]]:
        """Participant id → namespace → the peer data modules keep in room state."""
        found: dict[str, dict[str, Any]] = {}
        for module in self.node.modules.values():
            for pid, state in (await module.peer_states(room, breakout, pids)).items():
                found.setdefault(pid, {})[module.namespace] = state
        return found

    async def announce(
        self, room: str, breakout: str | None, participant: Participant, message: str
    ) -> None:
        """Publish ``joined`` or ``update`` for ``participant`` to the others in its room; per
        recipient when it has chat groups (each sees only the groups they share)."""
        channel = room_channel(room, breakout)
        joined_seq = participant.seq if message == "joined" else None
        states = (await self.stored_peer_data(room, breakout, [participant.id])).get(
            participant.id, {}
        )
        if participant.groups:
            personal = Announcement(message=message, participant=participant, states=states)
            delivery = Delivery(
                exclude=participant.id,
                namespace="control",
                personal=personal,
                joined_seq=joined_seq,
            )
        else:
            frame = encode_event(
                "control", {"message": message, **self.public_data(participant, None, states)}
            )
            delivery = Delivery(frame=frame, exclude=participant.id, joined_seq=joined_seq)
        await self.node.hub.publish(channel, delivery)

    def render(self, session: Session, personal: Any) -> str | None:
        announcement: Announcement = personal
        data = self.public_data(announcement.participant, session, announcement.states)
        return encode_event("control", {"message": announcement.message, **data})

    # -- leave -------------------------------------------------------------------------------

    async def on_leave(self, session: Session) -> None:
        if session.state != ConnState.JOINED:
            return
        left = await self.node.state.leave(
            session.room,
            session.breakout,
            session.id,
            self.now(),
            session.runner,
            session.leave_reason,
        )
        if left and session.kind not in HIDDEN_KINDS:  # it is gone: the others must hear it
            await self.node.reliably(
                partial(
                    self.announce_left,
                    session.room,
                    session.breakout,
                    session.id,
                    session.leave_reason,
                )
            )

    async def leave_hooks(self, session: Session) -> None:
        """Run the other modules' leave hooks for a participant that leaves its signaling
        room without closing (sent to the waiting room)."""
        for module in self.node.modules.values():
            if module is not self:
                await module.on_leave(session)

    async def announce_left(
        self, room: str, breakout: str | None, pid: str, reason: LeaveReason
    ) -> None:
        """Publish ``left`` for ``pid`` to the others in its signaling room."""
        frame = encode_event("control", Left(id=pid, reason=reason))
        await self.node.hub.publish(
            room_channel(room, breakout), Delivery(frame=frame, exclude=pid)
        )

    async def on_signal(self, session: Session, signal: Any) -> None:
        order = msgspec.convert(signal, ControlSignal)
        if order.role is not None:
            session.role = order.role
        if order.close is not None:
            session.close(CloseCode.NORMAL, reason=order.close)

    # -- hands and roles ---------------------------------------------------------------------

    async def _hand(self, session: Session, up: bool) -> None:
        if session.state != ConnState.JOINED:
            session.send_error("control", "not_yet_joined")
            return
        state = self.node.state
        if up and not await state.flag(session.room, "raise_hands_enabled", True):
            session.send_error("control", "raise_hands_disabled")
            return
        before = await state.participant(session.room, session.breakout, session.id)
        updated = await state.set_hand(
            session.room, session.breakout, session.id, up, format_timestamp(utcnow())
        )
        if updated is not None:
            try:
                await self.announce(session.room, session.breakout, updated, "update")
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
        session.send("control", HandRaised() if up else HandLowered())

    async def _moderator_role(
        self, session: Session, command: GrantModeratorRole | RevokeModeratorRole
    ) -> None:
        if session.state != ConnState.JOINED:
            session.send_error("control", "not_yet_joined")
            return
        if session.role != "moderator":
            session.send_error("control", "insufficient_permissions")
            return
        state = self.node.state
        target = await state.participant(session.room, session.breakout, command.target)
        if target is None or target.left_at is not None:
            session.send_error("control", "nothing_to_do")
            return
        grant = isinstance(command, GrantModeratorRole)
        new_role: Role = "moderator" if grant else ("user" if target.kind == "user" else "guest")
        if (target.role == "moderator") == grant:
            session.send_error("control", "nothing_to_do")
            return
        if not grant and target.is_room_owner:
            session.send_error("control", "target_is_room_owner")
            return
        updated = await state.set_role(session.room, session.breakout, target.id, new_role)
        if updated is None:
            session.send_error("control", "nothing_to_do")
            return
        try:
            await session.publish(
                participant_channel(target.id),
                Delivery(
                    frame=encode_event("control", RoleUpdated(new_role=new_role)),
                    namespace="control",
                    signal=ControlSignal(role=new_role),
                ),
            )
        except BACKEND_ERRORS:  # the target never heard of it: the role stays as it was
            await state.set_role(session.room, session.breakout, target.id, target.role)
            raise
        await self.node.reliably(
            partial(self.announce, session.room, session.breakout, updated, "update")
        )
        session.send(
            "control",
            ModeratorRoleGranted(target=target.id)
            if grant
            else ModeratorRoleRevoked(target=target.id),
        )
