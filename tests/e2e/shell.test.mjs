// The widget shell in a real browser: the built demo page, served with the
// strict CSP, driven in Debian's Chromium as a user would.
//
//   node --test tests/e2e/      (after `scripts/build.sh`)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { CSP } from "../../scripts/serve.mjs";
import { axeViolations, focusedInWidget, launcher, openDemo, panel, startAll, widgetReady } from "./harness.mjs";

let env;
before(async () => {
  env = await startAll();
});
after(async () => {
  await env?.close();
});

/** Opens the demo and waits for the full widget. */
async function demo(options) {
  const opened = await openDemo(env, options);
  await widgetReady(opened.page);
  return opened;
}

describe("launcher and panel", () => {
  it("the launcher opens the panel and moves focus into it", async () => {
    const { page, context } = await demo();
    assert.equal(await launcher(page).getAttribute("aria-expanded"), "false");
    assert.equal(await panel(page).isVisible(), false);
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    assert.equal(await launcher(page).getAttribute("aria-expanded"), "true");
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.id === "hd-search-input");
    await context.close();
  });

  it("Esc closes the panel and focus returns to the launcher", async () => {
    const { page, context } = await demo();
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.id === "hd-search-input");
    await page.keyboard.type("2fa");
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.classList.contains("hd-launcher"));
    // What was typed is still there when the panel comes back.
    await page.keyboard.press("Enter");
    await panel(page).waitFor({ state: "visible" });
    assert.equal(await page.locator("helpdock-widget #hd-search-input").inputValue(), "2fa");
    await context.close();
  });

  it("the close button closes the panel and focus returns to the launcher", async () => {
    const { page, context } = await demo({ query: "?lang=en" });
    await launcher(page).click();
    await page.getByRole("button", { name: "Close", exact: true }).click();
    await panel(page).waitFor({ state: "hidden" });
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.classList.contains("hd-launcher"));
    assert.equal(await focusedInWidget(page), ".hd-launcher");
    await context.close();
  });

  it("arrow keys move between the three areas", async () => {
    const { page, context } = await demo({ query: "?lang=en" });
    await launcher(page).click();
    const help = page.getByRole("tab", { name: "Help" });
    await help.focus();
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.getByRole("tab", { name: "Chat" }).getAttribute("aria-selected"), "true");
    assert.equal(await focusedInWidget(page), "#hd-tab-chat");
    assert.ok(await page.getByText("Ask us anything").isVisible());
    await page.keyboard.press("ArrowRight");
    // My tickets lives in the people module, fetched on first opening.
    await page.getByText("No tickets yet").waitFor({ state: "visible" });
    await page.keyboard.press("ArrowRight");
    assert.equal(await help.getAttribute("aria-selected"), "true");
    await page.keyboard.press("End");
    assert.equal(await page.getByRole("tab", { name: "My tickets" }).getAttribute("aria-selected"), "true");
    await context.close();
  });
});

