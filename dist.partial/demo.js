// The demo host page's own script: what a real host writes to embed
// Helpdock. Loaded as a file (never inline) because the page runs under a
// strict Content-Security-Policy.
import { mount } from "./helpdock.js";

const TEXT = {
  "zh-CN": {
    pageTitle: "账户总览 · CoinHarbor", skip: "跳到主要内容", nav: "主导航", markets: "行情", trade: "交易", wallet: "资产", account: "账户",
    title: "账户总览", profile: "个人信息", email: "邮箱", kyc: "身份认证", kycDone: "已认证 · 高级", vip: "用户等级",
    security: "安全设置", twofa: "谷歌验证 (2FA)", phone: "手机验证", antiPhishing: "防钓鱼码", withdrawWhitelist: "提币地址白名单",
    on: "已开启", off: "未开启", notSet: "未设置", balances: "资产余额", coin: "币种", available: "可用", frozen: "冻结", value: "估值 (USDT)",
    history: "最近充提记录", time: "时间", type: "类型", amount: "数量", status: "状态", withdrawal: "提币", deposit: "充币",
    pending: "审核中", confirming: "确认中 6/12", done: "已到账",
    notice: "CoinHarbor 官方客服不会索要您的密码、短信或谷歌验证码。如有疑问，请点击右下角的客服按钮。",
    switchTo: "English", switchLang: "en",
  },
  en: {
    pageTitle: "Account overview · CoinHarbor", skip: "Skip to main content", nav: "Main", markets: "Markets", trade: "Trade", wallet: "Wallet", account: "Account",
    title: "Account overview", profile: "Profile", email: "E-mail", kyc: "Identity verification", kycDone: "Verified · Advanced", vip: "Tier",
    security: "Security", twofa: "Authenticator app (2FA)", phone: "SMS verification", antiPhishing: "Anti-phishing code", withdrawWhitelist: "Withdrawal address allowlist",
    on: "On", off: "Off", notSet: "Not set", balances: "Balances", coin: "Coin", available: "Available", frozen: "In orders", value: "Value (USDT)",
    history: "Recent deposits and withdrawals", time: "Time", type: "Type", amount: "Amount", status: "Status", withdrawal: "Withdrawal", deposit: "Deposit",
    pending: "Under review", confirming: "Confirming 6/12", done: "Credited",
    notice: "CoinHarbor support will never ask for your password, SMS or authenticator codes. Questions? Use the support button in the corner.",
    switchTo: "中文", switchLang: "zh-CN",
  },
};

function applyPageLocale(locale) {
  const text = TEXT[locale];
  document.documentElement.lang = locale;
  document.title = text.pageTitle;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = text[el.dataset.i18n];
  for (const el of document.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", text[el.dataset.i18nAriaLabel]);
  }
  const toggle = document.getElementById("lang-toggle");
  toggle.textContent = text.switchTo;
  toggle.lang = text.switchLang;
}

const params = new URLSearchParams(location.search);
let locale = params.get("lang") === "en" ? "en" : "zh-CN";
applyPageLocale(locale);

const hd = await mount(document.body, {
  // ?browserLocale: no locale from the host, so the widget follows the
  // browser's languages (how a host that has no language setting embeds it).
  locale: params.has("browserLocale") ? undefined : locale,
  title: locale === "en" ? "CoinHarbor Support" : "CoinHarbor 客服",
  theme: { brandColor: "#0b5cd5", radius: 14 },
  preload: params.get("preload") ?? "idle",
  // The help centre's content, compiled by `helpdock pack build`.
  pack: params.get("pack") ?? "/starter.hdpk",
  // Live chat: the reference server that serves this page speaks protocol v1.
  backend: location.origin,
  // A real host renders its signed-in user here, with `userHash` computed by
  // its own server (HMAC-SHA256 of userId with the shared secret). The demo
  // takes them from the URL (?userId=…&userHash=…&name=…&email=…) to
  // simulate that server vouching for its user.
  identity: identityFromUrl(params),
});

function identityFromUrl(params) {
  const userId = params.get("userId");
  if (!userId) return undefined;
  const identity = { userId, userHash: params.get("userHash") ?? undefined };
  for (const key of ["name", "email"]) if (params.get(key)) identity[key] = params.get(key);
  return identity;
}

document.getElementById("lang-toggle").addEventListener("click", () => {
  locale = locale === "en" ? "zh-CN" : "en";
  applyPageLocale(locale);
  hd.setLocale(locale);
});

// Exposed for the browser tests and for trying the API from the console.
window.helpdock = hd;
