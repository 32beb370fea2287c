// A client written exactly as the original front-end used the server (CONTRACT.md §7): the
// engageService.ts socket options of each era, auth {token, userId}, the screens' event
// sequences, the REST services' requests — and a socket.io-client 2.x (EIO3) client.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { io } from "socket.io-client";
import { startServer } from "./lib/server.mjs";
import { engageArgs } from "./lib/engage-client.mjs";
import { record, waitFor, settle } from "./lib/engage-client.mjs";

const require = createRequire(import.meta.url);
const ioV2 = require("socket.io-client-v2");

let server;
const open = [];
before(async () => {
  server = await startServer(engageArgs());
});
after(async () => {
  for (const s of open) s.close();
  if (server) await server.stop();
});

// engageService.ts: the io() options of each era (§7.3), the listeners it registers.
const eras = {
  "5ef23cd": { transports: ["websocket", "polling"], reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000, reconnectionAttempts: 5, timeout: 20000, forceNew: false, autoConnect: true },
  de5895e: { transports: ["polling", "websocket"], upgrade: true, rememberUpgrade: true, reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000, reconnectionAttempts: 5, timeout: 30000, forceNew: true, autoConnect: true },
  b8185dc: { transports: ["websocket"], upgrade: false, rememberUpgrade: false, reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000, reconnectionAttempts: 10, timeout: 20000, forceNew: true, autoConnect: true },
};
function engageSocket(era, nsp, user) {
  const s = io(`${server.url}${nsp}`, { ...eras[era], auth: { token: user.token, userId: user.id } });
  record(s);
  s.on("connect_error", () => {});
  s.on("disconnect", () => {});
  open.push(s);
  return s;
}

for (const era of Object.keys(eras)) {
  test(`chess screen (socket era, engageService@${era}): create, join by typed code, move, resign`, async () => {
    const alice = { id: `alice-${era}`, token: `jwt-alice-${era}` };
    const bob = { id: `bob-${era}`, token: `jwt-bob-${era}` };
    const a = engageSocket(era, "/play-along", alice);
    const b = engageSocket(era, "/play-along", bob);
    await waitFor(a, "connected");
    await waitFor(b, "server_ready");
    a.emit("create_chess_room");
    const created = await waitFor(a, "room_created");
    const typed = ` ${created.roomCode.toLowerCase()} `;
    b.emit("join_chess_room", { roomCode: typed.trim().toUpperCase() });
    const gs = await waitFor(b, "game_start");
    // The screen picks its colour by comparing whitePlayer/blackPlayer with user.id.
    assert.equal(gs.whitePlayer, alice.id);
    assert.equal(gs.blackPlayer, bob.id);
    a.emit("make_move", { roomId: created.roomId, from: "e2", to: "e4", promotion: "q" });
    const mu = await waitFor(b, "move_update");
    assert.equal(mu.turn, "black");
    assert.equal(mu.fen, "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1");
    // The joiner never stored roomId from game_start (a client bug): it resigns with gs.roomId.
    b.emit("resign", { roomId: gs.roomId });
    const go = await waitFor(a, "game_over");
    assert.equal(go.winner, "white");
    assert.equal(go.reason, "resignation");
  });
}

test("watch screen (socket era): create, join with 'room_' + code, host play/pause", async () => {
  const host = engageSocket("5ef23cd", "/watch-along", { id: "w-host", token: "t1" });
  const guest = engageSocket("5ef23cd", "/watch-along", { id: "w-guest", token: "t2" });
  host.emit("create_watch_room", { videoId: "dQw4w9WgXcQ", videoUrl: "https://www.youtube.com/watch?v=dQw4w9WgXcQ" });
  const created = await waitFor(host, "room_created");
  guest.emit("join_watch_room", { roomId: "room_" + created.roomCode });
  const joined = await waitFor(guest, "room_joined");
  for (const k of ["roomId", "videoId", "isHost", "isPlaying", "currentTime"]) assert.ok(k in joined, k);
  await waitFor(host, "participant_joined");
  host.emit("play", { roomId: created.roomId, currentTime: 4 });
  assert.equal((await waitFor(guest, "sync_play")).currentTime, 4);
  host.emit("pause", { roomId: created.roomId, currentTime: 6 });
  assert.equal((await waitFor(guest, "sync_pause")).currentTime, 6);
});

