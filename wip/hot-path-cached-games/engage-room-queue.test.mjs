// Concurrent joins of one watch-along room all succeed: updates of one room are queued per
// instance instead of racing each other's compare-and-set (BENCHMARKS.md ## Load, point 4).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { connect, request, engageArgs } from "./lib/engage-client.mjs";

const kMembers = 200;
let server;
const sockets = [];

before(async () => {
  server = await startServer(engageArgs());
});
after(async () => {
  for (const s of sockets) s.close();
  if (server) await server.stop();
});

test(`${kMembers} members joining one watch room at once all get room_joined`, async () => {
  const host = await connect(server.url, "/watch-along", { token: "t-host", userId: "host" });
  sockets.push(host);
  const created = (await request(host, "create_watch_room", { videoId: "v", videoUrl: "https://youtu.be/v" }, ["room_created"])).payload;
  const members = await Promise.all(
    Array.from({ length: kMembers }, (_, i) => connect(server.url, "/watch-along", { token: `t-${i}`, userId: `m${i}` })),
  );
  sockets.push(...members);
  const results = await Promise.all(
    members.map((m) => request(m, "join_watch_room", { roomId: created.roomId }, ["room_joined", "error"])),
  );
  const failed = results.filter((r) => r.event !== "room_joined");
  assert.equal(failed.length, 0, `failed joins: ${JSON.stringify(failed.slice(0, 3))}`);
  const versions = new Set(results.map((r) => r.payload.version));
  assert.equal(versions.size, kMembers); // one write per join, none lost or merged
  const last = results.reduce((a, r) => (r.payload.version > a.payload.version ? r : a));
  assert.equal(last.payload.participants.length, kMembers + 1);
});
