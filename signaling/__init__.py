"""An OpenTalk-compatible WebSocket signaling server: the server core (WebSocket side, live
state, records, tokens, errors). The REST side, ``tickets``, builds on it; nothing here
imports ``tickets`` except the app factory (``signaling.app``), the demo page's app
(``signaling.demo``, for the REST plumbing) and the document generators (``signaling.docs``)."""
