// One participant's connection: /start for a ticket, the WebSocket with the ticket
// subprotocol, the web app's `echo` keepalive (§19.1), and a reconnect through /start with the
// resumption token after the close codes that ask for one (§19.9), keeping the participant id.

import { RECONNECT_CODES, SUBPROTOCOL, ticketProtocol, type Command, type Event } from "./protocol";
import { ApiError, start, type Credentials } from "./rest";

const KEEPALIVE_MS = 12_000; // an echo this often; one unanswered at the next is a stale socket
const ATTEMPTS = 8; // start calls per (re)connect, 0.5 s to 5 s apart

export interface ConnectionHandlers {
  /** The socket is open (again): send `join`. */
  opened(reconnected: boolean): void;
  frame(event: Event): void;
  status(text: string): void;
  /** Closed for good: a final close code, or no way back in. */
  ended(reason: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Connection {
  private socket: WebSocket | null = null;
  private resumption: string | null = null;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private pingSent = false; // an echo is out and no frame came since
  private stale = false;

  constructor(
    private readonly roomId: string,
    private readonly who: Credentials,
    private readonly handlers: ConnectionHandlers,
  ) {}

  /** Start and open; retried while the server asks to (5xx, `session_running`, no network). */
  async connect(reconnected = false): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { ticket, resumption } = await start(this.roomId, this.who, this.resumption);
        this.resumption = resumption;
        await this.open(ticket);
        this.handlers.opened(reconnected);
        return;
      } catch (error) {
        const final = error instanceof ApiError && error.status < 500 && error.code !== "session_running";
        if (final || attempt === ATTEMPTS) throw error;
        this.handlers.status(`Reconnecting (attempt ${attempt + 1} of ${ATTEMPTS})…`);
        await sleep(Math.min(500 * 2 ** (attempt - 1), 5000));
      }
    }
  }

  send(command: Command): void {
    this.socket?.send(JSON.stringify(command));
  }

  private open(ticket: string): Promise<void> {
    const url = new URL("/signaling", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, [SUBPROTOCOL, ticketProtocol(ticket)]);
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this.socket = socket;
        this.stale = false;
        this.startKeepalive(socket);
        resolve();
      };
      socket.onmessage = (message) => {
        this.pingSent = false;
        this.handlers.frame(JSON.parse(String(message.data)) as Event);
      };
      socket.onclose = (close) => {
        if (opened) this.closed(socket, close.code);
        else reject(new Error(`the handshake failed (close ${close.code})`));
      };
    });
  }

  private closed(socket: WebSocket, code: number): void {
    clearInterval(this.keepalive);
    if (this.socket !== socket) return;
    this.socket = null;
    if (!RECONNECT_CODES.has(code) && !this.stale) {
      this.handlers.ended(`The connection was closed (code ${code}).`);
      return;
    }
    this.handlers.status(`Connection lost (code ${code}); reconnecting…`);
    this.connect(true).catch((error: unknown) => this.handlers.ended(`Could not reconnect: ${String(error)}`));
  }

  private startKeepalive(socket: WebSocket): void {
    this.pingSent = false;
    this.keepalive = setInterval(() => {
      if (this.pingSent) {
        this.stale = true; // no answer: drop the socket and come back with resumption
        socket.close(4000, "keepalive timeout");
        return;
      }
      this.pingSent = true;
      this.send({ namespace: "echo", payload: { action: "ping" } });
    }, KEEPALIVE_MS);
  }
}
