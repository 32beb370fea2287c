// Issue 8 over real HTTP: with JWT verification configured, the REST routes that act as a user
// take it from `Authorization: Bearer <jwt>` (`sub`) and refuse a missing, forged, expired or
// wrong-audience token with 401 and a JSON error, ignoring X-User-Id and body.userId; HS256 and
// RS256; without JWT, X-User-Id is still the acting user (the original's rule).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync, createSign } from "node:crypto";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer } from "./lib/server.mjs";
import { connect, waitFor, http } from "./lib/engage-client.mjs";

const SECRET = "rest-jwt-secret-of-at-least-32-bytes-long";
const ISS = "engage-rest-tests";
const AUD = "engage-api";
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
function hs256(claims, secret = SECRET) {
  const head = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}
function rs256(claims, privateKey) {
  const head = `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}`;
  return `${head}.${createSign("RSA-SHA256").update(head).sign(privateKey).toString("base64url")}`;
}
const claims = (sub, extra = {}) => ({ sub, iss: ISS, aud: AUD, exp: now() + 600, ...extra });
const bearer = (token) => ({ Authorization: `Bearer ${token}` });

let hs, open, rs;
const dir = mkdtempSync(path.join(tmpdir(), "engage-rest-jwt-"));
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const otherKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const sockets = [];

