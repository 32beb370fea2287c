// Socket.IO v5 (EIO=4) and v4 (EIO=3) on /socket.io/ of --conformance, over raw WebSockets and
// polling: CONNECT replies, namespaces, events, acks, binary, validation, connectTimeout.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { openWs, request, sleep } from "./lib/raw.mjs";

let server;
let wsBase;
let base;
before(async () => {
  server = await startServer(["--conformance"]);
  wsBase = `${server.wsUrl}/socket.io/`;
  base = `${server.url}/socket.io/`;
});
after(async () => {
  const r = await server.stop();
  assert.equal(r.code, 0, `server exit: ${JSON.stringify(r)}\n${server.output}`);
});

async function engine(eio = 4) {
  const s = openWs(`${wsBase}?EIO=${eio}&transport=websocket`);
  const open = await s.next();
  assert.equal(open[0], "0");
  return s;
}

// Connects to "/" and consumes the CONNECT reply and the "auth" event.
async function connected() {
  const s = await engine();
  s.send("40");
  assert.match(await s.next(1000, { skipPings: true }), /^40\{"sid":"[A-Za-z0-9_-]{20}"\}$/);
  assert.equal(await s.next(1000, { skipPings: true }), '42["auth",{}]');
  return s;
}

async function assertServing() {
  const s = await connected();
  s.send('42["message","alive"]');
  assert.equal(await s.next(1000, { skipPings: true }), '42["message-back","alive"]');
  s.close();
}

