// Redis dies in the middle of games: clients get the clear error, the process stays up, /ready
// says so, no acknowledged move is lost; Redis comes back and the same games continue on the
// same sockets, without any client reconnect.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { connect, waitFor, request, playMoves, startGame, http } from "./lib/engage-client.mjs";
import { redisAvailable, startRedis, until } from "./redis-lib.mjs";

const have = await redisAvailable();
const sockets = [];
let srv;
let r;

after(async () => {
  for (const s of sockets) s.close();
  if (srv) await srv.stop();
  if (r) await r.close();
});

async function player(userId) {
  const s = await connect(srv.url, "/play-along", { userId });
  sockets.push(s);
  return s;
}

test("Redis killed mid-game: clear error, process up, nothing acknowledged lost, games resume", { skip: !have && "redis-server not installed" }, async () => {
  r = await startRedis();
  srv = await startServer(["--redis", r.url()]);
  const games = [];
  for (let i = 0; i < 3; i++) {
    const w = await player(`w-out-${i}`);
    const b = await player(`b-out-${i}`);
    const room = await startGame(w, b);
    const moves = await playMoves(w, b, room.roomId, ["e2e4", "e7e5"]);
    games.push({ w, b, room, last: moves.at(-1) });
  }

  await r.stop("SIGKILL");
  const t0 = Date.now();
  for (const g of games) {
    const res = await request(g.w, "make_move", { roomId: g.room.roomId, from: "g1", to: "f3" }, ["move_update", "error"]);
    assert.equal(res.event, "error");
    assert.equal(res.payload.message, "Service temporarily unavailable, please retry");
    assert.equal(res.payload.code, "UNAVAILABLE");
  }
  assert.ok(Date.now() - t0 < 4000, "errors come promptly, nothing hangs");
  const ready = await http(srv.url, "GET", "/ready");
  assert.equal(ready.status, 503);
  const health = await http(srv.url, "GET", "/health");
  assert.equal(health.status, 200);
  assert.equal(health.body.redis, "disconnected");
  assert.equal(srv.exited, null, "the process stays up");

  await r.start();
  assert.ok(await until(async () => (await http(srv.url, "GET", "/ready")).status === 200), "ready again");
  for (const g of games) {
    assert.ok(g.w.connected && g.b.connected, "no client reconnect was needed");
    const res = await request(g.w, "make_move", { roomId: g.room.roomId, from: "g1", to: "f3" }, ["move_update", "error"]);
    assert.equal(res.event, "move_update", JSON.stringify(res.payload));
    assert.equal(res.payload.version, g.last.version + 1, "every acknowledged move is still there");
    assert.equal(res.payload.san, "Nf3");
    const next = await playMoves(g.b, g.w, g.room.roomId, ["b8c6"]);
    assert.equal(JSON.parse(await r.cli("GET", `chess:room:${g.room.roomId}`)).fen, next[0].fen);
  }
});