describe("isolation from the host page", () => {
  // Everything about the widget's look that a hostile stylesheet could move.
  const snapshot = (page) =>
    page.evaluate(() => {
      const root = document.querySelector("helpdock-widget").shadowRoot;
      const pick = (sel) => {
        const el = root.querySelector(sel);
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return {
          rect: [r.x, r.y, r.width, r.height].map(Math.round),
          style: [s.display, s.position, s.backgroundColor, s.color, s.fontFamily, s.fontSize, s.borderRadius, s.visibility, s.opacity],
        };
      };
      return [".hd-launcher", ".hd-panel", ".hd-header", ".hd-tab", "#hd-search-input", ".hd-empty"].map(pick);
    });

  it("a hostile host stylesheet does not change the widget", async () => {
    const { page, context, problems } = await demo();
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    await page.waitForTimeout(250); // let the opening animation finish
    const before = await snapshot(page);
    // A stylesheet from the host's own origin, as CSP allows.
    await page.route("**/hostile.css", (route) =>
      route.fulfill({
        contentType: "text/css",
        body: "* { all: unset !important; } button { display: none !important; } helpdock-widget { display: none !important; transform: scale(.5) !important; } div, section { font-size: 40px !important; }",
      }),
    );
    await page.evaluate(async () => {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = "/hostile.css";
      document.head.append(link);
      await new Promise((resolve) => link.addEventListener("load", resolve));
    });
    // The host page really is wrecked...
    assert.equal(await page.locator("#lang-toggle").evaluate((el) => getComputedStyle(el).display), "none");
    // ...and the widget is exactly as it was.
    assert.deepEqual(await snapshot(page), before);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("the widget's styles do not leak into the host page", async () => {
    const { page, context } = await demo();
    const hostButton = await page.evaluate(() => {
      // A host element that happens to use the widget's class names.
      const b = document.createElement("button");
      b.className = "hd-launcher hd-root";
      b.textContent = "host";
      document.querySelector("main").append(b);
      const s = getComputedStyle(b);
      return { position: s.position, borderRadius: s.borderRadius, width: s.width };
    });
    assert.equal(hostButton.position, "static");
    assert.notEqual(hostButton.borderRadius, "50%");
    assert.notEqual(hostButton.width, "56px");
    await context.close();
  });
});

describe("the JavaScript API", () => {
  it("open, close, toggle and events", async () => {
    const { page, context } = await demo();
    await page.evaluate(() => {
      window.seen = [];
      for (const name of ["open", "close"]) window.helpdock.on(name, () => window.seen.push(name));
    });
    await page.evaluate(() => window.helpdock.open());
    await panel(page).waitFor({ state: "visible" });
    await page.evaluate(() => window.helpdock.close());
    await panel(page).waitFor({ state: "hidden" });
    await page.evaluate(() => window.helpdock.toggle());
    await panel(page).waitFor({ state: "visible" });
    await page.evaluate(() => window.helpdock.toggle());
    await panel(page).waitFor({ state: "hidden" });
    // Opening an open panel is not a new "open".
    await page.evaluate(() => {
      window.helpdock.close();
      window.helpdock.open();
      window.helpdock.open();
    });
    await page.waitForFunction(() => window.seen.length === 5);
    assert.deepEqual(await page.evaluate(() => window.seen), ["open", "close", "open", "close", "open"]);
    await context.close();
  });

  it("setLocale switches the widget's language", async () => {
    const { page, context, problems } = await demo();
    await page.evaluate(() => window.helpdock.open());
    assert.ok(await page.getByRole("tab", { name: "我的工单" }).isVisible());
    await page.evaluate(() => window.helpdock.setLocale("en"));
    await page.getByRole("tab", { name: "My tickets" }).waitFor();
    assert.equal(await page.locator("helpdock-widget .hd-root").getAttribute("lang"), "en");
    await page.evaluate(() => window.helpdock.setLocale("zh-CN"));
    await page.getByRole("tab", { name: "我的工单" }).waitFor();
    // The host page's own language button drives the same API.
    await page.locator("#lang-toggle").click();
    await page.getByRole("tab", { name: "My tickets" }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    await page.locator("#lang-toggle").click();
    await page.getByRole("tab", { name: "我的工单" }).waitFor();
    assert.equal(await page.locator("helpdock-widget .hd-root").getAttribute("lang"), "zh-CN");
    // An unsupported locale is refused with an error naming the call.
    await page.evaluate(() => window.helpdock.setLocale("tlh"));
    assert.ok(await page.getByRole("tab", { name: "我的工单" }).isVisible());
    assert.equal(problems.length, 1);
    assert.match(problems[0], /`setLocale` "tlh" is not a supported locale \(supported: en, ja, zh-CN\)/);
    await context.close();
  });

  it("a third locale arrives only for those who need it, and speaks in the widget and in core", async () => {
    const { page, context, problems, requests } = await demo({ query: "?lang=en" });
    await page.evaluate(() => window.helpdock.open());
    await page.getByRole("tab", { name: "My tickets" }).waitFor();
    const catalogues = (tag) => requests.filter((u) => new RegExp(`/wasm/strings\\.${tag}\\.[0-9a-f]{16}\\.txt$`).test(u));
    assert.deepEqual(requests.filter((u) => u.includes("/wasm/strings.")), [], "English is compiled in: nothing fetched");

    // A tag the widget maps onto Japanese: its strings are fetched once,
    // then the switch happens in one step (no English in between).
    await page.evaluate(() => window.helpdock.setLocale("ja-JP"));
    await page.getByRole("tab", { name: "お問い合わせ" }).waitFor();
    const root = page.locator("helpdock-widget .hd-root");
    assert.equal(await root.getAttribute("lang"), "ja");
    assert.equal(await root.getAttribute("dir"), "ltr");
    assert.equal(catalogues("ja").length, 1);

    // The starter pack has no Japanese articles: Help shows the pack's
    // first locale, searchable as usual.
    await page.getByLabel("ヘルプセンターを検索").fill("deposit not arrived");
    await page.locator("helpdock-widget .hd-result-title", { hasText: "My deposit has not arrived" }).first().waitFor();

    // Core's messages come with the widget's: the guard's notice in Chat.
    await page.getByRole("tab", { name: "チャット" }).click();
    await page.getByPlaceholder("ご質問を入力…").fill("my password is hunter22");
    await page.getByPlaceholder("ご質問を入力…").press("Enter");
    await page.getByText("パスワードのようです", { exact: false }).first().waitFor();

    // Back to English and to Japanese again: nothing fetched a second time.
    await page.evaluate(() => window.helpdock.setLocale("en"));
    await page.getByRole("tab", { name: "My tickets" }).waitFor();
    await page.evaluate(() => window.helpdock.setLocale("ja"));
    await page.getByRole("tab", { name: "お問い合わせ" }).waitFor();
    assert.equal(catalogues("ja").length, 1);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("a browser in Japanese gets the widget in Japanese from the first frame", async () => {
    const { page, context, problems, requests } = await demo({ query: "?lang=en&browserLocale", locale: "ja-JP" });
    await widgetReady(page);
    // Fetched beside the wasm and installed before the widget first rendered.
    assert.equal(await launcher(page).getAttribute("aria-label"), "サポートを開く");
    assert.ok(requests.some((u) => /\/wasm\/strings\.ja\.[0-9a-f]{16}\.txt$/.test(u)));
    await page.evaluate(() => window.helpdock.open());
    assert.ok(await page.getByRole("tab", { name: "お問い合わせ" }).isVisible());
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("calls made before the widget has loaded are kept and replayed", async () => {
    const { page, context, requests } = await openDemo(env, { query: "?preload=interaction" });
    await page.waitForFunction(() => window.helpdock);
    assert.ok(!requests.some((u) => u.endsWith(".wasm")), "no wasm before it is needed");
    await page.evaluate(() => {
      window.helpdock.setLocale("en");
      window.helpdock.open();
    });
    await panel(page).waitFor({ state: "visible" });
    assert.ok(await page.getByRole("tab", { name: "My tickets" }).isVisible());
    await context.close();
  });

  it("identify needs a userId and says so", async () => {
    const { page, context, problems } = await demo();
    const results = await page.evaluate(async () => {
      await window.helpdock.ready();
      return [window.helpdock.identify({ name: "Li Wei" }), window.helpdock.identify({ userId: "100234871", name: "Li Wei" })];
    });
    assert.deepEqual(results, [false, true]);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /`identify\.userId` is required/);
    await context.close();
  });

  it("bad configuration is reported field by field and the widget falls back", async () => {
    const { page, context, problems } = await demo();
    await page.evaluate(async () => {
      const { mount } = await import("/helpdock.js");
      window.second = await mount(document.body, {
        locale: "fr",
        position: "left",
        theme: { brandColor: "red; background: url(//evil)", radius: "big" },
        user: { name: "no id" },
        colour: "#fff",
        preload: "eager",
      });
      await window.second.ready();
    });
    const messages = problems.join("\n");
    assert.match(messages, /`locale` "fr" is not a supported locale/);
    assert.match(messages, /`theme\.brandColor` expected a colour/);
    assert.match(messages, /`theme\.radius` expected a whole number/);
    assert.match(messages, /`user\.userId` is required/);
    assert.equal(problems.length, 4, messages); // the unknown field is a warning, not an error
    // The second widget works, in the corner it was asked for, with the default colour.
    const second = page.locator("helpdock-widget").nth(1);
    await second.locator(".hd-launcher").waitFor({ state: "visible" });
    const launcherBox = await second.locator(".hd-launcher").boundingBox();
    assert.ok(launcherBox.x < 100, `launcher on the left, x=${launcherBox.x}`);
    assert.equal(
      await second.locator(".hd-launcher").evaluate((el) => getComputedStyle(el).backgroundColor),
      "rgb(31, 111, 235)",
    );
    await second.locator(".hd-launcher").click();
    await second.locator(".hd-panel").waitFor({ state: "visible" });
    await context.close();
  });
});

describe("under the strict Content-Security-Policy", () => {
  it("the page is served with the CSP and nothing is blocked or fails", async () => {
    const { page, context, problems, response } = await demo();
    assert.equal(response.headers()["content-security-policy"], CSP);
    await launcher(page).click();
    for (const tab of ["咨询", "我的工单", "帮助"]) await page.getByRole("tab", { name: tab }).click();
    await page.keyboard.press("Escape");
    await page.evaluate(() => window.helpdock.setLocale("en"));
    await page.waitForTimeout(200);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("an inline script is really blocked on this page (the CSP is live)", async () => {
    const { page, context, problems } = await demo();
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.inlineRan = true";
      document.head.append(s);
    });
    assert.equal(await page.evaluate(() => window.inlineRan), undefined);
    assert.ok(problems.some((p) => p.includes("Content Security Policy")), problems.join("\n"));
    await context.close();
  });
});

describe("accessibility", () => {
  for (const colorScheme of ["light", "dark"]) {
    it(`axe-core finds no violations with the panel open (${colorScheme})`, async () => {
      const { page, context } = await demo({ colorScheme });
      await launcher(page).click();
      await panel(page).waitFor({ state: "visible" });
      await page.waitForTimeout(250);
      for (const tab of ["帮助", "咨询", "我的工单"]) {
        await page.getByRole("tab", { name: tab }).click();
        assert.deepEqual(await axeViolations(page), [], `tab ${tab}`);
      }
      await context.close();
    });
  }

  for (const colorScheme of ["light", "dark"]) {
    it(`axe-core finds no violations in any area's states: search, article, bot, form errors (${colorScheme})`, async () => {
      const { page, context, problems } = await demo({ colorScheme, query: "?lang=en" });
      const w = (selector) => page.locator(`helpdock-widget ${selector}`);
      const scan = async (what) => assert.deepEqual(await axeViolations(page, problems), [], `${what} (${colorScheme})`);
      await launcher(page).click();
      await panel(page).waitFor({ state: "visible" });
      await w(".hd-categories").waitFor({ state: "attached" });

      // Help: results with highlighted words, then an article.
      await w("#hd-search-input").fill("deposit not arrived");
      await w(".hd-result mark").first().waitFor();
      await scan("search results with highlights");
      await w(".hd-result").first().click();
      await w(".hd-article").waitFor();
      await scan("an article");

      // The bot: an answer with its feedback, then a guided form's field error.
      await w("#hd-tab-chat").click();
      const say = async (text) => {
        await w("#hd-chat-input").fill(text);
        await w("#hd-chat-input").press("Enter");
      };
      await say("my deposit has not arrived");
      await w(".hd-answer").first().waitFor();
      await scan("a bot answer");
      await w(".hd-chat-log").getByRole("button", { name: "No", exact: true }).click();
      await w(".hd-chat-log").getByText("Step 1 of 6").waitFor();
      await say("US DT!");
      await w(".hd-chat-log .hd-field-error").filter({ hasText: /\S/ }).last().waitFor();
      await scan("a guided form refusing a value");

      // My tickets: the form with every required field flagged.
      await w("#hd-tab-tickets").click();
      await w('[data-hd="new-ticket"]').click();
      await w('[data-hd="submit-ticket"]').click();
      await w("#hd-tk-title-error").filter({ hasText: /\S/ }).waitFor();
      await scan("the ticket form with errors");
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  it("the layout follows the locale's reading direction", async () => {
    const { page, context } = await demo({ query: "?lang=en" });
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    const root = page.locator("helpdock-widget .hd-root");
    assert.equal(await root.getAttribute("dir"), "ltr");
    const icon = page.locator("helpdock-widget .hd-search .hd-icon");
    const input = page.locator("helpdock-widget #hd-search-input");
    const side = async () => {
      const [i, box] = [await icon.boundingBox(), await input.boundingBox()];
      return i.x + i.width / 2 < box.x + box.width / 2 ? "start-left" : "start-right";
    };
    assert.equal(await side(), "start-left");
    // A right-to-left locale sets dir="rtl"; the stylesheet's logical
    // properties mirror the layout with nothing else to change.
    await root.evaluate((el) => el.setAttribute("dir", "rtl"));
    assert.equal(await side(), "start-right");
    await context.close();
  });

  it("dark mode follows prefers-color-scheme", async () => {
    const { page, context } = await demo({ colorScheme: "dark" });
    await launcher(page).click();
    const bg = await panel(page).evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, "rgb(15, 20, 25)");
    await context.close();
  });
});

describe("phones", () => {
  it("on a 375 px viewport the panel is full-screen and the input stays above the keyboard", async () => {
    const { page, context } = await demo({ viewport: { width: 375, height: 740 } });
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    assert.deepEqual(await panel(page).boundingBox(), { x: 0, y: 0, width: 375, height: 740 });
    // The launcher hides behind the full-screen panel; the close button is in reach.
    assert.equal(await launcher(page).isVisible(), false);
    const input = page.locator("helpdock-widget #hd-search-input");
    await input.focus();
    // The on-screen keyboard takes the bottom 330 px: the visual viewport shrinks.
    await page.setViewportSize({ width: 375, height: 410 });
    await page.waitForFunction(() => {
      const panel = document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-panel");
      return Math.round(panel.getBoundingClientRect().height) === Math.round(window.visualViewport.height);
    });
    const box = await input.boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= 410, `input at ${box.y}..${box.y + box.height}`);
    await page.keyboard.press("Escape");
    await launcher(page).waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.classList.contains("hd-launcher"));
    await context.close();
  });

  it("the full-screen panel keeps focus inside it: Tab cycles, Esc returns to the launcher", async () => {
    const { page, context } = await demo({ viewport: { width: 375, height: 740 }, query: "?lang=en" });
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    const inPanel = () =>
      page.evaluate(() => {
        const root = document.querySelector("helpdock-widget").shadowRoot;
        return document.activeElement?.tagName === "HELPDOCK-WIDGET" && !!root.activeElement?.closest(".hd-panel");
      });
    // Through every control of the Help area and round again: focus never
    // reaches the host's links behind the panel.
    const seen = new Set();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      assert.ok(await inPanel(), `Tab ${i + 1} left the panel`);
      seen.add(await focusedInWidget(page));
    }
    assert.ok(seen.has(".hd-icon-button") && seen.has("#hd-search-input"), [...seen].join(" "));
    // Backwards from the first control (the close button) goes to the last.
    await page.locator("helpdock-widget .hd-header .hd-icon-button").focus();
    await page.keyboard.press("Shift+Tab");
    assert.ok(await inPanel(), "Shift+Tab left the panel");
    assert.notEqual(await focusedInWidget(page), ".hd-icon-button");
    await page.keyboard.press("Escape");
    await launcher(page).waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.classList.contains("hd-launcher"));
    await context.close();
  });

  it("on a 1280 px viewport the panel floats above the launcher", async () => {
    const { page, context } = await demo();
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    await page.mouse.move(10, 10); // no hover effect on the launcher
    await page.waitForTimeout(250);
    const p = await panel(page).boundingBox();
    const l = await launcher(page).boundingBox();
    assert.equal(Math.round(p.width), 380);
    assert.ok(p.y + p.height < l.y, "panel above the launcher");
    assert.ok(Math.abs(p.x + p.width - (l.x + l.width)) < 1, "right edges aligned");
    await context.close();
  });
});

describe("lazy loading", () => {
  it("with preload=interaction the wasm is fetched only when the user reaches for the launcher", async () => {
    const { page, context, requests, problems } = await openDemo(env, { query: "?preload=interaction" });
    const placeholder = page.locator("helpdock-widget [data-hd-placeholder] .hd-launcher");
    await placeholder.waitFor({ state: "visible" });
    await page.waitForTimeout(300);
    assert.ok(!requests.some((u) => u.endsWith(".wasm")), "no wasm before interaction");
    await placeholder.click();
    await panel(page).waitFor({ state: "visible" });
    assert.ok(requests.some((u) => /\/wasm\/helpdock_bg\.[0-9a-f]{16}\.wasm$/.test(u)));
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("by default the wasm is fetched once the page is idle", async () => {
    const { page, context, requests } = await openDemo(env);
    await widgetReady(page);
    assert.ok(requests.some((u) => /\/wasm\/helpdock_bg\.[0-9a-f]{16}\.wasm$/.test(u)));
    await context.close();
  });
});
