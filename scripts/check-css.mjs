// Fails when the widget's stylesheet lays anything out by physical left or
// right instead of logical properties (inline-start/end), so the panel
// follows the locale's reading direction (dir="rtl" ready). The corner the
// host chose for the launcher and the panel is the one exception: a place
// on the screen, not a reading direction.
//
//   node scripts/check-css.mjs [style/helpdock.css]

import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "style/helpdock.css";
const css = readFileSync(file, "utf8");
// Rules that place the launcher or the panel in the host's corner.
const corner = /^(\.hd-side-left )?\.hd-(launcher|panel)$/;
const physicalProperty = /^(left|right|(margin|padding|border)-(left|right)(-.*)?|border-(top|bottom)-(left|right)-radius)$/;
const physicalValue = /^(text-align|float|clear)$/;
// Four-value margin and padding name the left and right sides.
const fourSided = /^(margin|padding)$/;

const problems = [];
const lineOf = (index) => css.slice(0, index).split("\n").length;
const text = css.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "));
for (const rule of text.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
  const selectors = rule[1].split(",").map((s) => s.trim());
  const inCorner = selectors.every((s) => corner.test(s));
  let at = rule.index + rule[1].length + 1;
  for (const declaration of rule[2].split(";")) {
    const [name, ...rest] = declaration.split(":");
    const property = name?.trim();
    const value = rest.join(":").trim();
    const where = `${file}:${lineOf(at + declaration.indexOf(name ?? ""))}`;
    at += declaration.length + 1;
    if (!property || !value) continue;
    if (physicalProperty.test(property) && !inCorner) {
      problems.push(`${where}: ${property} in "${selectors.join(", ")}": use the logical property (inline-start/end)`);
    } else if (physicalValue.test(property) && /\b(left|right)\b/.test(value)) {
      problems.push(`${where}: ${property}: ${value}: use start/end`);
    } else if (fourSided.test(property) && !inCorner) {
      const parts = value.split(/\s+/);
      if (parts.length === 4 && parts[1] !== parts[3]) {
        problems.push(`${where}: ${property}: ${value} names left and right; use ${property}-block and ${property}-inline`);
      }
    }
  }
}
for (const p of problems) console.error(p);
if (problems.length) {
  console.error(`css: ${problems.length} physical left/right declaration(s)`);
  process.exit(1);
}
console.log(`css: ${file} lays out by reading direction (logical properties only)`);
