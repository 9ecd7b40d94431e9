"""The ``moderation`` module: the room-wide raise-hands switch and hand resets (reference §8)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from signaling.hub import Delivery, participant_channel, room_channel
from signaling.modules import Module
from signaling.modules.moderation.types import (
    Command,
    DisableRaiseHands,
    EnableRaiseHands,
    Event,
    ModerationJoinData,
    RaisedHandResetByModerator,
    RaiseHandsDisabled,
    RaiseHandsEnabled,
    ResetRaisedHands,
)
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.modules.control.module import ControlModule
    from signaling.node import Node
    from signaling.session import Session

RAISE_HANDS_ENABLED = "raise_hands_enabled"
WAITING_ROOM_ENABLED = "waiting_room_enabled"


class ModerationModule(Module):
    namespace = "moderation"
    commands = Command
    events = Event

    def __init__(self, node: Node, control: ControlModule) -> None:
        super().__init__()
        self.node = node
        self.control = control

    async def on_command(self, session: Session, command: Any) -> None:
        if session.role != "moderator":
            session.send_error("moderation", "insufficient_permissions")
            return
        match command:
            case EnableRaiseHands() | DisableRaiseHands():
                await self._set_raise_hands(session, isinstance(command, EnableRaiseHands))
            case ResetRaisedHands():
                await self._reset_raised_hands(session, command.target)

    async def _set_raise_hands(self, session: Session, enabled: bool) -> None:
        await self.node.state.set_flag(session.room, RAISE_HANDS_ENABLED, enabled)
        event = RaiseHandsEnabled(session.id) if enabled else RaiseHandsDisabled(session.id)
        await session.publish(
            room_channel(session.room, session.breakout),
            Delivery(frame=encode_event("moderation", event)),
        )
        if not enabled:
            await self._lower_hands(session, None, notify=False)

    async def _reset_raised_hands(self, session: Session, target: str | list[str] | None) -> None:
        targets = None if target is None else {target} if isinstance(target, str) else set(target)
        await self._lower_hands(session, targets, notify=True)

    async def _lower_hands(self, session: Session, targets: set[str] | None, notify: bool) -> None:
        """Lower the raised hands of present members of the moderator's room (all, or
        ``targets``); each gets ``raised_hand_reset_by_moderator`` if ``notify``."""
        state = self.node.state
        frame = encode_event("moderation", RaisedHandResetByModerator(session.id))
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
            await self.control.announce(session, lowered, "update")
            if notify:
                await session.publish(participant_channel(member.id), Delivery(frame=frame))

    async def join_data(self, session: Session) -> Any:
        state = self.node.state
        data = ModerationJoinData(
            raise_hands_enabled=await state.flag(session.room, RAISE_HANDS_ENABLED, True)
        )
        if session.role == "moderator":
            record = await self.node.registry.get_room(session.room)
            default = record.waiting_room if record is not None else False
            data.waiting_room_enabled = await state.flag(
                session.room, WAITING_ROOM_ENABLED, default
            )
            data.waiting_room_participants = []
        return data
