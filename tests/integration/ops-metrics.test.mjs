// Issue 8: GET /metrics parsed as the Prometheus text format — every family present with HELP
// and TYPE, values that move with real traffic — and the JSON stats line.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { connect, request as emitFor, waitFor, settle } from "./lib/engage-client.mjs";

let server;
before(async () => {
  server = await startServer(["--log-format", "json", "--stats-interval", "300"]);
});
after(async () => {
  await server.stop();
});

/** Parses the exposition: { families: {name: {help, type}}, samples: [{name, labels, value}] }. */
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
  return { families, samples };
}

async function scrape() {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}
const value = (m, name, labels = {}) =>
  m.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

test("every family is exposed with HELP and TYPE, and the values follow the traffic", async () => {
  const before = await scrape();
  const expected = {
    engage_connections: "gauge", engage_connects_total: "counter", engage_disconnects_total: "counter",
    engage_eio_upgrades_total: "counter", engage_events_in_total: "counter", engage_events_out_total: "counter",
    engage_rooms: "gauge", engage_live_games: "gauge", engage_moves_total: "counter", engage_errors_total: "counter",
    engage_rate_limited_total: "counter", engage_slow_consumer_disconnects_total: "counter",
    engage_connections_refused_total: "counter", engage_store_operation_seconds: "histogram",
    engage_store_up: "gauge", engage_store_reconnects_total: "counter", engage_store_offline_queue_depth: "gauge",
    engage_ready: "gauge", engage_tcp_connections: "gauge", engage_engineio_sessions: "gauge", engage_sockets: "gauge",
    process_cpu_seconds_total: "counter", process_resident_memory_bytes: "gauge", process_open_fds: "gauge",
  };
  for (const [name, type] of Object.entries(expected)) {
    assert.ok(before.families[name], `family ${name} missing`);
    assert.equal(before.families[name].type, type, name);
    assert.ok(before.families[name].help.length > 0, name);
  }
  assert.equal(value(before, "engage_store_up"), 1);
  assert.ok(value(before, "process_resident_memory_bytes") > 1e6);

  const w = await connect(server.url, "/play-along", { userId: "m-white" });
  const b = await connect(server.url, "/play-along", { userId: "m-black" });
  const created = await emitFor(w, "create_chess_room", undefined, ["room_created"]);
  b.emit("join_chess_room", { roomCode: created.payload.roomCode });
  await waitFor(b, "game_start");
  await emitFor(w, "make_move", { roomId: created.payload.roomId, from: "e2", to: "e4" }, ["move_update"]);
  await emitFor(b, "make_move", { roomId: created.payload.roomId, from: "e2", to: "e4" }, ["error"]); // not legal for black
  const during = await scrape();
  assert.equal(value(during, "engage_connects_total", { nsp: "/play-along" }) - value(before, "engage_connects_total", { nsp: "/play-along" }), 2);
  assert.equal(value(during, "engage_events_in_total", { nsp: "/play-along", event: "make_move" }) - value(before, "engage_events_in_total", { nsp: "/play-along", event: "make_move" }), 2);
  assert.ok(value(during, "engage_events_out_total", { nsp: "/play-along", event: "move_update" }) >= 1);
  assert.equal(value(during, "engage_moves_total") - value(before, "engage_moves_total"), 1);
  assert.ok(value(during, "engage_errors_total") > value(before, "engage_errors_total"));
  assert.equal(value(during, "engage_rooms", { kind: "chess" }), 1);
  assert.equal(value(during, "engage_live_games", { kind: "chess" }), 1);
  assert.equal(value(during, "engage_sockets"), 2);
  assert.ok(value(during, "engage_store_operation_seconds_count", { op: "cas" }) >= 1);
  const inf = during.samples.find((s) => s.name === "engage_store_operation_seconds_bucket" && s.labels.op === "cas" && s.labels.le === "+Inf");
  assert.equal(inf.value, value(during, "engage_store_operation_seconds_count", { op: "cas" }));
  w.close();
  b.close();
  await settle(300);
  const afterClose = await scrape();
  assert.equal(value(afterClose, "engage_disconnects_total") - value(before, "engage_disconnects_total"), 2);
  assert.equal(value(afterClose, "engage_sockets"), 0);
});

test("a JSON stats line is logged every interval, without a KEYS scan", async () => {
  await settle(700);
  const lines = server.output.split("\n").filter((l) => l.includes("[STATS]"));
  assert.ok(lines.length >= 1, server.output);
  const stats = JSON.parse(lines.at(-1));
  assert.equal(stats.level, "info");
  assert.equal(typeof stats.connections, "number");
  assert.equal(typeof stats.rooms, "number");
  assert.ok(stats.memory.rss > 1e6);
  // One line per notable event, never per message, never tokens or headers.
  assert.ok(!/secret-token|authorization/i.test(server.output));
});
