"""The ``control`` namespace (reference §7)."""

from signaling.modules.control.module import ControlModule

__all__ = ["ControlModule"]
