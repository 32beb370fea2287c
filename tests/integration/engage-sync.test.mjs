// /watch-along and /sing-along with the official socket.io-client against the real server:
// create/join, host-only play/pause/seek/change_video with server timestamps, the §8 fixes
// (host of A cannot control B, host hand-over, room_closed), and wrong-shaped payloads.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { engageArgs } from "./lib/engage-client.mjs";
import { connect, waitFor, request, expectError, settle, http } from "./lib/engage-client.mjs";

let server;
const sockets = [];
async function member(nsp, userId) {
  const s = await connect(server.url, nsp, { token: `token-${userId}`, userId });
  sockets.push(s);
  return s;
}

before(async () => {
  server = await startServer(engageArgs());
});
after(async () => {
  for (const s of sockets) s.close();
  if (server) await server.stop();
});

const flavours = [
  { nsp: "/watch-along", create: "create_watch_room", join: "join_watch_room", rest: "/api/watch" },
  { nsp: "/sing-along", create: "create_sing_room", join: "join_sing_room", rest: "/api/sing" },
];

for (const f of flavours) {
  test(`${f.nsp}: authentication is required`, async () => {
    await assert.rejects(connect(server.url, f.nsp, {}), (err) => err.message === "Authentication required");
    const t = await connect(server.url, f.nsp, { token: "only-a-token" });
    sockets.push(t);
    await settle(100);
    assert.deepEqual(t.log, []); // nothing is emitted on connection
  });

  test(`${f.nsp}: create, join, participants and every sync event`, async () => {
    const host = await member(f.nsp, `host${f.nsp}`);
    const guest = await member(f.nsp, `guest${f.nsp}`);
    if (f.nsp === "/watch-along") {
      assert.deepEqual(await expectError(host, f.create, { videoId: "abc" }), { message: "videoId and videoUrl are required", code: "BAD_REQUEST" });
    }
    const created = (await request(host, f.create, { videoId: "dQw4w9WgXcQ", videoUrl: "https://youtu.be/dQw4w9WgXcQ" }, ["room_created"])).payload;
    assert.deepEqual(Object.keys(created).slice(0, 8), ["roomId", "hostId", "videoId", "videoUrl", "isPlaying", "currentTime", "createdAt", "participants"]);
    assert.equal(created.isPlaying, false);
    assert.equal(created.currentTime, 0);
    assert.deepEqual(created.participants, [`host${f.nsp}`]);
    const roomId = created.roomId;
    assert.equal((await expectError(guest, f.join, {})).message, "roomId is required");
    assert.equal((await expectError(guest, f.join, { roomId: "room_1_missing" })).message, "Room not found");
    const joined = (await request(guest, f.join, { roomId }, ["room_joined"])).payload;
    assert.equal(Object.keys(joined)[8], "isHost");
    assert.equal(joined.isHost, false);
    assert.deepEqual(await waitFor(host, "participant_joined"), { userId: `guest${f.nsp}`, roomId, version: joined.version });
    // Host-only control.
    assert.deepEqual(await expectError(guest, "play", { roomId, currentTime: 5 }), { message: "Only host can control playback", code: "NOT_HOST" });
    assert.equal((await expectError(guest, "change_video", { roomId, videoId: "x", videoUrl: "y" })).message, "Only host can change video");
    const before = Date.now();
    host.emit("play", { roomId, currentTime: 12.5 });
    const sp = await waitFor(guest, "sync_play");
    assert.deepEqual(Object.keys(sp), ["currentTime", "isPlaying", "serverTime", "version"]);
    assert.equal(sp.currentTime, 12.5);
    assert.equal(sp.isPlaying, true);
    assert.ok(sp.serverTime >= before - 1000 && sp.serverTime <= Date.now() + 1000);
    await waitFor(host, "sync_play");
    host.emit("pause", { roomId, currentTime: 20 });
    const pz = await waitFor(guest, "sync_pause");
    assert.equal(pz.currentTime, 20);
    assert.equal(pz.isPlaying, false);
    host.emit("seek", { roomId, currentTime: 33 });
    assert.equal((await waitFor(guest, "sync_seek")).currentTime, 33);
    assert.equal((await expectError(host, "seek", { roomId })).message, "roomId and currentTime are required");
    host.emit("change_video", { roomId, videoId: "new", videoUrl: "https://youtu.be/new" });
    const sv = await waitFor(guest, "sync_video");
    assert.equal(sv.videoId, "new");
    assert.equal(sv.videoUrl, "https://youtu.be/new");
    assert.equal((await expectError(host, "play", { roomId: "room_1_missing", currentTime: 1 })).message, "Room not found");
    // A late joiner computes the playhead from serverTime.
    host.emit("play", { roomId, currentTime: 100 });
    const sp2 = await waitFor(guest, "sync_play", (p) => p.currentTime === 100);
    await settle(300);
    const late = await member(f.nsp, `late${f.nsp}`);
    const lj = (await request(late, f.join, { roomId: created.roomCode }, ["room_joined"])).payload; // a code works too
    assert.equal(lj.roomId, roomId);
    assert.equal(lj.isPlaying, true);
    assert.equal(lj.serverTime, sp2.serverTime);
    const playhead = lj.currentTime + (Date.now() - lj.serverTime) / 1000;
    assert.ok(playhead >= 100.25 && playhead < 103, `playhead ${playhead}`);
  });

  test(`${f.nsp}: the host of room A cannot control room B (§8.2)`, async () => {
    const a = await member(f.nsp, `hostA${f.nsp}`);
    const b = await member(f.nsp, `hostB${f.nsp}`);
    const bg = await member(f.nsp, `guestB${f.nsp}`);
    await request(a, f.create, { videoId: "a", videoUrl: "ua" }, ["room_created"]);
    const roomB = (await request(b, f.create, { videoId: "b", videoUrl: "ub" }, ["room_created"])).payload.roomId;
    await request(bg, f.join, { roomId: roomB }, ["room_joined"]);
    assert.equal((await expectError(a, "play", { roomId: roomB, currentTime: 99 })).message, "Only host can control playback");
    assert.equal((await expectError(a, "seek", { roomId: roomB, currentTime: 99 })).message, "Only host can control playback");
    assert.equal((await expectError(a, "change_video", { roomId: roomB, videoId: "x", videoUrl: "y" })).message, "Only host can change video");
    await settle();
    assert.equal(bg.log.filter((e) => e.event.startsWith("sync_")).length, 0);
  });

  test(`${f.nsp}: the host role passes on and the last member closes the room (§8.5)`, async () => {
    const host = await member(f.nsp, `h${f.nsp}`);
    const g1 = await member(f.nsp, `g1${f.nsp}`);
    const g2 = await member(f.nsp, `g2${f.nsp}`);
    const roomId = (await request(host, f.create, { videoId: "v", videoUrl: "u" }, ["room_created"])).payload.roomId;
    await request(g1, f.join, { roomId }, ["room_joined"]);
    await request(g2, f.join, { roomId }, ["room_joined"]);
    host.close();
    assert.equal((await waitFor(g1, "participant_left")).userId, `h${f.nsp}`);
    const hc = await waitFor(g2, "host_changed");
    assert.equal(hc.roomId, roomId);
    assert.equal(hc.hostId, `g1${f.nsp}`);
    g1.emit("play", { roomId, currentTime: 1 });
    await waitFor(g2, "sync_play");
    const state = await http(server.url, "GET", `${f.rest}/room/${roomId}`);
    assert.deepEqual(state.body.participants, [`g1${f.nsp}`, `g2${f.nsp}`]);
    g1.close();
    await waitFor(g2, "host_changed", (p) => p.hostId === `g2${f.nsp}`);
    g2.close();
    await settle(200);
    assert.equal((await http(server.url, "GET", `${f.rest}/room/${roomId}`)).status, 404);
  });

  test(`${f.nsp}: wrong-shaped payloads get an error and harm nothing`, async () => {
    const s = await member(f.nsp, `fuzz${f.nsp}`);
    const huge = "y".repeat(200000);
    const junk = [undefined, null, 0, "x", [], {}, { roomId: null }, { roomId: {} }, { roomId: "r", currentTime: "NaN" }, { roomId: "r", currentTime: -1 }, { roomId: huge }, { roomId: "r", videoId: huge, videoUrl: 1 }, [[[[[[[[]]]]]]]]];
    for (const event of [f.join, "play", "pause", "seek", "change_video"]) {
      for (const p of junk) {
        const e = await expectError(s, event, p);
        assert.equal(typeof e.message, "string", `${event} ${JSON.stringify(p)?.slice(0, 40)}`);
      }
    }
    const ok = await request(s, f.create, { videoId: "v", videoUrl: "u" }, ["room_created", "error"]);
    assert.equal(ok.event, "room_created");
  });
}

test("a socket that joins another room leaves the previous one (§8.16)", async () => {
  const h1 = await member("/watch-along", "h1-move");
  const h2 = await member("/watch-along", "h2-move");
  const g = await member("/watch-along", "g-move");
  const r1 = (await request(h1, "create_watch_room", { videoId: "1", videoUrl: "1" }, ["room_created"])).payload.roomId;
  const r2 = (await request(h2, "create_watch_room", { videoId: "2", videoUrl: "2" }, ["room_created"])).payload.roomId;
  await request(g, "join_watch_room", { roomId: r1 }, ["room_joined"]);
  await request(g, "join_watch_room", { roomId: r2 }, ["room_joined"]);
  assert.equal((await waitFor(h1, "participant_left")).userId, "g-move");
  const from = g.log.length;
  h1.emit("play", { roomId: r1, currentTime: 3 });
  await waitFor(h1, "sync_play");
  await settle(150);
  assert.equal(g.log.slice(from).filter((e) => e.event === "sync_play").length, 0);
});
