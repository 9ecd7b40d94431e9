// src/protocol.ts
var SUBPROTOCOL = "opentalk-signaling-json-v1.0";
var ticketProtocol = (ticket) => `ticket#${ticket}`;
var RECONNECT_CODES = /* @__PURE__ */ new Set([1001, 1005, 1006, 1007, 1012, 1013, 4999]);

// src/rest.ts
var ApiError = class extends Error {
  constructor(status2, code, message) {
    super(message);
    this.status = status2;
    this.code = code;
  }
  status;
  code;
};
async function call(path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token !== void 0) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, data.code ?? "unknown", data.message ?? response.statusText);
  }
  return data;
}
var devToken = (name) => call("/demo/token", { name });
var createRoom = (token, password) => call("/v1/rooms", { password, waiting_room: false, enable_sip: false }, token);
var createInvite = (token, roomId) => call(`/v1/rooms/${roomId}/invites`, {}, token);
var verifyInvite = (inviteCode) => call("/v1/invite/verify", { invite_code: inviteCode });
function start(roomId, who, resumption) {
  if (who.kind === "user") return call(`/v1/rooms/${roomId}/start`, { resumption }, who.token);
  return call(`/v1/rooms/${roomId}/start_invited`, {
    invite_code: who.inviteCode,
    password: who.password,
    resumption
  });
}

// src/connection.ts
var KEEPALIVE_MS = 12e3;
var ATTEMPTS = 8;
var sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
var Connection = class {
  constructor(roomId, who, handlers) {
    this.roomId = roomId;
    this.who = who;
    this.handlers = handlers;
  }
  roomId;
  who;
  handlers;
  socket = null;
  resumption = null;
  keepalive;
  pingSent = false;
  // an echo is out and no frame came since
  stale = false;
  /** Start and open; retried while the server asks to (5xx, `session_running`, no network). */
  async connect(reconnected = false) {
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
        await sleep(Math.min(500 * 2 ** (attempt - 1), 5e3));
      }
    }
  }
  send(command) {
    this.socket?.send(JSON.stringify(command));
  }
  open(ticket) {
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
        this.handlers.frame(JSON.parse(String(message.data)));
      };
      socket.onclose = (close) => {
        if (opened) this.closed(socket, close.code);
        else reject(new Error(`the handshake failed (close ${close.code})`));
      };
    });
  }
  closed(socket, code) {
    clearInterval(this.keepalive);
    if (this.socket !== socket) return;
    this.socket = null;
    if (!RECONNECT_CODES.has(code) && !this.stale) {
      this.handlers.ended(`The connection was closed (code ${code}).`);
      return;
    }
    this.handlers.status(`Connection lost (code ${code}); reconnecting…`);
    this.connect(true).catch((error) => this.handlers.ended(`Could not reconnect: ${String(error)}`));
  }
  startKeepalive(socket) {
    this.pingSent = false;
    this.keepalive = setInterval(() => {
      if (this.pingSent) {
        this.stale = true;
        socket.close(4e3, "keepalive timeout");
        return;
      }
      this.pingSent = true;
      this.send({ namespace: "echo", payload: { action: "ping" } });
    }, KEEPALIVE_MS);
  }
};

// src/dom.ts
function byId(id) {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}
function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value2] of Object.entries(attributes)) element.setAttribute(name, value2);
  element.append(...children);
  return element;
}
function button(label, onClick, attributes = {}) {
  const element = el("button", { type: "button", ...attributes }, label);
  element.addEventListener("click", onClick);
  return element;
}
function show(id, visible) {
  byId(id).hidden = !visible;
}

