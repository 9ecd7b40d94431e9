"""An OpenTalk-compatible WebSocket signaling server: the server core (WebSocket side, live
state, records, tokens, errors). The REST side, ``tickets``, builds on it; nothing here
imports ``tickets`` except the app factory (``signaling.app``) and the document generators
(``signaling.docs``)."""
