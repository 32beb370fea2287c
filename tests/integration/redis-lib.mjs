// A private redis-server for the Redis integration tests: free loopback port, AOF on with
// appendfsync always (an acknowledged write survives SIGKILL), started and stopped by PID.
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./lib/server.mjs";

/** True when redis-server and redis-cli are installed. */
export function redisAvailable() {
  return new Promise((resolve) => {
    execFile("redis-server", ["--version"], (err) => resolve(!err));
  });
}

/**
 * Starts redis-server; resolves once it answers PING. Returns { port, url(db), dir, stop(signal),
 * start(), cli(...args), close() }. `password` sets requirepass; `args` are extra arguments.
 */
export async function startRedis({ password = "", args = [] } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "engage-redis-it-"));
  let proc = null;
  let exited = null;
  const auth = password ? ["-a", password, "--no-auth-warning"] : [];
  const handle = {
    port,
    dir,
    url(db = 0) {
      return `redis://${password ? `:${encodeURIComponent(password)}@` : ""}127.0.0.1:${port}/${db}`;
    },
    cli(...a) {
      return new Promise((resolve, reject) => {
        execFile("redis-cli", ["-p", String(port), ...auth, ...a], (err, stdout) => {
          if (err) reject(err);
          else resolve(stdout.replace(/\n$/, ""));
        });
      });
    },
    async start() {
      const argv = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes",
        "--appendfsync", "always", "--save", "", "--daemonize", "no", "--logfile", path.join(dir, "redis.log")];
      if (password) argv.push("--requirepass", password);
      proc = spawn("redis-server", [...argv, ...args], { stdio: "ignore" });
      exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
      for (let i = 0; i < 200; i++) {
        try {
          if ((await handle.cli("PING")) === "PONG") return;
        } catch {}
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("redis-server did not answer PING within 10 s");
    },
    async stop(signal = "SIGTERM") {
      if (!proc) return;
      const p = proc;
      proc = null;
      p.kill(signal);
      await exited;
    },
    async close() {
      await handle.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}

/** Polls `fn` (async, truthy = done) every 50 ms for up to `ms`; returns its last value. */
export async function until(fn, ms = 10000) {
  const end = Date.now() + ms;
  let v;
  while (Date.now() < end) {
    v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fn();
}