before(async () => {
  const pem = path.join(dir, "public.pem");
  writeFileSync(pem, keys.publicKey.export({ type: "spki", format: "pem" }));
  [hs, open, rs] = await Promise.all([
    startServer(["--jwt-secret", SECRET, "--jwt-issuer", ISS, "--jwt-audience", AUD]),
    startServer([]),
    startServer(["--jwt-public-key", pem, "--jwt-audience", AUD]),
  ]);
});
after(async () => {
  for (const s of sockets) s.close();
  await Promise.all([hs, open, rs].filter(Boolean).map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** Asserts a 401 JSON refusal whose error matches `why`; returns the response. */
function assert401(res, why) {
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.equal(res.body.success, false);
  assert.equal(res.body.code, "UNAUTHORIZED");
  assert.match(res.body.error, why);
  assert.match(res.headers.get("www-authenticate"), /^Bearer/);
  return res;
}

test("a good HS256 token acts as its sub; X-User-Id and body.userId are ignored", async () => {
  const c = await http(hs.url, "POST", "/api/chess/create", { userId: "spoofed" }, { ...bearer(hs256(claims("jwt-alice"))), "X-User-Id": "spoofed" });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.whitePlayer, "jwt-alice");
  const j = await http(hs.url, "POST", "/api/chess/join", { roomCode: c.body.roomCode, userId: "jwt-alice" }, bearer(hs256(claims("jwt-bob"))));
  assert.equal(j.status, 200, JSON.stringify(j.body));
  assert.equal(j.body.blackPlayer, "jwt-bob");
  // Bob claiming to be Alice in the body cannot move White's pieces.
  const turn = await http(hs.url, "POST", "/api/chess/move", { roomId: c.body.roomId, from: "e2", to: "e4", userId: "jwt-alice" }, { ...bearer(hs256(claims("jwt-bob"))), "X-User-Id": "jwt-alice" });
  assert.equal(turn.status, 400);
  assert.equal(turn.body.error, "Not your turn");
  const m = await http(hs.url, "POST", "/api/chess/move", { roomId: c.body.roomId, from: "e2", to: "e4" }, { Authorization: `bearer  ${hs256(claims("jwt-alice"))}` });
  assert.equal(m.status, 200, JSON.stringify(m.body));
  assert.equal(m.body.san, "e4");
  // Reading a room needs no token (no acting user), as for sockets that only watch.
  const poll = await http(hs.url, "GET", `/api/chess/room/${c.body.roomId}`);
  assert.equal(poll.status, 200);
  assert.equal(poll.body.fen, m.body.fen);
});

test("missing, non-Bearer, expired, forged, wrong-audience, wrong-issuer and garbage tokens get 401", async () => {
  const body = { videoId: "v1", videoUrl: "https://v/1" };
  assert401(await http(hs.url, "POST", "/api/watch/create", body), /Authentication required.*Bearer/);
  assert401(await http(hs.url, "POST", "/api/watch/create", body, { "X-User-Id": "someone" }), /Authentication required/);
  assert401(await http(hs.url, "POST", "/api/watch/create", body, { Authorization: "Basic dXNlcjpwYXNz" }), /must be Bearer/);
  const expired = assert401(await http(hs.url, "POST", "/api/watch/create", body, bearer(hs256(claims("x", { exp: now() - 3600 })))), /^Invalid token: token expired$/);
  assert.equal(expired.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
  assert401(await http(hs.url, "POST", "/api/watch/create", body, bearer(hs256(claims("x"), "another-secret-another-secret-another!"))), /^Invalid token: invalid signature/);
  assert401(await http(hs.url, "POST", "/api/watch/create", body, bearer(hs256(claims("x", { aud: "someone-else" })))), /^Invalid token: audience mismatch$/);
  assert401(await http(hs.url, "POST", "/api/watch/create", body, bearer(hs256(claims("x", { iss: "evil" })))), /^Invalid token: issuer mismatch$/);
  assert401(await http(hs.url, "POST", "/api/watch/create", body, bearer("not-a-jwt")), /^Invalid token: malformed token$/);
  const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims("x"))}.`;
  assert401(await http(hs.url, "POST", "/api/watch/create", body, bearer(none)), /^Invalid token/);
  // The token is never echoed, and authentication comes before body validation.
  const forged = hs256(claims("x"), "another-secret-another-secret-another!");
  const r = await http(hs.url, "POST", "/api/chess/move", "{broken", bearer(forged));
  assert401(r, /Invalid token/);
  assert.ok(!JSON.stringify(r.body).includes(forged));
  // Every refusal is counted by its code.
  const metrics = await (await fetch(`${hs.url}/metrics`)).text();
  const line = metrics.split("\n").find((l) => l.startsWith('engage_errors_total{code="UNAUTHORIZED"}'));
  assert.ok(line && Number(line.split(" ")[1]) >= 10, line);
});

test("REST and sockets agree on the identity of one token", async () => {
  const token = hs256(claims("jwt-carol"));
  const s = await connect(hs.url, "/watch-along", { token });
  sockets.push(s);
  const created = await http(hs.url, "POST", "/api/watch/create", { videoId: "v2", videoUrl: "https://v/2" }, bearer(token));
  assert.equal(created.status, 200, JSON.stringify(created.body));
  s.emit("join_watch_room", { roomId: created.body.roomId });
  const joined = await waitFor(s, "room_joined");
  assert.equal(joined.isHost, true, JSON.stringify(joined));
});

test("RS256: a token signed by the configured key passes, one signed by another key gets 401", async () => {
  const good = await http(rs.url, "POST", "/api/chess/create", {}, bearer(rs256(claims("rs-dave"), keys.privateKey)));
  assert.equal(good.status, 200, JSON.stringify(good.body));
  assert.equal(good.body.whitePlayer, "rs-dave");
  assert401(await http(rs.url, "POST", "/api/chess/create", {}, bearer(rs256(claims("rs-dave"), otherKeys.privateKey))), /^Invalid token: invalid signature/);
  // HS256 signed with the public key as the secret (algorithm confusion) is refused.
  const pemText = keys.publicKey.export({ type: "spki", format: "pem" });
  assert401(await http(rs.url, "POST", "/api/chess/create", {}, bearer(hs256(claims("rs-dave"), pemText))), /^Invalid token/);
});

test("without JWT, X-User-Id and body.userId name the acting user as in the original", async () => {
  const c = await http(open.url, "POST", "/api/chess/create", {}, { "X-User-Id": "hdr-erin" });
  assert.equal(c.status, 200);
  assert.equal(c.body.whitePlayer, "hdr-erin");
  const j = await http(open.url, "POST", "/api/chess/join", { roomCode: c.body.roomCode, userId: "body-frank" });
  assert.equal(j.body.blackPlayer, "body-frank");
  // A Bearer header means nothing without JWT configured (not verified, not a user id).
  const b = await http(open.url, "POST", "/api/chess/create", {}, bearer(hs256(claims("x"))));
  assert.equal(b.status, 200);
  assert.match(b.body.whitePlayer, /^user_\d+$/);
});
