// engage-server's command line, environment and built-in HTTP routes: --help, bad
// configuration, ENGAGE_PORT/PORT, GET /, GET /health, the JSON 404, CORS, SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { startServer, serverBinary, freePort } from "./lib/server.mjs";
import { request } from "./lib/raw.mjs";

test("--help lists every option with its environment variable and default", () => {
  const r = spawnSync(serverBinary(), ["--help"], { encoding: "utf8" });
  assert.equal(r.status, 0);
  for (const [flag, env] of [
    ["--host", "ENGAGE_HOST"], ["--port", "ENGAGE_PORT"], ["--threads", "ENGAGE_THREADS"],
    ["--conformance", "ENGAGE_CONFORMANCE"], ["--eio3", "ENGAGE_EIO3"], ["--ping-interval", "ENGAGE_PING_INTERVAL"],
    ["--ping-timeout", "ENGAGE_PING_TIMEOUT"], ["--connect-timeout", "ENGAGE_CONNECT_TIMEOUT"],
    ["--max-http-buffer-size", "ENGAGE_MAX_HTTP_BUFFER_SIZE"], ["--max-connections", "ENGAGE_MAX_CONNECTIONS"],
    ["--keep-alive-timeout", "ENGAGE_KEEP_ALIVE_TIMEOUT"], ["--cors-origin", "ENGAGE_CORS_ORIGIN"],
    ["--log-level", "ENGAGE_LOG_LEVEL"], ["--log-format", "ENGAGE_LOG_FORMAT"], ["--redis", "REDIS_URL"],
    ["--redis-cluster", "REDIS_CLUSTER"], ["--web-root", "ENGAGE_WEB_ROOT"],
  ]) {
    const line = r.stdout.split("\n").find((l) => l.includes(flag + " ") || l.includes(flag + ","));
    assert.ok(line, `${flag} missing from --help`);
    assert.ok(line.includes(`Env:${env}`), `${flag} should name ${env}: ${line}`);
  }
  assert.match(r.stdout, /--port UINT=3002/);
  assert.match(r.stdout, /--ping-interval UINT[^\n]*=25000/);
  assert.match(r.stdout, /--ping-timeout UINT[^\n]*=60000/);
  assert.match(r.stdout, /--connect-timeout UINT[^\n]*=45000/);
  assert.match(r.stdout, /--max-http-buffer-size UINT[^\n]*=1000000/);
  assert.match(r.stdout, /--keep-alive-timeout UINT[^\n]*=65000/);
  assert.match(r.stdout, /--no-eio3/);
});

test("bad configuration fails fast with a clear message", () => {
  for (const [args, env, pattern] of [
    [["--port", "abc"], {}, /port/i],
    [["--threads", "0"], {}, /threads/i],
    [["--log-format", "xml"], {}, /log-format/i],
    [["--redis", "http://x"], {}, /redis/i],
    [[], { PORT: "not-a-port", ENGAGE_PORT: "" }, /PORT/],
  ]) {
    const environment = { ...process.env, ...env };
    if (env.ENGAGE_PORT === "") delete environment.ENGAGE_PORT;
    const r = spawnSync(serverBinary(), args, { encoding: "utf8", env: environment, timeout: 5000 });
    assert.notEqual(r.status, 0, `${args.join(" ")} should fail`);
    assert.match(r.stderr + r.stdout, pattern);
  }
});

test("GET / reports ENGAGE_PORT verbatim as a string; /health; JSON 404; CORS", async () => {
  const port = await freePort();
  const s = await startServer([], { env: { ENGAGE_PORT: String(port) }, port });
  try {
    const root = await request(`${s.url}/`);
    assert.equal(root.status, 200);
    // The original's four keys first, in its order (new information may only be added after).
    const body = JSON.parse(root.text);
    assert.deepEqual(Object.keys(body).slice(0, 4), ["status", "server", "port", "redis"]);
    assert.equal(body.status, "ok");
    assert.equal(body.server, "Engage Socket.IO Server");
    assert.equal(body.port, String(port));
    assert.ok(["connected", "disconnected"].includes(body.redis));
    assert.equal(root.headers["access-control-allow-origin"], "*");
    const health = await request(`${s.url}/health`);
    assert.equal(health.status, 200);
    const h = JSON.parse(health.text);
    assert.equal(h.status, "ok");
    assert.ok(Array.isArray(h.namespaces));
    const missing = await request(`${s.url}/definitely/not/here`);
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.text).success, false);
    const pre = await request(`${s.url}/health`, { method: "OPTIONS", headers: { origin: "http://x", "access-control-request-method": "GET" } });
    assert.equal(pre.status, 204);
  } finally {
    const r = await s.stop();
    assert.equal(r.code, 0);
  }
});

test("PORT is used when ENGAGE_PORT is absent; GET / then reports the number", async () => {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port) };
  delete env.ENGAGE_PORT;
  const { spawn } = await import("node:child_process");
  const proc = spawn(serverBinary(), ["--host", "127.0.0.1"], { env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    await new Promise((resolve, reject) => {
      let out = "";
      const t = setTimeout(() => reject(new Error("no listening line: " + out)), 5000);
      proc.stdout.on("data", (c) => {
        out += c;
        if (out.includes(`listening on 127.0.0.1:${port}`)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const root = JSON.parse((await request(`http://127.0.0.1:${port}/`)).text);
    assert.equal(root.port, port);
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
  }
});

test("CORS allowlist: only listed origins are echoed", async () => {
  const s = await startServer(["--cors-origin", "https://a.example", "--cors-origin", "https://b.example"]);
  try {
    const ok = await request(`${s.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: "https://b.example" } });
    assert.equal(ok.headers["access-control-allow-origin"], "https://b.example");
    const no = await request(`${s.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: "https://evil.example" } });
    assert.equal(no.headers["access-control-allow-origin"], undefined);
    const route = await request(`${s.url}/health`, { headers: { origin: "https://a.example" } });
    assert.equal(route.headers["access-control-allow-origin"], "https://a.example");
  } finally {
    await s.stop();
  }
});

test("SIGTERM closes connected clients and exits 0", async () => {
  const s = await startServer(["--conformance"]);
  const { openWs } = await import("./lib/raw.mjs");
  const ws = openWs(`${s.wsUrl}/socket.io/?EIO=4&transport=websocket`);
  await ws.next();
  const r = await s.stop();
  assert.equal(r.code, 0);
  await ws.closed;
});
