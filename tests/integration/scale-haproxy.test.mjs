// HAProxy (deploy/haproxy.cfg) in front of three instances on one Redis: long-polling clients
// are pinned by the ENGAGE_SRV cookie (leastconn alone would scatter their requests), WebSocket
// clients are tunnelled, health checks use GET /ready, and players behind HAProxy play against
// a player connected directly to another instance.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { waitFor, request, playMoves } from "./lib/engage-client.mjs";
import { startCluster, startHaproxy, missingPrerequisite, client, pliesSeen } from "./scale-harness.mjs";

const missing = missingPrerequisite() || (spawnSync("sh", ["-c", "command -v haproxy"]).status !== 0 ? "haproxy is not installed" : "");
let env;
let haproxy;
const sockets = [];

before(async () => {
  if (missing) return;
  env = await startCluster(3, { nginx: false });
  if (!env.skip) haproxy = await startHaproxy(env.dir, env.instances.map((s) => s.port));
});
after(async () => {
  for (const s of sockets) s.close();
  if (haproxy) await haproxy.stop("SIGUSR1");  // soft stop
  if (env) await env.stop();
});

test("HAProxy: cookie-pinned long-polling players and a direct player share one game", { skip: missing || false }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  // The first answer sets the ENGAGE_SRV cookie naming the instance.
  const res = await fetch(haproxy.url + "/ready");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("set-cookie") || "", /ENGAGE_SRV=e[123]/);

  const opts = { transports: ["polling"], withCredentials: true };
  const white = await client(haproxy.url, "/play-along", { userId: "hp-white" }, opts);
  const black = await client(haproxy.url, "/play-along", { userId: "hp-black" }, opts);
  const direct = await client(env.instances[2].url, "/play-along", { userId: "hp-direct" });
  sockets.push(white, black, direct);
  const created = await request(white, "create_chess_room", undefined, ["room_created", "error"]);
  assert.equal(created.event, "room_created");
  const roomId = created.payload.roomId;
  black.emit("join_chess_room", { roomCode: created.payload.roomCode });
  await waitFor(black, "game_start");
  // Every move goes through the balancer in many polling round trips, all to the cookie's instance.
  const moves = ["e2e4", "e7e5", "f1c4", "b8c6", "d1h5", "g8f6", "h5f7"];
  const updates = await playMoves(white, black, roomId, moves);
  assert.equal(updates.at(-1).winner, "white");
  await waitFor(black, "move_update", (u) => u.ply === moves.length);  // the last ply crossed too
  for (const s of [white, black]) {
    const plies = pliesSeen(s, roomId);
    assert.equal(plies.size, moves.length);
    for (const [, n] of plies) assert.equal(n, 1);
  }
  const full = await request(direct, "join_chess_room", { roomId }, ["game_start", "error"]);
  assert.equal(full.event, "error");  // both seats taken: refused on another instance too
  const room = await (await fetch(`${haproxy.url}/api/chess/room/${roomId}`)).json();
  assert.deepEqual((room.room || room).moves, moves);
});

test("HAProxy: WebSocket members follow a host connected directly to another instance", { skip: missing || false }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const host = await client(env.instances[0].url, "/watch-along", { userId: "hp-host" });
  const m1 = await client(haproxy.url, "/watch-along", { userId: "hp-m1" });
  const m2 = await client(haproxy.url, "/watch-along", { userId: "hp-m2" }, { transports: ["polling", "websocket"], withCredentials: true });
  sockets.push(host, m1, m2);
  const created = await request(host, "create_watch_room", { videoId: "v", videoUrl: "u" }, ["room_created", "error"]);
  const roomId = created.payload.roomId;
  for (const m of [m1, m2]) assert.equal((await request(m, "join_watch_room", { roomId }, ["room_joined", "error"])).event, "room_joined");
  host.emit("play", { roomId, currentTime: 7 });
  for (const s of [host, m1, m2]) assert.equal((await waitFor(s, "sync_play")).currentTime, 7);
  host.emit("pause", { roomId, currentTime: 9 });
  for (const s of [host, m1, m2]) assert.equal((await waitFor(s, "sync_pause")).currentTime, 9);
});
