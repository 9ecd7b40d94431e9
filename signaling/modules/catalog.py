"""Every namespace this server offers, in order: the one list read by the node (which builds
each with its context) and by the AsyncAPI renderer. Adding a module is its package and one
entry here."""

from __future__ import annotations

from signaling.modules import Module
from signaling.modules.automod import AutomodModule
from signaling.modules.breakout import BreakoutModule
from signaling.modules.chat import ChatModule
from signaling.modules.control import ControlModule
from signaling.modules.echo import EchoModule
from signaling.modules.legal_vote import LegalVoteModule
from signaling.modules.moderation import ModerationModule
from signaling.modules.polls import PollsModule
from signaling.modules.timer import TimerModule

#: The order is the order of every hook's calls (``join_success`` keys, peer data, …);
#: leave hooks run in reverse, so ``control`` announces ``left`` last.
MODULES: tuple[type[Module], ...] = (
    ControlModule,
    EchoModule,
    ChatModule,
    ModerationModule,
    PollsModule,
    BreakoutModule,
    TimerModule,
    LegalVoteModule,
    AutomodModule,
)
