// Raw Engine.IO helpers for protocol tests: a queued WebSocket reader and plain HTTP calls.
import WebSocket from "ws";
import http from "node:http";

/**
 * Opens a WebSocket and queues what it receives. Returns { ws, next(timeoutMs, {skipPings}),
 * closed (promise of {code, reason}), opened (promise), send(data), close() }. Text messages
 * are strings, binary messages Buffers. `next` rejects if nothing arrives in time or the
 * socket closed first.
 */
export function openWs(url, { headers } = {}) {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const queue = [];
  const waiters = [];
  let closeInfo = null;
  let unexpected = null;
  const closed = new Promise((resolve) => {
    ws.on("close", (code, reason) => {
      closeInfo = { code, reason: reason.toString() };
      resolve(closeInfo);
      while (waiters.length) waiters.shift().reject(new Error(`socket closed (${code})`));
    });
  });
  const opened = new Promise((resolve, reject) => {
    ws.on("open", resolve);
    ws.on("unexpected-response", (req, res) => {
      unexpected = res.statusCode;
      reject(Object.assign(new Error(`unexpected response ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
    });
    ws.on("error", (err) => reject(err));
  });
  opened.catch(() => {});
  ws.on("message", (data, isBinary) => {
    const msg = isBinary ? Buffer.from(data) : data.toString();
    if (waiters.length) waiters.shift().resolve(msg);
    else queue.push(msg);
  });
  function next(timeoutMs = 2000, { skipPings = false } = {}) {
    return new Promise((resolve, reject) => {
      const take = () => {
        while (queue.length) {
          const m = queue.shift();
          if (skipPings && m === "2") continue;
          return resolve(m);
        }
        if (closeInfo) return reject(new Error(`socket closed (${closeInfo.code})`));
        const t = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`no message within ${timeoutMs} ms`));
        }, timeoutMs);
        const w = {
          resolve: (m) => {
            if (skipPings && m === "2") {
              clearTimeout(t);
              take();
              return;
            }
            clearTimeout(t);
            resolve(m);
          },
          reject: (e) => {
            clearTimeout(t);
            reject(e);
          },
        };
        waiters.push(w);
      };
      take();
    });
  }
  return {
    ws,
    next,
    closed,
    opened,
    get unexpectedStatus() {
      return unexpected;
    },
    pending: () => queue.slice(),
    send: (d) => ws.send(d),
    close: () => ws.close(),
  };
}

/**
 * Makes one HTTP request on a fresh connection (no pooling, so concurrent requests really are
 * concurrent). Resolves to { status, headers, body (Buffer), text }.
 */
export function request(url, { method = "GET", body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text: buf.toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
