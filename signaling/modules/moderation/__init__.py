"""The ``moderation`` namespace (reference §8)."""

from signaling.modules.moderation.module import ModerationModule

__all__ = ["ModerationModule"]
