"""A client that speaks our protocol: the REST calls of a frontend and the /signaling socket."""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from signaling.wire import SUBPROTOCOL
from tests.support.conformance import check_frame, check_response
from tests.support.server import ServerProcess

Json = dict[str, Any]
#: One TLS context for every client: the servers are plain-HTTP loopback, but httpx builds a
#: context (loading the CA bundle) per client unless given one, 40-80 ms of the event loop's
#: time each. A test that creates hundreds of clients fell tens of seconds behind its sockets.
_TLS = ssl.create_default_context()


class Api:
    """REST calls against one server, as the user whose bearer token is given."""

    def __init__(
        self, server: ServerProcess, token: str | None = None, local_address: str | None = None
    ) -> None:
        self.server = server
        self.token = token
        transport = None  # ``local_address``: the loopback address the calls come from
        if local_address is not None:
            transport = httpx.AsyncHTTPTransport(local_address=local_address, verify=_TLS)
        self.http = httpx.AsyncClient(
            base_url=server.base_url, timeout=10, verify=_TLS, transport=transport
        )

    def _headers(self, token: str | None) -> dict[str, str]:
        token = token or self.token
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def request(
        self, method: str, path: str, json_body: Any = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        """One REST call; the response is checked against protocol/openapi.yaml
        (tests/support/conformance). ``self.http`` directly bypasses the check."""
        response = await self.http.request(
            method,
            path,
            json=json_body,
            headers={**self._headers(token), **kw.pop("headers", {})},
            **kw,
        )
        check_response(response)
        return response

    async def create_room(self, **body: Any) -> Json:
        response = await self.request(
            "POST", "/v1/rooms", {"password": None, "enable_sip": False, **body}
        )
        assert response.status_code == 201, response.text
        room: Json = response.json()
        return room

    async def start(self, room_id: str, **body: Any) -> Json:
        response = await self.request("POST", f"/v1/rooms/{room_id}/start", body)
        assert response.status_code == 200, response.text
        result: Json = response.json()
        return result

    async def aclose(self) -> None:
        await self.http.aclose()


class Peer:
    """One /signaling connection. Every frame it reads is checked against
    protocol/asyncapi.yaml unless not ``checked`` (a load test whose clients would spend more
    CPU on the checks, ~1 ms a frame, than the servers on the meeting)."""

    def __init__(
        self, ws: ClientConnection, resumption: str | None = None, checked: bool = True
    ) -> None:
        self.ws = ws
        self.resumption = resumption
        self.checked = checked
        self.id: str | None = None

    @classmethod
    async def connect(
        cls,
        server: ServerProcess,
        ticket: str,
        resumption: str | None = None,
        checked: bool = True,
    ) -> Peer:
        ws = await connect(
            server.ws_url,
            subprotocols=[SUBPROTOCOL, f"ticket#{ticket}"],  # type: ignore[list-item]
            open_timeout=10,
            max_size=None,
        )
        return cls(ws, resumption, checked)

    async def send(self, namespace: str, payload: Json) -> None:
        await self.ws.send(json.dumps({"namespace": namespace, "payload": payload}))

    async def recv(self, timeout: float = 5.0) -> Json:
        """The next frame, checked against the document (tests/support/conformance)."""
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        frame: Json = json.loads(raw)
        if self.checked:
            check_frame(frame)
        return frame

    async def expect(self, namespace: str, message: str, timeout: float = 5.0) -> Json:
        """The next frame, which must be ``namespace``/``message``; returns its payload."""
        frame = await self.recv(timeout)
        got = (frame.get("namespace"), frame.get("payload", {}).get("message"))
        assert got == (namespace, message), f"expected {namespace}/{message}, got {frame}"
        payload: Json = frame["payload"]
        return payload

    async def silent(self, duration: float = 0.3) -> None:
        """Assert that nothing arrives for ``duration`` seconds."""
        try:
            frame = await asyncio.wait_for(self.ws.recv(), duration)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected frame: {frame!r}")

    async def join(self, display_name: str | None = "Tester") -> Json:
        payload: Json = {"action": "join"}
        if display_name is not None:
            payload["display_name"] = display_name
        await self.send("control", payload)
        success = await self.expect("control", "join_success")
        self.id = success["id"]
        return success

    async def echo(self, payload: Json | None = None) -> None:
        """An echo round trip: proves the connection still works."""
        body = payload or {"action": "ping"}
        await self.send("echo", body)
        frame = await self.recv()
        assert frame["namespace"] == "echo" and frame["payload"] == body, frame

    async def closed(self, timeout: float = 5.0) -> tuple[int | None, str]:
        """Wait for the server to close; returns (code, reason). Frames that arrive first are
        checked too."""
        drained: list[str | bytes] = []
        try:
            while True:
                raw = await asyncio.wait_for(self.ws.recv(), timeout)
                if self.checked:
                    drained.append(raw)
        except Exception:
            pass
        for raw in drained:
            check_frame(json.loads(raw))
        await asyncio.wait_for(self.ws.wait_closed(), timeout)
        rcvd = self.ws.protocol.close_rcvd
        return (rcvd.code, rcvd.reason) if rcvd else (None, "")

    async def close(self) -> None:
        await self.ws.close()
