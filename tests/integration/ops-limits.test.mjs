// Issue 8 over real sockets: the 11th room in an hour and the 101st move in a minute (default
// limits) get RATE_LIMITED with retryAfterMs and the connection stays; REST gets 429 +
// Retry-After; a flood of connections from one address gets 429; oversize requests are refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer } from "./lib/server.mjs";
import { connect, request as emitFor, http } from "./lib/engage-client.mjs";
import { request as raw, openWs } from "./lib/raw.mjs";

let server;
const sockets = [];
before(async () => {
  server = await startServer(["--trust-proxy", "127.0.0.1", "--rate-connections-per-minute", "5"]);
});
after(async () => {
  for (const s of sockets) s.close();
  await server.stop();
});

async function user(nsp, userId) {
  const s = await connect(server.url, nsp, { userId });
  sockets.push(s);
  return s;
}

test("the 11th room in an hour is refused with retryAfterMs; the socket stays", async () => {
  const s = await user("/play-along", "room-hog");
  for (let i = 0; i < 10; i++) {
    const r = await emitFor(s, "create_chess_room", undefined, ["room_created", "error"]);
    assert.equal(r.event, "room_created", JSON.stringify(r.payload));
  }
  const r = await emitFor(s, "create_chess_room", undefined, ["room_created", "error"]);
  assert.equal(r.event, "error");
  assert.equal(r.payload.code, "RATE_LIMITED");
  assert.ok(r.payload.retryAfterMs > 3500000 && r.payload.retryAfterMs <= 3600000, JSON.stringify(r.payload));
  assert.match(r.payload.message, /retry in \d+ s/);
  assert.ok(s.connected);
  // The same user's REST creation shares the budget: 429 with Retry-After.
  const rest = await http(server.url, "POST", "/api/chess/create", { userId: "room-hog" });
  assert.equal(rest.status, 429);
  assert.equal(rest.body.code, "RATE_LIMITED");
  assert.ok(Number(rest.headers.get("retry-after")) > 3500);
  // Someone else is not affected.
  const other = await user("/play-along", "someone-else");
  assert.equal((await emitFor(other, "create_chess_room", undefined, ["room_created", "error"])).event, "room_created");
});

test("the 101st move in a minute is refused; earlier ones were judged", async () => {
  const w = await user("/play-along", "fast-white");
  const created = await emitFor(w, "create_chess_room", undefined, ["room_created"]);
  const roomId = created.payload.roomId;
  const codes = [];
  for (let i = 0; i < 101; i++) {
    const r = await emitFor(w, "make_move", { roomId, from: "e2", to: "e4" }, ["error", "move_update"]);
    codes.push(r.event === "error" ? r.payload.code : "moved");
  }
  assert.ok(!codes.slice(0, 100).includes("RATE_LIMITED"), codes.join(","));
  assert.equal(codes[100], "RATE_LIMITED");
  assert.ok(w.connected);
});

test("a flood of handshakes from one address (via the trusted proxy) gets 429", async () => {
  const xff = { "X-Forwarded-For": "203.0.113.77" };
  const statuses = [];
  for (let i = 0; i < 8; i++) {
    const r = await raw(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: xff });
    statuses.push(r.status);
    if (r.status === 429) {
      assert.ok(Number(r.headers["retry-after"]) >= 1);
      assert.equal(JSON.parse(r.text).code, 429);
    }
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  // WebSocket handshakes count against the same budget.
  const ws = openWs(`${server.wsUrl}/socket.io/?EIO=4&transport=websocket`, { headers: xff });
  await assert.rejects(ws.opened, (e) => e.status === 429);
  // Loopback itself is exempt by default; another forwarded address has its own budget.
  for (let i = 0; i < 10; i++)
    assert.equal((await raw(`${server.url}/socket.io/?EIO=4&transport=polling`)).status, 200);
  const other = await raw(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { "X-Forwarded-For": "203.0.113.78" } });
  assert.equal(other.status, 200);
});

/** Sends raw bytes and resolves with the status line of the answer (or "closed"). */
function rawHttp(text) {
  return new Promise((resolve) => {
    const c = net.connect(server.port, "127.0.0.1");
    let got = "";
    c.on("data", (d) => {
      got += d.toString("latin1");
      if (got.includes("\r\n")) {
        resolve(got.split("\r\n")[0]);
        c.destroy();
      }
    });
    c.on("error", () => resolve("closed"));
    c.on("close", () => resolve(got ? got.split("\r\n")[0] : "closed"));
    c.write(text);
  });
}

test("oversize headers, too many headers and a long URI are refused", async () => {
  const big = "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20000) + "\r\n\r\n";
  assert.match(await rawHttp(big), /^HTTP\/1\.1 431/);
  let many = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (let i = 0; i < 150; i++) many += `X-H${i}: v\r\n`;
  assert.match(await rawHttp(many + "\r\n"), /^HTTP\/1\.1 431/);
  const longUri = "GET /health?" + "q".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  assert.match(await rawHttp(longUri), /^HTTP\/1\.1 414/);
  assert.match(await rawHttp("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"), /^HTTP\/1\.1 200/);
});
