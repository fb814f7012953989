// Takes the README's screenshots of the demo with the panel open, at a
// desktop and a phone width, in Debian's Chromium.
//
//   node tests/e2e/screenshots.mjs      (after `scripts/build.sh`)

import { launcher, openDemo, panel, startAll, widgetReady } from "./harness.mjs";

const shots = [
  { file: "docs/screenshot-1280.png", viewport: { width: 1280, height: 800 }, query: "" },
  { file: "docs/screenshot-375.png", viewport: { width: 375, height: 740 }, query: "?lang=en" },
];

const env = await startAll();
try {
  for (const { file, viewport, query } of shots) {
    const { page, context, problems } = await openDemo(env, { viewport, query });
    await widgetReady(page);
    await launcher(page).click();
    await panel(page).waitFor({ state: "visible" });
    await page.mouse.move(1, 1);
    await page.waitForTimeout(400); // the opening animation
    await page.screenshot({ path: file });
    if (problems.length) throw new Error(`problems on the page: ${problems.join("; ")}`);
    console.log(`wrote ${file}`);
    await context.close();
  }
} finally {
  await env.close();
}
