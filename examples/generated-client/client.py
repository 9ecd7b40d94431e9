"""A client built on the models that ``asyncapi generate models python`` makes from
``protocol/asyncapi.yaml``: two participants join a room on a real server and chat.

Run it through ``bash tools/generated-client.sh`` (which generates ``models/`` first), or, once
``models/`` exists, ``.venv/bin/python examples/generated-client/client.py``. It starts
``signaling serve`` on a free port with a temporary data dir and its own JWT secret, gets two
bearer tokens (``signaling dev-token``), creates a room and asks for start tickets over REST,
connects Alice and Bob to ``/signaling`` (subprotocol + ticket), joins both, sends a global
chat message from Alice and checks that Bob receives it, then stops the server. Every frame
either side receives is parsed into its generated model class (``chat.message_sent`` →
``models.ChatMessageSentFrame``); commands are built with the generated models too. Exit code
0 on success, 1 on failure. Needs only the project's venv (``websockets``) and the standard
library; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from models.ChatMessageSentFrame import ChatMessageSentFrame  # noqa: E402
from models.ChatSendMessageFrame import ChatSendMessageFrame  # noqa: E402
from models.ControlJoinedFrame import ControlJoinedFrame  # noqa: E402
from models.ControlJoinFrame import ControlJoinFrame  # noqa: E402
from models.ControlJoinSuccessFrame import ControlJoinSuccessFrame  # noqa: E402

SIGNALING = os.environ.get("SIGNALING_BIN", str(ROOT / ".venv" / "bin" / "signaling"))
#: The binding's `Sec-WebSocket-Protocol` (see channels.signaling.bindings.ws in the document).
SUBPROTOCOL = "opentalk-signaling-json-v1.0"
TIMEOUT = 10.0  # seconds, for every single wait
CONTENT = "Hello from a client generated from protocol/asyncapi.yaml"

M = TypeVar("M")


# -- the generated models ----------------------------------------------------------------------


def frame_class(message: str) -> str:
    """The generated class of a message's frame, i.e. the ``title`` the document gives its
    envelope: ``chat.message_sent`` → ``ChatMessageSentFrame``."""
    words = message.replace(".", "_").split("_")
    return "".join(word[:1].upper() + word[1:] for word in words) + "Frame"


def parse(raw: str | bytes) -> Any:
    """A server frame as an instance of its generated model: ``{namespace, payload.message}``
    names the class (``chat.message_sent`` → ``ChatMessageSentFrame``; echo: ``EchoEventFrame``).
    The model's constructor checks required fields and enum values."""
    frame = json.loads(raw)
    namespace, payload = frame["namespace"], frame["payload"]
    tag = "event" if namespace == "echo" else payload["message"]
    name = frame_class(f"{namespace}.{tag}")
    try:
        module = importlib.import_module(f"models.{name}")
    except ModuleNotFoundError:
        raise AssertionError(f"no generated model for {namespace}.{tag}: {frame}") from None
    model = getattr(module, name)(frame)
    # The models fix ``namespace`` to the document's const instead of reading it, and keep
    # exactly the fields they know: the round trip proves the frame has no other.
    back = plain(model)
    if back != frame:
        raise AssertionError(f"{name} does not hold the frame:\n  {frame}\n  {back}")
    return model


