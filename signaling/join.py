"""The join pipeline (reference §5.1 steps 4–5, §5.3, §17.8): how a participant gets into its
signaling room, whichever module it came through.

``control`` decodes ``join`` and ``enter_room`` and hands over here. Every module's
``admit`` may hold the joiner (the waiting room) or find no room for it; a held one enters
once a module ``release``\\ s it. Entering checks the room record and every module's
``may_enter``, stores the participant, announces ``joined`` to the others, runs every
``on_joined`` and only then sends ``join_success`` (with every module's ``join_data``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from signaling import schedule
from signaling.errors import BACKEND_ERRORS, CloseCode
from signaling.modules import Admission
from signaling.modules.control.types import (
    CreatedBy,
    JoinBlocked,
    JoinSuccess,
    RoomInfo,
    TimeLimitQuotaElapsed,
)
from signaling.roster import HIDDEN_KINDS
from signaling.state import Participant
from signaling.wire import format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.modules import Module
    from signaling.modules.context import ModuleContext
    from signaling.registry import Room
    from signaling.session import Session
    from signaling.tariff import Tariff

NAMESPACE = "control"


class Joins:
    """Entering and leaving signaling rooms, over the node's modules."""

    def __init__(self, ctx: ModuleContext, modules: Mapping[str, Module], tariff: Tariff) -> None:
        self._ctx = ctx
        self._modules = modules
        self._tariff = tariff

    async def join(self, session: Session, participant: Participant) -> None:
        """``participant`` (built from ``join``) goes in, unless a module holds it."""
        for module in self._modules.values():
            admission = await module.admit(session, participant)
            if admission is Admission.FULL:
                self.block(session)
                return
            if admission is Admission.HOLD:
                return
        await self._enter(session, participant, counted=False)

    async def enter_room(self, session: Session) -> bool:
        """A held session enters (``enter_room``); False if no module lets it in."""
        for module in self._modules.values():
            participant = await module.release(session)
            if participant is not None:
                await self._enter(session, participant, counted=True)
                return True
        return False

    def block(self, session: Session) -> None:
        """The room is full: the socket stays in state None and may retry (§5.3)."""
        session.join_blocked = True
        session.send(NAMESPACE, JoinBlocked())

    async def leave_hooks(self, session: Session) -> None:
        """Run every module's leave hook for a participant that leaves its signaling room
        without closing (sent to the waiting room, which marked it gone already)."""
        for module in self._modules.values():
            await module.on_leave(session)

    async def _enter(self, session: Session, participant: Participant, *, counted: bool) -> None:
        """Put ``participant`` into the session's signaling room: tariff check, state,
        ``join_success`` to the joiner, ``joined`` to the others (§5.1 step 5)."""
        room_record = await self._ctx.registry.get_room(session.room)
        if room_record is None:
            session.close(CloseCode.NORMAL, reason="room deleted")
            return
        for module in self._modules.values():
            if not await module.may_enter(session):
                session.close(CloseCode.NORMAL, reason=f"{module.namespace} refused the join")
                return
        session.begin_join()
        try:
            await self._store(session, participant, counted, room_record)
        finally:
            session.abort_join()

    async def _store(
        self, session: Session, participant: Participant, counted: bool, room_record: Room
    ) -> None:
        ctx = self._ctx
        settings = ctx.settings
        # Only the session's first join fixes it (LiveState.join): a schedule changed meanwhile
        # applies to the next session.
        closing = schedule.closes_at(
            utcnow(), settings.time_limit, room_record.starts_at, room_record.duration
        )
        closes_at = None if closing is None else format_timestamp(closing)
        participant = msgspec.structs.replace(participant, joined_at=_now())  # a new join
        result = await ctx.state.join(
            session.room,
            session.breakout,
            participant,
            limit=settings.participant_limit,
            closes_at=closes_at,
            counted=counted,
            record_limit=settings.room_record_limit,
        )
        if result.blocked or result.participant is None:
            self.block(session)
            return
        stored = result.participant
        session.role = stored.role
        session.display_name = stored.display_name
        payload = await self._join_success(session, stored, result.closes_at, room_record)
        if stored.kind not in HIDDEN_KINDS:
            # Announced before the joiner hears it succeeded: a join nobody else sees is undone.
            try:
                await ctx.roster.announce(session.room, session.breakout, stored, "joined")
                for module in self._modules.values():
                    await module.on_joined(session, stored)
            except BACKEND_ERRORS:
                await self._undo(session)
                raise
        session.send(NAMESPACE, payload)
        session.finish_join(stored.seq)
        if result.closes_at is not None:
            self._arm_time_limit(session, result.closes_at)

    async def _join_success(
        self, session: Session, stored: Participant, closes_at: str | None, room_record: Room
    ) -> dict[str, Any]:
        roster = self._ctx.roster
        # Those who joined after us announce themselves with ``joined`` (we hear it: we are
        # subscribed and holding deliveries), so they are not listed even if already stored.
        members = [
            p
            for p in await self._ctx.state.participants(session.room, session.breakout)
            if p.id != session.id and p.kind not in HIDDEN_KINDS and p.seq < stored.seq
        ]
        states = await roster.stored_peer_data(
            session.room, session.breakout, [p.id for p in members]
        )
        others = [roster.public_data(p, session, states.get(p.id)) for p in members]
        creator = room_record.created_by
        core = JoinSuccess(
            id=session.id,
            display_name=stored.display_name,
            avatar_url=stored.avatar_url,
            role=stored.role,
            is_room_owner=stored.is_room_owner,
            closes_at=closes_at,
            tariff=self._tariff,
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
        for module in self._modules.values():
            data = await module.join_data(session)
            if data is not None:
                payload[module.namespace] = data
        return payload

    async def _undo(self, session: Session) -> None:
        """Take back a join whose announcement failed; if even that fails, the client must
        reconnect (1012) and resume into the truth."""
        try:
            await self._ctx.state.leave(
                session.room, session.breakout, session.id, _now(), session.runner
            )
        except BACKEND_ERRORS:
            session.close(CloseCode.RESTART, reason="join could not be completed")

    def _arm_time_limit(self, session: Session, closes_at: str) -> None:
        remaining = (datetime.fromisoformat(closes_at) - utcnow()).total_seconds()
        loop = asyncio.get_running_loop()

        def elapsed() -> None:
            session.send(NAMESPACE, TimeLimitQuotaElapsed())
            session.close(CloseCode.NORMAL, reason="time limit reached")

        session.set_timer("time_limit", loop.time() + max(0.0, remaining), elapsed)


def _now() -> str:
    return format_timestamp(utcnow())
