// The REST door (CONTRACT.md §3, V7 routes) over real HTTP: status codes, JSON shapes, error
// strings, JSON 400/413 for bad bodies, and one state with the Socket.IO namespaces.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { engageArgs } from "./lib/engage-client.mjs";
import { connect, waitFor, request, http, settle } from "./lib/engage-client.mjs";

let server;
const sockets = [];
const api = (method, path, body, headers) => http(server.url, method, path, body, headers);

before(async () => {
  server = await startServer(engageArgs());
});
after(async () => {
  for (const s of sockets) s.close();
  if (server) await server.stop();
});

test("informational routes", async () => {
  const root = await api("GET", "/");
  assert.equal(root.status, 200);
  assert.deepEqual(Object.keys(root.body).slice(0, 4), ["status", "server", "port", "redis"]);
  assert.equal(root.body.server, "Engage Socket.IO Server");
  assert.equal(root.body.redis, "connected");
  const health = await api("GET", "/health");
  assert.equal(health.status, 200);
  assert.deepEqual(health.body.namespaces, ["/watch-along", "/play-along", "/sing-along"]);
  assert.deepEqual(health.body.store, { kind: process.env.ENGAGE_TEST_REDIS_URL ? "redis" : "memory", state: "up" });
  const t = await api("GET", "/socket.io-test");
  assert.deepEqual(t.body, { message: "Socket.IO server is running", namespaces: ["/watch-along", "/play-along", "/sing-along"], transports: ["websocket", "polling"] });
  const pa = await api("GET", "/play-along");
  assert.deepEqual(pa.body.endpoints, { create: "POST /api/chess/create", join: "POST /api/chess/join", status: "GET /api/chess/room/:roomId" });
});

test("chess REST: create, join, rejoin, full, poll, move, errors", async () => {
  const c = await api("POST", "/api/chess/create", { userId: "alice" });
  assert.equal(c.status, 200);
  assert.deepEqual(Object.keys(c.body).slice(0, 10), ["success", "roomId", "roomCode", "whitePlayer", "blackPlayer", "fen", "turn", "status", "winner", "createdAt"]);
  const { roomId, roomCode } = c.body;
  assert.deepEqual((await api("POST", "/api/chess/join", {})).body, { success: false, error: "Room ID or code is required", code: "BAD_REQUEST" });
  const bad = await api("POST", "/api/chess/join", { roomCode: "000000" });
  assert.equal(bad.status, 404);
  assert.equal(bad.body.error, "Invalid room code. Room may have expired or Redis is unavailable.");
  const nf = await api("POST", "/api/chess/join", { roomId: "room_1_none" });
  assert.equal(nf.status, 404);
  assert.equal(nf.body.error, "Room not found. It may have expired.");
  const j = await api("POST", "/api/chess/join", { userId: "bob", roomCode: ` ${roomCode} ` });
  assert.equal(j.status, 200);
  assert.equal(j.body.blackPlayer, "bob");
  assert.equal((await api("POST", "/api/chess/join", { userId: "alice", roomCode })).body.isRejoin, true);
  const full = await api("POST", "/api/chess/join", { userId: "carol", roomId });
  assert.equal(full.status, 403);
  assert.equal(full.body.error, "Room is full");
  assert.equal((await api("POST", "/api/chess/move", { roomId })).body.error, "roomId, from, and to are required");
  assert.equal((await api("POST", "/api/chess/move", { roomId: "room_1_none", from: "e2", to: "e4" })).status, 404);
  const stranger = await api("POST", "/api/chess/move", { userId: "eve", roomId, from: "e2", to: "e4" });
  assert.equal(stranger.status, 403);
  assert.equal(stranger.body.error, "You are not a player in this room");
  const turn = await api("POST", "/api/chess/move", { userId: "bob", roomId, from: "e7", to: "e5" });
  assert.equal(turn.status, 400);
  assert.equal(turn.body.error, "Not your turn");
  const illegal = await api("POST", "/api/chess/move", { userId: "alice", roomId, from: "e2", to: "e5" });
  assert.equal(illegal.status, 400);
  assert.equal(illegal.body.error, 'Invalid move: {"from":"e2","to":"e5"}');
  const m = await api("POST", "/api/chess/move", { roomId, from: "e2", to: "e4" }, { "X-User-Id": "alice" });
  assert.equal(m.status, 200);
  assert.deepEqual(Object.keys(m.body), ["success", "fen", "turn", "status", "winner", "move", "san", "ply", "version"]);
  assert.deepEqual(m.body.move, { from: "e2", to: "e4" });
  const poll = await api("GET", `/api/chess/room/${roomId}`);
  assert.equal(poll.body.fen, m.body.fen);
  assert.equal((await api("GET", "/api/chess/room/room_1_none")).body.error, "Room not found. It may have expired.");
});

