"""The ``legal_vote`` namespace (supplement A)."""

from signaling.modules.legal_vote.module import LegalVoteModule

__all__ = ["LegalVoteModule"]
