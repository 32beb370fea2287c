// kill -9 of one of three instances mid-game (behind nginx, deploy/nginx.conf): its clients
// reconnect through the balancer to a live instance, rejoin and resume; no move is lost or
// doubled. Then a graceful SIGTERM: /ready drains and clients move on the same way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Chess } from "chess.js";
import { waitFor, request, settle } from "./lib/engage-client.mjs";
import { startCluster, missingPrerequisite, client, nginxTarget } from "./scale-harness.mjs";

const missing = missingPrerequisite();
let env;
const sockets = [];

before(async () => {
  if (missing) return;
  env = await startCluster(3);
});
after(async () => {
  for (const s of sockets) s.close();
  if (env) await env.stop();
});

const skip = () => missing || (env && env.skip) || false;

/**
 * A resuming chess client: on every (re)connect it rejoins `roomId` and takes the server's room
 * (game_start, self only) as the truth. `state()` resolves with the latest room it knows.
 */
function resumer(socket, userId) {
  const r = { socket, userId, roomId: null, connects: 0 };  // connects: reconnections
  socket.on("connect", () => {
    r.connects++;
    if (r.roomId) socket.emit("join_chess_room", { roomId: r.roomId });
  });
  return r;
}

/** Waits until `s` has a game_start at or after `from`; returns it. */
const nextGameStart = (s, from, timeoutMs = 15000) => waitFor(s, "game_start", () => true, { from, timeoutMs });

/** Emits one move and resolves with the mover's move_update for ply `ply` (or throws on error). */
async function move(s, roomId, uci, ply) {
  const from = s.log.length;
  s.emit("make_move", { roomId, from: uci.slice(0, 2), to: uci.slice(2, 4) });
  const r = await Promise.race([
    waitFor(s, "move_update", (u) => u.ply === ply, { from, timeoutMs: 6000 }).then((p) => ({ ok: p })),
    waitFor(s, "error", () => true, { from, timeoutMs: 6000 }).then((p) => ({ err: p })),
  ]);
  if (r.err) throw new Error(`${uci}: ${r.err.message}`);
  return r.ok;
}

