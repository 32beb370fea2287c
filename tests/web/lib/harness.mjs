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
// Where a failing test leaves each page's screenshot, visible state and console log.
export const FAILURES = path.join(ARTIFACTS, "failures");
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
 * Opens a page in a new browser context (its own storage: a second person), records its
 * uncaught errors and console errors in `page.problems` and every console line in
 * `page.logs`, and adds it to `pages` (when given) so that a failing test can dump it.
 */
export async function newPerson(browser, pages = null) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  if (process.env.ENGAGE_WEB_ROUTE === "1") await context.route((url) => /^\/app(\/|$)/.test(url.pathname), serveFromDist);
  const page = await context.newPage();
  const t0 = Date.now();
  page.problems = [];
  page.logs = [];
  page.on("pageerror", (err) => {
    page.problems.push("pageerror: " + err.message);
    page.logs.push(`${Date.now() - t0} ms pageerror ${err.message}`);
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") page.problems.push("console: " + msg.text());
    page.logs.push(`${Date.now() - t0} ms ${msg.type()} ${msg.text()}`);
  });
  if (pages) pages.push(page);
  return page;
}

/**
 * Returns a test function that runs `body(pages)` and, when it throws, saves a screenshot,
 * the visible state and the console log of every page in `pages` to
 * test-artifacts/web/failures/<name>-<n>.{png,txt} before rethrowing.
 */
export function withFailureArtifacts(name, body) {
  return async () => {
    const pages = [];
    try {
      await body(pages);
    } catch (err) {
      await dumpPages(name, pages, err);
      throw err;
    }
  };
}

/** Writes what each page showed (see withFailureArtifacts); never throws. */
export async function dumpPages(name, pages, err) {
  fs.mkdirSync(FAILURES, { recursive: true });
  for (const [i, page] of pages.entries()) {
    const base = path.join(FAILURES, `${name}-${i + 1}`);
    const lines = [`test: ${name}`, `error: ${err && err.message}`, `url: ${page.isClosed() ? "(closed)" : page.url()}`];
    if (!page.isClosed()) {
      try {
        const state = await page.evaluate(() => {
          const out = {};
          for (const el of document.querySelectorAll("[data-testid]")) {
            const v = "value" in el && el.tagName !== "LI" ? el.value : el.textContent;
            out[el.dataset.testid] = String(v || "").replace(/\s+/g, " ").trim().slice(0, 300);
          }
          const board = document.querySelector("[data-testid=board]");
          if (board) out["board data-*"] = JSON.stringify({ ...board.dataset });
          out.userId = localStorage.getItem("engage.userId");
          return out;
        });
        for (const [k, v] of Object.entries(state)) lines.push(`${k}: ${v}`);
        await page.screenshot({ path: base + ".png", fullPage: true, timeout: 5000 });
      } catch (e) {
        lines.push(`(could not read the page: ${e.message})`);
      }
    }
    lines.push("", "console:", ...(page.logs || []));
    fs.writeFileSync(base + ".txt", lines.join("\n") + "\n");
  }
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

/** Returns the board's data-* attributes of `page` (input, position, selected). */
export function boardState(page) {
  return page.evaluate(() => {
    const b = document.querySelector("[data-testid=board]");
    return b ? { ...b.dataset } : {};
  });
}

/**
 * Resolves once the board of `page` takes input (data-input="ready": the player's turn,
 * nothing pending, no animation running); a click before that may be ignored by the board.
 */
export async function waitForInput(page, ms = 8000) {
  let last;
  let status;
  await until(
    async () => {
      last = await boardState(page);
      if (last.input === "ready") return true;
      status = await text(page, "status");
      return false;
    },
    ms,
    () => `the board to take input (board ${JSON.stringify(last)}, status "${status}")`,
  );
}

/**
 * Plays a move by clicking the `from` square, checking that the board selected it, and then
 * clicking the `to` square.
 */
export async function clickMove(page, from, to) {
  await waitForInput(page);
  await square(page, from).click();
  await until(async () => (await boardState(page)).selected === from, 3000, `${from} to be selected`);
  await square(page, to).click();
  await until(async () => (await boardState(page)).selected === undefined, 3000, `the click on ${to} to be taken`);
}

/** Resolves once the board of `page` draws `pieces` ({e4: "wp", e2: null, …}). */
export async function waitForPieces(page, pieces, ms = 5000) {
  let seen;
  await until(
    async () => {
      seen = {};
      for (const sq of Object.keys(pieces)) seen[sq] = await pieceOn(page, sq);
      return Object.entries(pieces).every(([sq, p]) => seen[sq] === p);
    },
    ms,
    () => `pieces ${JSON.stringify(pieces)} (seen ${JSON.stringify(seen)})`,
  );
}

/** Plays a move by dragging the piece with the mouse from `from` to `to`. */
export async function dragMove(page, from, to) {
  await waitForInput(page);
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

/**
 * Resolves when `fn()` returns a truthy value, polling every 50 ms; rejects after `ms` with
 * `what` (a string, or a function returning one, called at the timeout) in the message.
 */
export async function until(fn, ms = 5000, what = "condition") {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
