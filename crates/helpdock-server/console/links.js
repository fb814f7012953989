// The anti-phishing note in the console: an agent's own message that links
// outside the official domains gets the note the widget shows visitors,
// before it is sent. A warning, not a refusal: an explorer link can be
// right; the agent sees what the customer will be told never to trust.

/** What official support never asks for (the widget's note, word for word). */
export const ANTI_PHISHING_NOTE =
  "Official support will never ask for your recovery phrase, private keys, API secrets, passwords or verification codes, and will never ask you to move funds to an address given in chat.";

// A link: a scheme, or a bare host with a dot and a known shape ("www.x.com",
// "evil-site.io/path"). Hosts only; paths and queries are ignored.
const LINK = /\b(?:https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24})(?::\d+)?(?=[\/\s?#)\]"'.,;:!]|$)/gi;

/** Whether `host` is `domain` or one of its subdomains. */
const within = (host, domain) => host === domain || host.endsWith(`.${domain}`);

/**
 * The hosts `text` links to that are not official: `domains` (the server's
 * `official_domains`), or the console's own host when none is set. E-mail
 * addresses are not links.
 */
export function unofficialLinks(text, domains) {
  const official = (domains?.length ? domains : [location.hostname]).map((d) => d.toLowerCase().replace(/^\*\./, ""));
  const found = new Set();
  for (const m of text.matchAll(LINK)) {
    if (text[m.index - 1] === "@") continue;
    const host = m[1].toLowerCase();
    // "e.g" and file names like "shot.png" are not hosts anyone links to.
    if (!m[0].includes("://") && !/^www\.|\.(com|net|org|io|co|app|xyz|top|info|biz|cc|vip|pro|site|online|club|live|link|tech|finance|exchange|trade|cash|money|ai|gg|tv|to|ly|me|us|uk|cn|hk|sg|tw|ru|de|jp|kr|eu)$/.test(host)) continue;
    if (!official.some((d) => within(host, d))) found.add(host);
  }
  return [...found];
}

/** Shows or hides the note in `element` for `text`. */
export function renderLinkNote(element, text, domains) {
  const hosts = unofficialLinks(text, domains);
  element.hidden = hosts.length === 0;
  element.textContent = hosts.length
    ? `This message links outside your official domains (${hosts.join(", ")}). ${ANTI_PHISHING_NOTE}`
    : "";
}
