// The REST calls of the page: a dev token (demo mode only), a room and its invite, and the
// start calls that turn credentials into a ticket for /signaling (reference §2).

/** A REST error body `{code, message}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Who this tab is: a dev user with a bearer token, or a guest with an invite code. */
export type Credentials =
  | { kind: "user"; token: string }
  | { kind: "guest"; inviteCode: string; password: string | null };

export interface Ticket {
  ticket: string;
  resumption: string;
}

async function call<T>(path: string, body: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, data.code ?? "unknown", data.message ?? response.statusText);
  }
  return data as T;
}

/** A token of a fresh dev user named `name` (the server's demo route). */
export const devToken = (name: string) => call<{ token: string; user_id: string }>("/demo/token", { name });

export const createRoom = (token: string, password: string | null) =>
  call<{ id: string }>("/v1/rooms", { password, waiting_room: false, enable_sip: false }, token);

export const createInvite = (token: string, roomId: string) =>
  call<{ invite_code: string }>(`/v1/rooms/${roomId}/invites`, {}, token);

export const verifyInvite = (inviteCode: string) =>
  call<{ room_id: string; password_required: boolean }>("/v1/invite/verify", { invite_code: inviteCode });

/** A ticket for `roomId`; with `resumption`, the same participant id as before (§2.6). */
export function start(roomId: string, who: Credentials, resumption: string | null): Promise<Ticket> {
  if (who.kind === "user") return call(`/v1/rooms/${roomId}/start`, { resumption }, who.token);
  return call(`/v1/rooms/${roomId}/start_invited`, {
    invite_code: who.inviteCode,
    password: who.password,
    resumption,
  });
}
