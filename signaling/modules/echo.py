"""The ``echo`` namespace: any payload comes back unchanged, in every connection state, never
rate limited or tariff-gated — the web app's keepalive (reference §4, §19.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from signaling.modules import Module

if TYPE_CHECKING:
    from signaling.session import Session


class EchoModule(Module):
    namespace = "echo"
    before_join = True
    in_tariff = False

    async def on_command(self, session: Session, command: Any) -> None:
        session.send("echo", command)
