"""The ``polls`` namespace (reference §10)."""

from signaling.modules.polls.module import PollsModule

__all__ = ["PollsModule"]
