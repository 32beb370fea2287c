// Starts engage-server on a free loopback port for an integration test and stops it by PID.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Returns the server binary: $ENGAGE_SERVER, else build/engage-server of the repository. */
export function serverBinary() {
  return process.env.ENGAGE_SERVER || path.join(ROOT, "build", "engage-server");
}

/** Resolves to a TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server with `args` (plus --host 127.0.0.1 --port <free>) and resolves once it
 * printed its `listening on HOST:PORT` line. Returns { port, url, wsUrl, proc, output, stop }.
 * `stop()` sends SIGTERM to that PID, waits for the exit (SIGKILL after `killAfterMs`) and
 * resolves to { code, signal }. Options: env (extra environment), timeoutMs, binary.
 */
export async function startServer(args = [], options = {}) {
  const binary = options.binary || serverBinary();
  if (!existsSync(binary)) throw new Error(`server binary not found: ${binary} (set ENGAGE_SERVER)`);
  const timeoutMs = options.timeoutMs ?? 10000;
  for (let attempt = 0; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(binary, [...args, "--host", "127.0.0.1", "--port", String(port)], port, options, timeoutMs);
    } catch (err) {
      // Another process may have taken the port between freePort() and bind: retry a few times.
      if (attempt >= 3 || options.port || !/address|in use|bind/i.test(String(err.message))) throw err;
    }
  }
}

function launch(binary, args, port, options, timeoutMs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, args, {
      env: { ...process.env, ...(options.env || {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let settled = false;
    let exited = null;
    const exitPromise = new Promise((res) => {
      proc.on("exit", (code, signal) => {
        exited = { code, signal };
        res(exited);
      });
    });
    const timer = setTimeout(() => fail(new Error(`server did not print "listening on" within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    function fail(err) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!exited) proc.kill("SIGKILL");
      reject(err);
    }
    const onData = (chunk) => {
      output += chunk.toString();
      if (!settled && /listening on \S+:\d+/.test(output)) {
        settled = true;
        clearTimeout(timer);
        const handle = {
          port,
          url: `http://127.0.0.1:${port}`,
          wsUrl: `ws://127.0.0.1:${port}`,
          proc,
          get output() {
            return output;
          },
          get exited() {
            return exited;
          },
          async stop(killAfterMs = 5000) {
            if (exited) return exited;
            proc.kill("SIGTERM");
            const killer = setTimeout(() => {
              if (!exited) proc.kill("SIGKILL");
            }, killAfterMs);
            const result = await exitPromise;
            clearTimeout(killer);
            return result;
          },
        };
        resolve(handle);
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.on("error", (err) => fail(err));
    proc.on("exit", (code, signal) => fail(new Error(`server exited early (code ${code}, signal ${signal}):\n${output}`)));
  });
}
