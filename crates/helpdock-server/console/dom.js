// Building DOM without HTML strings. Every piece of text goes in as a text
// node, so nothing a visitor, agent or bot wrote can ever become markup.

/**
 * Creates an element. `props`: `class` (string or array, falsy entries
 * dropped), `text` (textContent), `on` ({event: handler}), `dataset`,
 * boolean properties (`hidden`, `disabled`, `checked`), and everything else
 * as an attribute (`aria-*`, `type`, `href`, …); `null`/`false` values are
 * left out. Children: nodes, strings (text nodes), arrays, falsy (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") {
      const names = Array.isArray(value) ? value.filter(Boolean) : [value];
      if (names.length) el.className = names.join(" ");
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "hidden" || key === "disabled" || key === "checked" || key === "value") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * Keeps `container`'s children in step with `items` without rebuilding the
 * ones that stay, so focus, selection and screen-reader position survive an
 * update. `key(item)` names an item; `create(item)` builds its element;
 * `update(el, item)` refreshes it (also right after `create`).
 */
export function reconcile(container, items, { key, create, update }) {
  const existing = new Map();
  for (const el of container.children) if (el.dataset.key) existing.set(el.dataset.key, el);
  let cursor = container.firstElementChild;
  const wanted = new Set();
  for (const item of items) {
    const k = key(item);
    wanted.add(k);
    let el = existing.get(k);
    if (!el) {
      el = create(item);
      el.dataset.key = k;
    }
    update(el, item);
    if (el !== cursor) container.insertBefore(el, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const [k, el] of existing) if (!wanted.has(k)) el.remove();
}

/** `el.hidden = !shown`, returned for chaining. */
export function show(el, shown) {
  el.hidden = !shown;
  return el;
}

/** A URL from the server that may be shown or linked, or `null`. */
export function safeUrl(url, { sameOrigin = false } = {}) {
  if (typeof url !== "string" || url === "") return null;
  let parsed;
  try {
    parsed = new URL(url, location.href);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  if (sameOrigin && parsed.origin !== location.origin) return null;
  return parsed.href;
}

/** A "Copy" button for a value; `label` says what is copied to screen readers. */
export function copyButton(value, label) {
  // The visible word, then what is copied for screen readers ("Copy TxID").
  const word = h("span", { text: "Copy" });
  const button = h("button", { type: "button", class: "copy" }, word, h("span", { class: "visually-hidden", text: ` ${label}` }));
  button.addEventListener("click", async () => {
    const ok = await copyText(value());
    word.textContent = ok ? "Copied" : "Copy failed";
    button.classList.toggle("copied", ok);
    setTimeout(() => {
      word.textContent = "Copy";
      button.classList.remove("copied");
    }, 1500);
  });
  return button;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Without clipboard permission: the selection-based copy still works.
    const area = h("textarea", { class: "visually-hidden", readonly: true, "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
