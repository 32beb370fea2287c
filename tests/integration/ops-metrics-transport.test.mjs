// Issue 8: engage_connections by transport and engage_eio_upgrades_total follow a polling client
// that upgrades; REST errors count in engage_errors_total; and, on the Redis store with a real
// redis-server that the test kills and restarts, every family of issue 8 is exposed (parsed as the
// Prometheus text format) and is non-zero once the test provoked it — Redis reconnects, the
// offline queue and store up/down included; on a local Redis Cluster the same Redis families are
// exported and follow a dropped connection.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startServer } from "./lib/server.mjs";
import { connect, request as emitFor, waitFor, http, settle } from "./lib/engage-client.mjs";
import { openWs, sleep } from "./lib/raw.mjs";
import { redisAvailable, startRedis, until } from "./redis-lib.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const haveRedis = await redisAvailable();
let server;
const cleanup = [];
before(async () => {
  server = await startServer([]);
});
after(async () => {
  await server.stop();
  for (const f of cleanup) await f();
});

/**
 * Parses the text exposition strictly (every line a HELP, a TYPE or a sample, else the test
 * fails). Returns the samples [{name, labels, value}] with .families = {name: {help, type}}.
 */
function parse(text) {
  const families = {};
  const samples = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    let m;
    if ((m = line.match(/^# HELP (\S+) (.*)$/))) (families[m[1]] ??= {}).help = m[2];
    else if ((m = line.match(/^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/))) (families[m[1]] ??= {}).type = m[2];
    else if ((m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/))) {
      const labels = {};
      if (m[3]) for (const p of m[3].matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]] = p[2];
      const value = m[4] === "+Inf" ? Infinity : Number(m[4]);
      assert.ok(!Number.isNaN(value), `bad value in: ${line}`);
      samples.push({ name: m[1], labels, value });
    } else assert.fail(`unparseable line: ${line}`);
  }
  samples.families = families;
  return samples;
}
async function scrape(url) {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
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

test("the memory store exports no Redis-only families", async () => {
  const s = await scrape(server.url);
  assert.ok(!has(s, "engage_store_failures_total"));
  assert.ok(!has(s, "engage_store_connect_failures_total"));
  assert.equal(value(s, "engage_store_reconnects_total"), 0);
});

// Every family issue 8 lists, as [name, labels, type]: each must be exposed with HELP and TYPE
// and be seen non-zero after the step that provokes it (histograms: their _count).
const PROVOKED = [
  ["engage_connections", { transport: "polling" }, "gauge"],
  ["engage_connections", { transport: "websocket" }, "gauge"],
  ["engage_connects_total", { nsp: "/play-along" }, "counter"],
  ["engage_connects_total", { nsp: "/watch-along" }, "counter"],
  ["engage_disconnects_total", { reason: "client namespace disconnect" }, "counter"],
  ["engage_eio_upgrades_total", {}, "counter"],
  ["engage_events_in_total", { nsp: "/play-along", event: "make_move" }, "counter"],
  ["engage_events_out_total", { nsp: "/play-along", event: "move_update" }, "counter"],
  ["engage_rooms", { kind: "chess" }, "gauge"],
  ["engage_rooms", { kind: "watchalong" }, "gauge"],
  ["engage_live_games", { kind: "chess" }, "gauge"],
  ["engage_moves_total", {}, "counter"],
  ["engage_errors_total", { code: "RATE_LIMITED" }, "counter"],
  ["engage_rate_limited_total", {}, "counter"],
  ["engage_slow_consumer_disconnects_total", {}, "counter"],
  ["engage_store_operation_seconds", { op: "cas" }, "histogram"],
  ["engage_store_up", {}, "gauge"],
  ["engage_store_reconnects_total", {}, "counter"],
  ["engage_store_offline_queue_depth", {}, "gauge"],
  ["engage_store_failures_total", {}, "counter"],
  ["engage_store_connect_failures_total", {}, "counter"],
  ["process_resident_memory_bytes", {}, "gauge"],
  ["process_cpu_seconds_total", {}, "counter"],
];
const key = ([name, labels]) => name + JSON.stringify(labels);
const sampleName = ([name, , type]) => (type === "histogram" ? `${name}_count` : name);

test("on the Redis store every issue-8 family is exposed and moves once provoked (redis-server killed and restarted)", { timeout: 120000 }, async () => {
  assert.ok(haveRedis, "redis-server is not installed (scripts/install-deps.sh installs it)");
  const r = await startRedis();
  cleanup.push(() => r.close());
  const s = await startServer(["--redis", r.url(), "--rate-rooms-per-hour", "1",
    "--outbuf-soft-bytes", "65536", "--outbuf-soft-ms", "300", "--outbuf-hard-bytes", "262144",
    "--rate-events-per-second", "0", "--rate-events-burst", "1000000"]);
  cleanup.unshift(() => s.stop());
  const peak = new Map();
  let storeDownSeen = false;
  const look = async () => {
    const m = await scrape(s.url);
    for (const p of PROVOKED) peak.set(key(p), Math.max(peak.get(key(p)) ?? 0, value(m, sampleName(p), p[1])));
    if (has(m, "engage_store_up") && value(m, "engage_store_up") === 0) storeDownSeen = true;
    return m;
  };

  // 0. Every family is there from the first scrape, with its type and help; the store comes up.
  const first = await look();
  for (const [name, , type] of PROVOKED) {
    assert.ok(first.families[name], `family ${name} missing`);
    assert.equal(first.families[name].type, type, name);
    assert.ok(first.families[name].help.length > 0, `${name} has no HELP`);
  }
  assert.ok(await until(async () => value(await look(), "engage_store_up") === 1, 5000), "the store never came up");
  storeDownSeen = false; // only a 0 after Redis is killed counts below
  assert.equal(value(first, "engage_store_reconnects_total"), 0);

  // 1. A chess game between a polling-only client and one that upgrades to WebSocket.
  const white = await connect(s.url, "/play-along", { userId: "mx-white" }, { transports: ["polling"], upgrade: false });
  const black = await connect(s.url, "/play-along", { userId: "mx-black" }, { transports: ["polling", "websocket"] });
  if (black.io.engine.transport.name !== "websocket") await new Promise((resolve) => black.io.engine.once("upgrade", resolve));
  const room = (await emitFor(white, "create_chess_room", undefined, ["room_created"])).payload;
  black.emit("join_chess_room", { roomCode: room.roomCode });
  await waitFor(black, "game_start");
  await emitFor(white, "make_move", { roomId: room.roomId, from: "e2", to: "e4" }, ["move_update"]);
  assert.equal((await emitFor(black, "make_move", { roomId: room.roomId, from: "e2", to: "e4" }, ["error"])).event, "error");
  await settle(100);
  const game = await look();
  assert.ok(value(game, "engage_errors_total") > 0);

  // 2. A second room within the hour from one user (--rate-rooms-per-hour 1) is refused.
  const host = await connect(s.url, "/watch-along", { userId: "mx-host" });
  const watch = (await emitFor(host, "create_watch_room", { videoId: "v0", videoUrl: "https://v/0" }, ["room_created"])).payload;
  const refused = await emitFor(host, "create_watch_room", { videoId: "v1", videoUrl: "https://v/1" }, ["room_created", "error"]);
  assert.equal(refused.event, "error");
  assert.equal(refused.payload.code, "RATE_LIMITED");

  // 3. A WebSocket client in the watch room that never reads is disconnected as a slow consumer.
  const slow = openWs(`${s.wsUrl}/socket.io/?EIO=4&transport=websocket`);
  await slow.opened;
  assert.match(await slow.next(), /^0\{/);
  slow.send('40/watch-along,{"userId":"mx-slow"}');
  assert.match(await slow.next(), /^40\/watch-along,/);
  slow.send(`42/watch-along,["join_watch_room",{"roomId":"${watch.roomId}"}]`);
  for (;;) if (/room_joined/.test(await slow.next(2000, { skipPings: true }))) break;
  await look(); // the watch room is counted while it has members
  slow.ws._socket.pause();
  const url = "https://video.example/" + "x".repeat(1900);
  for (let i = 0; i < 6000; i++) {
    host.emit("change_video", { roomId: watch.roomId, videoId: `v${i}`, videoUrl: url });
    if (i % 500 === 499) {
      await waitFor(host, "sync_video", (p) => p.videoId === `v${i}`, { timeoutMs: 15000 });
      if (value(await look(), "engage_slow_consumer_disconnects_total") > 0) break;
    }
  }
  assert.ok(await until(async () => value(await look(), "engage_slow_consumer_disconnects_total") >= 1, 4000), "the slow consumer was not counted");
  slow.ws._socket.resume();

  // 4. Clients leave: disconnects by reason.
  white.close();
  black.close();
  host.close();
  await settle(300);
  await look();

  // 5. Redis dies: calls wait in the offline queue, then the store is reported down.
  await r.stop("SIGKILL");
  const probe = () => http(s.url, "GET", `/api/chess/room/${room.roomId}`).catch(() => null);
  const queued = await until(async () => {
    probe();
    probe();
    return value(await look(), "engage_store_offline_queue_depth") > 0;
  }, 5000);
  assert.ok(queued, "engage_store_offline_queue_depth stayed 0 while Redis was down");
  // Past the down grace (1 s) the circuit opens: calls fail fast (503) and the store is down.
  assert.ok(await until(async () => {
    const res = await probe();
    await look();
    return res?.status === 503 && storeDownSeen;
  }, 10000), "no 503 with engage_store_up 0 while Redis was down");

  // 6. Redis comes back: one reconnect at least, the store up again, the queue drained.
  await r.start();
  const back = await until(async () => {
    await probe();
    const m = await look();
    return value(m, "engage_store_reconnects_total") >= 1 && value(m, "engage_store_up") === 1 ? m : null;
  }, 20000);
  assert.ok(back, "engage_store_reconnects_total / engage_store_up did not recover after the Redis restart");
  assert.ok(await until(async () => value(await look(), "engage_store_offline_queue_depth") === 0, 5000));
  const poll = await http(s.url, "GET", `/api/chess/room/${room.roomId}`);
  assert.equal(poll.status, 200, "the game survived the Redis restart (AOF)");

  // 7. Every family was seen non-zero after it was provoked.
  const zero = PROVOKED.filter((p) => !(peak.get(key(p)) > 0)).map(key);
  assert.deepEqual(zero, [], `families that stayed 0 after they were provoked: ${zero.join(", ")}`);
  assert.ok(storeDownSeen);
  const last = await look();
  const inf = last.find((x) => x.name === "engage_store_operation_seconds_bucket" && x.labels.op === "cas" && x.labels.le === "+Inf");
  assert.equal(inf.value, value(last, "engage_store_operation_seconds_count", { op: "cas" }));
  assert.ok(new Set(last.filter((x) => x.name === "engage_errors_total" && x.value > 0).map((x) => x.labels.code)).size >= 2, "errors by kind");
});

test("on a Redis Cluster the Redis store families are exported too, and a dropped node connection counts a reconnect", { timeout: 60000 }, async () => {
  assert.ok(haveRedis, "redis-server is not installed (scripts/install-deps.sh installs it)");
  const { startRedisCluster, redisCommand } = await import("./scale-harness.mjs");
  const dir = mkdtempSync(path.join(tmpdir(), "engage-metrics-cluster-"));
  const cluster = await startRedisCluster(dir, 3);
  cleanup.push(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const s = await startServer(["--threads", "1", "--redis-cluster", cluster.seeds]);
  cleanup.unshift(() => s.stop());
  const up = await until(async () => {
    const c = await http(s.url, "POST", "/api/chess/create", { userId: "cl-metrics" });
    const m = await scrape(s.url);
    return c.status === 200 && value(m, "engage_store_up") === 1 ? m : null;
  }, 15000);
  assert.ok(up, "the cluster store never came up");
  for (const name of ["engage_store_failures_total", "engage_store_connect_failures_total", "engage_store_reconnects_total", "engage_store_offline_queue_depth"])
    assert.ok(has(up, name), `${name} missing on the cluster store`);
  assert.equal(value(up, "engage_store_reconnects_total"), 0);
  for (const n of cluster.nodes) await redisCommand(n.port, ["CLIENT", "KILL", "TYPE", "normal"]);
  const back = await until(async () => {
    await http(s.url, "POST", "/api/chess/create", { userId: "cl-metrics-2" });
    const m = await scrape(s.url);
    return value(m, "engage_store_reconnects_total") >= 1 && value(m, "engage_store_up") === 1 ? m : null;
  }, 15000);
  assert.ok(back, "engage_store_reconnects_total did not move after the cluster nodes dropped the store's connections");
});
