// engage-server on Redis, restarted (SIGTERM and SIGKILL) while Redis stays up: the original
// key names and room fields are in Redis, clients reconnect, rejoin by roomId or code, and every
// game resumes where it was. Also: password, non-default port and database, REDIS_HOST/PORT.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { connect, waitFor, request, playMoves, startGame, http } from "./lib/engage-client.mjs";
import { redisAvailable, startRedis, until } from "./redis-lib.mjs";

const have = await redisAvailable();
const sockets = [];
const servers = [];
const redises = [];

async function player(url, userId) {
  const s = await connect(url, "/play-along", { userId });
  sockets.push(s);
  return s;
}
async function server(args, options) {
  const s = await startServer(args, options);
  servers.push(s);
  return s;
}
async function redis(opts) {
  const r = await startRedis(opts);
  redises.push(r);
  return r;
}

after(async () => {
  for (const s of sockets) s.close();
  for (const s of servers) await s.stop();
  for (const r of redises) await r.close();
});

for (const signal of ["SIGTERM", "SIGKILL"]) {
  test(`restart by ${signal} with Redis up: rejoin by roomId and by code, the game resumes`, { skip: !have && "redis-server not installed" }, async () => {
    const r = await redis();
    const s1 = await server(["--redis", r.url()]);
    const w = await player(s1.url, `w-${signal}`);
    const b = await player(s1.url, `b-${signal}`);
    const room = await startGame(w, b);
    const moves = await playMoves(w, b, room.roomId, ["e2e4", "e7e5", "g1f3"]);
    const last = moves.at(-1);

    // What redis-cli users and `keys chess:room:*` monitoring see: the original names and fields.
    assert.deepEqual((await r.cli("KEYS", "chess:room:*")).split("\n"), [`chess:room:${room.roomId}`]);
    assert.equal(await r.cli("GET", `chess:code:${room.roomCode}`), room.roomId);
    const stored = JSON.parse(await r.cli("GET", `chess:room:${room.roomId}`));
    for (const f of ["roomId", "roomCode", "whitePlayer", "blackPlayer", "fen", "turn", "status", "winner", "createdAt"])
      assert.ok(f in stored, `field ${f}`);
    assert.equal(stored.fen, last.fen);
    assert.equal(stored.version, last.version);
    const ttl = Number(await r.cli("TTL", `chess:room:${room.roomId}`));
    assert.ok(ttl > 3500 && ttl <= 3600, `ttl ${ttl}`);
    assert.ok(Number(await r.cli("TTL", `chess:code:${room.roomCode}`)) > 3500);

    if (signal === "SIGKILL") {
      s1.proc.kill("SIGKILL");
      await until(() => s1.exited, 5000);
    } else {
      await s1.stop();
    }
    w.close();
    b.close();

    const s2 = await server(["--redis", r.url()]);
    const w2 = await player(s2.url, `w-${signal}`);
    const b2 = await player(s2.url, `b-${signal}`);
    w2.emit("join_chess_room", { roomId: room.roomId });
    const gsw = await waitFor(w2, "game_start");
    b2.emit("join_chess_room", { roomCode: room.roomCode });
    const gsb = await waitFor(b2, "game_start");
    for (const gs of [gsw, gsb]) {
      assert.equal(gs.roomId, room.roomId);
      assert.equal(gs.fen, last.fen);
      assert.equal(gs.status, "active");
      assert.equal(gs.turn, "black");
      assert.ok(gs.version >= last.version);
    }
    // Black is to move: the same game goes on.
    const more = await playMoves(b2, w2, room.roomId, ["b8c6", "f1b5"]);
    assert.equal(more[0].san, "Nc6");
    assert.equal(more[1].san, "Bb5");
    assert.equal(JSON.parse(await r.cli("GET", `chess:room:${room.roomId}`)).fen, more[1].fen);
  });
}

test("Redis with a password, a non-default port and database; REDIS_HOST/REDIS_PORT/REDIS_PASSWORD", { skip: !have && "redis-server not installed" }, async () => {
  const r = await redis({ password: "pa ss@word" });
  assert.notEqual(r.port, 6379);
  const s1 = await server(["--redis", r.url(4)]);
  const ready = await http(s1.url, "GET", "/ready");
  assert.equal(ready.status, 200);
  const w = await player(s1.url, "w-auth");
  const created = await request(w, "create_chess_room", undefined, ["room_created", "error"]);
  assert.equal(created.event, "room_created");
  assert.equal(await r.cli("-n", "4", "GET", `chess:code:${created.payload.roomCode}`), created.payload.roomId);
  assert.equal(await r.cli("-n", "0", "EXISTS", `chess:room:${created.payload.roomId}`), "0");

  // The original's documented variables (which it ignored) select the same Redis.
  const s2 = await server([], { env: { REDIS_URL: "", REDIS_HOST: "127.0.0.1", REDIS_PORT: String(r.port), REDIS_PASSWORD: "pa ss@word" } });
  const b = await player(s2.url, "b-auth");
  assert.ok(await until(async () => (await http(s2.url, "GET", "/health")).body.redis === "connected"));
  b.emit("join_chess_room", { roomCode: created.payload.roomCode });
  // Database 0 holds no such code: the env variant reads db 0, so the code is unknown there.
  const err = await waitFor(b, "error");
  assert.equal(err.message, "Invalid room code");
  const w0 = await player(s2.url, "w0-auth");
  const c0 = await request(w0, "create_chess_room", undefined, ["room_created", "error"]);
  assert.equal(c0.event, "room_created");
  assert.equal(await r.cli("-n", "0", "GET", `chess:code:${c0.payload.roomCode}`), c0.payload.roomId);
});
