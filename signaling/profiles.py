"""User profiles derived from bearer-token claims (``users/me``, ``created_by``, avatars)."""

from __future__ import annotations

import hashlib

from signaling.auth import Principal
from signaling.registry import UserProfile


def avatar_url(base_url: str, email: str | None) -> str | None:
    """The libravatar URL of an e-mail address (base + md5 of the trimmed lower-case address)."""
    if not email:
        return None
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    return f"{base_url}{digest}"


def user_profile(principal: Principal, avatar_base_url: str) -> UserProfile:
    return UserProfile(
        id=principal.sub,
        email=principal.email or "",
        firstname=principal.given_name,
        lastname=principal.family_name,
        display_name=principal.name or principal.sub,
        avatar_url=avatar_url(avatar_base_url, principal.email) or "",
    )
