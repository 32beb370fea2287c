// Issue 8 over real sockets: JWT handshake tokens (valid → user id from sub; expired, forged,
// wrong issuer → CONNECT_ERROR "Authentication required"), the Origin check on WebSocket
// upgrades when a CORS allowlist is set, and start-up failure on bad configuration.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { spawnSync } from "node:child_process";
import { startServer, serverBinary } from "./lib/server.mjs";
import { connect, waitFor } from "./lib/engage-client.mjs";
import { openWs } from "./lib/raw.mjs";

const SECRET = "integration-secret-of-at-least-32-bytes!";
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
function jwt(claims, secret = SECRET, header = { alg: "HS256", typ: "JWT" }) {
  const head = `${b64(header)}.${b64(claims)}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}
const now = () => Math.floor(Date.now() / 1000);

let server;
const sockets = [];
before(async () => {
  server = await startServer(["--jwt-secret", SECRET, "--jwt-issuer", "engage-tests", "--cors-origin", "https://app.example"]);
});
after(async () => {
  for (const s of sockets) s.close();
  await server.stop();
});

test("a valid JWT connects and its sub is the user id; the token is not echoed", async () => {
  const token = jwt({ sub: "jwt-alice", iss: "engage-tests", exp: now() + 600 });
  const s = await connect(server.url, "/play-along", { token, userId: "spoofed" });
  sockets.push(s);
  const ready = await waitFor(s, "server_ready");
  assert.equal(ready.userId, "jwt-alice");
  assert.ok(!JSON.stringify(s.log).includes(token));
});

for (const [name, token] of [
  ["expired", () => jwt({ sub: "x", iss: "engage-tests", exp: now() - 3600 })],
  ["forged (other secret)", () => jwt({ sub: "x", iss: "engage-tests", exp: now() + 600 }, "another-secret-another-secret-another!")],
  ["wrong issuer", () => jwt({ sub: "x", iss: "evil", exp: now() + 600 })],
  ["alg none", () => `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "x", iss: "engage-tests", exp: now() + 600 })}.`],
  ["garbage", () => "not-a-jwt"],
]) {
  test(`a ${name} token gets CONNECT_ERROR Authentication required`, async () => {
    for (const nsp of ["/play-along", "/watch-along"]) {
      await assert.rejects(connect(server.url, nsp, { token: token() }), (err) => {
        assert.equal(err.message, "Authentication required");
        return true;
      });
    }
  });
}

test("a WebSocket upgrade from a disallowed Origin is refused with 403; allowed and absent pass", async () => {
  const url = `${server.wsUrl}/socket.io/?EIO=4&transport=websocket`;
  const evil = openWs(url, { headers: { Origin: "https://evil.example" } });
  await assert.rejects(evil.opened, (e) => e.status === 403);
  const good = openWs(url, { headers: { Origin: "https://app.example" } });
  await good.opened;
  assert.match(await good.next(), /^0\{/);
  good.close();
  const none = openWs(url);
  await none.opened;
  none.close();
});

test("bad configuration fails at start-up with a clear message", () => {
  const run = (args) => spawnSync(serverBinary(), [...args, "--port", "0"], { encoding: "utf8", timeout: 5000 });
  let r = run(["--jwt-secret", "short"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /at least 32 bytes/);
  r = run(["--jwt-public-key", "/nonexistent/key.pem"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read the public key file/);
  r = run(["--outbuf-soft-bytes", "9000000", "--outbuf-hard-bytes", "8000000"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /must not exceed/);
  r = run(["--rate-moves-per-minute", "-1"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /rate-moves-per-minute/);
});