def plain(value: Any) -> Any:
    """A generated model (or a value inside one) as JSON data: the Python models have no
    serializer, their fields are the ``_name`` attributes the constructor sets."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if hasattr(value, "__dict__"):
        return {key[1:]: plain(item) for key, item in vars(value).items()}
    return value


# -- the server ---------------------------------------------------------------------------------


class Server:
    def __init__(self) -> None:
        self.data_dir = tempfile.mkdtemp(prefix="signaling-generated-client-")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port: int = sock.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALING_")}
        self.env = {
            **env,
            "SIGNALING_HOST": "127.0.0.1",
            "SIGNALING_PORT": str(self.port),
            "SIGNALING_DATA_DIR": self.data_dir,
            "SIGNALING_JWT_SECRET": secrets.token_hex(32),
            "SIGNALING_LOG_LEVEL": "warning",
        }
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/signaling"
        self.log = Path(self.data_dir) / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [SIGNALING, "serve"],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not come up in 20 s:\n{self.log.read_text()}")

    def token(self, sub: str, name: str) -> str:
        result = subprocess.run(
            [SIGNALING, "dev-token", "--sub", sub, "--name", name],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT * 2,
            check=True,
        )
        return result.stdout.strip()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=TIMEOUT)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def rest(server: Server, token: str, path: str, body: Any, status: int) -> Any:
    request = urllib.request.Request(
        server.base_url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            got, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        got, text = error.code, error.read().decode()
    if got != status:
        raise AssertionError(f"POST {path}: expected {status}, got {got}: {text}")
    return json.loads(text)


# -- participants -------------------------------------------------------------------------------


class Participant:
    def __init__(self, name: str, ws: ClientConnection) -> None:
        self.name = name
        self.ws = ws
        self.id = ""

    @classmethod
    async def connect(cls, server: Server, name: str, ticket: str) -> Participant:
        protocols = [Subprotocol(SUBPROTOCOL), Subprotocol(f"ticket#{ticket}")]
        ws = await connect(server.ws_url, subprotocols=protocols, open_timeout=TIMEOUT)
        if ws.subprotocol != SUBPROTOCOL:
            raise AssertionError(f"server chose subprotocol {ws.subprotocol!r}")
        return cls(name, ws)

    async def send(self, command: Any) -> None:
        await self.ws.send(json.dumps(plain(command)))

    async def receive(self, model: type[M]) -> M:
        """Frames until one parses as ``model`` (each one is parsed); at most TIMEOUT s."""
        deadline = time.monotonic() + TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                frame = parse(await asyncio.wait_for(self.ws.recv(), left))
            except TimeoutError:
                break
            print(f"  {self.name} <- {type(frame).__name__}")
            if isinstance(frame, model):
                return frame
        raise AssertionError(f"{self.name}: no {model.__name__} within {TIMEOUT} s")

    async def join(self) -> ControlJoinSuccessFrame:
        join = {"action": "join", "display_name": self.name}
        await self.send(ControlJoinFrame({"namespace": "control", "payload": join}))
        success = await self.receive(ControlJoinSuccessFrame)
        self.id = success.payload.id
        return success


async def scenario(server: Server) -> None:
    alice_token = server.token("alice", "Alice")
    bob_token = server.token("bob", "Bob")
    room = rest(server, alice_token, "/v1/rooms", {"password": None, "enable_sip": False}, 201)
    alice_ticket = rest(server, alice_token, f"/v1/rooms/{room['id']}/start", {}, 200)["ticket"]
    bob_ticket = rest(server, bob_token, f"/v1/rooms/{room['id']}/start", {}, 200)["ticket"]
    print(f"room {room['id']}: tickets for Alice and Bob")

    alice = await Participant.connect(server, "Alice", alice_ticket)
    bob = await Participant.connect(server, "Bob", bob_ticket)
    try:
        await alice.join()
        success = await bob.join()
        # Annotated List[Participant], but the Python models keep list items as parsed JSON.
        participants: list[Any] = success.payload.participants
        if [p["id"] for p in participants] != [alice.id]:
            raise AssertionError(f"Bob should see Alice only: {participants}")
        joined = await alice.receive(ControlJoinedFrame)
        if joined.payload.id != bob.id or joined.payload.control.display_name != "Bob":
            raise AssertionError(f"Alice should see Bob join: {plain(joined)}")

        message = {"action": "send_message", "content": CONTENT, "scope": "global"}
        await alice.send(ChatSendMessageFrame({"namespace": "chat", "payload": message}))
        sent = await bob.receive(ChatMessageSentFrame)
        got = (sent.payload.source, sent.payload.content, sent.payload.scope.value)
        if got != (alice.id, CONTENT, "global"):
            raise AssertionError(f"Bob got {got}, expected Alice's global message")
        print(f"Bob received Alice's message at {sent.timestamp}: {sent.payload.content!r}")
    finally:
        await asyncio.wait_for(asyncio.gather(alice.ws.close(), bob.ws.close()), TIMEOUT)


def main() -> int:
    started = time.monotonic()
    server = Server()
    try:
        server.start()
        asyncio.run(asyncio.wait_for(scenario(server), 6 * TIMEOUT))
    except Exception as error:
        print(f"generated client: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        if server.log.exists():
            print(f"server log:\n{server.log.read_text()}", file=sys.stderr)
        return 1
    finally:
        server.stop()
    print(f"generated client: OK in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
