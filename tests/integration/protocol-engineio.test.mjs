// Engine.IO v4 and v3 on the raw echo endpoint of --conformance (/engine.io/), byte by byte:
// handshake, 400 cases, polling batches, heartbeat timing, close, upgrade, malformed input.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { openWs, request, sleep } from "./lib/raw.mjs";

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;

let server;
let base;
let wsBase;
before(async () => {
  server = await startServer(["--conformance"]);
  base = `${server.url}/engine.io/`;
  wsBase = `${server.wsUrl}/engine.io/`;
});
after(async () => {
  const r = await server.stop();
  assert.equal(r.code, 0, `server exit: ${JSON.stringify(r)}\n${server.output}`);
});

// Splits a v3 text payload into packets, checking each length in UTF-16 units.
function decodeV3(payload) {
  const packets = [];
  let rest = payload;
  while (rest.length) {
    const colon = rest.indexOf(":");
    assert.ok(colon > 0, `bad v3 payload ${JSON.stringify(payload)}`);
    const len = Number(rest.slice(0, colon));
    packets.push(rest.slice(colon + 1, colon + 1 + len));
    rest = rest.slice(colon + 1 + len);
  }
  return packets;
}

async function openPolling(eio) {
  const res = await request(`${base}?EIO=${eio}&transport=polling`);
  assert.equal(res.status, 200);
  const text = eio === 4 ? res.text : decodeV3(res.text)[0];
  return JSON.parse(text.slice(1)).sid;
}

// A fresh client must still be served after each malformed exchange.
async function assertServing() {
  const sid = await openPolling(4);
  const post = await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "4alive" });
  assert.equal(post.text, "ok");
  const get = await request(`${base}?EIO=4&transport=polling&sid=${sid}`);
  assert.equal(get.text, "4alive");
}

function expectHandshake(value, upgrades) {
  assert.deepEqual(Object.keys(value).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]);
  assert.equal(typeof value.sid, "string");
  assert.deepEqual(value.upgrades, upgrades);
  assert.equal(value.pingInterval, PING_INTERVAL);
  assert.equal(value.pingTimeout, PING_TIMEOUT);
  assert.equal(value.maxPayload, 1000000);
}

describe("Engine.IO v4 handshake", () => {
  test("polling: 200, text/plain, exactly the five keys, key order as Node", async () => {
    const res = await request(`${base}?EIO=4&transport=polling&t=abc&unknown=1`);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/plain; charset=UTF-8");
    assert.equal(res.headers["access-control-allow-origin"], "*");
    assert.match(res.text, /^0\{"sid":"[A-Za-z0-9_-]{20}","upgrades":\["websocket"\],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000\}$/);
    expectHandshake(JSON.parse(res.text.slice(1)), ["websocket"]);
  });

  test("websocket: open packet first, upgrades []", async () => {
    const s = openWs(`${wsBase}?EIO=4&transport=websocket`);
    const open = await s.next();
    assert.equal(open[0], "0");
    expectHandshake(JSON.parse(open.slice(1)), []);
    s.close();
  });

  const bad = [
    ["missing EIO", "?transport=polling", 5, "Unsupported protocol version"],
    ["EIO=abc", "?EIO=abc&transport=polling", 5, "Unsupported protocol version"],
    ["EIO=5", "?EIO=5&transport=polling", 5, "Unsupported protocol version"],
    ["EIO=2", "?EIO=2&transport=polling", 5, "Unsupported protocol version"],
    ["EIO=04", "?EIO=04&transport=polling", 5, "Unsupported protocol version"],
    ["missing transport", "?EIO=4", 0, "Transport unknown"],
    ["transport=abc", "?EIO=4&transport=abc", 0, "Transport unknown"],
    ["websocket transport on a plain GET", "?EIO=4&transport=websocket", 3, "Bad request"],
    ["unknown sid", "?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA", 1, "Session ID unknown"],
    ["malformed sid", "?EIO=4&transport=polling&sid=%FF", 1, "Session ID unknown"],
  ];
  for (const [name, query, code, message] of bad) {
    test(`400 for ${name}`, async () => {
      const res = await request(`${base}${query}`);
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), { code, message });
    });
  }

  test("400 for a handshake with POST or PUT", async () => {
    for (const method of ["POST", "PUT"]) {
      const res = await request(`${base}?EIO=4&transport=polling`, { method, body: "" });
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), { code: 2, message: "Bad handshake method" });
    }
  });

  test("websocket with invalid EIO or transport is refused", async () => {
    for (const q of ["?transport=websocket", "?EIO=abc&transport=websocket", "?EIO=4", "?EIO=4&transport=abc",
                     "?EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA"]) {
      const s = openWs(`${wsBase}${q}`);
      const closed = await Promise.race([
        s.opened.then(() => s.closed.then(() => "closed-after-open"), (e) => `refused ${e.status}`),
        sleep(2000).then(() => "hang"),
      ]);
      assert.ok(closed === "refused 400" || closed === "closed-after-open", `${q}: ${closed}`);
    }
    await assertServing();
  });
});