// chessApiService.ts / watchApiService.ts / singApiService.ts at HEAD (§7.5).
async function rest(method, path, userId, body) {
  const headers = { "Content-Type": "application/json" };
  const init = { method, headers };
  if (method === "POST") {
    headers["X-User-Id"] = userId;
    init.body = JSON.stringify({ ...body, userId });
  }
  const res = await fetch(server.url + path, init);
  const data = await res.json().catch(() => null);
  if (!res.ok || !data || data.success === false) return { success: false, error: data?.error || res.statusText };
  return data;
}

test("HEAD chess REST client: create, join, 2 s polling, move without promotion, engage-on join by roomId", async () => {
  const created = await rest("POST", "/api/chess/create", "u-white", {});
  assert.equal(created.success, true);
  const joined = await rest("POST", "/api/chess/join", "u-black", { roomCode: created.roomCode });
  assert.equal(joined.success, true);
  assert.equal(joined.blackPlayer, "u-black");
  const polled = await rest("GET", `/api/chess/room/${created.roomId}`);
  for (const k of ["roomId", "roomCode", "fen", "turn", "status", "winner", "whitePlayer", "blackPlayer"]) assert.ok(k in polled, k);
  const moved = await rest("POST", "/api/chess/move", "u-white", { roomId: created.roomId, from: "g1", to: "f3", promotion: undefined });
  assert.equal(moved.success, true);
  assert.equal(moved.turn, "black");
  // engage-on.tsx passes a partner's roomId as roomCode: accepted now (was "Invalid room code").
  const partner = await rest("POST", "/api/chess/create", "p-white", {});
  const viaId = await rest("POST", "/api/chess/join", "p-black", { roomCode: partner.roomId });
  assert.equal(viaId.success, true);
  assert.equal(viaId.roomId, partner.roomId);
});

for (const kind of ["watch", "sing"]) {
  test(`HEAD ${kind} REST client: create, join, poll, play/pause/seek/change-video`, async () => {
    const c = await rest("POST", `/api/${kind}/create`, "host", { videoId: "abcdefghijk", videoUrl: "https://youtu.be/abcdefghijk" });
    assert.equal(c.success, true);
    const j = await rest("POST", `/api/${kind}/join`, "guest", { roomCode: c.roomCode });
    assert.equal(j.isHost, false);
    for (const [route, body] of [["play", { currentTime: 1 }], ["pause", { currentTime: 2 }], ["seek", { currentTime: 3 }], ["change-video", { videoId: "zzzzzzzzzzz", videoUrl: "https://youtu.be/zzzzzzzzzzz" }]]) {
      const r = await rest("POST", `/api/${kind}/${route}`, "host", { roomId: c.roomId, ...body });
      assert.equal(r.success, true, route);
    }
    const g = await rest("GET", `/api/${kind}/room/${c.roomId}`);
    for (const k of ["roomId", "roomCode", "videoId", "videoUrl", "isPlaying", "currentTime", "hostId", "participants"]) assert.ok(k in g, k);
    assert.equal(g.videoId, "zzzzzzzzzzz");
    const denied = await rest("POST", `/api/${kind}/play`, "guest", { roomId: c.roomId });
    assert.deepEqual(denied, { success: false, error: "Only host can control playback" });
  });
}

test("socket.io-client 2.x (EIO3): identity from the namespace query, a watch flow", async () => {
  const host = ioV2(`${server.url}/watch-along`, { query: { userId: "v2-host" }, transports: ["websocket"], forceNew: true, reconnection: false });
  const guest = ioV2(`${server.url}/watch-along`, { query: { userId: "v2-guest" }, transports: ["websocket"], forceNew: true, reconnection: false });
  open.push(host, guest);
  const events = { host: [], guest: [] };
  const waitV2 = (s, name, ev) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`v2: no ${ev}`)), 4000);
      s.on(ev, (p) => {
        clearTimeout(t);
        events[name].push(ev);
        resolve(p);
      });
    });
  await Promise.all([waitV2(host, "host", "connect"), waitV2(guest, "guest", "connect")]);
  const createdP = waitV2(host, "host", "room_created");
  host.emit("create_watch_room", { videoId: "v", videoUrl: "u" });
  const created = await createdP;
  assert.equal(created.hostId, "v2-host");
  const joinedP = waitV2(guest, "guest", "room_joined");
  guest.emit("join_watch_room", { roomId: created.roomId });
  assert.equal((await joinedP).isHost, false);
  const syncP = waitV2(guest, "guest", "sync_play");
  host.emit("play", { roomId: created.roomId, currentTime: 9 });
  assert.equal((await syncP).currentTime, 9);
  await settle(50);
});
