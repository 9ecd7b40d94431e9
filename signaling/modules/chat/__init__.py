"""The ``chat`` namespace (reference §9)."""

from signaling.modules.chat.module import ChatModule

__all__ = ["ChatModule"]