describe("Engine.IO v4 long-polling", () => {
  test("one text packet: POST ok (text/html), GET returns it", async () => {
    const sid = await openPolling(4);
    const post = await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "4hello" });
    assert.equal(post.status, 200);
    assert.equal(post.text, "ok");
    assert.match(post.headers["content-type"], /^text\/html/);
    const get = await request(`${base}?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(get.status, 200);
    assert.equal(get.text, "4hello");
  });

  test("batches joined by \\x1e, text and binary", async () => {
    const sid = await openPolling(4);
    await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "4test1\x1e4test2\x1e4test3" });
    assert.equal((await request(`${base}?EIO=4&transport=polling&sid=${sid}`)).text, "4test1\x1e4test2\x1e4test3");
    await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "4hello\x1ebAQIDBA==\x1e4é€😀" });
    assert.equal((await request(`${base}?EIO=4&transport=polling&sid=${sid}`)).text, "4hello\x1ebAQIDBA==\x1e4é€😀");
  });

  test("held GET is answered as soon as a message arrives", async () => {
    const sid = await openPolling(4);
    const t0 = Date.now();
    const get = request(`${base}?EIO=4&transport=polling&sid=${sid}`);
    await sleep(50);
    await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "4later" });
    const res = await get;
    assert.equal(res.text, "4later");
    assert.ok(Date.now() - t0 < PING_INTERVAL, "answered before the ping");
  });

  test("invalid packet closes the session", async () => {
    for (const body of ["abc", "4ok\x1e", "9x", "bAQ=", "4a\x1e\x1e4b"]) {
      const sid = await openPolling(4);
      const post = await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body });
      assert.equal(post.status, 400, JSON.stringify(body));
      const get = await request(`${base}?EIO=4&transport=polling&sid=${sid}`);
      assert.equal(get.status, 400);
      assert.deepEqual(JSON.parse(get.text), { code: 1, message: "Session ID unknown" });
    }
    await assertServing();
  });

  test("two concurrent GETs: the held one gets 1, the newcomer 400, then the sid is gone", async () => {
    const sid = await openPolling(4);
    const first = request(`${base}?EIO=4&transport=polling&sid=${sid}`);
    await sleep(20);
    const second = await request(`${base}?EIO=4&transport=polling&sid=${sid}&t=burst`);
    const r1 = await first;
    assert.equal(r1.status, 200);
    assert.equal(r1.text, "1");
    assert.equal(second.status, 400);
    assert.equal((await request(`${base}?EIO=4&transport=polling&sid=${sid}`)).status, 400);
    await assertServing();
  });

  test("a held GET whose client goes away ends the session", async () => {
    const sid = await openPolling(4);
    const http = await import("node:http");
    const req = http.get(`${base}?EIO=4&transport=polling&sid=${sid}`, { agent: false });
    req.on("error", () => {});
    await sleep(50);
    req.destroy();
    await sleep(100);
    assert.equal((await request(`${base}?EIO=4&transport=polling&sid=${sid}`)).status, 400);
    await assertServing();
  });

  test("oversize POST is refused (413) and the server keeps serving", async () => {
    const sid = await openPolling(4);
    const big = "4" + "x".repeat(1000001);
    const res = await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: big }).catch((e) => ({ status: "reset", e }));
    assert.ok(res.status === 413 || res.status === "reset", `status ${res.status}`);
    await assertServing();
  });

  test("a body of exactly maxPayload bytes is accepted", async () => {
    const sid = await openPolling(4);
    const body = "4" + "y".repeat(1000000 - 1);
    const post = await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body });
    assert.equal(post.status, 200);
    const get = await request(`${base}?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(get.text, body);
  });

  test("POST 1 while a GET is held: the GET gets 6, the session is gone", async () => {
    const sid = await openPolling(4);
    const [get] = await Promise.all([
      request(`${base}?EIO=4&transport=polling&sid=${sid}`),
      sleep(20).then(() => request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "1" })),
    ]);
    assert.equal(get.status, 200);
    assert.equal(get.text, "6");
    assert.equal((await request(`${base}?EIO=4&transport=polling&sid=${sid}`)).status, 400);
  });
});

