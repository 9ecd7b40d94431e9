// The page's entry: without an invite in the address, create a room as a dev user and show
// its invite link; with `#invite=<code>`, join that room as a guest (asking for its password
// when it has one). Then one Connection and one Meeting per tab.

import { Connection } from "./connection";
import { byId, show } from "./dom";
import { Meeting } from "./meeting";
import { ApiError, createInvite, createRoom, devToken, verifyInvite, type Credentials } from "./rest";

const status = (text: string) => {
  byId("status").textContent = text;
};

let over = false;

/** The meeting is over for this tab; the first reason given stays (a kick, then its close). */
function end(reason: string): void {
  if (over) return;
  over = true;
  for (const id of ["meeting", "waiting", "create-form", "join-form"]) show(id, false);
  byId("ended-reason").textContent = reason;
  show("ended", true);
  status(reason);
}

function enter(roomId: string, who: Credentials, name: string): void {
  let connection: Connection | null = null;
  const meeting = new Meeting((command) => connection?.send(command), status, (reason) => end(reason));
  connection = new Connection(roomId, who, {
    opened: (reconnected) => {
      status(reconnected ? "Reconnected: joining again…" : "Connected: joining…");
      connection?.send({ namespace: "control", payload: { action: "join", display_name: name } });
    },
    frame: (event) => meeting.handle(event),
    status,
    ended: end,
  });
  connection.connect().catch((error: unknown) => {
    status(`Could not join: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof ApiError && error.code === "wrong_room_password") show("join-form", true);
  });
}

function value(id: string): string {
  return byId<HTMLInputElement>(id).value.trim();
}

async function create(): Promise<void> {
  const name = value("create-name");
  status("Creating a room…");
  const { token } = await devToken(name);
  const room = await createRoom(token, value("create-password") || null);
  const invite = await createInvite(token, room.id);
  byId<HTMLInputElement>("invite-link").value = `${location.origin}/#invite=${invite.invite_code}`;
  show("create-form", false);
  enter(room.id, { kind: "user", token }, name);
}

async function join(inviteCode: string): Promise<void> {
  const { room_id, password_required } = await verifyInvite(inviteCode);
  show("join-password-field", password_required);
  byId<HTMLInputElement>("join-password").required = password_required;
  show("join-form", true);
  status(password_required ? "This room has a password." : "Ready to join.");
  byId("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    show("join-form", false);
    const password = password_required ? value("join-password") : null;
    enter(room_id, { kind: "guest", inviteCode, password }, value("join-name"));
  });
}

function failed(error: unknown): void {
  status(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`);
}

byId("copy-invite").addEventListener("click", () => {
  const link = byId<HTMLInputElement>("invite-link");
  link.select();
  navigator.clipboard?.writeText(link.value).then(() => status("Invite link copied."), () => undefined);
});

const invite = new URLSearchParams(location.hash.slice(1)).get("invite");
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
