"""Example values the endpoint declarations show in ``protocol/openapi.yaml``."""

from __future__ import annotations

from signaling.config import Settings
from signaling.profiles import avatar_url
from signaling.registry import UserProfile

TIMESTAMP = "2024-03-10T16:52:54.873753Z"
ROOM_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
INVITE_CODE = "b2a6f7a2-5f1c-4a8e-9d56-0f5c8a2e7d11"
RESUMPTION = "pX0w2l8K3m9QzT6rJ1yB4nV7cF5hD0gS8aE2uL6iO3kW9xR1tY7qZ4bN5mC8vA0j"
EMAIL = "alice@example.org"
SIP_ID = "0123456789"
PIN = "9876543210"
PASSWORD = "secret123"
WEBHOOK_ID = "0b9e3a44-6a1f-4d6e-8f0a-2c3d4e5f6a7b"
SESSION_ID = "9d1c7e20-3b4a-4c5d-8e6f-7a8b9c0d1e2f"
PARTICIPANT_ID = "1b7c3f4e-2d5a-4e6b-9c8d-0f1e2d3c4b5a"
PROFILE = UserProfile(
    id="alice",
    email=EMAIL,
    firstname="Alice",
    lastname="Example",
    display_name="Alice Example",
    avatar_url=avatar_url(Settings().avatar_base_url, EMAIL) or "",
)
POLL_ID = "3e8f1a2b-6c7d-4e9f-a0b1-c2d3e4f5a6b7"
MESSAGE_ID = "5d7b2c1e-8a9f-4b3c-9d2e-1f0a9b8c7d6e"