test("malformed, non-object and oversize bodies get JSON 4xx, never HTML or stacks", async () => {
  const bad = await api("POST", "/api/chess/create", '{"userId":');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.success, false);
  assert.equal(bad.body.code, "BAD_REQUEST");
  assert.ok(!JSON.stringify(bad.body).includes(" at "));
  assert.equal((await api("POST", "/api/chess/join", "42")).status, 400);
  const big = await api("POST", "/api/watch/create", { videoId: "v".repeat(300000), videoUrl: "u" });
  assert.equal(big.status, 413);
  assert.equal(big.body.success, false);
  const deep = await api("POST", "/api/chess/create", "[".repeat(500));
  assert.equal(deep.status, 400);
  assert.equal((await api("GET", "/health")).status, 200);
});

test("one state: REST and sockets see and move the same rooms", async () => {
  const w = await connect(server.url, "/play-along", { userId: "sock-white" });
  sockets.push(w);
  const room = (await request(w, "create_chess_room", undefined, ["room_created"])).payload;
  const j = await api("POST", "/api/chess/join", { userId: "rest-black", roomCode: room.roomCode });
  assert.equal(j.status, 200);
  assert.equal((await waitFor(w, "game_start")).blackPlayer, "rest-black");
  w.emit("make_move", { roomId: room.roomId, from: "d2", to: "d4" });
  await waitFor(w, "move_update");
  const m = await api("POST", "/api/chess/move", { userId: "rest-black", roomId: room.roomId, from: "d7", to: "d5" });
  assert.equal(m.status, 200);
  const mu = await waitFor(w, "move_update", (u) => u.from === "d7");
  assert.equal(mu.san, "d5");
  assert.equal(mu.ply, 2);
  assert.equal((await api("POST", "/api/chess/resign", { userId: "rest-black", roomId: room.roomId })).status, 200);
  assert.equal((await waitFor(w, "game_over")).reason, "resignation");
});

for (const [base, nsp, join] of [["/api/watch", "/watch-along", "join_watch_room"], ["/api/sing", "/sing-along", "join_sing_room"]]) {
  test(`${base}: the seven routes, with sockets following`, async () => {
    assert.equal((await api("POST", `${base}/create`, {})).body.error, "videoId and videoUrl are required");
    const c = await api("POST", `${base}/create`, { userId: "host", videoId: "v1", videoUrl: "u1" });
    assert.equal(c.status, 200);
    assert.deepEqual(Object.keys(c.body).slice(0, 11), ["success", "roomId", "roomCode", "hostId", "videoId", "videoUrl", "isPlaying", "currentTime", "createdAt", "participants", "status"]);
    assert.equal(c.body.status, "active");
    const { roomId, roomCode } = c.body;
    const s = await connect(server.url, nsp, { userId: "follower" });
    sockets.push(s);
    assert.equal((await request(s, join, { roomId: roomCode }, ["room_joined"])).payload.roomId, roomId);
    assert.equal((await api("POST", `${base}/join`, {})).body.error, "roomId or roomCode is required");
    assert.equal((await api("POST", `${base}/join`, { roomCode: "000000" })).status, 404);
    const j = await api("POST", `${base}/join`, { userId: "guest", roomCode });
    assert.equal(j.status, 200);
    assert.equal(j.body.isHost, false);
    const denied = await api("POST", `${base}/play`, { userId: "guest", roomId });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error, "Only host can control playback");
    assert.equal((await api("POST", `${base}/play`, {})).body.error, "roomId is required");
    const p = await api("POST", `${base}/play`, { userId: "host", roomId, currentTime: 7 });
    assert.equal(p.status, 200);
    assert.equal(p.body.isPlaying, true);
    assert.equal((await waitFor(s, "sync_play")).currentTime, 7);
    assert.equal((await api("POST", `${base}/pause`, { userId: "host", roomId, currentTime: 8 })).status, 200);
    assert.equal((await waitFor(s, "sync_pause")).currentTime, 8);
    assert.equal((await api("POST", `${base}/seek`, { roomId })).body.error, "roomId and currentTime are required");
    assert.equal((await api("POST", `${base}/seek`, { userId: "host", roomId, currentTime: 30 })).status, 200);
    assert.equal((await waitFor(s, "sync_seek")).currentTime, 30);
    assert.equal((await api("POST", `${base}/change-video`, { roomId })).body.error, "roomId, videoId, and videoUrl are required");
    assert.equal((await api("POST", `${base}/change-video`, { userId: "guest", roomId, videoId: "a", videoUrl: "b" })).body.error, "Only host can change video");
    assert.equal((await api("POST", `${base}/change-video`, { userId: "host", roomId, videoId: "a", videoUrl: "b" })).status, 200);
    assert.equal((await waitFor(s, "sync_video")).videoId, "a");
    const g = await api("GET", `${base}/room/${roomId}`);
    assert.equal(g.body.videoId, "a");
    assert.equal((await api("GET", `${base}/room/room_1_none`)).body.error, "Room not found");
    assert.equal((await api("POST", `${base}/play`, { userId: "host", roomId: "room_1_none" })).body.error, "Room not found");
  });
}
