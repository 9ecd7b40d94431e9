"""What a moderation delivery asks of the sessions that receive it."""

from __future__ import annotations

import msgspec

from signaling.modules.moderation.types import KickScope
from signaling.state import LeaveReason


class ModerationSignal(msgspec.Struct, omit_defaults=True):
    """Kicked or banned (close with 1000), sent to the waiting room, accepted out of it, a
    debriefing of ``debrief``'s scope, or the meeting session ended (close with 1000, joined
    or waiting)."""

    close: LeaveReason | None = None
    to_waiting_room: bool = False
    accepted: bool = False
    ended: bool = False
    debrief: KickScope | None = None
    issued_by: str = ""