describe("Socket.IO v5 connect", () => {
  test("main namespace: reply holds only sid, a fresh id (not the engine sid)", async () => {
    const s = await engine();
    s.send("40");
    const reply = await s.next();
    assert.ok(reply.startsWith("40"));
    const obj = JSON.parse(reply.slice(2));
    assert.deepEqual(Object.keys(obj), ["sid"]);
    assert.equal(await s.next(), '42["auth",{}]');
    s.close();
  });

  test("main namespace with a payload: auth echoed byte-exact", async () => {
    const s = await engine();
    s.send('40{"token":"123","n":1.5,"big":12345678901234567890,"u":"\\u00e9"}');
    assert.match(await s.next(), /^40\{"sid":"[^"]+"\}$/);
    assert.equal(await s.next(), '42["auth",{"token":"123","n":1.5,"big":12345678901234567890,"u":"é"}]');
    s.close();
  });

  test("custom namespace with and without the trailing comma", async () => {
    for (const [packet, auth] of [["40/custom,", "{}"], ["40/custom", "{}"], ['40/custom,{"token":"abc"}', '{"token":"abc"}']]) {
      const s = await engine();
      s.send(packet);
      const reply = await s.next();
      assert.ok(reply.startsWith("40/custom,"), reply);
      assert.deepEqual(Object.keys(JSON.parse(reply.slice(10))), ["sid"]);
      assert.equal(await s.next(), `42/custom,["auth",${auth}]`);
      s.close();
    }
  });

  test("unknown namespace: byte-exact CONNECT_ERROR, connection stays open", async () => {
    const s = await engine();
    s.send("40/random");
    assert.equal(await s.next(), '44/random,{"message":"Invalid namespace"}');
    s.send("40");
    assert.match(await s.next(), /^40\{"sid":/);
    s.close();
  });

  test("CONNECT with a non-object payload closes the connection", async () => {
    const s = await engine();
    s.send('40"token"');
    await s.closed;
  });

  test("no CONNECT within connectTimeout (1000 ms) closes the connection", async () => {
    const s = await engine();
    const t0 = Date.now();
    // Keep the Engine.IO session alive by answering pings; only the Socket.IO timeout may fire.
    s.ws.on("message", (d) => d.toString() === "2" && s.send("3"));
    await s.closed;
    const dt = Date.now() - t0;
    assert.ok(dt >= 900 && dt < 1600, `closed after ${dt} ms`);
  });
});

describe("Socket.IO v5 messages", () => {
  test("plain event echoed byte-exact", async () => {
    const s = await connected();
    s.send('42["message",1,"2",{"3":[true]},-0.25,1e3,null,"\\u0000\\"\\\\"]');
    assert.equal(await s.next(1000, { skipPings: true }), '42["message-back",1,"2",{"3":[true]},-0.25,1e3,null,"\\u0000\\"\\\\"]');
    s.close();
  });

  test("ack echoed with the same id", async () => {
    const s = await connected();
    s.send('42456["message-with-ack",1,"2",{"3":[false]}]');
    assert.equal(await s.next(1000, { skipPings: true }), '43456[1,"2",{"3":[false]}]');
    s.close();
  });

  test("binary event: header then the attachments in order", async () => {
    const s = await connected();
    s.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    s.send(Buffer.from([1, 2, 3]));
    s.send(Buffer.from([4, 5, 6]));
    assert.equal(await s.next(1000, { skipPings: true }), '452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    assert.deepEqual(await s.next(1000, { skipPings: true }), Buffer.from([1, 2, 3]));
    assert.deepEqual(await s.next(1000, { skipPings: true }), Buffer.from([4, 5, 6]));
    s.close();
  });

  test("binary ack", async () => {
    const s = await connected();
    s.send('452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    s.send(Buffer.from([1, 2, 3]));
    s.send(Buffer.from([4, 5, 6]));
    assert.equal(await s.next(1000, { skipPings: true }), '462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    assert.deepEqual(await s.next(1000, { skipPings: true }), Buffer.from([1, 2, 3]));
    assert.deepEqual(await s.next(1000, { skipPings: true }), Buffer.from([4, 5, 6]));
    s.close();
  });

  test("multiplexing: leaving /custom is silent and / keeps working", async () => {
    const s = await connected();
    s.send("40/custom");
    assert.match(await s.next(1000, { skipPings: true }), /^40\/custom,\{"sid":/);
    assert.equal(await s.next(1000, { skipPings: true }), '42/custom,["auth",{}]');
    s.send("41/custom");
    s.send('42["message","message to main namespace"]');
    assert.equal(await s.next(1000, { skipPings: true }), '42["message-back","message to main namespace"]');
    // An event for the namespace just left closes the connection.
    s.send('42/custom,["message"]');
    await s.closed;
  });

  test("events on polling are echoed in the next GET", async () => {
    const open = await request(`${base}?EIO=4&transport=polling`);
    const sid = JSON.parse(open.text.slice(1)).sid;
    const url = `${base}?EIO=4&transport=polling&sid=${sid}`;
    assert.equal((await request(url, { method: "POST", body: "40" })).text, "ok");
    const get = await request(url);
    assert.match(get.text, /^40\{"sid":"[^"]+"\}\x1e42\["auth",\{\}\]$/);
    await request(url, { method: "POST", body: '42["message","a"]\x1e42["message","b"]' });
    assert.equal((await request(url)).text, '42["message-back","a"]\x1e42["message-back","b"]');
    await request(url, { method: "POST", body: '451-["message",{"_placeholder":true,"num":0}]\x1ebAQID' });
    assert.equal((await request(url)).text, '451-["message-back",{"_placeholder":true,"num":0}]\x1ebAQID');
  });
});

describe("Socket.IO v5 invalid packets close the connection", () => {
  const cases = [
    ["unknown packet type", "4abc"],
    ["unknown type digit", "47"],
    ["event payload not an array", "42{}"],
    ["empty event array", "42[]"],
    ["invalid ack id", '42abc["message-with-ack",1]'],
    ["reserved event name", '42["disconnect"]'],
    ["event name not a string or number", '42[{"a":1}]'],
    ["DISCONNECT with a payload", '41{"a":1}'],
    ["ACK payload not an array", '43{"a":1}'],
    ["truncated JSON", '42["message"'],
    ["binary count 0", '450-["message"]'],
    ["too many attachments", '4511-["message"]'],
    ["binary header without dash", '452["message"]'],
  ];
  for (const [name, packet] of cases) {
    test(name, async () => {
      const s = await connected();
      s.send(packet);
      await s.closed;
    });
  }

  test("text while attachments are awaited", async () => {
    const s = await connected();
    s.send('451-["message",{"_placeholder":true,"num":0}]');
    s.send('42["message"]');
    await s.closed;
  });

  test("binary when none is awaited", async () => {
    const s = await connected();
    s.send(Buffer.from([1, 2, 3]));
    await s.closed;
  });

  test("placeholder index out of range", async () => {
    const s = await connected();
    s.send('451-["message",{"_placeholder":true,"num":5}]');
    s.send(Buffer.from([1]));
    await s.closed;
  });

  test("an event before CONNECT", async () => {
    const s = await engine();
    s.send('42["message"]');
    await s.closed;
  });

  test("the server keeps serving", async () => {
    await assertServing();
  });
});

describe("Socket.IO v4 over EIO3", () => {
  test("implicit connect to / right after the handshake (websocket)", async () => {
    const s = await engine(3);
    assert.equal(await s.next(), "40");
    assert.equal(await s.next(), '42["auth",{}]');
    s.send('42["message",1,"€😀"]');
    assert.equal(await s.next(), '42["message-back",1,"€😀"]');
    s.close();
  });

  test("implicit connect arrives in the first GET after the handshake (polling)", async () => {
    const open = await request(`${base}?EIO=3&transport=polling`);
    const colon = open.text.indexOf(":");
    const content = open.text.slice(colon + 1);
    assert.equal(open.text.slice(0, colon), String(content.length), "the handshake is alone in its response");
    const sid = JSON.parse(content.slice(1)).sid;
    const get = await request(`${base}?EIO=3&transport=polling&sid=${sid}`);
    assert.equal(get.text, '2:4013:42["auth",{}]');
  });

  test("namespace auth from its query string; reply without sid payload", async () => {
    const s = await engine(3);
    await s.next();
    await s.next();
    s.send("40/custom?token=abc&x=1%202,");
    assert.equal(await s.next(), "40/custom,");
    assert.equal(await s.next(), '42/custom,["auth",{"token":"abc","x":"1 2"}]');
    s.send("40/random,");
    assert.equal(await s.next(), '44/random,{"message":"Invalid namespace"}');
    s.close();
  });

  test("binary events use v3 binary frames (type byte 4)", async () => {
    const s = await engine(3);
    await s.next();
    await s.next();
    s.send('451-["message",{"_placeholder":true,"num":0}]');
    s.send(Buffer.from([4, 9, 8, 7]));
    assert.equal(await s.next(), '451-["message-back",{"_placeholder":true,"num":0}]');
    assert.deepEqual(await s.next(), Buffer.from([4, 9, 8, 7]));
    s.close();
  });
});
