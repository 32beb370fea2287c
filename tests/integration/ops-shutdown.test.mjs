// Issue 8: SIGTERM during live games — /ready turns 503, clients are disconnected at once (so
// they reconnect elsewhere), the process exits 0 within --shutdown-timeout; with a shared
// Redis, a restarted instance on the same port lets the clients reconnect, rejoin and resume.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { startServer } from "./lib/server.mjs";
import { record, request as emitFor, waitFor, playMoves } from "./lib/engage-client.mjs";
import { startRedis } from "./scale-harness.mjs";

function player(url, userId) {
  const s = io(url + "/play-along", { transports: ["websocket"], forceNew: true, auth: { userId }, reconnectionDelay: 100, reconnectionDelayMax: 200 });
  record(s);
  return new Promise((resolve, reject) => {
    s.once("connect", () => resolve(s));
    s.once("connect_error", reject);
  });
}

test("SIGTERM during live games: clients disconnected at once, exit 0 in bounded time", async () => {
  const server = await startServer(["--shutdown-timeout", "3000"]);
  const w = await player(server.url, "sd-white");
  const b = await player(server.url, "sd-black");
  const created = await emitFor(w, "create_chess_room", undefined, ["room_created"]);
  b.emit("join_chess_room", { roomCode: created.payload.roomCode });
  await waitFor(b, "game_start");
  await playMoves(w, b, created.payload.roomId, ["e2e4", "e7e5"]);
  const gone = Promise.all([w, b].map((s) => new Promise((r) => s.once("disconnect", r))));
  const t0 = Date.now();
  const exit = server.stop(10000);
  const reasons = await gone;
  for (const r of reasons) assert.equal(r, "transport close");
  const { code } = await exit;
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 < 3000, `exit took ${Date.now() - t0} ms`);
  assert.match(server.output, /shutting down/);
  w.close();
  b.close();
});

test("with Redis, clients reconnect to a restarted instance, rejoin and resume the game", async (t) => {
  let redis;
  try {
    redis = await startRedis(mkdtempSync(path.join(os.tmpdir(), "engage-ops-")));
  } catch (e) {
    return t.skip(`redis-server unavailable: ${e.message}`);
  }
  let a;
  try {
    a = await startServer(["--redis", redis.url]);
  } catch (e) {
    await redis.stop();
    return t.skip(`this build has no Redis store: ${e.message.split("\n")[0]}`);
  }
  const port = a.port;
  const w = await player(a.url, "rs-white");
  const b = await player(a.url, "rs-black");
  const created = await emitFor(w, "create_chess_room", undefined, ["room_created"]);
  const roomId = created.payload.roomId;
  b.emit("join_chess_room", { roomCode: created.payload.roomCode });
  await waitFor(b, "game_start");
  await playMoves(w, b, roomId, ["d2d4", "d7d5", "c2c4"]);
  assert.equal((await a.stop()).code, 0);
  const back = Promise.all([w, b].map((s) => new Promise((r) => s.io.once("reconnect", r))));
  const a2 = await startServer(["--redis", redis.url], { port });
  try {
    await back;
    for (const s of [w, b]) {
      const from = s.log.length;
      s.emit("join_chess_room", { roomId });
      const room = await waitFor(s, "game_start", () => true, { from });
      assert.equal(room.moves.length, 3, JSON.stringify(room));
    }
    const from = b.log.length;
    b.emit("make_move", { roomId, from: "e7", to: "e6" });
    const u = await waitFor(b, "move_update", () => true, { from });
    assert.equal(u.ply, 4);
  } finally {
    w.close();
    b.close();
    await a2.stop();
    await redis.stop();
  }
});
