// Issue 8 start-up over real processes: --threads outside 1..64 and other bad settings exit 2
// with one error-level line (text or JSON), a port in use exits 1 with an error-level line, the
// default thread count is min(cores, 64), and the Redis store logs in the server's own format.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import os from "node:os";
import { serverBinary, freePort, startServer } from "./lib/server.mjs";

/** Runs the server to its exit (SIGKILL after `ms`); resolves to { code, signal, stderr, stdout }. */
function run(args, { env = {}, ms = 5000 } = {}) {
  return new Promise((resolve) => {
    const proc = spawn(serverBinary(), args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const TEXT_ERROR = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} error engage-server: /m;

test("--threads 65 exits 2 with an error-level line naming the range", async () => {
  const r = await run(["--threads", "65", "--host", "127.0.0.1", "--port", "0"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, TEXT_ERROR);
  assert.match(r.stderr, /--threads.*1 to 64.*got '65'/);
  assert.ok(!r.stdout.includes("listening"), r.stdout);
});

test("ENGAGE_THREADS=0 and --threads abc exit 2; JSON logs carry the error as a JSON object", async () => {
  const zero = await run(["--host", "127.0.0.1", "--port", "0"], { env: { ENGAGE_THREADS: "0" } });
  assert.equal(zero.code, 2, zero.stderr);
  assert.match(zero.stderr, /1 to 64.*got '0'/);
  const json = await run(["--log-format", "json", "--threads", "abc", "--port", "0"]);
  assert.equal(json.code, 2, json.stderr);
  const lines = json.stderr.trim().split("\n");
  assert.equal(lines.length, 1, json.stderr);
  const line = JSON.parse(lines[0]);
  assert.equal(line.level, "error");
  assert.match(line.msg, /--threads.*got 'abc'/);
});

/** Resolves once the server logged its "mode: …, threads: N" line; returns N. */
async function loggedThreads(server) {
  for (let i = 0; i < 100 && !/threads: \d+/.test(server.output); i++) await new Promise((r) => setTimeout(r, 20));
  const m = server.output.match(/threads: (\d+)/);
  assert.ok(m, server.output);
  return Number(m[1]);
}

test("--threads 64 starts; the default is min(cores, 64) loops", async () => {
  const max = await startServer(["--threads", "64"]);
  try {
    assert.equal(await loggedThreads(max), 64);
  } finally {
    await max.stop();
  }
  const dflt = await startServer([]);
  try {
    const cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
    assert.equal(await loggedThreads(dflt), Math.min(cores, 64));
  } finally {
    await dflt.stop();
  }
});

test("bad settings exit 2 with an error-level line", async () => {
  for (const args of [
    ["--jwt-issuer", "x"],
    ["--redis", "http://not-redis"],
    ["--redis", "redis://127.0.0.1:notaport"],
    ["--log-level", "loud"],
  ]) {
    const r = await run([...args, "--host", "127.0.0.1", "--port", "0"]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, / error (engage-server|engage): /, args.join(" "));
    assert.ok(!/ info .*cannot/.test(r.stderr), r.stderr);
  }
});

test("a port in use exits 1 with an error-level line", async () => {
  const blocker = createServer();
  await new Promise((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const { port } = blocker.address();
  try {
    const r = await run(["--host", "127.0.0.1", "--port", String(port)]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`error engage-server: cannot listen on 127\\.0\\.0\\.1:${port}: `));
    const j = await run(["--log-format", "json", "--host", "127.0.0.1", "--port", String(port)]);
    assert.equal(j.code, 1, j.stderr);
    const errors = j.stderr.trim().split("\n").map((l) => JSON.parse(l)).filter((l) => l.level === "error");
    assert.equal(errors.length, 1, j.stderr);
    assert.match(errors[0].msg, /cannot listen/);
  } finally {
    blocker.close();
  }
});

test("the Redis store logs through the server's format: JSON objects, text lines with time and level", async () => {
  const dead = await freePort(); // nothing listens there: the store logs that it cannot connect
  for (const format of ["json", "text"]) {
    const s = await startServer(["--log-format", format, "--redis", `redis://127.0.0.1:${dead}`]);
    try {
      for (let i = 0; i < 60 && !/cannot connect/.test(s.output); i++) await new Promise((r) => setTimeout(r, 50));
      const line = s.output.split("\n").find((l) => l.includes("cannot connect"));
      assert.ok(line, s.output);
      if (format === "json") {
        const o = JSON.parse(line);
        assert.equal(o.level, "warning");
        assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.match(o.msg, /^redis .*cannot connect to 127\.0\.0\.1:\d+/);
        // Every stderr line of the process is one JSON object.
        for (const l of s.output.split("\n").filter((x) => x && !/^(listening on|open http)/.test(x))) JSON.parse(l);
      } else {
        assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} warning redis .*cannot connect/);
      }
    } finally {
      await s.stop();
    }
  }
});
