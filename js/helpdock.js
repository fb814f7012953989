// Helpdock: the ES module a host page imports.
//
//   import { mount } from "https://your.cdn/helpdock/helpdock.js";
//   const hd = await mount(document.body, { locale: "zh-CN" });
//   hd.open();
//
// mount() costs the page one small script, one stylesheet and a launcher
// button. The widget itself (WebAssembly, ~100 KB compressed) is fetched
// when the browser is idle, or when the user first reaches for the launcher
// (config.preload: "idle" | "interaction" | "eager"). Calls made on the
// handle before then are queued and replayed in order.
//
// No inline script, no eval, no inline style attributes: the widget runs
// under `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.

const EVENTS = ["open", "close", "unread-count", "article-feedback", "escalated", "ticket-created"];
const METHODS = ["open", "close", "toggle", "setLocale", "identify"];
// The loader's own words (the widget's catalogue arrives with the wasm).
const WORDS = {
  en: {
    open: "Open support",
    title: "Support",
    close: "Close",
    loading: "Loading support…",
    failed: "Support could not load. Check your connection and try again.",
    retry: "Try again",
  },
  zh: {
    open: "打开客服",
    title: "客服中心",
    close: "关闭",
    loading: "正在加载客服…",
    failed: "客服加载失败，请检查网络后重试。",
    retry: "重试",
  },
};
const CLOSE_ICON =
  '<svg class="hd-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
  '<path d="M6 6l12 12M18 6L6 18" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>';
const CHAT_ICON =
  '<svg class="hd-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
  '<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

// The build (scripts/widget-assets.mjs) rewrites this line with the
// content-hashed names of its files, which are cached for a year; this
// loader is the one file a host revalidates.
// `strings` maps each locale but English (compiled in) to its catalogue.
const ASSETS = { glue: "wasm/helpdock.js", wasm: "wasm/helpdock_bg.wasm", css: "helpdock.css", strings: {}, transport: "transport.js" };
const moduleBase = new URL(".", import.meta.url);
let wasmModule = null;
let glueModule = null;

function loadWasm() {
  wasmModule ??= import(new URL(ASSETS.glue, moduleBase).href).then(async (glue) => {
    await glue.default({ module_or_path: new URL(ASSETS.wasm, moduleBase) });
    glueModule = glue;
    return glue;
  });
  wasmModule.catch(() => {
    wasmModule = null; // let the next attempt retry
  });
  return wasmModule;
}

// Each locale's strings but English's (compiled in) are fetched once, when
// first needed, and installed before the widget shows that locale. A failed
// fetch leaves the interface in English (and is said on the console).
const fetched = new Map();
const fetchStrings = (tag) => {
  if (!fetched.has(tag)) {
    const url = new URL(ASSETS.strings[tag], moduleBase);
    fetched.set(
      tag,
      fetch(url)
        .then((r) => (r.ok ? r.text() : Promise.reject(`HTTP ${r.status}`)))
        .catch((err) => {
          fetched.delete(tag); // the next need tries again
          console.error(`Helpdock: could not load the ${tag} strings from ${url}; using English`, err);
          return null;
        }),
    );
  }
  return fetched.get(tag);
};
// Before the widget's code has arrived: starts fetching the strings the
// first of `tags` probably needs (same language subtag), so they come in
// beside the wasm. Only a head start: `installStrings` decides.
function prefetchStrings(tags) {
  const language = (t) => t.toLowerCase().split(/[-_]/)[0];
  for (const t of tags) {
    if (typeof t !== "string" || !t) continue;
    if (language(t) === "en") return;
    const tag = Object.keys(ASSETS.strings).find((k) => language(k) === language(t));
    if (tag) return void fetchStrings(tag);
  }
}
// Installs the strings of the first of `tags` the widget speaks (the
// widget's own rule: `resolveLocale`), fetching them if need be (once: an
// installed locale keeps its first strings).
async function installStrings(glue, tags) {
  const tag = tags.map((t) => (typeof t === "string" && t ? glue.resolveLocale(t) : null)).find(Boolean);
  const text = ASSETS.strings[tag] && (await fetchStrings(tag));
  if (text) glue.installStrings(tag, text);
}

/**
 * Mounts a Helpdock widget.
 * @param {Element} target where the widget's host element is appended, usually document.body
 * @param {object} [config] see the README's "Configuration" table
 * @returns {Promise<HelpdockHandle>}
 */
