// The Help area in a real browser: search as you type in both languages,
// typos, mixed-language queries, categories, announcements in and out of
// their window, hostile article content, keyboard use and feedback.
//
//   node --test tests/e2e/      (after `scripts/build.sh`)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";

import { DIST, launcher, openDemo, panel, startAll, widgetReady } from "./harness.mjs";

let env;
before(async () => {
  mkdirSync(`${DIST}/fixtures`, { recursive: true });
  execFileSync("target/release/helpdock", ["pack", "build", "tests/e2e/fixtures/hostile.json", "-o", `${DIST}/fixtures/hostile.hdpk`], { stdio: "inherit" });
  env = await startAll();
});
after(async () => {
  await env?.close();
});

/** Opens the demo with the panel open on the Help tab, the pack loaded. */
async function help({ query = "", clock } = {}) {
  const opened = await openDemo(env, { query, clock });
  const { page } = opened;
  await widgetReady(page);
  await launcher(page).click();
  await panel(page).waitFor({ state: "visible" });
  await page.locator("helpdock-widget .hd-categories, helpdock-widget .hd-empty").first().waitFor();
  return opened;
}

const searchBox = (page) => page.locator("helpdock-widget #hd-search-input");
const resultTitles = (page) => page.locator("helpdock-widget .hd-result-title");

async function typeQuery(page, text) {
  await searchBox(page).fill("");
  await searchBox(page).pressSequentially(text, { delay: 15 });
  await page.locator("helpdock-widget .hd-result, helpdock-widget .hd-empty").first().waitFor();
}

