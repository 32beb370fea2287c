// Cross-instance join race (issue 6): white on instance A moves the instant it sees game_start,
// which black's join on instance B publishes; B must not publish it before its own subscription
// to the room's channel is in Redis, or white's first move is lost for black (at-most-once).
// B reaches Redis through a proxy that delays its pub/sub connection (the one that sends
// SUBSCRIBE) by SUB_DELAY_MS, as a busy or distant pub/sub link would: the race then happens
// every round instead of once in a while.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { waitFor, request } from "./lib/engage-client.mjs";
import { startServer } from "./lib/server.mjs";
import { missingPrerequisite, startRedis, client } from "./scale-harness.mjs";

const ROUNDS = 30;
const SUB_DELAY_MS = 150;
const missing = missingPrerequisite();
const sockets = [];
let dir, redis, proxy;
let instances = [];
let skipReason = "";

/**
 * Starts a TCP proxy to 127.0.0.1:`port` that forwards a connection's bytes towards Redis
 * `delayMs` late (in order) from the first chunk that contains SUBSCRIBE on; answers pass at
 * once. Resolves to {port, close}.
 */
function startSubscribeDelayProxy(port, delayMs) {
  const conns = new Set();
  const server = createServer((c) => {
    const r = connect(port, "127.0.0.1");
    conns.add(c).add(r);
    let delayed = false;
    let last = 0;  // when the previous delayed chunk is forwarded (keeps the order)
    c.on("data", (chunk) => {
      if (!delayed && /SUBSCRIBE/i.test(chunk.toString("latin1"))) delayed = true;
      if (!delayed) return r.write(chunk);
      const at = Math.max(Date.now() + delayMs, last);
      last = at;
      setTimeout(() => r.destroyed || r.write(chunk), at - Date.now());
    });
    r.on("data", (chunk) => c.destroyed || c.write(chunk));
    const end = () => {
      c.destroy();
      r.destroy();
      conns.delete(c);
      conns.delete(r);
    };
    c.on("close", end).on("error", end);
    r.on("close", end).on("error", end);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        close: () => {
          for (const s of conns) s.destroy();
          return new Promise((res) => server.close(res));
        },
      }),
    );
  });
}

before(async () => {
  if (missing) return;
  dir = mkdtempSync(path.join(os.tmpdir(), "engage-join-race-"));
  redis = await startRedis(dir);
  proxy = await startSubscribeDelayProxy(redis.port, SUB_DELAY_MS);
  const args = ["--threads", "1", "--rate-moves-per-minute", "100000", "--rate-rooms-per-hour", "100000"];
  try {
    instances.push(await startServer(["--redis", redis.url, ...args]));
    instances.push(await startServer(["--redis", `redis://127.0.0.1:${proxy.port}`, ...args]));
  } catch (err) {
    if (/has no Redis store/.test(String(err.message))) skipReason = "this build has no Redis store";
    else throw err;
  }
});

after(async () => {
  for (const s of sockets) s.close();
  await Promise.all(instances.map((s) => s.stop()));
  if (proxy) await proxy.close();
  if (redis) await redis.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(`black on B receives white's first move in each of ${ROUNDS} rounds`, { skip: missing || false }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const [a, b] = instances;
  const missed = [];
  for (let round = 0; round < ROUNDS; round++) {
    const white = await client(a.url, "/play-along", { userId: `race-w-${round}` });
    const black = await client(b.url, "/play-along", { userId: `race-b-${round}` });
    sockets.push(white, black);
    const created = await request(white, "create_chess_room", undefined, ["room_created", "error"]);
    assert.equal(created.event, "room_created", JSON.stringify(created.payload));
    const { roomId, roomCode } = created.payload;
    // White moves in the same tick as game_start arrives (a client that moves at once).
    white.once("game_start", () => white.emit("make_move", { roomId, from: "e2", to: "e4" }));
    black.emit("join_chess_room", { roomCode });
    // White's own move_update proves the move was committed (and broadcast).
    const own = await waitFor(white, "move_update", (u) => u.ply === 1, { timeoutMs: 5000 });
    assert.equal(own.to, "e4");
    try {
      await waitFor(black, "move_update", (u) => u.roomId === roomId && u.ply === 1, { timeoutMs: 2000 });
    } catch {
      missed.push(round);
    }
    white.close();
    black.close();
  }
  console.log(`join race: black missed ply 1 in ${missed.length}/${ROUNDS} rounds`);
  assert.deepEqual(missed, [], `black missed white's first move in rounds ${missed.join(", ")}`);
});
