"""The ``breakout`` namespace (reference §11)."""

from signaling.modules.breakout.module import BreakoutModule

__all__ = ["BreakoutModule"]