describe("Engine.IO v4 heartbeat", () => {
  test("polling: three pings, each pingInterval after the previous pong", async () => {
    const sid = await openPolling(4);
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const get = await request(`${base}?EIO=4&transport=polling&sid=${sid}`);
      const dt = Date.now() - t0;
      assert.equal(get.text, "2");
      assert.ok(dt >= PING_INTERVAL - 60 && dt < PING_INTERVAL + 150, `ping after ${dt} ms`);
      const post = await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "3" });
      assert.equal(post.status, 200);
    }
  });

  test("polling: no pong → 400 exactly pingInterval+pingTimeout after the handshake", async () => {
    const sid = await openPolling(4);
    await sleep(PING_INTERVAL + PING_TIMEOUT);
    assert.equal((await request(`${base}?EIO=4&transport=polling&sid=${sid}`)).status, 400);
  });

  test("polling: still alive just before the timeout", async () => {
    const sid = await openPolling(4);
    await sleep(PING_INTERVAL + PING_TIMEOUT - 120);
    const get = await request(`${base}?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(get.status, 200);
    assert.equal(get.text, "2");
  });

  test("websocket: three pings answered, then silence closes the socket", async () => {
    const s = openWs(`${wsBase}?EIO=4&transport=websocket`);
    await s.next();
    for (let i = 0; i < 3; i++) {
      assert.equal(await s.next(1000), "2");
      s.send("3");
    }
    const t0 = Date.now();
    assert.equal(await s.next(1000), "2");
    await s.closed;
    const dt = Date.now() - t0;
    // The close event needs the TCP close after the closing handshake: allow for it.
    assert.ok(dt >= PING_TIMEOUT - 50 && dt < PING_TIMEOUT + 600, `closed ${dt} ms after the last ping`);
  });

  test("websocket: a client ping is a protocol error in v4", async () => {
    const s = openWs(`${wsBase}?EIO=4&transport=websocket`);
    await s.next();
    s.send("2");
    await s.closed;
  });
});

describe("Engine.IO v4 websocket", () => {
  test("text and binary echo, binary frames hold only the data", async () => {
    const s = openWs(`${wsBase}?EIO=4&transport=websocket`);
    await s.next();
    s.send("4hello");
    assert.equal(await s.next(), "4hello");
    s.send(Buffer.from([1, 2, 3, 4]));
    assert.deepEqual(await s.next(), Buffer.from([1, 2, 3, 4]));
    s.send("4é€😀");
    assert.equal(await s.next(), "4é€😀");
    s.close();
  });

  test("fragmented text message is reassembled", async () => {
    const s = openWs(`${wsBase}?EIO=4&transport=websocket`);
    await s.next();
    s.ws.send("4frag", { fin: false });
    s.ws.send("mented", { fin: true });
    assert.equal(await s.next(), "4fragmented");
    s.close();
  });

  test("invalid packet closes the socket", async () => {
    for (const bad of ["abc", "", "7x"]) {
      const s = openWs(`${wsBase}?EIO=4&transport=websocket`);
      await s.next();
      s.send(bad);
      await s.closed;
    }
    await assertServing();
  });

  test("client close packet closes the socket", async () => {
    const s = openWs(`${wsBase}?EIO=4&transport=websocket`);
    await s.next();
    s.send("1");
    await s.closed;
  });

  test("oversize frame closes with 1009 and the server keeps serving", async () => {
    const s = openWs(`${wsBase}?EIO=4&transport=websocket`);
    await s.next();
    s.send("4" + "z".repeat(1000001));
    const { code } = await s.closed;
    assert.equal(code, 1009);
    await assertServing();
  });
});

describe("Engine.IO v4 upgrade", () => {
  test("probe, noop to the pending GET, upgrade, then echo on the websocket", async () => {
    const sid = await openPolling(4);
    const pending = request(`${base}?EIO=4&transport=polling&sid=${sid}`);
    await sleep(20);
    const s = openWs(`${wsBase}?EIO=4&transport=websocket&sid=${sid}`);
    await s.opened;
    s.send("2probe");
    assert.equal(await s.next(), "3probe");
    const held = await pending;
    assert.equal(held.text, "6");
    // A GET arriving after the probe gets a noop at once too.
    const t0 = Date.now();
    const later = await request(`${base}?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(later.text, "6");
    assert.ok(Date.now() - t0 < 150);
    s.send("5");
    s.send("4hello");
    assert.equal(await s.next(1000, { skipPings: true }), "4hello");
    assert.equal((await request(`${base}?EIO=4&transport=polling&sid=${sid}`)).status, 400);
    s.close();
  });

  test("2probe and 5 back to back; polling refused; a second websocket is closed", async () => {
    const sid = await openPolling(4);
    const s = openWs(`${wsBase}?EIO=4&transport=websocket&sid=${sid}`);
    await s.opened;
    s.send("2probe");
    s.send("5");
    assert.equal(await s.next(), "3probe");
    const poll = await request(`${base}?EIO=4&transport=polling&sid=${sid}`);
    assert.equal(poll.status, 400);
    const s2 = openWs(`${wsBase}?EIO=4&transport=websocket&sid=${sid}`);
    await s2.closed;
    s.send("4hello");
    assert.equal(await s.next(1000, { skipPings: true }), "4hello");
    s.close();
  });

  test("packets queued during the upgrade are flushed on the websocket", async () => {
    const sid = await openPolling(4);
    const s = openWs(`${wsBase}?EIO=4&transport=websocket&sid=${sid}`);
    await s.opened;
    s.send("2probe");
    assert.equal(await s.next(), "3probe");
    await request(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "4queued" });
    s.send("5");
    assert.equal(await s.next(1000, { skipPings: true }), "4queued");
    s.close();
  });
});

