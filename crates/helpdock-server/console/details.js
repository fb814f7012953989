// The side panel's parts that a conversation and a ticket share: the fields
// the user gave (each with Copy), who the user is, and the bot transcript.

import { copyButton, h, reconcile, replaceChildren, show } from "./dom.js";

const languageNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "language" }) : null;

/** "zh-CN" → "Chinese (China) (zh-CN)". */
function localeName(tag) {
  try {
    const name = languageNames?.of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

/** The fields into `list`; `empty` shows once `loaded` finds none. */
export function renderFields(list, empty, fields, loaded) {
  show(empty, loaded && fields.length === 0);
  reconcile(list, fields, {
    key: (f) => f.id,
    create: (f) => h("div", { class: "field" }, h("dt", { class: "field-label" }), h("dd", { class: "field-value" }, h("span", { class: "value" }), copyButton(() => f.value, f.label))),
    update: (el, f) => {
      el.querySelector(".field-label").textContent = f.label;
      el.querySelector(".value").textContent = f.value;
      el.dataset.field = f.id;
    },
  });
}

/**
 * Who the user is, as [label, value, copyable] rows: name, verified or
 * anonymous, `email` (copyable), language. The status says whether the
 * host's `userHash` covered the name and e-mail or they are the user's word.
 */
export function visitorRows(v, email = v?.email) {
  const rows = [];
  if (v) {
    rows.push(["Name", v.name ?? "Not given"]);
    rows.push(["Status", v.identified ? verifiedStatus(v) : "Anonymous: not signed in to the host"]);
  }
  if (email) rows.push(["E-mail", email, true]);
  if (v?.locale) rows.push(["Language", localeName(v.locale)]);
  return rows;
}

/** "Verified by the host (user 42); name and e-mail given by the user". */
function verifiedStatus(v) {
  const user = v.userId ? ` (user ${v.userId})` : "";
  if (v.profileVerified) return `Verified by the host${user}, with name and e-mail`;
  return `Verified by the host${user}${v.name || v.email ? "; name and e-mail given by the user" : ""}`;
}

/** [label, value, copyable] rows into the <dl> `el`, redrawn only when they change. */
export function renderRows(el, rows) {
  const sig = JSON.stringify(rows);
  if (el.dataset.of === sig) return;
  el.dataset.of = sig;
  replaceChildren(
    el,
    rows.map(([label, value, copyable]) =>
      h("div", { class: "visitor-row" }, h("dt", { text: label }), h("dd", {}, h("span", { class: "value", text: value }), copyable ? copyButton(() => value, label) : null)),
    ),
  );
}

/** The bot transcript of `owner` (a conversation's or a ticket's id), the user's lines as `userLabel`. */
export function renderTranscript(list, empty, owner, transcript, loaded, userLabel) {
  show(empty, loaded && transcript.length === 0);
  const key = `${owner}:${transcript.length}`;
  if (list.dataset.of === key) return;
  list.dataset.of = key;
  replaceChildren(
    list,
    transcript.map((line) =>
      h("li", { class: `line line-${line.from === "user" ? "user" : "bot"}` }, h("span", { class: "line-who", text: line.from === "user" ? userLabel : "Bot" }), h("span", { class: "line-text", text: line.text })),
    ),
  );
}
