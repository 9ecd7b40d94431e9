"""The server as an operator and a browser meet it: CLI, dev secret, health, JSON 404s, CORS,
the Origin allowlist, refused configurations."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from signaling.wire import SUBPROTOCOL
from tests.support.client import Api, Peer
from tests.support.server import ServerProcess, free_port


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


async def test_dev_tokens_work_against_the_embedded_dev_secret() -> None:
    process = ServerProcess({"SIGNALING_JWT_SECRET": ""}).start()
    env = {"SIGNALING_DATA_DIR": process.data_dir, "SIGNALING_JWT_SECRET": ""}
    try:
        user = cli("dev-token", "--sub", "alice", "--name", "Alice", env=env)
        assert user.returncode == 0, user.stderr
        gateway = cli("dev-token", "--sub", "gw", "--service", "call-in", env=env)
        assert gateway.returncode == 0, gateway.stderr
        api = Api(process, user.stdout.strip())
        room = await api.create_room()
        me = (await api.request("GET", "/v1/users/me")).json()
        assert (me["id"], me["display_name"]) == ("alice", "Alice")
        sip = (await api.request("PUT", f"/v1/rooms/{room['id']}/sip", {"lobby": False})).json()
        response = await api.request(
            "POST",
            "/v1/services/call_in/start",
            {"id": sip["sip_id"], "pin": sip["password"]},
            token=gateway.stdout.strip(),
        )
        assert response.status_code == 200, response.text
        foreign = ServerProcess().token("alice", "Alice")  # signed with another secret
        response = await api.request("GET", "/v1/users/me", token=foreign)
        assert response.status_code == 401
        await api.aclose()
    finally:
        process.stop()
    secret_file = os.path.join(process.data_dir, "dev-jwt-secret")
    assert oct(os.stat(secret_file).st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SIGNALING_WORKERS": "2"}, "SIGNALING_WORKERS"),
        ({"SIGNALING_PORT": "zero"}, "SIGNALING_PORT"),
        ({"SIGNALING_TICKET_TTL": "-1"}, "SIGNALING_TICKET_TTL"),
        ({"SIGNALING_CONFIG": "/nonexistent/signaling.toml"}, "SIGNALING_CONFIG"),
    ],
)
def test_bad_configurations_are_refused_with_a_clear_message(
    env: dict[str, str], message: str
) -> None:
    result = cli("serve", env={"SIGNALING_PORT": str(free_port()), **env})
    assert result.returncode == 2
    assert message in result.stderr


async def test_healthz_and_json_errors_for_unknown_routes(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        health = await http.get("/healthz")
        expected = "redis" if "SIGNALING_REDIS_URL" in server.env else "embedded"
        assert health.json() == {"status": "ok", "backend": expected}
        for method, path, status, code in [
            ("GET", "/nope", 404, "not_found"),
            ("GET", "/v1/events/anything", 404, "not_found"),
            ("PUT", "/v1/rooms/x/start", 405, "method_not_allowed"),
        ]:
            response = await http.request(method, path)
            assert response.status_code == status
            assert response.headers["content-type"] == "application/json"
            assert response.json()["code"] == code


async def test_cors_and_the_websocket_origin_allowlist() -> None:
    process = ServerProcess(
        {
            "SIGNALING_CORS_ORIGINS": "https://app.example.org",
            "SIGNALING_WEBSOCKET_ORIGINS": "https://app.example.org",
        }
    ).start()
    api = Api(process, process.token("cors-owner", "Owner"))
    try:
        preflight = await api.http.options(
            "/v1/rooms",
            headers={
                "Origin": "https://app.example.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example.org"
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        room = await api.create_room()
        ticket = (await api.start(room["id"]))["ticket"]
        with pytest.raises(InvalidStatus) as info:
            await connect(
                process.ws_url,
                subprotocols=[SUBPROTOCOL, f"ticket#{ticket}"],  # type: ignore[list-item]
                origin="https://evil.example.org",  # type: ignore[arg-type]
            )
        assert info.value.response.status_code == 403
        assert json.loads(info.value.response.body or b"{}")["code"] == "forbidden"
        ticket = (await api.start(room["id"]))["ticket"]
        ws = await connect(
            process.ws_url,
            subprotocols=[SUBPROTOCOL, f"ticket#{ticket}"],  # type: ignore[list-item]
            origin="https://app.example.org",  # type: ignore[arg-type]
        )
        peer = Peer(ws)
        await peer.join("Allowed")
        await peer.close()
    finally:
        await api.aclose()
        process.stop()