test("kill -9 an instance mid-game: its player reconnects through nginx, rejoins and resumes", { skip: skip() }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const ports = env.instances.map((s) => s.port);
  const victim = await nginxTarget(env.nginx.url, ports);
  assert.ok(victim >= 0);
  const survivor = env.instances[(victim + 1) % 3];

  // White through the balancer (lands on the victim), black directly on another instance.
  const wsock = await client(env.nginx.url, "/play-along", { userId: "fo-white" }, { reconnection: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  const bsock = await client(survivor.url, "/play-along", { userId: "fo-black" });
  sockets.push(wsock, bsock);
  const white = resumer(wsock, "fo-white");
  const created = await request(wsock, "create_chess_room", undefined, ["room_created", "error"]);
  assert.equal(created.event, "room_created");
  const roomId = created.payload.roomId;
  white.roomId = roomId;
  bsock.emit("join_chess_room", { roomCode: created.payload.roomCode });
  await waitFor(bsock, "game_start");

  const game = new Chess();
  const plan = ["e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "g8f6", "d2d3", "f8c5", "c2c3", "d7d6"];
  let i = 0;
  for (; i < 4; i++) {
    const s = i % 2 === 0 ? wsock : bsock;
    await move(s, roomId, plan[i], i + 1);
    game.move({ from: plan[i].slice(0, 2), to: plan[i].slice(2, 4) });
  }

  // White sends its 5th ply and the instance dies at once: the move may or may not be committed.
  const fromW = wsock.log.length;
  const fromB = bsock.log.length;
  wsock.emit("make_move", { roomId, from: plan[4].slice(0, 2), to: plan[4].slice(2, 4) });
  env.instances[victim].proc.kill("SIGKILL");
  const gs = await nextGameStart(wsock, fromW);  // after reconnect + rejoin through nginx
  assert.ok(white.connects >= 1, "white reconnected");
  assert.notEqual(await nginxTarget(env.nginx.url, ports), victim, "nginx moved the client to a live instance");
  assert.equal(gs.roomId, roomId);
  assert.ok(gs.moves.length === 4 || gs.moves.length === 5, `moves after the crash: ${gs.moves}`);
  assert.deepEqual(gs.moves.slice(0, 4), plan.slice(0, 4), "no committed move lost");
  // Black hears that white is back (through Redis, from white's new instance).
  await waitFor(bsock, "opponent_rejoined", (p) => p.userId === "fo-white", { from: fromB, timeoutMs: 10000 });

  // Resume: white re-sends ply 5 only if it was not committed; nothing is applied twice.
  if (gs.moves.length === 4) await move(wsock, roomId, plan[4], 5);
  game.move({ from: plan[4].slice(0, 2), to: plan[4].slice(2, 4) });
  // Black, having perhaps missed ply 5's broadcast (pub/sub is at-most-once), resynchronises.
  const fromB2 = bsock.log.length;
  bsock.emit("join_chess_room", { roomId });
  const bgs = await nextGameStart(bsock, fromB2);
  assert.equal(bgs.moves.length, 5);
  assert.equal(bgs.fen, game.fen());
  for (i = 5; i < plan.length; i++) {
    const s = i % 2 === 0 ? wsock : bsock;
    const u = await move(s, roomId, plan[i], i + 1);
    game.move({ from: plan[i].slice(0, 2), to: plan[i].slice(2, 4) });
    assert.equal(u.fen, game.fen());
  }
  // Black saw white's last post-crash ply exactly once, across instances.
  await waitFor(bsock, "move_update", (u) => u.ply === 9);
  await settle(150);
  for (const ply of [7, 9]) assert.equal(bsock.log.filter((e) => e.event === "move_update" && e.payload.ply === ply).length, 1);
  const res = await fetch(`${survivor.url}/api/chess/room/${roomId}`);
  const body = await res.json();
  const room = body.room || body;
  assert.deepEqual(room.moves, plan, "the stored game is exactly the planned one");
  assert.equal(room.fen, game.fen());
});

test("SIGTERM: /ready answers 503 while draining, clients move to another instance and resume", { skip: skip() }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const live = env.instances.filter((s) => !s.exited);
  assert.ok(live.length >= 2);
  const [leaving, staying] = live;
  assert.equal((await fetch(leaving.url + "/ready")).status, 200);
  // A client that follows its server elsewhere: reconnect to `staying` when `leaving` goes.
  const wsock = await client(leaving.url, "/play-along", { userId: "gr-white" }, { transports: ["polling"] });
  const bsock = await client(staying.url, "/play-along", { userId: "gr-black" });
  sockets.push(wsock, bsock);
  const created = await request(wsock, "create_chess_room", undefined, ["room_created", "error"]);
  const roomId = created.payload.roomId;
  bsock.emit("join_chess_room", { roomId });
  await waitFor(bsock, "game_start");
  await move(wsock, roomId, "e2e4", 1);
  const reason = new Promise((res) => wsock.once("disconnect", res));
  // A balancer's health check on a kept-alive connection: 200 before, never 200 after SIGTERM.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ready = () =>
    new Promise((res) => {
      const req = http.get(leaving.url + "/ready", { agent }, (r) => {
        r.resume();
        r.on("end", () => res(r.statusCode));
      });
      req.on("error", (e) => res(e.code || "error"));
    });
  assert.equal(await ready(), 200);
  const exit = leaving.stop();
  await new Promise((r) => setTimeout(r, 20));
  const after = await ready();
  assert.notEqual(after, 200, "a draining instance is not ready");
  agent.destroy();
  // socket.io-client reports a transport close (it would reconnect), not a namespace disconnect.
  assert.match(await reason, /transport close|transport error/);
  assert.equal((await exit).code, 0);
  const w2 = await client(staying.url, "/play-along", { userId: "gr-white" });
  sockets.push(w2);
  const from = bsock.log.length;
  w2.emit("join_chess_room", { roomId });
  const gs = await nextGameStart(w2, 0);
  assert.deepEqual(gs.moves, ["e2e4"]);
  await waitFor(bsock, "opponent_rejoined", () => true, { from });
  await move(bsock, roomId, "e7e5", 2);
  assert.equal((await waitFor(w2, "move_update", (u) => u.ply === 2)).to, "e5");
});