export async function mount(target, config = {}) {
  if (!(target instanceof Element)) {
    throw new TypeError("Helpdock mount(): `target` must be an element, e.g. document.body");
  }
  if (config === null || typeof config !== "object") {
    console.error("Helpdock config: `(config)` expected an object; using the defaults");
    config = {};
  }
  const assetsBase = typeof config.assetsBase === "string" ? config.assetsBase : moduleBase.href;
  // A host's own transport (docs/transport.md) stays here: the widget gets
  // stand-ins for fetch and WebSocket that call it, never the object.
  const transport = config.transport;
  config = { ...config, assetsBase, transport: undefined };
  if (transport) config.backend = "/";

  const host = document.createElement("helpdock-widget");
  const shadow = host.attachShadow({ mode: "open" });
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL(ASSETS.css, new URL(assetsBase, document.baseURI)).href;
  link.setAttribute("data-hd-style", "");
  shadow.append(link);
  const lang = String(config.locale ?? navigator.language ?? "en").toLowerCase();
  const words = lang.startsWith("zh") ? WORDS.zh : WORDS.en;
  const placeholder = renderPlaceholder(shadow, config, link, words);
  target.append(host);

  const listeners = new Map(EVENTS.map((name) => [name, new Set()]));
  const queue = [];
  let widget = null;
  let loading = null;
  let destroyed = false;

  const emit = (name, detail) => {
    for (const listener of listeners.get(name) ?? []) {
      try {
        listener(detail);
      } catch (err) {
        console.error(`Helpdock: a "${name}" listener threw`, err);
      }
    }
  };

  // Until the widget has loaded, a tap on the launcher opens a panel drawn
  // here at once, saying it is loading (or that loading failed, with a
  // retry); the widget's own panel takes its place when it arrives.
  let boot = null;
  const showBoot = (open) => {
    boot ??= renderBootPanel(placeholder, config, words, {
      close: () => call("close", []),
      retry: () => {
        boot.loading();
        load();
      },
    });
    const hadFocus = boot.panel.contains(shadow.activeElement);
    boot.panel.hidden = !open;
    placeholder.root.classList.toggle("hd-open", open);
    placeholder.button.setAttribute("aria-expanded", String(open));
    if (open) boot.panel.focus();
    else if (hadFocus) placeholder.button.focus();
  };

  // The interface's strings in its locale, unless English (compiled in):
  // fetched beside the wasm, installed before the widget first renders.
  const languages = () => [config.locale, ...(navigator.languages ?? [navigator.language])];
  const load = () => {
    if (!loading) prefetchStrings(languages());
    loading ??= loadWasm().then(
      (glue) =>
        Promise.all([
          installStrings(glue, languages()),
          // Only a page that passes a transport fetches its adapter.
          transport && import(new URL(ASSETS.transport, moduleBase).href).then((m) => glue.setTransport(m.bridge(transport))),
        ]).then(() => glue),
    ).then(
      (glue) => {
        if (destroyed) return null;
        const booting = boot && !boot.panel.hidden;
        widget = glue.mountWidget(shadow, config, emit);
        // The widget's panel takes the loader's place without a second entrance.
        if (booting) shadow.querySelector(".hd-mount")?.classList.add("hd-booted");
        for (const [method, args] of queue.splice(0)) call(method, args);
        return widget;
      },
      (err) => {
        loading = null;
        console.error("Helpdock: could not load the widget; it will retry on the next click", err);
        if (boot && !boot.panel.hidden) boot.failed();
        return null;
      },
    );
    return loading;
  };

  const call = (method, args) => {
    if (destroyed) return;
    if (widget && method === "setLocale") {
      // A locale not shown yet has its strings fetched first, so the switch
      // happens once, in the new language.
      const [tag] = args;
      installStrings(glueModule, [tag]).then(() => {
        if (!destroyed) widget.setLocale(tag);
      });
      return typeof tag === "string" && Boolean(glueModule.resolveLocale(tag));
    }
    if (widget) return widget[method](...args);
    queue.push([method, args]);
    if (method === "open" || method === "close" || method === "toggle") {
      showBoot(method === "toggle" ? !placeholder.root.classList.contains("hd-open") : method === "open");
    }
    load();
  };

  placeholder.button.addEventListener("click", () => call("toggle", []));
  const preload = config.preload ?? "idle";
  if (preload === "eager" || config.open === true) {
    load();
  } else if (preload === "interaction") {
    for (const type of ["pointerenter", "focus", "touchstart"]) {
      placeholder.button.addEventListener(type, load, { once: true, passive: true });
    }
  } else {
    const whenIdle = window.requestIdleCallback ?? ((fn) => setTimeout(fn, 1));
    const start = () => whenIdle(load, { timeout: 3000 });
    if (document.readyState === "complete") start();
    else window.addEventListener("load", start, { once: true });
  }

  /** @typedef {ReturnType<typeof makeHandle>} HelpdockHandle */
  const makeHandle = () => {
    const handle = {
      /** Resolves once the full widget has loaded (and loads it now if it had not started). */
      ready: () => load().then(() => handle),
      /** Subscribes to an event; returns a function that unsubscribes. */
      on(name, callback) {
        const set = listeners.get(name);
        if (!set) {
          console.error(`Helpdock: on(): unknown event "${name}" (known: ${EVENTS.join(", ")})`);
          return () => {};
        }
        if (typeof callback !== "function") {
          console.error(`Helpdock: on("${name}"): the callback must be a function`);
          return () => {};
        }
        set.add(callback);
        return () => set.delete(callback);
      },
      off(name, callback) {
        listeners.get(name)?.delete(callback);
      },
      /** Removes the widget from the page. */
      destroy() {
        destroyed = true;
        queue.length = 0;
        widget?.destroy();
        widget?.free();
        widget = null;
        host.remove();
      },
    };
    for (const method of METHODS) handle[method] = (...args) => call(method, args);
    return Object.freeze(handle);
  };
  return makeHandle();
}

