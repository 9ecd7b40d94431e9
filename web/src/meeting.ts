// The meeting as this tab sees it: participants, waiting room, chat and the running poll,
// kept from the server's events and drawn into the page. Every change comes from an event;
// the buttons only send commands.

import type { ControlControlPeer } from "./models/ControlControlPeer";
import type { ControlJoinSuccess } from "./models/ControlJoinSuccess";
import type { ControlRole } from "./models/ControlRole";
import type { PollsChoice } from "./models/PollsChoice";
import type { PollsResult } from "./models/PollsResult";
import { button, byId, el, show } from "./dom";
import type { Command, ControlEvent, Event, ModerationEvent, PollsEvent } from "./protocol";

interface Poll {
  id: string;
  topic: string;
  choices: PollsChoice[];
  results: PollsResult[] | null; // live counts, or the final ones once done
  done: boolean;
}

interface ChatLine {
  source: string;
  content: string;
  target: string | null; // a private message's other side
  timestamp: string;
}

export class Meeting {
  private selfId = "";
  private self: { name: string; role: ControlRole; handUp: boolean } | null = null;
  private readonly people = new Map<string, ControlControlPeer>();
  private readonly waiting = new Map<string, { name: string; accepted: boolean }>();
  private waitingRoomOn = false;
  private poll: Poll | null = null;

  constructor(
    private readonly send: (command: Command) => void,
    private readonly status: (text: string) => void,
    private readonly ended: (reason: string) => void,
  ) {
    byId("hand-button").addEventListener("click", () => {
      const up = this.self?.handUp ?? false;
      this.send({ namespace: "control", payload: { action: up ? "lower_hand" : "raise_hand" } });
    });
    byId<HTMLInputElement>("waiting-toggle").addEventListener("change", (event) => {
      const on = (event.target as HTMLInputElement).checked;
      const action = on ? "enable_waiting_room" : "disable_waiting_room";
      this.send({ namespace: "moderation", payload: { action } });
    });
    byId("chat-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = byId<HTMLInputElement>("chat-text");
      const to = byId<HTMLSelectElement>("chat-to").value;
      const payload = to
        ? { action: "send_message" as const, scope: "private" as const, target: to, content: text.value }
        : { action: "send_message" as const, scope: "global" as const, content: text.value };
      this.send({ namespace: "chat", payload });
      text.value = "";
    });
    byId("poll-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const topic = byId<HTMLInputElement>("poll-topic").value;
      const choices = byId<HTMLTextAreaElement>("poll-choices")
        .value.split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "");
      this.send({ namespace: "polls", payload: { action: "start", topic, choices, live: true } });
    });
    byId("poll-finish").addEventListener("click", () => {
      if (this.poll) this.send({ namespace: "polls", payload: { action: "finish", id: this.poll.id } });
    });
  }

  /** Apply one server event and redraw what it changed. */
  handle(event: Event): void {
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

  private control(event: ControlEvent): void {
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

  private refused(code: string): void {
    this.status(`The server refused that: ${code}.`);
  }

  private joined(event: ControlJoinSuccess): void {
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

  private moderation(event: ModerationEvent): void {
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

  private polls(event: PollsEvent): void {
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

  private get moderator(): boolean {
    return this.self?.role === "moderator";
  }

  private name(id: string): string {
    if (id === this.selfId) return "you";
    return this.people.get(id)?.display_name ?? "someone who left";
  }

  private drawSelf(): void {
    if (!this.self) return;
    byId("me-name").textContent = this.self.name;
    byId("me-role").textContent = this.self.role;
    byId("me-id").textContent = this.selfId;
    const hand = byId("hand-button");
    hand.textContent = this.self.handUp ? "Lower hand" : "Raise hand";
    hand.setAttribute("aria-pressed", String(this.self.handUp));
    show("invite", this.moderator && byId<HTMLInputElement>("invite-link").value !== "");
    show("poll-form", this.moderator && !this.running());
  }

  private drawPeople(): void {
    const rows = [...this.people].map(([id, peer]) => {
      const row = person(id, peer.display_name, peer.hand_is_up);
      row.append(el("span", { class: "meta" }, peer.role));
      if (this.moderator) row.append(button("Kick", () => this.kick(id), { "aria-label": `Kick ${peer.display_name}` }));
      return row;
    });
    if (this.self) rows.unshift(person(this.selfId, `${this.self.name} (you)`, this.self.handUp));
    byId("participants").replaceChildren(...rows);
    const to = byId<HTMLSelectElement>("chat-to");
    const chosen = to.value;
    const options = [...this.people].map(([id, peer]) => el("option", { value: id }, peer.display_name));
    to.replaceChildren(el("option", { value: "" }, "Everyone"), ...options);
    to.value = this.people.has(chosen) ? chosen : "";
  }

  private kick(target: string): void {
    this.send({ namespace: "moderation", payload: { action: "kick", target } });
  }

  private drawWaiting(): void {
    show("moderation", this.moderator);
    byId<HTMLInputElement>("waiting-toggle").checked = this.waitingRoomOn;
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

  private chatLine(line: ChatLine): void {
    const time = new Date(line.timestamp).toLocaleTimeString();
    const who = line.target === null ? this.name(line.source) : `${this.name(line.source)} → ${this.name(line.target)} (private)`;
    const item = el("li", {}, el("span", { class: "meta" }, `${who}, ${time}: `), line.content);
    const list = byId("messages");
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  private running(): boolean {
    return this.poll !== null && !this.poll.done;
  }

  private drawPoll(): void {
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
      bar.style.width = `${total ? (10 * count) / total : 0}rem`; // CSSOM: allowed by the CSP
      row.append(bar, el("span", { class: "meta" }, `${count} vote${count === 1 ? "" : "s"}`));
      return row;
    });
    byId("poll-choices-list").replaceChildren(...rows);
  }
}

function person(id: string, name: string, handUp: boolean): HTMLElement {
  const row = el("li", { "data-id": id }, name);
  if (handUp) row.prepend(el("span", { class: "hand", role: "img", "aria-label": "hand raised" }, "✋"));
  return row;
}
