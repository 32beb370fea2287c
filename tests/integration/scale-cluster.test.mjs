// Redis Cluster: two engage-server instances on a local 3-master cluster (--redis-cluster with
// the seed nodes): a full chess game with the players on different instances (room documents
// hash-tagged per room, broadcasts over sharded pub/sub), a watch-along room across both, and
// the REST door of either instance seeing the same rooms.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitFor, request, playMoves } from "./lib/engage-client.mjs";
import { startServer } from "./lib/server.mjs";
import { missingPrerequisite, startRedisCluster, client, pliesSeen, redisCommand } from "./scale-harness.mjs";

const missing = missingPrerequisite();
const sockets = [];
let dir;
let cluster;
let instances = [];
let skipReason = "";

before(async () => {
  if (missing) return;
  dir = mkdtempSync(path.join(os.tmpdir(), "engage-cluster-"));
  cluster = await startRedisCluster(dir, 3);
  try {
    for (let i = 0; i < 2; i++) instances.push(await startServer(["--threads", "1", "--redis-cluster", cluster.seeds]));
  } catch (err) {
    if (/not supported|has no Redis store/.test(String(err.message))) skipReason = "this build has no Redis Cluster support";
    else throw err;
  }
});

after(async () => {
  for (const s of sockets) s.close();
  for (const s of instances) await s.stop();
  if (cluster) await cluster.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SCHOLAR = ["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"];

test("a full game with the players on two instances of a Redis Cluster deployment", { skip: missing || false }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const [a, b] = instances;
  const white = await client(a.url, "/play-along", { userId: "cl-white" });
  const black = await client(b.url, "/play-along", { userId: "cl-black" }, { transports: ["polling"] });
  sockets.push(white, black);
  const created = await request(white, "create_chess_room", undefined, ["room_created", "error"]);
  assert.equal(created.event, "room_created", JSON.stringify(created.payload));
  const roomId = created.payload.roomId;
  const fromW = white.log.length;
  black.emit("join_chess_room", { roomCode: created.payload.roomCode });
  await waitFor(black, "game_start");
  await waitFor(white, "game_start", () => true, { from: fromW });  // sharded pub/sub
  const updates = await playMoves(white, black, roomId, SCHOLAR);
  assert.equal(updates.at(-1).status, "finished");
  assert.equal((await waitFor(black, "game_over")).winner, "white");
  for (const s of [white, black]) {
    const plies = pliesSeen(s, roomId);
    assert.equal(plies.size, SCHOLAR.length);
    for (const [, n] of plies) assert.equal(n, 1);
  }
  // The room document lives under its hash-tagged key on exactly one master.
  const found = [];
  for (const n of cluster.nodes) {
    const v = await redisCommand(n.port, ["GET", `chess:room:{${roomId}}`]);
    if (v.trim().startsWith("{")) found.push(JSON.parse(v));
  }
  assert.equal(found.length, 1);
  assert.deepEqual(found[0].moves, SCHOLAR);
  const res = await fetch(`${b.url}/api/chess/room/${roomId}`);
  const body = await res.json();
  assert.deepEqual((body.room || body).moves, SCHOLAR);
});

test("a watch-along room across two instances follows the host on a Redis Cluster", { skip: missing || false }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const [a, b] = instances;
  const host = await client(a.url, "/watch-along", { userId: "cl-host" });
  const m1 = await client(b.url, "/watch-along", { userId: "cl-m1" });
  const m2 = await client(b.url, "/watch-along", { userId: "cl-m2" }, { transports: ["polling"] });
  sockets.push(host, m1, m2);
  const created = await request(host, "create_watch_room", { videoId: "v", videoUrl: "u" }, ["room_created", "error"]);
  assert.equal(created.event, "room_created");
  const roomId = created.payload.roomId;
  for (const m of [m1, m2]) assert.equal((await request(m, "join_watch_room", { roomId }, ["room_joined", "error"])).event, "room_joined");
  host.emit("play", { roomId, currentTime: 3.5 });
  for (const s of [host, m1, m2]) assert.equal((await waitFor(s, "sync_play")).currentTime, 3.5);
  host.emit("seek", { roomId, currentTime: 42 });
  for (const s of [host, m1, m2]) assert.equal((await waitFor(s, "sync_seek")).currentTime, 42);
});
