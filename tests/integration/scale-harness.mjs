// Horizontal-scale test harness: a real redis-server, N engage-server instances sharing it and
// nginx in front (configuration generated from deploy/nginx.conf with loopback ports), all on
// free loopback ports in a temporary directory, every process stopped by its PID.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { connect as netConnect } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { startServer, freePort, serverBinary } from "./lib/server.mjs";
import { record } from "./lib/engage-client.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Returns why the scale tests cannot run here ("" when they can). */
export function missingPrerequisite() {
  if (!existsSync(serverBinary())) return `no server binary at ${serverBinary()}`;
  for (const tool of ["redis-server", "nginx"]) {
    const r = spawnSync("sh", ["-c", `command -v ${tool}`]);
    if (r.status !== 0) return `${tool} is not installed`;
  }
  return "";
}

/** Resolves when `port` on 127.0.0.1 answers a Redis PING with +PONG (or rejects at timeout). */
export async function waitForRedis(port, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = netConnect(port, "127.0.0.1");
      let buf = "";
      s.setTimeout(500, () => {
        s.destroy();
        resolve(false);
      });
      s.on("connect", () => s.write("PING\r\n"));
      s.on("data", (d) => {
        buf += d.toString();
        if (buf.includes("\r\n")) {
          s.destroy();
          resolve(buf.startsWith("+PONG"));
        }
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis on ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs one command with redis-cli against 127.0.0.1:port; resolves with its text output. */
export async function redisCommand(port, args) {
  const r = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { encoding: "utf8", timeout: 5000 });
  return (r.stdout || "") + (r.stderr || "");
}

/** Spawns a long-running helper process; returns {proc, output, stop, kill}. */
export function spawnProcess(cmd, args, options = {}) {
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  const handle = { proc, output: "", exited: null };
  proc.stdout.on("data", (d) => (handle.output += d.toString()));
  proc.stderr.on("data", (d) => (handle.output += d.toString()));
  const exit = new Promise((res) => proc.on("exit", (code, signal) => res((handle.exited = { code, signal }))));
  handle.stop = async (signal = "SIGTERM", killAfterMs = 3000) => {
    if (handle.exited) return handle.exited;
    proc.kill(signal);
    const t = setTimeout(() => !handle.exited && proc.kill("SIGKILL"), killAfterMs);
    const r = await exit;
    clearTimeout(t);
    return r;
  };
  handle.wait = () => exit;
  return handle;
}

/** Starts redis-server on a free loopback port (no persistence); resolves once it answers. */
export async function startRedis(dir, extraArgs = []) {
  const port = await freePort();
  const r = spawnProcess("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...extraArgs]);
  await waitForRedis(port);
  r.port = port;
  r.url = `redis://127.0.0.1:${port}`;
  return r;
}

/**
 * Starts a local Redis Cluster of `masters` cluster-enabled redis-servers (each with its own
 * free cluster-bus port) joined by `redis-cli --cluster create`; resolves once every node
 * reports cluster_state:ok. Returns {nodes, seeds ("host:port,…"), stop}.
 */
export async function startRedisCluster(dir, masters = 3) {
  const nodes = [];
  for (let i = 0; i < masters; i++) {
    const ndir = path.join(dir, `cluster-${i}`);
    mkdirSync(ndir, { recursive: true });
    const busPort = await freePort();
    nodes.push(await startRedis(ndir, ["--cluster-enabled", "yes", "--cluster-node-timeout", "2000", "--cluster-port", String(busPort)]));
  }
  const stop = async () => {
    for (const n of nodes) await n.stop();
  };
  const create = spawnSync("redis-cli", ["--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", "0", "--cluster-yes"], { encoding: "utf8", timeout: 30000 });
  if (create.status !== 0) {
    await stop();
    throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
  }
  const deadline = Date.now() + 15000;
  for (;;) {
    const states = await Promise.all(nodes.map((n) => redisCommand(n.port, ["CLUSTER", "INFO"])));
    if (states.every((s) => s.includes("cluster_state:ok"))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error("the local Redis Cluster never reached cluster_state:ok");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { nodes, seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(","), stop };
}

/**
 * Generates an nginx configuration from deploy/nginx.conf: the upstream's `server` lines point at
 * `ports`, it listens on `listenPort`, and pid, logs and temporary files go under `dir`. The
 * chosen upstream is reported in an X-Engage-Upstream response header (tests only).
 */
export function nginxConfig(dir, listenPort, ports) {
  let conf = readFileSync(path.join(ROOT, "deploy", "nginx.conf"), "utf8");
  const servers = ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join("\n");
  let replaced = false;
  conf = conf.replace(/(?:^ *server 127\.0\.0\.1:\d+[^\n]*\n)+/m, () => {
    replaced = true;
    return servers + "\n";
  });
  if (!replaced) throw new Error("deploy/nginx.conf: no upstream server lines found");
  conf = conf
    .replace(/^worker_processes [^;]*;/m, "worker_processes 1;")
    .replace(/^worker_rlimit_nofile [^;]*;/m, "")
    .replace(/^pid [^;]*;/m, `pid ${dir}/nginx.pid;`)
    .replace(/^error_log [^;]*;/m, `error_log ${dir}/error.log info;`)
    .replace(/access_log \/[^;]*;/, `access_log ${dir}/access.log;`)
    .replace(/worker_connections \d+;/, "worker_connections 1024;")
    .replace(/^ *listen 80;/m, `    listen 127.0.0.1:${listenPort};`)
    .replace(
      /^http \{/m,
      `http {\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fastcgi;\n  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n  add_header X-Engage-Upstream $upstream_addr always;`,
    );
  if (!conf.includes(`listen 127.0.0.1:${listenPort};`)) throw new Error("deploy/nginx.conf: no `listen 80;` line");
  return conf;
}

/** Starts nginx in front of `ports`; resolves once it answers on its port. */
export async function startNginx(dir, ports) {
  const ndir = path.join(dir, "nginx");
  mkdirSync(ndir, { recursive: true });
  const port = await freePort();
  const confPath = path.join(ndir, "nginx.conf");
  writeFileSync(confPath, nginxConfig(ndir, port, ports));
  const n = spawnProcess("nginx", ["-p", ndir, "-e", path.join(ndir, "error.log"), "-c", confPath, "-g", "daemon off;"]);
  n.port = port;
  n.url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  for (;;) {
    if (n.exited) throw new Error(`nginx exited: ${n.output}`);
    try {
      const res = await fetch(n.url + "/health");
      if (res.status === 200) return n;
    } catch {}
    if (Date.now() > deadline) throw new Error(`nginx did not answer: ${n.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts redis + `count` instances (+ nginx unless nginx:false). Returns {redis, instances,
 * nginx, dir, stop, skip}: `skip` is a reason string when this build has no Redis store.
 */
export async function startCluster(count, { nginx = true, redisArgs = [], serverArgs = [] } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "engage-scale-"));
  const env = { redis: null, instances: [], nginx: null, dir, skip: "" };
  env.stop = async () => {
    if (env.nginx) await env.nginx.stop("SIGQUIT");
    await Promise.all(env.instances.map((s) => s.stop()));
    if (env.redis) await env.redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    env.redis = await startRedis(dir, redisArgs);
    for (let i = 0; i < count; i++) env.instances.push(await startServer(["--redis", env.redis.url, "--threads", "1", ...serverArgs]));
    if (nginx) env.nginx = await startNginx(dir, env.instances.map((s) => s.port));
  } catch (err) {
    if (/has no Redis store/.test(String(err.message))) {
      env.skip = "this build has no Redis store";
      await env.stop();
      return env;
    }
    await env.stop();
    throw err;
  }
  return env;
}

/**
 * Generates a HAProxy configuration from deploy/haproxy.cfg: its `server` lines point at
 * `ports`, the frontend binds 127.0.0.1:`listenPort`, the stats listener is dropped, and the
 * serving instance is reported in an X-Engage-Upstream response header (tests only).
 */
export function haproxyConfig(listenPort, ports) {
  let conf = readFileSync(path.join(ROOT, "deploy", "haproxy.cfg"), "utf8");
  let replaced = false;
  conf = conf.replace(/(?:^ *server e\d+ [^\n]*\n)+/m, () => {
    replaced = true;
    return ports.map((p, i) => `  server e${i + 1} 127.0.0.1:${p} check cookie e${i + 1}\n`).join("");
  });
  if (!replaced) throw new Error("deploy/haproxy.cfg: no backend server lines found");
  conf = conf.replace(/^ *bind :80\s*$/m, `  bind 127.0.0.1:${listenPort}\n  http-response set-header X-Engage-Upstream %s`);
  conf = conf.replace(/^listen stats[\s\S]*$/m, "");
  conf = conf.replace(/^( *)maxconn \d+$/m, "$1maxconn 2000");  // the test's fd limit is lower
  if (!conf.includes(`bind 127.0.0.1:${listenPort}`)) throw new Error("deploy/haproxy.cfg: no `bind :80` line");
  return conf;
}

/** Starts HAProxy (foreground) in front of `ports`; resolves once it answers. */
export async function startHaproxy(dir, ports) {
  const port = await freePort();
  const confPath = path.join(dir, "haproxy.cfg");
  writeFileSync(confPath, haproxyConfig(port, ports));
  const h = spawnProcess("haproxy", ["-db", "-f", confPath]);
  h.port = port;
  h.url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  for (;;) {
    if (h.exited) throw new Error(`haproxy exited: ${h.output}`);
    try {
      const res = await fetch(h.url + "/ready");
      if (res.status === 200) return h;
    } catch {}
    if (Date.now() > deadline) throw new Error(`haproxy did not answer: ${h.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Which instance (index into `ports`) nginx sends this client address to. */
export async function nginxTarget(nginxUrl, ports) {
  const res = await fetch(nginxUrl + "/ready");
  const up = res.headers.get("x-engage-upstream") || "";
  const port = Number(up.split(",").pop().trim().split(":").pop());
  return ports.indexOf(port);
}

/**
 * Connects a socket.io-client to `url + nsp` with `auth`; `options` override (transports,
 * reconnection…). Resolves once connected; the socket records every event (socket.log).
 */
export function client(url, nsp, auth, options = {}) {
  const socket = io(url + nsp, { transports: ["websocket"], forceNew: true, reconnection: false, auth, ...options });
  record(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connect ${url}${nsp} timed out`)), 8000);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (err) => {
      if (options.reconnection) return;  // will retry
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
  });
}

/** Move updates a socket received, as a map ply → count (to spot duplicates). */
export function pliesSeen(socket, roomId) {
  const counts = new Map();
  for (const e of socket.log) if (e.event === "move_update" && e.payload.roomId === roomId) counts.set(e.payload.ply, (counts.get(e.payload.ply) || 0) + 1);
  return counts;
}