// src/meeting.ts
var Meeting = class {
  constructor(send, status2, ended) {
    this.send = send;
    this.status = status2;
    this.ended = ended;
    byId("hand-button").addEventListener("click", () => {
      const up = this.self?.handUp ?? false;
      this.send({ namespace: "control", payload: { action: up ? "lower_hand" : "raise_hand" } });
    });
    byId("waiting-toggle").addEventListener("change", (event) => {
      const on = event.target.checked;
      const action = on ? "enable_waiting_room" : "disable_waiting_room";
      this.send({ namespace: "moderation", payload: { action } });
    });
    byId("chat-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = byId("chat-text");
      const to = byId("chat-to").value;
      const payload = to ? { action: "send_message", scope: "private", target: to, content: text.value } : { action: "send_message", scope: "global", content: text.value };
      this.send({ namespace: "chat", payload });
      text.value = "";
    });
    byId("poll-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const topic = byId("poll-topic").value;
      const choices = byId("poll-choices").value.split("\n").map((line) => line.trim()).filter((line) => line !== "");
      this.send({ namespace: "polls", payload: { action: "start", topic, choices, live: true } });
    });
    byId("poll-finish").addEventListener("click", () => {
      if (this.poll) this.send({ namespace: "polls", payload: { action: "finish", id: this.poll.id } });
    });
  }
  send;
  status;
  ended;
  selfId = "";
  self = null;
  people = /* @__PURE__ */ new Map();
  waiting = /* @__PURE__ */ new Map();
  waitingRoomOn = false;
  poll = null;
  /** Apply one server event and redraw what it changed. */
  handle(event) {
    switch (event.namespace) {
      case "control":
        return this.control(event.payload);
      case "chat":
        if (event.payload.message === "error") return this.refused(event.payload.error);
        return this.chatLine({ ...event.payload, target: event.payload.target ?? null, timestamp: event.timestamp });
      case "moderation":
        return this.moderation(event.payload);
      case "polls":
        return this.polls(event.payload);
    }
  }
  control(event) {
    switch (event.message) {
      case "join_success":
        return this.joined(event);
      case "joined":
      case "update":
        this.people.set(event.id, event.control);
        return this.drawPeople();
      case "left":
        this.people.delete(event.id);
        return this.drawPeople();
      case "hand_raised":
      case "hand_lowered":
        if (this.self) this.self.handUp = event.message === "hand_raised";
        this.drawSelf();
        return this.drawPeople();
      case "role_updated":
        if (this.self) this.self.role = event.new_role;
        this.drawSelf();
        return this.drawPeople();
      case "join_blocked":
        return this.status(`The room is full (${event.reason}).`);
      case "room_deleted":
        return this.ended("The room was deleted.");
      case "error":
        return this.refused(event.error);
    }
  }
  refused(code) {
    this.status(`The server refused that: ${code}.`);
  }
  joined(event) {
    this.selfId = event.id;
    this.self = { name: event.display_name, role: event.role, handUp: false };
    this.people.clear();
    for (const p of event.participants) if (p.control.left_at === null) this.people.set(p.id, p.control);
    const moderation = event.moderation;
    this.waitingRoomOn = moderation?.waiting_room_enabled ?? false;
    this.waiting.clear();
    for (const w of moderation?.waiting_room_participants ?? []) {
      this.waiting.set(w.id, { name: w.control.display_name, accepted: w.waiting_room_state === "accepted" });
    }
    const poll = event.polls;
    this.poll = poll ? { id: poll.id, topic: poll.topic, choices: poll.choices, results: null, done: false } : null;
    byId("messages").replaceChildren();
    for (const m of event.chat?.room_history.messages ?? []) this.chatLine({ ...m, target: m.target ?? null });
    show("waiting", false);
    show("meeting", true);
    this.status(`In the meeting as ${event.display_name}.`);
    this.drawSelf();
    this.drawPeople();
    this.drawWaiting();
    this.drawPoll();
  }
  moderation(event) {
    switch (event.message) {
      case "in_waiting_room":
        show("meeting", false);
        show("waiting", true);
        return this.status("In the waiting room.");
      case "accepted":
        this.status("Accepted: entering the meeting…");
        return this.send({ namespace: "control", payload: { action: "enter_room" } });
      case "joined_waiting_room":
        this.waiting.set(event.id, { name: event.control.display_name, accepted: false });
        return this.drawWaiting();
      case "left_waiting_room":
        this.waiting.delete(event.id);
        return this.drawWaiting();
      case "waiting_room_enabled":
      case "waiting_room_disabled":
        this.waitingRoomOn = event.message === "waiting_room_enabled";
        return this.drawWaiting();
      case "kicked":
        return this.ended("A moderator removed you from the meeting.");
      case "error":
        return this.refused(event.error);
    }
  }
  polls(event) {
    switch (event.message) {
      case "started":
        this.poll = { id: event.id, topic: event.topic, choices: event.choices, results: null, done: false };
        break;
      case "live_update":
      case "done":
        if (this.poll?.id !== event.id) return;
        this.poll.results = event.results;
        this.poll.done = event.message === "done";
        break;
      case "error":
        return this.refused(event.error);
    }
    this.drawPoll();
  }
  get moderator() {
    return this.self?.role === "moderator";
  }
  name(id) {
    if (id === this.selfId) return "you";
    return this.people.get(id)?.display_name ?? "someone who left";
  }
  drawSelf() {
    if (!this.self) return;
    byId("me-name").textContent = this.self.name;
    byId("me-role").textContent = this.self.role;
    byId("me-id").textContent = this.selfId;
    const hand = byId("hand-button");
    hand.textContent = this.self.handUp ? "Lower hand" : "Raise hand";
    hand.setAttribute("aria-pressed", String(this.self.handUp));
    show("invite", this.moderator && byId("invite-link").value !== "");
    show("poll-form", this.moderator && !this.running());
  }
  drawPeople() {
    const rows = [...this.people].map(([id, peer]) => {
      const row = person(id, peer.display_name, peer.hand_is_up);
      row.append(el("span", { class: "meta" }, peer.role));
      if (this.moderator) row.append(button("Kick", () => this.kick(id), { "aria-label": `Kick ${peer.display_name}` }));
      return row;
    });
    if (this.self) rows.unshift(person(this.selfId, `${this.self.name} (you)`, this.self.handUp));
    byId("participants").replaceChildren(...rows);
    const to = byId("chat-to");
    const chosen = to.value;
    const options = [...this.people].map(([id, peer]) => el("option", { value: id }, peer.display_name));
    to.replaceChildren(el("option", { value: "" }, "Everyone"), ...options);
    to.value = this.people.has(chosen) ? chosen : "";
  }
  kick(target) {
    this.send({ namespace: "moderation", payload: { action: "kick", target } });
  }
  drawWaiting() {
    show("moderation", this.moderator);
    byId("waiting-toggle").checked = this.waitingRoomOn;
    const rows = [...this.waiting].map(([id, w]) => {
      const row = el("li", { "data-id": id }, w.name);
      if (w.accepted) row.append(el("span", { class: "meta" }, "accepted"));
      else {
        const accept = () => {
          w.accepted = true;
          this.send({ namespace: "moderation", payload: { action: "accept", target: id } });
          this.drawWaiting();
        };
        row.append(button("Accept", accept, { "aria-label": `Accept ${w.name}` }));
      }
      return row;
    });
    byId("waiting-list").replaceChildren(...rows);
  }
  chatLine(line) {
    const time = new Date(line.timestamp).toLocaleTimeString();
    const who = line.target === null ? this.name(line.source) : `${this.name(line.source)} → ${this.name(line.target)} (private)`;
    const item = el("li", {}, el("span", { class: "meta" }, `${who}, ${time}: `), line.content);
    const list = byId("messages");
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }
  running() {
    return this.poll !== null && !this.poll.done;
  }
  drawPoll() {
    const poll = this.poll;
    show("poll", poll !== null);
    show("poll-idle", poll === null);
    show("poll-form", this.moderator && !this.running());
    show("poll-finish", this.moderator && this.running());
    if (poll === null) return;
    byId("poll-topic-text").textContent = poll.done ? `${poll.topic} (final results)` : poll.topic;
    const total = poll.results?.reduce((sum, r) => sum + r.count, 0) ?? 0;
    const rows = poll.choices.map((choice) => {
      const count = poll.results?.find((r) => r.id === choice.id)?.count ?? 0;
      const row = el("li", { "data-choice": String(choice.id) });
      if (poll.done) row.append(choice.content);
      else {
        const vote = () => this.send({ namespace: "polls", payload: { action: "vote", poll_id: poll.id, choice_id: choice.id } });
        row.append(button(choice.content, vote, { class: "secondary", "aria-label": `Vote ${choice.content}` }));
      }
      const bar = el("span", { class: "bar" });
      bar.style.width = `${total ? 10 * count / total : 0}rem`;
      row.append(bar, el("span", { class: "meta" }, `${count} vote${count === 1 ? "" : "s"}`));
      return row;
    });
    byId("poll-choices-list").replaceChildren(...rows);
  }
};
function person(id, name, handUp) {
  const row = el("li", { "data-id": id }, name);
  if (handUp) row.prepend(el("span", { class: "hand", role: "img", "aria-label": "hand raised" }, "✋"));
  return row;
}

