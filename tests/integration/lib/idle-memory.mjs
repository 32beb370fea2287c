// Measures the server's RSS growth per idle WebSocket client (not a test; run by hand):
//   node tests/integration/lib/idle-memory.mjs PORT PID COUNT [path]
// Each client completes the Engine.IO handshake and, on /socket.io/, a CONNECT to "/".
import WebSocket from "ws";
import { readFileSync } from "node:fs";
const [port, pid, n] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const path = process.argv[5] || "/socket.io/";
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
const before = rss();
const socks = [];
let connected = 0;
await new Promise((resolve) => {
  let opened = 0;
  const openOne = () => {
    if (opened >= n) return;
    opened++;
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}?EIO=4&transport=websocket`, { perMessageDeflate: false });
    ws.on("message", (d) => {
      const s = d.toString();
      if (s[0] === "0") {
        if (path === "/socket.io/") ws.send("40");
        else { connected++; if (connected === n) resolve(); openOne(); }
      }
      else if (s.startsWith("40")) { connected++; if (connected === n) resolve(); openOne(); }
      else if (s === "2") ws.send("3");
    });
    socks.push(ws);
  };
  for (let i = 0; i < 50; i++) openOne();
});
await new Promise((r) => setTimeout(r, 1000));
const after = rss();
console.log(`clients ${n}: RSS ${before} KiB -> ${after} KiB, ${(((after - before) * 1024) / n).toFixed(0)} bytes/client`);
process.exit(0);
