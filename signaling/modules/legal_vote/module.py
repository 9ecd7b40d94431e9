"""The ``legal_vote`` module (supplement A): one running vote per signaling room.

The running vote is a room-state value; whoever takes it away first ends it (stop, the last
ballot with auto close, the expiry, the initiator's leave), so one ``stopped`` or
``canceled`` goes out. A ballot is a value per token stored only where none is, and an
ending first seals every unused token the same way: each token counts at most once, and
never after the end. Expiry and the initiator watch are shared timers any node may fire, so
a vote ends even when its initiator's node died (A.9-8). Only registered users take part.
"""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec

from signaling.errors import BACKEND_ERRORS
from signaling.hub import Delivery, participant_channel, room_channel
from signaling.modules import Errors, Module
from signaling.modules.legal_vote.core import (
    Ballot,
    Broadcast,
    ballot,
    ballot_refusal,
    distinct,
    duration,
    encode_token,
    frame_for,
    invalid_reason,
    registered,
    tally,
    voting_record,
)
from signaling.modules.legal_vote.types import (
    Cancel,
    Canceled,
    CancelReason,
    Command,
    Error,
    ErrorCode,
    Event,
    JoinData,
    Parameters,
    ReportedIssue,
    ReportIssue,
    Start,
    Started,
    Stop,
    StopKind,
    Stopped,
    Summary,
    Updated,
    Vote,
    Voted,
)
from signaling.session import ConnState
from signaling.wire import encode_event, format_timestamp, utcnow

if TYPE_CHECKING:
    from signaling.session import Session

NAMESPACE = "legal_vote"
error = Errors[ErrorCode](NAMESPACE)
SEALED = b"sealed"  # an unused token after the end
WATCH_PERIOD = 1.0  # seconds between checks that the initiator is still there
HISTORY_LIMIT = 1000
PROTOCOL_LIMIT = 10_000


class Stored(msgspec.Struct):
    """A vote as stored: what clients see, plus the user ids and each token's user."""

    params: Parameters
    users: list[str]  # ``allowed_users``: one per listed participant
    tokens: dict[str, str]  # token -> user id
    initiator: str  # the initiator's user id


_stored = msgspec.json.Decoder(Stored)
_ballot = msgspec.json.Decoder(Ballot)
_summary = msgspec.json.Decoder(Summary)


def _name(breakout: str | None, *parts: str) -> str:
    return ":".join((NAMESPACE, breakout or "main", *parts))


def _timer(room: str, breakout: str | None, vote_id: str, what: str) -> str:
    return f"{NAMESPACE}:{room}:{breakout or 'main'}:{vote_id}:{what}"


