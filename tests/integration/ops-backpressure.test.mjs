// Issue 8: a WebSocket client that never reads while its room is broadcast to is disconnected
// once its output buffer passes the limit (counted in /metrics); the server's memory stays
// bounded and the room's other members carry on.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { connect, request as emitFor, waitFor } from "./lib/engage-client.mjs";
import { openWs, sleep } from "./lib/raw.mjs";

let server;
before(async () => {
  server = await startServer([
    "--outbuf-soft-bytes", "65536", "--outbuf-soft-ms", "300", "--outbuf-hard-bytes", "262144",
    "--rate-events-per-second", "0", "--rate-events-burst", "1000000",
  ]);
});
after(async () => {
  await server.stop();
});

async function metric(name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return Number(line.split(" ")[1]);
}

test("a client that never reads is disconnected and counted; memory stays bounded", async () => {
  const host = await connect(server.url, "/watch-along", { userId: "bp-host" });
  const created = await emitFor(host, "create_watch_room", { videoId: "v0", videoUrl: "https://v/0" }, ["room_created"]);
  const roomId = created.payload.roomId;

  // The slow client: a raw Engine.IO WebSocket that joins the room, then stops reading.
  const slow = openWs(`${server.wsUrl}/socket.io/?EIO=4&transport=websocket`);
  await slow.opened;
  assert.match(await slow.next(), /^0\{/);
  slow.send('40/watch-along,{"userId":"bp-slow"}');
  assert.match(await slow.next(), /^40\/watch-along,/);
  slow.send(`42/watch-along,["join_watch_room",{"roomId":"${roomId}"}]`);
  for (;;) if (/room_joined/.test(await slow.next(2000, { skipPings: true }))) break;
  slow.ws._socket.pause(); // never read again

  const slowBefore = await metric("engage_slow_consumer_disconnects_total");
  const url = "https://video.example/" + "x".repeat(1900);
  let last;
  for (let i = 0; i < 6000; i++) {
    host.emit("change_video", { roomId, videoId: `v${i}`, videoUrl: url });
    if (i % 500 === 499) {
      last = await waitFor(host, "sync_video", (p) => p.videoId === `v${i}`, { timeoutMs: 10000 });
      if ((await metric("engage_slow_consumer_disconnects_total")) > slowBefore) break;
    }
  }
  assert.ok(last, "the host kept receiving its room's broadcasts");
  let slowAfter = slowBefore;
  for (let i = 0; i < 40 && slowAfter === slowBefore; i++) {
    await sleep(100);
    slowAfter = await metric("engage_slow_consumer_disconnects_total");
  }
  assert.equal(slowAfter, slowBefore + 1);
  assert.ok(host.connected);
  const rss = await metric("process_resident_memory_bytes");
  assert.ok(rss < 200 * 1024 * 1024, `RSS ${rss}`);
  slow.ws._socket.resume();
  const closed = await slow.closed;
  assert.ok([1006, 1008].includes(closed.code), `close ${closed.code}`);
  host.close();
});
