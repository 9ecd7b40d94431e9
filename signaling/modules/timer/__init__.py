"""The ``timer`` namespace (reference §12, supplement C)."""

from signaling.modules.timer.module import TimerModule

__all__ = ["TimerModule"]