describe("search as you type", () => {
  it("answers an English question with highlighted matches", async () => {
    const { page, context, problems } = await help({ query: "?lang=en" });
    await typeQuery(page, "my deposit has not arrived");
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-result-title")?.textContent === "My deposit has not arrived");
    const marks = await page.locator("helpdock-widget .hd-result").first().locator("mark").allTextContents();
    assert.ok(marks.some((m) => /deposit/i.test(m)), `highlighted: ${marks}`);
    assert.equal(await searchBox(page).getAttribute("aria-expanded"), "true");
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("answers a Chinese question", async () => {
    const { page, context } = await help();
    await typeQuery(page, "充值没到账");
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.querySelector(".hd-result-title")?.textContent === "充值未到账怎么办？");
    const marks = await page.locator("helpdock-widget .hd-result").first().locator("mark").allTextContents();
    assert.ok(marks.includes("充值"), `highlighted: ${marks}`);
    await context.close();
  });

  it("tolerates a typo", async () => {
    const { page, context } = await help({ query: "?lang=en" });
    await typeQuery(page, "withdrawl pendng");
    const titles = await resultTitles(page).allTextContents();
    assert.ok(titles.slice(0, 3).some((t) => /withdrawal/i.test(t) && /pending|review|processing/i.test(t)), titles.join(" | "));
    await context.close();
  });

  it("understands a mixed Chinese and English question", async () => {
    const { page, context } = await help();
    await typeQuery(page, "USDT 转错链");
    const titles = await resultTitles(page).allTextContents();
    assert.ok(titles.slice(0, 3).some((t) => /网络|链/.test(t)), titles.join(" | "));
    await context.close();
  });

  it("says so when nothing matches, and the keyboard opens a result", async () => {
    const { page, context } = await help({ query: "?lang=en" });
    await typeQuery(page, "zzqx vvkw");
    await page.getByText("No articles match").waitFor();
    await typeQuery(page, "reset 2fa");
    await searchBox(page).press("ArrowDown");
    assert.equal(await searchBox(page).getAttribute("aria-activedescendant"), "hd-result-0");
    const first = await resultTitles(page).first().textContent();
    await searchBox(page).press("Enter");
    await page.locator("helpdock-widget .hd-article").waitFor();
    assert.equal(await page.locator("helpdock-widget .hd-article .hd-view-title").textContent(), first);
    // Back returns to the results, focus in the search box.
    await page.getByRole("button", { name: "← Back" }).click();
    await resultTitles(page).first().waitFor();
    await page.waitForFunction(() => document.querySelector("helpdock-widget").shadowRoot.activeElement?.id === "hd-search-input");
    await context.close();
  });
});

describe("where Help runs out, a person", () => {
  it("an empty result offers a person, and it starts the hand-over in Chat", async () => {
    const { page, context } = await help({ query: "?lang=en" });
    await typeQuery(page, "zzqx vvkw");
    await page.getByText("No articles match").waitFor();
    await page.locator('helpdock-widget .hd-empty [data-hd="help-person"]').click();
    assert.equal(await page.locator("helpdock-widget #hd-tab-chat").getAttribute("aria-selected"), "true");
    // The same hand-over as Chat's own button: the live chat's queue.
    await page.locator("helpdock-widget .hd-queue").waitFor();
    await context.close();
  });

  it("\"No\" on an article offers a person", async () => {
    const { page, context } = await help({ query: "?lang=en" });
    await page.getByRole("button", { name: /^Deposits and withdrawals/ }).click();
    await page.getByRole("button", { name: "My deposit has not arrived" }).click();
    await page.getByRole("button", { name: "No", exact: true }).click();
    await page.getByText("Thanks for your feedback.").waitFor();
    await page.locator('helpdock-widget .hd-feedback [data-hd="help-person"]').click();
    assert.equal(await page.locator("helpdock-widget #hd-tab-chat").getAttribute("aria-selected"), "true");
    await page.locator("helpdock-widget .hd-queue").waitFor();
    await context.close();
  });
});

describe("browsing", () => {
  it("categories list their articles; an article shows related ones and takes feedback", async () => {
    const { page, context, problems } = await help({ query: "?lang=en" });
    await page.evaluate(() => {
      window.feedback = [];
      window.helpdock.on("article-feedback", (d) => window.feedback.push(d));
    });
    await page.getByRole("button", { name: /^Deposits and withdrawals/ }).click();
    await page.locator("helpdock-widget").getByRole("heading", { name: "Deposits and withdrawals", exact: true }).waitFor();
    await page.getByRole("button", { name: "My deposit has not arrived" }).click();
    await page.locator("helpdock-widget .hd-article").waitFor();
    assert.ok(await page.locator("helpdock-widget .hd-markdown ol li").count() >= 3, "the steps render as a list");
    assert.ok(await page.getByText("Related articles").isVisible());
    await page.getByRole("button", { name: "Yes" }).click();
    await page.getByText("Thanks for your feedback.").waitFor();
    assert.equal(await page.locator('helpdock-widget .hd-feedback [data-hd="help-person"]').count(), 0, "helped: no person offered");
    assert.deepEqual(await page.evaluate(() => window.feedback), [{ articleId: "deposit-not-arrived", locale: "en", helpful: true }]);
    // Remembered across a reload.
    await page.reload();
    await widgetReady(page);
    await launcher(page).click();
    await page.getByRole("button", { name: /^Deposits and withdrawals/ }).click();
    await page.getByRole("button", { name: "My deposit has not arrived" }).click();
    await page.getByText("Thanks for your feedback.").waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("switching the locale switches the content", async () => {
    const { page, context } = await help({ query: "?lang=en" });
    await page.getByRole("button", { name: /^Account and security/ }).waitFor();
    await page.evaluate(() => window.helpdock.setLocale("zh-CN"));
    await page.getByRole("button", { name: /^账户与安全/ }).waitFor();
    await context.close();
  });
});

describe("announcements", () => {
  it("shows a notice inside its time window", async () => {
    const { page, context } = await help({ query: "?lang=en", clock: "2026-12-02T03:00:00Z" });
    const notice = page.locator('helpdock-widget .hd-announcement[data-id="btc-withdrawal-maintenance"]');
    await notice.waitFor();
    assert.equal(await notice.getAttribute("role"), "alert");
    assert.match(await notice.textContent(), /BTC withdrawals paused/);
    await context.close();
  });

  it("hides it outside the window", async () => {
    const { page, context } = await help({ query: "?lang=en", clock: "2026-12-02T04:00:01Z" });
    await page.locator('helpdock-widget .hd-announcement[data-id="fake-support-warning"]').waitFor();
    assert.equal(await page.locator('helpdock-widget .hd-announcement[data-id="btc-withdrawal-maintenance"]').count(), 0);
    await context.close();
  });
});

describe("hostile article content", () => {
  it("renders as inert text", async () => {
    const { page, context, problems } = await help({ query: "?lang=en&pack=/fixtures/hostile.hdpk" });
    await page.evaluate(() => {
      window.alerts = 0;
      window.alert = () => window.alerts++;
    });
    await typeQuery(page, "hostile markup");
    await resultTitles(page).first().click();
    await page.locator("helpdock-widget .hd-article").waitFor();
    await page.locator("helpdock-widget .hd-markdown a").first().hover().catch(() => {});
    await page.locator("helpdock-widget .hd-markdown strong").hover();
    const report = await page.evaluate(() => {
      const root = document.querySelector("helpdock-widget").shadowRoot;
      const article = root.querySelector(".hd-article");
      return {
        pwned: window.pwned ?? null,
        alerts: window.alerts,
        elements: [...article.querySelectorAll("img, script, iframe, b")].map((e) => e.tagName),
        hrefs: [...article.querySelectorAll("a")].map((a) => a.getAttribute("href")),
        rels: [...article.querySelectorAll("a")].map((a) => `${a.target} ${a.rel}`),
        title: root.querySelector(".hd-view-title").textContent,
      };
    });
    assert.equal(report.pwned, null);
    assert.equal(report.alerts, 0);
    assert.deepEqual(report.elements, [], "no element came from the content's markup");
    assert.deepEqual(report.hrefs, ["https://example.com/help"], "only the safe link is a link");
    assert.deepEqual(report.rels, ["_blank noopener noreferrer"]);
    assert.match(report.title, /<img src=x onerror=/, "markup is shown as text");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