class LegalVoteModule(Module):
    namespace = NAMESPACE
    commands = Command
    events = Event
    join_data_type = JoinData
    personal_type = Broadcast

    async def on_command(self, session: Session, command: Any) -> None:
        if session.kind != "user" or session.user_id is None:
            return  # guests, SIP and recorders take no part (A.1, A.9-1)
        match command:
            case Start():
                await self._start(session, command)
            case Vote():
                await self._vote(session, session.user_id, command)
            case Stop() | Cancel():
                await self._end_command(session, command)
            case ReportIssue():
                await self._report(session, command)

    def render(self, session: Session, personal: Any) -> str | None:
        return frame_for(personal, session.kind, session.user_id, session.id)

    async def _broadcast(self, room: str, breakout: str | None, sent: Broadcast) -> None:
        delivery = Delivery(namespace=NAMESPACE, personal=sent)
        await self.ctx.publish(room_channel(room, breakout), delivery)

    async def _current(self, room: str, breakout: str | None) -> tuple[Stored, bytes] | None:
        raw = await self.ctx.state.value(room, _name(breakout, "current"))
        return None if raw is None else (_stored.decode(raw), raw)

    async def _protocol(
        self, room: str, breakout: str | None, vote_id: str, event: Any, at: str | None
    ) -> None:
        """Append to the vote's protocol (``at`` None: a pseudonymous ballot, undated)."""
        entry = {"event": event} if at is None else {"timestamp": at, "event": event}
        name = _name(breakout, vote_id, "protocol")
        await self.ctx.state.append(room, name, msgspec.json.encode(entry), PROTOCOL_LIMIT)

    # -- start -----------------------------------------------------------------------------

    async def _start(self, session: Session, command: Start) -> None:
        try:
            limit = duration(command.duration)
        except ValueError:
            return  # 1..4 seconds: an invalid payload (A.2)
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        state, room, breakout = self.ctx.state, session.room, session.breakout
        members = {p.id: p for p in await state.participants(room, breakout)}
        allowed = command.allowed_participants
        guests = [pid for pid in allowed if not registered(members.get(pid))]
        if guests:
            session.send(NAMESPACE, Error(error="allowlist_contains_guests", guests=guests))
            return
        if await self._current(room, breakout) is not None:
            error(session, "vote_already_active")
            return
        users = [members[pid].user_id or "" for pid in allowed]
        token_of = {user: encode_token(secrets.randbits(64)) for user in distinct(users)}
        moment = utcnow()
        params = Parameters(
            initiator_id=session.id,
            legal_vote_id=str(uuid.uuid4()),
            start_time=format_timestamp(moment),
            max_votes=len(token_of),
            kind=command.kind,
            name=command.name,
            subtitle=command.subtitle,
            topic=command.topic,
            allowed_participants=list(allowed),
            enable_abstain=command.enable_abstain,
            auto_close=command.auto_close,
            duration=limit,
            create_pdf=command.create_pdf,
            timezone=command.timezone,
        )
        tokens_of = {token: user for user, token in token_of.items()}
        stored = Stored(params, users, tokens_of, session.user_id or "")
        raw = msgspec.json.encode(stored)
        if not await state.put_new_value(room, _name(breakout, "current"), raw):
            error(session, "vote_already_active")
            return
        vote_id = params.legal_vote_id
        started = Started(**msgspec.structs.asdict(params))
        tokens = {pid: token_of[user] for pid, user in zip(allowed, users, strict=True)}
        try:
            await state.set_entry(room, _name(breakout, "votes"), vote_id, raw)
            start = {"kind": "start", **msgspec.to_builtins(params)}
            await self._protocol(room, breakout, vote_id, start, params.start_time)
            if limit is not None:
                at = (moment + timedelta(seconds=limit)).timestamp()
                await state.schedule(_timer(room, breakout, vote_id, "expiry"), at)
            watch = time.time() + WATCH_PERIOD
            await state.schedule(_timer(room, breakout, vote_id, "watch"), watch)
            await self._broadcast(room, breakout, Broadcast(started=started, tokens=tokens))
        except BACKEND_ERRORS:  # nobody heard of it: no vote runs
            for what in ("expiry", "watch"):
                await state.unschedule(_timer(room, breakout, vote_id, what))
            await state.clear(room, _name(breakout, vote_id, "protocol"))
            await state.take_value(room, _name(breakout, "current"), raw)
            raise

    # -- vote ------------------------------------------------------------------------------

    def _failed(self, session: Session, vote_id: str, reason: Any) -> None:
        session.send(NAMESPACE, Voted(legal_vote_id=vote_id, response="failed", reason=reason))

    async def _vote(self, session: Session, user_id: str, command: Vote) -> None:
        state, room, breakout = self.ctx.state, session.room, session.breakout
        vote_id = command.legal_vote_id
        running = await self._current(room, breakout)
        if running is None or running[0].params.legal_vote_id != vote_id:
            self._failed(session, vote_id, "invalid_vote_id")
            return
        stored = running[0]
        params = stored.params
        owner = stored.tokens.get(command.token)
        refusal = ballot_refusal(command.option, params.enable_abstain, owner, user_id)
        if refusal is not None:
            self._failed(session, vote_id, refusal)
            return
        cast = ballot(params.kind, command.option, session.id)
        name = _name(breakout, vote_id, "ballot", command.token)
        if not await state.put_new_value(room, name, msgspec.json.encode(cast)):
            ended = await state.value(room, name) == SEALED
            self._failed(session, vote_id, "invalid_vote_id" if ended else "ineligible")
            return
        # The ballot is final from here on: it is announced, whatever happens.
        voted = Voted(
            legal_vote_id=vote_id,
            response="success",
            vote_option=command.option,
            issuer=session.id,
            consumed_token=command.token,
        )
        sent = Broadcast(frame=encode_event(NAMESPACE, voted), user_id=user_id)
        await self.ctx.reliably(partial(self._broadcast, room, breakout, sent))
        ballots = await self._ballots(room, breakout, stored)
        if params.kind != "pseudonymous":
            counts = tally(ballots.values(), params.enable_abstain)
            updated = Updated(
                legal_vote_id=vote_id,
                yes=counts.yes,
                no=counts.no,
                abstain=counts.abstain,
                voting_record=voting_record(params.kind, ballots),
            )
            sent = Broadcast(frame=encode_event(NAMESPACE, updated))
            await self.ctx.reliably(partial(self._broadcast, room, breakout, sent))
        entry: dict[str, Any] = {"kind": "vote", "token": command.token, "option": cast.option}
        if params.kind == "pseudonymous":
            await self._protocol(room, breakout, vote_id, entry, None)
        else:
            entry |= {"user_id": user_id, "participant_id": session.id}
            await self._protocol(room, breakout, vote_id, entry, now())
        if params.auto_close and len(ballots) == len(stored.tokens):
            await self._finish(room, breakout, running, "auto", None)

    async def _ballots(self, room: str, breakout: str | None, stored: Stored) -> dict[str, Ballot]:
        """The ballots cast, by token."""
        out: dict[str, Ballot] = {}
        vote_id = stored.params.legal_vote_id
        for token in stored.tokens:
            raw = await self.ctx.state.value(room, _name(breakout, vote_id, "ballot", token))
            if raw is not None and raw != SEALED:
                out[token] = _ballot.decode(raw)
        return out

    # -- endings ---------------------------------------------------------------------------

    async def _end_command(self, session: Session, command: Stop | Cancel) -> None:
        if session.role != "moderator":
            error(session, "insufficient_permissions")
            return
        running = await self._current(session.room, session.breakout)
        if running is None:
            error(session, "no_vote_active")
            return
        if running[0].params.legal_vote_id != command.legal_vote_id:
            error(session, "invalid_vote_id")
            return
        if isinstance(command, Stop):
            ended = await self._finish(
                session.room, session.breakout, running, "by_participant", session
            )
        else:
            ended = await self._cancel(
                session.room, session.breakout, running, "custom", command.reason, session.user_id
            )
        if not ended:
            error(session, "invalid_vote_id")

    async def _close(
        self, room: str, breakout: str | None, running: tuple[Stored, bytes]
    ) -> dict[str, Ballot] | None:
        """Take the running vote away (None if someone else did) and seal its unused
        tokens; the ballots cast."""
        state = self.ctx.state
        stored, raw = running
        if not await state.take_value(room, _name(breakout, "current"), raw):
            return None
        vote_id = stored.params.legal_vote_id
        for what in ("expiry", "watch"):
            await state.unschedule(_timer(room, breakout, vote_id, what))
        for token in stored.tokens:
            await state.put_new_value(room, _name(breakout, vote_id, "ballot", token), SEALED)
        return await self._ballots(room, breakout, stored)

    async def _finish(
        self,
        room: str,
        breakout: str | None,
        running: tuple[Stored, bytes],
        kind: StopKind,
        issuer: Session | None,
    ) -> bool:
        ballots = await self._close(room, breakout, running)
        if ballots is None:
            return False
        stored = running[0]
        params = stored.params
        end_time = now()
        base = msgspec.structs.asdict(params)
        reason = invalid_reason(ballots, stored.tokens, params.max_votes, params.enable_abstain)
        issuer_id = None if issuer is None else issuer.id
        if reason is not None:
            event = Stopped(
                params.legal_vote_id, "invalid", kind, end_time, reason=reason, issuer=issuer_id
            )
            summary = Summary(**base, state="invalid", reason=reason, end_time=end_time)
        else:
            counts = tally(ballots.values(), params.enable_abstain)
            record = voting_record(params.kind, ballots)
            event = Stopped(
                params.legal_vote_id,
                "valid",
                kind,
                end_time,
                yes=counts.yes,
                no=counts.no,
                abstain=counts.abstain,
                voting_record=record,
                issuer=issuer_id,
            )
            summary = Summary(
                **base,
                state="finished",
                stop_kind="by_user" if kind == "by_participant" else kind,
                stopped_by=None if issuer is None else issuer.user_id,
                yes=counts.yes,
                no=counts.no,
                abstain=counts.abstain,
                voting_record=record,
                end_time=end_time,
            )
        await self._ended(room, breakout, summary, event)
        return True

    async def _cancel(
        self,
        room: str,
        breakout: str | None,
        running: tuple[Stored, bytes],
        reason: CancelReason,
        custom: str | None,
        issuer: str | None,
    ) -> bool:
        if await self._close(room, breakout, running) is None:
            return False
        params = running[0].params
        end_time = now()
        event = Canceled(params.legal_vote_id, reason, end_time, custom=custom)
        summary = Summary(
            **msgspec.structs.asdict(params),
            state="canceled",
            issuer=issuer,
            reason=reason,
            custom=custom,
            end_time=end_time,
        )
        await self._ended(room, breakout, summary, event)
        return True

    async def _ended(
        self, room: str, breakout: str | None, summary: Summary, event: Stopped | Canceled
    ) -> None:
        """Tell every member (the end cannot be taken back), then keep the vote in the
        history and its protocol."""
        sent = Broadcast(frame=encode_event(NAMESPACE, event))
        await self.ctx.reliably(partial(self._broadcast, room, breakout, sent))
        await self.ctx.state.append(
            room, _name(breakout, "history"), msgspec.json.encode(summary), HISTORY_LIMIT
        )
        ending = msgspec.to_builtins(event)
        await self._protocol(room, breakout, summary.legal_vote_id, ending, summary.end_time)

    async def on_timer(self, key: str) -> None:
        _, room, sroom, vote_id, what = key.split(":")
        breakout = None if sroom == "main" else sroom
        running = await self._current(room, breakout)
        if running is None or running[0].params.legal_vote_id != vote_id:
            return
        if what == "expiry":
            await self._finish(room, breakout, running, "expired", None)
            return
        stored = running[0]
        initiator = await self.ctx.state.participant(room, breakout, stored.params.initiator_id)
        if initiator is not None and initiator.left_at is None:
            await self.ctx.state.schedule(key, time.time() + WATCH_PERIOD)
        else:  # gone without a leave hook (its node died, §15.5)
            await self._cancel(room, breakout, running, "initiator_left", None, stored.initiator)

    async def on_leave(self, session: Session) -> None:
        if session.state != ConnState.JOINED or session.kind != "user":
            return
        running = await self._current(session.room, session.breakout)
        if running is not None and running[0].params.initiator_id == session.id:
            await self._cancel(
                session.room, session.breakout, running, "initiator_left", None, session.user_id
            )

    # -- issues and late joiners -----------------------------------------------------------

    async def _report(self, session: Session, command: ReportIssue) -> None:
        if command.kind is None and command.description is None:
            return  # an invalid payload (A.2)
        state, room, breakout = self.ctx.state, session.room, session.breakout
        raw = (await state.entries(room, _name(breakout, "votes"))).get(command.legal_vote_id)
        if raw is None:
            error(session, "invalid_vote_id")
            return
        stored = _stored.decode(raw)
        if session.user_id not in stored.users:
            error(session, "insufficient_permissions")
            return
        named = stored.params.kind != "pseudonymous"
        issue = ReportedIssue(
            legal_vote_id=command.legal_vote_id,
            participant_id=session.id if named else None,
            kind=command.kind,
            description=command.description,
        )
        delivery = Delivery(frame=encode_event(NAMESPACE, issue))
        await self.ctx.publish(
            participant_channel(session.room, stored.params.initiator_id), delivery
        )
        entry: dict[str, Any] = {"kind": "issue", **msgspec.to_builtins(issue)}
        await self._protocol(room, breakout, command.legal_vote_id, entry, now())

    async def join_data(self, session: Session) -> Any:
        if session.kind != "user" or session.user_id is None:
            return None
        state = self.ctx.state
        history = await state.items(session.room, _name(session.breakout, "history"))
        votes = [_summary.decode(raw) for raw in history]
        running = await self._current(session.room, session.breakout)
        if running is not None:
            votes.append(Summary(**msgspec.structs.asdict(running[0].params), state="started"))
        return JoinData(votes=votes)


def now() -> str:
    return format_timestamp(utcnow())
