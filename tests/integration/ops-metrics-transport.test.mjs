// Issue 8 gaps: engage_connections by transport and engage_eio_upgrades_total follow a polling
// client that upgrades; REST errors count in engage_errors_total.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startServer } from "./lib/server.mjs";
import { http, settle } from "./lib/engage-client.mjs";

let server;
before(async () => {
  server = await startServer([]);
});
after(async () => {
  await server.stop();
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
