// The left column: who is waiting (grouped by topic, waiting time ticking,
// with the visitor and what they last told the bot) and the agent's own
// conversations (unread counts, last message, typing).

import { h, reconcile, show } from "./dom.js";
import { formatWait, lastUserLine, topicName, visitorName } from "./model.js";

const $ = (id) => document.getElementById(id);

export class Sidebar {
  constructor(app) {
    this.app = app;
  }

  /** How a conversation is named in lists and headings. */
  title(c) {
    return c ? visitorName(c.visitor, c.id) : "A visitor";
  }

  /** Conversation ids in the order they are listed (for Alt+↑/↓). */
  order() {
    const queued = this.app.model.queueByTopic().flatMap((g) => g.items.map((s) => s.id));
    return [...queued, ...this.app.model.mine().map((c) => c.id), ...this.app.model.team().map((c) => c.id)];
  }

  focus(id) {
    document.querySelector(`.sidebar [data-key="${CSS.escape(id)}"] .item-open`)?.focus();
  }

  render() {
    const { model } = this.app;
    const groups = model.queueByTopic();
    $("queue-count").textContent = String(model.queueTotal);
    show($("queue-empty"), model.queueTotal === 0);
    const more = model.queueTotal - model.queue.length;
    $("queue-more").textContent = more > 0 ? `${more} more waiting; the oldest are listed.` : "";
    show($("queue-more"), more > 0);
    reconcile($("queue"), groups, {
      key: (g) => `t:${g.topic}`,
      create: (g) =>
        h(
          "section",
          { class: "topic-group", "aria-label": topicName(g.topic) },
          h("h3", { class: "topic-heading" }, h("span", { class: "topic-name" }), h("span", { class: "count" })),
          h("ul", { class: "conv-list" }),
        ),
      update: (el, g) => {
        el.querySelector(".topic-name").textContent = topicName(g.topic);
        el.querySelector(".count").textContent = String(g.items.length);
        reconcile(el.querySelector("ul"), g.items, {
          key: (s) => s.id,
          create: () => this.queueItem(),
          update: (li, s) => this.updateQueueItem(li, s),
        });
      },
    });

    const mine = model.mine();
    $("mine-count").textContent = String(mine.filter((c) => c.status === "active").length);
    show($("mine-empty"), mine.length === 0);
    reconcile($("mine"), mine, {
      key: (c) => c.id,
      create: () => this.mineItem(),
      update: (li, c) => this.updateMineItem(li, c),
    });

    const team = model.team();
    $("team-count").textContent = String(team.length);
    show($("team-section"), team.length > 0);
    reconcile($("team"), team, {
      key: (c) => c.id,
      create: () => this.mineItem(),
      update: (li, c) => {
        li.querySelector(".item-name").textContent = this.title(c);
        show(li.querySelector(".verified"), Boolean(c.visitor?.identified));
        li.querySelector(".item-preview").textContent = `${topicName(c.summary?.topic)} · with ${c.summary?.agent?.name ?? "another agent"}`;
        setCurrent(li.querySelector(".item-open"), c.id === this.app.selectedId);
      },
    });
  }

  queueItem() {
    const li = this.item("queue-item", h("span", { class: "visually-hidden", text: ", waiting " }), h("span", { class: "wait" }));
    li.append(
      h("button", { type: "button", class: "primary small accept", on: { click: () => this.app.accept(li.dataset.key) } }, "Accept"),
      h("p", { class: "item-error", role: "alert", hidden: true }),
    );
    return li;
  }

  /** A list item that opens a conversation: its name, a "Verified" badge, `extras`, and a preview line. */
  item(kind, ...extras) {
    const li = h("li", { class: `item ${kind}` });
    li.append(
      h(
        "button",
        { type: "button", class: "item-open", on: { click: () => this.app.select(li.dataset.key) } },
        h(
          "span",
          { class: "item-top" },
          h("span", { class: "item-name" }),
          h("span", { class: "badge verified", text: "Verified", hidden: true }),
          ...extras,
        ),
        h("span", { class: "item-preview" }),
      ),
    );
    return li;
  }

  updateQueueItem(li, summary) {
    const c = this.app.model.conversations.get(summary.id);
    const name = this.title(c);
    li.querySelector(".item-name").textContent = name;
    show(li.querySelector(".verified"), Boolean(c?.visitor?.identified));
    const wait = li.querySelector(".wait");
    wait.dataset.since = String(summary.createdAt);
    wait.textContent = formatWait(Date.now() - summary.createdAt);
    const preview = lastUserLine(c?.transcript) ?? (c?.loaded ? "No message to the bot" : c?.loadError ? topicName(summary.topic) : "…");
    li.querySelector(".item-preview").textContent = preview;
    const open = li.querySelector(".item-open");
    setCurrent(open, summary.id === this.app.selectedId);
    const accept = li.querySelector(".accept");
    const accepting = this.app.pendingAccepts.has(summary.id);
    accept.disabled = accepting || !this.app.online;
    accept.textContent = accepting ? "Accepting…" : "Accept";
    accept.setAttribute("aria-label", `Accept ${name}`);
    const error = li.querySelector(".item-error");
    error.textContent = c?.acceptError ?? "";
    show(error, Boolean(c?.acceptError));
  }

  mineItem() {
    return this.item(
      "mine-item",
      h("span", { class: "badge closed-badge", text: "Closed", hidden: true }),
      h("span", { class: "unread", hidden: true }),
    );
  }

  updateMineItem(li, c) {
    const { model } = this.app;
    const name = this.title(c);
    li.querySelector(".item-name").textContent = name;
    show(li.querySelector(".verified"), Boolean(c.visitor?.identified));
    show(li.querySelector(".closed-badge"), c.status === "closed");
    const unread = model.unread(c.id);
    const badge = li.querySelector(".unread");
    badge.replaceChildren(String(unread), h("span", { class: "visually-hidden", text: " unread" }));
    show(badge, unread > 0);
    const typing = model.isVisitorTyping(c.id);
    const last = c.ordered().at(-1);
    const preview = typing
      ? "typing…"
      : last
        ? `${last.author?.kind === "agent" ? "You: " : ""}${last.body || (last.attachments?.length ? "(attachment)" : "")}`
        : `${topicName(c.summary?.topic)}`;
    const previewEl = li.querySelector(".item-preview");
    previewEl.textContent = preview;
    previewEl.classList.toggle("typing-preview", typing);
    li.classList.toggle("has-unread", unread > 0);
    setCurrent(li.querySelector(".item-open"), c.id === this.app.selectedId);
  }

  /** Signed out: the lists go with the session. */
  reset() {
    $("queue").replaceChildren();
    $("mine").replaceChildren();
    $("team").replaceChildren();
  }

  /** Waiting times tick every second. */
  tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll(".sidebar .wait[data-since]")) {
      el.textContent = formatWait(now - Number(el.dataset.since));
    }
  }
}

function setCurrent(el, current) {
  if (current) el.setAttribute("aria-current", "true");
  else el.removeAttribute("aria-current");
}
