// Three engage-server instances on one Redis behind nginx (deploy/nginx.conf): players on
// different instances play full games, a watch-along room with members on all three instances
// follows play/pause/seek, and long-polling clients through the balancer stay sticky.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { waitFor, request, settle, playMoves } from "./lib/engage-client.mjs";
import { startCluster, missingPrerequisite, client, pliesSeen, nginxTarget } from "./scale-harness.mjs";

const missing = missingPrerequisite();
let env;
const sockets = [];

async function player(url, userId, options = {}) {
  const s = await client(url, "/play-along", { userId }, options);
  sockets.push(s);
  return s;
}

before(async () => {
  if (missing) return;
  env = await startCluster(3);
});
after(async () => {
  for (const s of sockets) s.close();
  if (env) await env.stop();
});

const skip = () => missing || (env && env.skip) || false;

// Scholar's mate: a complete game, ending in checkmate on move 7.
const SCHOLAR = ["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"];

/** Creates a room with `white`, seats `black` by code; both must see game_start. */
async function seat(white, black) {
  const created = await request(white, "create_chess_room", undefined, ["room_created", "error"]);
  assert.equal(created.event, "room_created", JSON.stringify(created.payload));
  const fromW = white.log.length;
  black.emit("join_chess_room", { roomCode: created.payload.roomCode });
  const gsB = await waitFor(black, "game_start");
  const gsW = await waitFor(white, "game_start", () => true, { from: fromW });  // crossed instances
  assert.equal(gsB.version, gsW.version);
  assert.equal(gsW.blackPlayer, gsB.blackPlayer);
  return created.payload;
}

/** Plays `moves` and checks both sides saw every ply exactly once and the same final state. */
async function playAndCheck(white, black, roomId, moves) {
  const updates = await playMoves(white, black, roomId, moves);
  const last = updates[updates.length - 1];
  // The opponent of the last mover receives the last update through the other instance.
  const other = moves.length % 2 === 1 ? black : white;
  const seen = await waitFor(other, "move_update", (u) => u.ply === moves.length);
  assert.equal(seen.fen, last.fen);
  await settle(100);
  for (const s of [white, black]) {
    const plies = pliesSeen(s, roomId);
    assert.equal(plies.size, moves.length, `a ply is missing: ${[...plies.keys()]}`);
    for (const [ply, n] of plies) assert.equal(n, 1, `ply ${ply} delivered ${n} times`);
  }
  return last;
}

test("players on two instances play a full game (WebSocket vs long-polling)", { skip: skip() }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const [a, b] = env.instances;
  const white = await player(a.url, "scale-w1");
  const black = await player(b.url, "scale-b1", { transports: ["polling"] });
  const room = await seat(white, black);
  const last = await playAndCheck(white, black, room.roomId, SCHOLAR);
  assert.equal(last.status, "finished");
  assert.equal(last.winner, "white");
  const overW = await waitFor(white, "game_over");
  const overB = await waitFor(black, "game_over");
  assert.deepEqual(overB, overW);
  assert.equal(overB.reason, "checkmate");
  // The REST door of the third instance sees the same game.
  const res = await fetch(`${env.instances[2].url}/api/chess/room/${room.roomId}`);
  assert.equal(res.status, 200);
  const body = await res.json();
  const r = body.room || body;
  assert.deepEqual(r.moves, SCHOLAR);
  assert.equal(r.status, "finished");
});

test("a longer game, players on instances 2 and 3, no move lost or doubled", { skip: skip() }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const [, b, c] = env.instances;
  const white = await player(b.url, "scale-w2");
  const black = await player(c.url, "scale-b2");
  const room = await seat(white, black);
  // Knights out and back twice: legal, 16 plies, and no repetition draw before the end.
  const moves = ["g1f3", "g8f6", "b1c3", "b8c6", "e2e4", "e7e5", "d2d4", "d7d5", "f1b5", "f8b4", "c1g5", "c8g4", "d1d3", "d8d6", "e1c1", "e8c8"];
  const last = await playAndCheck(white, black, room.roomId, moves);
  assert.equal(last.ply, 16);
  assert.equal(last.status, "active");
});

test("a watch-along room with members on all three instances follows play/pause/seek/change_video", { skip: skip() }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const [a, b, c] = env.instances;
  const host = await client(a.url, "/watch-along", { userId: "scale-host" });
  const m1 = await client(b.url, "/watch-along", { userId: "scale-m1" });
  const m2 = await client(c.url, "/watch-along", { userId: "scale-m2" }, { transports: ["polling"] });
  const m3 = await client(env.nginx.url, "/watch-along", { userId: "scale-m3" }, { transports: ["polling"] });
  sockets.push(host, m1, m2, m3);
  const created = await request(host, "create_watch_room", { videoId: "v1", videoUrl: "https://example.com/v1" }, ["room_created", "error"]);
  assert.equal(created.event, "room_created");
  const roomId = created.payload.roomId;
  for (const m of [m1, m2, m3]) {
    const from = host.log.length;
    const joined = await request(m, "join_watch_room", { roomId }, ["room_joined", "error"]);
    assert.equal(joined.event, "room_joined");
    const pj = await waitFor(host, "participant_joined", (p) => p.roomId === roomId, { from });
    assert.equal(typeof pj.userId, "string");
  }
  const members = [host, m1, m2, m3];
  host.emit("play", { roomId, currentTime: 12.5 });
  for (const s of members) {
    const p = await waitFor(s, "sync_play", (x) => x.currentTime === 12.5);
    assert.equal(p.isPlaying, true);
  }
  host.emit("pause", { roomId, currentTime: 20 });
  for (const s of members) assert.equal((await waitFor(s, "sync_pause", (x) => x.currentTime === 20)).isPlaying, false);
  host.emit("seek", { roomId, currentTime: 73.25 });
  for (const s of members) assert.equal((await waitFor(s, "sync_seek", (x) => x.currentTime === 73.25)).currentTime, 73.25);
  await settle(100);
  for (const s of members) {
    for (const ev of ["sync_play", "sync_pause", "sync_seek"]) assert.equal(s.log.filter((e) => e.event === ev).length, 1, `${ev} count`);
  }
  host.emit("change_video", { roomId, videoId: "v2", videoUrl: "https://example.com/v2" });
  for (const s of members) assert.equal((await waitFor(s, "sync_video")).videoId, "v2");
});

test("long-polling clients through nginx are sticky and play against a direct client", { skip: skip() }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const ports = env.instances.map((s) => s.port);
  const target = await nginxTarget(env.nginx.url, ports);
  assert.ok(target >= 0, "nginx names its upstream");
  // Several requests from this address: always the same instance.
  for (let i = 0; i < 5; i++) assert.equal(await nginxTarget(env.nginx.url, ports), target);
  const direct = env.instances[(target + 1) % 3];
  const white = await player(env.nginx.url, "scale-w3", { transports: ["polling"] });
  const black = await player(direct.url, "scale-b3");
  const room = await seat(white, black);
  await playAndCheck(white, black, room.roomId, ["d2d4", "d7d5", "c2c4", "e7e6", "b1c3", "g8f6"]);
  // Two polling clients through the balancer against each other, then upgrade-capable clients.
  const w4 = await player(env.nginx.url, "scale-w4", { transports: ["polling"] });
  const b4 = await player(env.nginx.url, "scale-b4", { transports: ["polling", "websocket"] });
  const room4 = await seat(w4, b4);
  await playAndCheck(w4, b4, room4.roomId, ["e2e4", "c7c5", "g1f3"]);
});
