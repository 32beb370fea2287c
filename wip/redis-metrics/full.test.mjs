// Issue 8 gaps: engage_connections by transport and engage_eio_upgrades_total follow a polling
// client that upgrades; REST errors count in engage_errors_total; with --redis the Redis store's
// reconnects, failures and offline queue are exported, and a Redis restart bumps the reconnects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startServer } from "./lib/server.mjs";
import { http, settle } from "./lib/engage-client.mjs";
import { redisAvailable, startRedis, until } from "./redis-lib.mjs";

const haveRedis = await redisAvailable();
let server;
const extra = [];
before(async () => {
  server = await startServer([]);
});
after(async () => {
  await server.stop();
  for (const f of extra) await f();
});

/** Returns [{name, labels, value}] of the exposition (comment lines skipped). */
async function scrape(url) {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  const samples = [];
  for (const line of (await res.text()).split("\n")) {
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const p of m[3].matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]] = p[2];
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}
const value = (samples, name, labels = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
const has = (samples, name) => samples.some((s) => s.name === name);

function open(url, transports, upgrade = true) {
  const socket = io(url + "/play-along", { transports, upgrade, forceNew: true, reconnection: false, auth: { userId: "t-" + Math.random() } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("connect timed out")), 5000);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

test("a polling client counts as polling; its upgrade moves it to websocket and counts one upgrade", async () => {
  const before = await scrape(server.url);
  const polling = await open(server.url, ["polling"], false);
  await settle(100);
  const held = await scrape(server.url);
  assert.equal(value(held, "engage_connections", { transport: "polling" }) - value(before, "engage_connections", { transport: "polling" }), 1);
  assert.equal(value(held, "engage_eio_upgrades_total"), value(before, "engage_eio_upgrades_total"));

  const upgrading = await open(server.url, ["polling", "websocket"]);
  if (upgrading.io.engine.transport.name !== "websocket")
    await new Promise((resolve) => upgrading.io.engine.once("upgrade", resolve));
  await settle(100);
  const upgraded = await scrape(server.url);
  assert.equal(value(upgraded, "engage_eio_upgrades_total") - value(before, "engage_eio_upgrades_total"), 1);
  assert.equal(value(upgraded, "engage_connections", { transport: "websocket" }) - value(before, "engage_connections", { transport: "websocket" }), 1);
  assert.equal(value(upgraded, "engage_connections", { transport: "polling" }) - value(before, "engage_connections", { transport: "polling" }), 1);

  polling.close();
  upgrading.close();
  await settle(300);
  const closed = await scrape(server.url);
  assert.equal(value(closed, "engage_connections", { transport: "polling" }), value(before, "engage_connections", { transport: "polling" }));
  assert.equal(value(closed, "engage_connections", { transport: "websocket" }), value(before, "engage_connections", { transport: "websocket" }));
});

test("a REST error counts in engage_errors_total by its code", async () => {
  const before = await scrape(server.url);
  const missing = await http(server.url, "GET", "/api/chess/room/no-such-room-1234");
  assert.equal(missing.status, 404);
  const bad = await http(server.url, "POST", "/api/chess/move", "{not json");
  assert.equal(bad.status, 400);
  const afterErrors = await scrape(server.url);
  assert.equal(value(afterErrors, "engage_errors_total", { code: "ROOM_NOT_FOUND" }) - value(before, "engage_errors_total", { code: "ROOM_NOT_FOUND" }), 1);
  assert.equal(value(afterErrors, "engage_errors_total", { code: "BAD_REQUEST" }) - value(before, "engage_errors_total", { code: "BAD_REQUEST" }), 1);
});

test("the memory store exports no Redis families", async () => {
  const s = await scrape(server.url);
  assert.ok(!has(s, "engage_store_failures_total"));
  assert.ok(!has(s, "engage_store_connect_failures_total"));
});

test("with --redis the Redis families are exported and a Redis restart counts a reconnect", { skip: !haveRedis && "redis-server not installed" }, async () => {
  const r = await startRedis();
  extra.push(() => r.close());
  const s = await startServer(["--redis", r.url()]);
  extra.unshift(() => s.stop());
  const first = await scrape(s.url);
  for (const name of ["engage_store_reconnects_total", "engage_store_failures_total", "engage_store_connect_failures_total", "engage_store_offline_queue_depth"])
    assert.ok(has(first, name), `${name} missing`);
  assert.equal(value(first, "engage_store_reconnects_total"), 0);
  assert.equal(value(first, "engage_store_up"), 1);

  await r.stop("SIGKILL");
  // A store call while Redis is down fails (or waits in the offline queue), then Redis returns.
  await http(s.url, "GET", "/api/chess/room/outage-probe");
  await r.start();
  const back = await until(async () => {
    await http(s.url, "GET", "/api/chess/room/reconnect-probe");
    const m = await scrape(s.url);
    return value(m, "engage_store_reconnects_total") >= 1 && value(m, "engage_store_up") === 1 ? m : null;
  }, 15000);
  assert.ok(back, "engage_store_reconnects_total did not move after a Redis restart");
  assert.ok(value(back, "engage_store_reconnects_total") >= 1);
  assert.equal(value(back, "engage_store_offline_queue_depth"), 0);
});
