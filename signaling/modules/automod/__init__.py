"""The ``automod`` namespace: the talking stick (supplement B)."""

from signaling.modules.automod.module import AutomodModule

__all__ = ["AutomodModule"]
