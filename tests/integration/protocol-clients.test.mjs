// The official socket.io-client 4.8 (websocket, polling, polling→upgrade) and 2.5 (EIO3)
// against engage-server --conformance: auth echo, events, acks, binary, namespaces, heartbeats.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import ioV2 from "socket.io-client-v2";
import { startServer } from "./lib/server.mjs";

let server;
before(async () => {
  server = await startServer(["--conformance"]);
});
after(async () => {
  const r = await server.stop();
  assert.equal(r.code, 0, `server exit: ${JSON.stringify(r)}\n${server.output}`);
});

function once(emitter, event, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${event}`)), timeoutMs);
    emitter.once(event, (...args) => {
      clearTimeout(t);
      resolve(args);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const MODES = [
  { name: "websocket", opts: { transports: ["websocket"] }, finalTransport: "websocket" },
  { name: "polling", opts: { transports: ["polling"] }, finalTransport: "polling" },
  { name: "polling→upgrade", opts: {}, finalTransport: "websocket" },
];

for (const mode of MODES) {
  describe(`socket.io-client 4.8 (${mode.name})`, () => {
    function connect(nsp = "/", auth = undefined) {
      return io(server.url + nsp, { ...mode.opts, forceNew: true, reconnection: false, auth });
    }

    test("connects with auth and gets it echoed", async () => {
      const socket = connect("/", { token: "123", n: 1.5, list: [1, "2"] });
      const [auth] = await once(socket, "auth");
      assert.deepEqual(auth, { token: "123", n: 1.5, list: [1, "2"] });
      assert.ok(socket.connected);
      assert.match(socket.id, /^[A-Za-z0-9_-]{20}$/);
      socket.disconnect();
    });

    test("connects without auth: auth is {}", async () => {
      const socket = connect("/");
      const [auth] = await once(socket, "auth");
      assert.deepEqual(auth, {});
      socket.disconnect();
    });

    test("events round-trip with exact values", async () => {
      const socket = connect("/");
      await once(socket, "auth");
      const payload = [1, "2", { 3: [true], nested: { a: null, b: -0.5, big: 12345678901234 } }, "é€😀"];
      socket.emit("message", ...payload);
      const back = await once(socket, "message-back");
      assert.deepEqual(back, payload);
      socket.disconnect();
    });

    test("acks", async () => {
      const socket = connect("/");
      await once(socket, "auth");
      const reply = await socket.timeout(3000).emitWithAck("message-with-ack", 1, "2", { 3: [false] });
      assert.deepEqual(reply, 1);
      const all = await new Promise((resolve) => socket.emit("message-with-ack", "a", { b: 2 }, (...args) => resolve(args)));
      assert.deepEqual(all, ["a", { b: 2 }]);
      socket.disconnect();
    });

    test("binary events and binary acks", async () => {
      const socket = connect("/");
      await once(socket, "auth");
      const buf1 = Buffer.from([1, 2, 3]);
      const buf2 = Buffer.from([0, 255, 128, 7]);
      socket.emit("message", buf1, { inner: buf2, text: "x" });
      const [b1, obj] = await once(socket, "message-back");
      assert.deepEqual(Buffer.from(b1), buf1);
      assert.deepEqual(Buffer.from(obj.inner), buf2);
      assert.equal(obj.text, "x");
      const ackArgs = await new Promise((resolve) =>
        socket.emit("message-with-ack", buf2, "t", (...args) => resolve(args)),
      );
      assert.equal(ackArgs.length, 2);
      assert.deepEqual(Buffer.from(ackArgs[0]), buf2);
      assert.equal(ackArgs[1], "t");
      socket.disconnect();
    });

    test("/custom multiplexed with its own auth", async () => {
      const main = connect("/", { who: "main" });
      const [mainAuth] = await once(main, "auth");
      assert.deepEqual(mainAuth, { who: "main" });
      // Manager#socket connects by itself (autoConnect); a second connect() would send a
      // duplicate CONNECT, which closes the connection (PROTOCOL.md §2).
      const custom = main.io.socket("/custom", { auth: { token: "abc" } });
      const [customAuth] = await once(custom, "auth");
      assert.deepEqual(customAuth, { token: "abc" });
      assert.notEqual(custom.id, main.id);
      // The main namespace still works on the same connection.
      main.emit("message", "still here");
      assert.deepEqual(await once(main, "message-back"), ["still here"]);
      custom.disconnect();
      main.disconnect();
    });

    test('unknown namespace → connect_error "Invalid namespace"', async () => {
      const socket = connect("/random");
      const [err] = await once(socket, "connect_error");
      assert.equal(err.message, "Invalid namespace");
      socket.disconnect();
    });

    test("stays connected idle through several heartbeats", async () => {
      const socket = connect("/");
      await once(socket, "auth");
      let disconnected = null;
      socket.on("disconnect", (reason) => (disconnected = reason));
      await sleep(1600); // > 5 ping intervals of 300 ms
      assert.equal(disconnected, null);
      assert.ok(socket.connected);
      assert.equal(socket.io.engine.transport.name, mode.finalTransport);
      socket.emit("message", "after idle");
      assert.deepEqual(await once(socket, "message-back"), ["after idle"]);
      socket.disconnect();
    });
  });
}

const V2_MODES = [
  { name: "websocket", opts: { transports: ["websocket"] }, finalTransport: "websocket" },
  { name: "polling", opts: { transports: ["polling"] }, finalTransport: "polling" },
  { name: "polling→upgrade", opts: {}, finalTransport: "websocket" },
];

for (const mode of V2_MODES) {
  describe(`socket.io-client 2.5 / EIO3 (${mode.name})`, () => {
    function connect(nsp = "/", query = undefined) {
      return ioV2(server.url + nsp, { ...mode.opts, forceNew: true, reconnection: false, query });
    }

    test("implicit connect to / with auth {}", async () => {
      const socket = connect("/");
      const [auth] = await once(socket, "auth");
      assert.deepEqual(auth, {});
      assert.ok(socket.connected);
      socket.close();
    });

    test("events, acks, binary events and binary acks", async () => {
      const socket = connect("/");
      await once(socket, "auth");
      socket.emit("message", 1, "2", { 3: [true] }, "€😀");
      assert.deepEqual(await once(socket, "message-back"), [1, "2", { 3: [true] }, "€😀"]);
      const acked = await new Promise((resolve) => socket.emit("message-with-ack", "a", 2, (...a) => resolve(a)));
      assert.deepEqual(acked, ["a", 2]);
      const buf = Buffer.from([1, 2, 3, 250]);
      socket.emit("message", buf, { b: Buffer.from([9]) });
      const [b, o] = await once(socket, "message-back");
      assert.deepEqual(Buffer.from(b), buf);
      assert.deepEqual(Buffer.from(o.b), Buffer.from([9]));
      const binAck = await new Promise((resolve) => socket.emit("message-with-ack", buf, (...a) => resolve(a)));
      assert.deepEqual(Buffer.from(binAck[0]), buf);
      socket.close();
    });

    test("/custom with auth from the namespace query", async () => {
      const main = connect("/");
      await once(main, "auth");
      const custom = connect("/custom", { token: "abc" });
      const [auth] = await once(custom, "auth");
      assert.deepEqual(auth, { token: "abc" });
      custom.close();
      main.close();
    });

    test("unknown namespace → error", async () => {
      const socket = connect("/random");
      const [err] = await once(socket, "error");
      const message = typeof err === "string" ? err : err.message;
      assert.equal(message, "Invalid namespace");
      socket.close();
    });

    test("stays connected idle through several heartbeats (client pings)", async () => {
      const socket = connect("/");
      await once(socket, "auth");
      let disconnected = null;
      socket.on("disconnect", (reason) => (disconnected = reason));
      await sleep(1600);
      assert.equal(disconnected, null);
      assert.ok(socket.connected);
      assert.equal(socket.io.engine.transport.name, mode.finalTransport);
      socket.emit("message", "after idle");
      assert.deepEqual(await once(socket, "message-back"), ["after idle"]);
      socket.close();
    });
  });
}
