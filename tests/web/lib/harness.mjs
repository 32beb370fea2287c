// Browser test harness: starts the server with the built client, launches Debian's Chromium
// headless through playwright-core, and offers page helpers (board clicks, screenshots).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../../integration/lib/server.mjs";
import { startMock } from "./mock-server.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const WEB_ROOT = path.join(ROOT, "web", "dist");
export const ARTIFACTS = path.join(ROOT, "test-artifacts", "web");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// The flags the issue asks for: no sandbox (containers), no GPU, nothing that reaches the network.
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Builds web/dist when it is missing (make test builds it before the tests run). */
export function ensureWebBuilt() {
  if (!fs.existsSync(path.join(WEB_ROOT, "index.html"))) {
    execFileSync(process.execPath, [path.join(ROOT, "web", "build.mjs")], { stdio: "inherit" });
  }
}

/**
 * Starts what the pages talk to: engage-server ($ENGAGE_SERVER) with --web-root web/dist, or
 * the contract double when ENGAGE_WEB_MOCK=1. Resolves to {url, stop()}.
 */
export async function startTarget() {
  ensureWebBuilt();
  if (process.env.ENGAGE_WEB_MOCK === "1") return startMock({ webRoot: WEB_ROOT });
  return startServer(["--web-root", WEB_ROOT]);
}

/**
 * Launches headless Chromium with a fresh profile (playwright-core creates a new temporary
 * --user-data-dir for every launch and deletes it on close).
 */
export function launchBrowser() {
  // A page that Playwright fulfils has no IP address space, so Chromium's Local Network Access
  // checks would block its WebSocket to 127.0.0.1; only the development aid needs this.
  const extra = process.env.ENGAGE_WEB_ROUTE === "1" ? ["--disable-features=LocalNetworkAccessChecks"] : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS, ...extra] });
}

/**
 * Opens a page in a new browser context (its own storage: a second person) and records its
 * uncaught errors and console errors in `page.problems`.
 */
export async function newPerson(browser) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  if (process.env.ENGAGE_WEB_ROUTE === "1") await context.route((url) => /^\/app(\/|$)/.test(url.pathname), serveFromDist);
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (err) => page.problems.push("pageerror: " + err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") page.problems.push("console: " + msg.text());
  });
  return page;
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".webm": "video/webm", ".map": "application/json" };

// ENGAGE_WEB_ROUTE=1 (a development aid for a server that does not serve /app/ yet): the
// browser gets the page's files from web/dist through Playwright; the sockets still go to the
// server.
async function serveFromDist(route) {
  const url = new URL(route.request().url());
  let rel = decodeURIComponent(url.pathname.replace(/^\/app\/?/, "")) || "index.html";
  if (rel.endsWith("/")) rel += "index.html";
  const file = path.resolve(WEB_ROOT, rel);
  if (!file.startsWith(WEB_ROOT + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: "Not Found" });
  const body = fs.readFileSync(file);
  const contentType = TYPES[path.extname(file)] || "application/octet-stream";
  // Media needs byte ranges to be seekable.
  const m = /^bytes=(\d+)-(\d*)$/.exec(route.request().headers()["range"] || "");
  if (m && Number(m[1]) < body.length) {
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
    return route.fulfill({
      status: 206,
      contentType,
      headers: { "accept-ranges": "bytes", "content-range": `bytes ${start}-${end}/${body.length}` },
      body: body.subarray(start, end + 1),
    });
  }
  return route.fulfill({ status: 200, contentType, headers: { "accept-ranges": "bytes" }, body });
}

/** Opens the lobby at `url` and sets the display name (the userId). */
export async function openLobby(page, url, name) {
  await page.goto(url + "/app/");
  const input = page.getByTestId("name");
  await input.fill(name);
  await input.dispatchEvent("change");
}

/** Returns the locator of the board square `sq` ("e4"). */
export function square(page, sq) {
  return page.locator(`[data-testid=board] .square[data-square="${sq}"]`);
}

/** Returns the piece ("wp", "bq", …) the board of `page` shows on `sq`, or null. */
export function pieceOn(page, sq) {
  return page.evaluate((s) => {
    const g = document.querySelector(`[data-testid=board] .pieces g[data-square="${s}"]`);
    return g ? g.getAttribute("data-piece") : null;
  }, sq);
}

/** Plays a move by clicking the `from` square and then the `to` square. */
export async function clickMove(page, from, to) {
  await square(page, from).click();
  await square(page, to).click();
}

/** Plays a move by dragging the piece with the mouse from `from` to `to`. */
export async function dragMove(page, from, to) {
  const a = await square(page, from).boundingBox();
  const b = await square(page, to).boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 8, a.y + a.height / 2 - 8, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** Saves a full-page screenshot as test-artifacts/web/<name>.png and returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name + ".png");
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Returns the text of the element with data-testid `id`. */
export function text(page, id) {
  return page.getByTestId(id).textContent();
}

/** Resolves when `fn()` returns a truthy value, polling every 50 ms; rejects after `ms`. */
export async function until(fn, ms = 5000, what = "condition") {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