// A launcher that looks like the real one, so the page shows the widget at
// once; the WebAssembly widget replaces it when it has loaded.
function renderPlaceholder(shadow, config, link, words) {
  const root = document.createElement("div");
  root.className = config.position === "left" ? "hd-root hd-side-left" : "hd-root";
  root.setAttribute("data-hd-placeholder", "");
  const brand = config.theme?.brandColor;
  if (typeof brand === "string" && CSS.supports("color", brand)) {
    root.style.setProperty("--hd-brand", brand);
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "hd-launcher";
  button.setAttribute("aria-label", words.open);
  button.setAttribute("aria-expanded", "false");
  button.innerHTML = CHAT_ICON;
  root.append(button);
  // Unstyled until the stylesheet arrives; hidden rather than flashing.
  if (!link.sheet) {
    root.hidden = true;
    link.addEventListener("load", () => (root.hidden = false), { once: true });
    link.addEventListener(
      "error",
      () => console.error(`Helpdock: could not load its stylesheet from ${link.href}; check \`assetsBase\``),
      { once: true },
    );
  }
  shadow.append(root);
  return { root, button };
}

// The panel shown from a tap until the widget has loaded: the widget's
// header, and a loading state that turns into a message and a retry if the
// fetch fails. Built with the DOM (no innerHTML for text), styled by the
// widget's stylesheet.
function renderBootPanel(placeholder, config, words, on) {
  const el = (tag, className, text) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text) e.textContent = text;
    return e;
  };
  const panel = el("section", "hd-panel hd-boot");
  panel.setAttribute("role", "dialog");
  panel.tabIndex = -1;
  const title = typeof config.title === "string" && config.title.trim() ? config.title : words.title;
  panel.setAttribute("aria-label", title);
  const header = el("div", "hd-header");
  const heading = el("div", "hd-heading");
  heading.append(el("h2", "hd-title", title));
  const close = el("button", "hd-icon-button");
  close.type = "button";
  close.setAttribute("aria-label", words.close);
  close.innerHTML = CLOSE_ICON;
  close.addEventListener("click", on.close);
  header.append(heading, close);
  const body = el("div", "hd-boot-body");
  body.setAttribute("role", "status");
  panel.append(header, body);
  panel.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      on.close();
    }
  });
  placeholder.root.append(panel);
  const loading = () => body.replaceChildren(el("span", "hd-spinner"), el("span", "", words.loading));
  const failed = () => {
    const retry = el("button", "hd-chip", words.retry);
    retry.type = "button";
    retry.addEventListener("click", on.retry);
    body.replaceChildren(el("p", "", words.failed), retry);
  };
  loading();
  return { panel, loading, failed };
}
