"""An OpenTalk-compatible WebSocket signaling server."""
