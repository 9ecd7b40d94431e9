"""The chat namespace's scope rules, pure (reference §9, §19): which messages may be sent
where, which history keeps them, and the last-seen timestamps."""

from __future__ import annotations

from collections.abc import Iterable

from signaling.modules.chat.types import ChatMessage, LastSeen, Scope


def truncate_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit].decode(errors="ignore")


def addressed(content: str, scope: Scope, target: str | None, groups: Iterable[str]) -> bool:
    """Whether a message names somewhere it may go (else it is dropped): some content, a
    target unless global, one of the sender's own groups. A private target must also be a
    participant of the room, which only the state knows."""
    if not content:
        return False
    if scope == "global":
        return True
    if not target:
        return False
    return scope != "group" or target in groups


def histories(scope: Scope, sender: str, target: str | None) -> list[str]:
    """The history lists (suffixes) a sent message is kept in: the room's, the group's, or
    the private history of both ends."""
    if scope == "global":
        return ["global"]
    if scope == "group":
        return [f"group:{target}"]
    return [f"private:{owner}" for owner in {sender, target or sender}]


def note_last_seen(
    seen: LastSeen, scope: Scope, target: str | None, moment: str, groups: Iterable[str]
) -> None:
    """Record ``moment`` as last seen in the scope (a group only if it is one's own)."""
    if scope == "global":
        seen.global_ = moment
    elif scope == "private" and target:
        seen.private[target] = moment
    elif scope == "group" and target is not None and target in groups:
        seen.group[target] = moment


def correspondents(private: list[ChatMessage], me: str) -> dict[str, list[ChatMessage]]:
    """``me``'s private messages by the other end, in their order (to oneself: ``me``)."""
    found: dict[str, list[ChatMessage]] = {}
    for message in private:
        other = message.target if message.source == me else message.source
        found.setdefault(other or me, []).append(message)
    return found