describe("Engine.IO v3", () => {
  test("polling handshake: length-prefixed, exactly the five keys", async () => {
    const res = await request(`${base}?EIO=3&transport=polling`);
    assert.equal(res.status, 200);
    const colon = res.text.indexOf(":");
    const content = res.text.slice(colon + 1);
    assert.equal(res.text.slice(0, colon), String(content.length));
    assert.equal(content[0], "0");
    expectHandshake(JSON.parse(content.slice(1)), ["websocket"]);
  });

  test("payloads: lengths in UTF-16 units both ways, binary as b4+base64", async () => {
    const sid = await openPolling(3);
    const body = "6:4hello6:4é€😀x10:b4AQIDBA==";
    const post = await request(`${base}?EIO=3&transport=polling&sid=${sid}`, { method: "POST", body });
    assert.equal(post.text, "ok");
    const get = await request(`${base}?EIO=3&transport=polling&sid=${sid}&b64=1`);
    assert.equal(get.text, "6:4hello6:4é€😀x10:b4AQIDBA==");
  });

  test("XHR2 binary payloads both ways", async () => {
    const sid = await openPolling(3);
    const body = Buffer.from([0x00, 0x06, 0xff, 0x34, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x05, 0xff, 0x04, 1, 2, 3, 4]);
    const post = await request(`${base}?EIO=3&transport=polling&sid=${sid}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(post.text, "ok");
    const get = await request(`${base}?EIO=3&transport=polling&sid=${sid}`);
    assert.equal(get.headers["content-type"], "application/octet-stream");
    assert.deepEqual(get.body, body);
  });

  test("client pings, server pongs (polling and websocket)", async () => {
    const sid = await openPolling(3);
    for (let i = 0; i < 3; i++) {
      await request(`${base}?EIO=3&transport=polling&sid=${sid}`, { method: "POST", body: "1:2" });
      assert.equal((await request(`${base}?EIO=3&transport=polling&sid=${sid}`)).text, "1:3");
    }
    const s = openWs(`${wsBase}?EIO=3&transport=websocket`);
    await s.next();
    for (let i = 0; i < 3; i++) {
      s.send("2");
      assert.equal(await s.next(), "3");
    }
    s.send("2probe");
    assert.equal(await s.next(), "3probe");
    s.close();
  });

  test("no client ping → session closed at pingInterval+pingTimeout", async () => {
    const sid = await openPolling(3);
    await sleep(PING_INTERVAL + PING_TIMEOUT);
    const res = await request(`${base}?EIO=3&transport=polling&sid=${sid}`, { method: "POST", body: "1:2" });
    assert.equal(res.status, 400);
    const s = openWs(`${wsBase}?EIO=3&transport=websocket`);
    await s.next();
    const t0 = Date.now();
    await s.closed;
    const dt = Date.now() - t0;
    assert.ok(dt >= PING_INTERVAL + PING_TIMEOUT - 60 && dt < PING_INTERVAL + PING_TIMEOUT + 200, `closed after ${dt} ms`);
  });

  test("v3 websocket binary frames carry the type byte", async () => {
    const s = openWs(`${wsBase}?EIO=3&transport=websocket`);
    await s.next();
    s.send(Buffer.from([4, 1, 2, 3]));
    assert.deepEqual(await s.next(), Buffer.from([4, 1, 2, 3]));
    s.close();
  });

  test("close and concurrent GETs use length prefixes", async () => {
    let sid = await openPolling(3);
    const [get] = await Promise.all([
      request(`${base}?EIO=3&transport=polling&sid=${sid}`),
      sleep(20).then(() => request(`${base}?EIO=3&transport=polling&sid=${sid}`, { method: "POST", body: "1:1" })),
    ]);
    assert.equal(get.text, "1:6");
    sid = await openPolling(3);
    const first = request(`${base}?EIO=3&transport=polling&sid=${sid}`);
    await sleep(20);
    const second = await request(`${base}?EIO=3&transport=polling&sid=${sid}`);
    assert.equal((await first).text, "1:1");
    assert.equal(second.status, 400);
  });

  test("upgrade: noop to a GET during the upgrade, or on the websocket after it", async () => {
    let sid = await openPolling(3);
    let s = openWs(`${wsBase}?EIO=3&transport=websocket&sid=${sid}`);
    await s.opened;
    s.send("2probe");
    assert.equal(await s.next(), "3probe");
    assert.equal((await request(`${base}?EIO=3&transport=polling&sid=${sid}`)).text, "1:6");
    s.send("5");
    s.send("4hello");
    assert.equal(await s.next(), "4hello");
    s.close();

    sid = await openPolling(3);
    s = openWs(`${wsBase}?EIO=3&transport=websocket&sid=${sid}`);
    await s.opened;
    s.send("2probe");
    assert.equal(await s.next(), "3probe");
    s.send("5");
    assert.equal(await s.next(), "6");
    assert.equal((await request(`${base}?EIO=3&transport=polling&sid=${sid}`)).status, 400);
    const s2 = openWs(`${wsBase}?EIO=3&transport=websocket&sid=${sid}`);
    await s2.closed;
    s.send("4hello");
    assert.equal(await s.next(), "4hello");
    s.close();
  });

  test("malformed v3 payloads close the session", async () => {
    for (const body of ["abc", "5:4hello", "x:4a", "2:4", "3:4a", "1:9"]) {
      const sid = await openPolling(3);
      const post = await request(`${base}?EIO=3&transport=polling&sid=${sid}`, { method: "POST", body });
      assert.equal(post.status, 400, JSON.stringify(body));
      assert.equal((await request(`${base}?EIO=3&transport=polling&sid=${sid}`)).status, 400);
    }
    await assertServing();
  });
});

test("EIO=3 is refused with --no-eio3", async () => {
  const s2 = await startServer(["--conformance", "--no-eio3"]);
  try {
    const res = await request(`${s2.url}/engine.io/?EIO=3&transport=polling`);
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: 5, message: "Unsupported protocol version" });
    assert.equal((await request(`${s2.url}/engine.io/?EIO=4&transport=polling`)).status, 200);
  } finally {
    await s2.stop();
  }
});