// src/main.ts
var status = (text) => {
  byId("status").textContent = text;
};
var over = false;
function end(reason) {
  if (over) return;
  over = true;
  for (const id of ["meeting", "waiting", "create-form", "join-form"]) show(id, false);
  byId("ended-reason").textContent = reason;
  show("ended", true);
  status(reason);
}
function enter(roomId, who, name) {
  let connection = null;
  const meeting = new Meeting((command) => connection?.send(command), status, (reason) => end(reason));
  connection = new Connection(roomId, who, {
    opened: (reconnected) => {
      status(reconnected ? "Reconnected: joining again…" : "Connected: joining…");
      connection?.send({ namespace: "control", payload: { action: "join", display_name: name } });
    },
    frame: (event) => meeting.handle(event),
    status,
    ended: end
  });
  connection.connect().catch((error) => {
    status(`Could not join: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof ApiError && error.code === "wrong_room_password") show("join-form", true);
  });
}
function value(id) {
  return byId(id).value.trim();
}
async function create() {
  const name = value("create-name");
  status("Creating a room…");
  const { token } = await devToken(name);
  const room = await createRoom(token, value("create-password") || null);
  const invite2 = await createInvite(token, room.id);
  byId("invite-link").value = `${location.origin}/#invite=${invite2.invite_code}`;
  show("create-form", false);
  enter(room.id, { kind: "user", token }, name);
}
async function join(inviteCode) {
  const { room_id, password_required } = await verifyInvite(inviteCode);
  show("join-password-field", password_required);
  byId("join-password").required = password_required;
  show("join-form", true);
  status(password_required ? "This room has a password." : "Ready to join.");
  byId("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    show("join-form", false);
    const password = password_required ? value("join-password") : null;
    enter(room_id, { kind: "guest", inviteCode, password }, value("join-name"));
  });
}
function failed(error) {
  status(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`);
}
byId("copy-invite").addEventListener("click", () => {
  const link = byId("invite-link");
  link.select();
  navigator.clipboard?.writeText(link.value).then(() => status("Invite link copied."), () => void 0);
});
var invite = new URLSearchParams(location.hash.slice(1)).get("invite");
if (invite) {
  join(invite).catch(failed);
} else {
  show("create-form", true);
  status("Create a room to start.");
  byId("create-form").addEventListener("submit", (event) => {
    event.preventDefault();
    create().catch(failed);
  });
}
