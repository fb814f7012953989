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
const LAUNCHER_LABEL = { en: "Open support", zh: "打开客服" };
const CHAT_ICON =
  '<svg class="hd-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
  '<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

// The build (scripts/widget-assets.mjs) rewrites this line with the
// content-hashed names of its files, which are cached for a year; this
// loader is the one file a host revalidates.
const ASSETS = { glue: "wasm/helpdock.js", wasm: "wasm/helpdock_bg.wasm", css: "helpdock.css" };
const moduleBase = new URL(".", import.meta.url);
let wasmModule = null;

function loadWasm() {
  wasmModule ??= import(new URL(ASSETS.glue, moduleBase).href).then(async (glue) => {
    await glue.default({ module_or_path: new URL(ASSETS.wasm, moduleBase) });
    return glue;
  });
  wasmModule.catch(() => {
    wasmModule = null; // let the next attempt retry
  });
  return wasmModule;
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
  config = { ...config, assetsBase };

  const host = document.createElement("helpdock-widget");
  const shadow = host.attachShadow({ mode: "open" });
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL(ASSETS.css, new URL(assetsBase, document.baseURI)).href;
  link.setAttribute("data-hd-style", "");
  shadow.append(link);
  const placeholder = renderPlaceholder(shadow, config, link);
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

  const load = () => {
    loading ??= loadWasm().then(
      (glue) => {
        if (destroyed) return null;
        widget = glue.mountWidget(shadow, config, emit);
        for (const [method, args] of queue.splice(0)) widget[method](...args);
        return widget;
      },
      (err) => {
        loading = null;
        console.error("Helpdock: could not load the widget; it will retry on the next click", err);
        return null;
      },
    );
    return loading;
  };

  const call = (method, args) => {
    if (destroyed) return;
    if (widget) return widget[method](...args);
    queue.push([method, args]);
    load();
  };

  placeholder.addEventListener("click", () => call("toggle", []));
  const preload = config.preload ?? "idle";
  if (preload === "eager" || config.open === true) {
    load();
  } else if (preload === "interaction") {
    for (const type of ["pointerenter", "focus", "touchstart"]) {
      placeholder.addEventListener(type, load, { once: true, passive: true });
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
function renderPlaceholder(shadow, config, link) {
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
  const lang = String(config.locale ?? navigator.language ?? "en").toLowerCase();
  button.setAttribute("aria-label", lang.startsWith("zh") ? LAUNCHER_LABEL.zh : LAUNCHER_LABEL.en);
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
  return button;
}
