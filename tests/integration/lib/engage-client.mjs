// Helpers for the ENGAGE integration tests: official socket.io-client sockets that record every
// event, awaiting helpers, and a small JSON fetch wrapper for the REST door.
import { io } from "socket.io-client";

/** Connects to `nsp` (e.g. "/play-along") with handshake `auth`; resolves once connected. */
export function connect(url, nsp, auth = {}, options = {}) {
  const socket = io(url + nsp, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    auth,
    ...options,
  });
  record(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connect ${nsp} timed out`)), 5000);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
  });
}

/** Records every event of `socket` in socket.log = [{event, payload}] (attached once). */
export function record(socket) {
  if (socket.log) return socket;
  socket.log = [];
  socket.waiters = [];
  socket.onAny((event, payload) => {
    socket.log.push({ event, payload });
    for (const w of [...socket.waiters]) w();
  });
  return socket;
}

/**
 * Resolves with the payload of the first recorded `event` at index >= `from` matching `pred`
 * (already received or still to come); rejects after `timeoutMs`.
 */
export function waitFor(socket, event, pred = () => true, { from = 0, timeoutMs = 4000 } = {}) {
  return new Promise((resolve, reject) => {
    const check = () => {
      for (let i = from; i < socket.log.length; i++) {
        const e = socket.log[i];
        if (e.event === event && pred(e.payload)) {
          cleanup();
          resolve(e.payload);
          return true;
        }
      }
      return false;
    };
    const cleanup = () => {
      clearTimeout(timer);
      socket.waiters = socket.waiters.filter((w) => w !== check);
    };
    const timer = setTimeout(() => {
      cleanup();
      const seen = socket.log.map((e) => e.event).join(", ");
      reject(new Error(`no ${event} within ${timeoutMs} ms (seen: ${seen})`));
    }, timeoutMs);
    if (!check()) socket.waiters.push(check);
  });
}

/** Emits `event` with `payload` and resolves with the next event in `names` (e.g. the error). */
export async function request(socket, event, payload, names) {
  const from = socket.log.length;
  if (payload === undefined) socket.emit(event);
  else socket.emit(event, payload);
  return Promise.race(
    names.map((n) => waitFor(socket, n, () => true, { from }).then((p) => ({ event: n, payload: p }))),
  );
}

/** Emits and resolves with the `error` payload that answers it. */
export async function expectError(socket, event, payload) {
  const r = await request(socket, event, payload, ["error"]);
  return r.payload;
}

/** Lets in-flight events arrive. */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

/** Sends a JSON request; resolves with {status, body} (body parsed when JSON). */
export async function http(url, method, path, body, headers = {}) {
  const init = { method, headers: { "Content-Type": "application/json", ...headers } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(url + path, init);
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Plays UCI moves alternately from white and black sockets, awaiting each own move_update. */
export async function playMoves(white, black, roomId, moves) {
  const updates = [];
  for (let i = 0; i < moves.length; i++) {
    const s = i % 2 === 0 ? white : black;
    const uci = moves[i];
    const payload = { roomId, from: uci.slice(0, 2), to: uci.slice(2, 4) };
    if (uci.length > 4) payload.promotion = uci.slice(4);
    const from = s.log.length;
    s.emit("make_move", payload);
    const r = await Promise.race([
      waitFor(s, "move_update", (u) => u.from === payload.from && u.to === payload.to, { from }).then((p) => ({ event: "move_update", payload: p })),
      waitFor(s, "error", () => true, { from }).then((p) => ({ event: "error", payload: p })),
    ]);
    if (r.event === "error") throw new Error(`move ${uci}: ${r.payload.message}`);
    updates.push(r.payload);
  }
  return updates;
}

/** Creates a chess room with `white` and seats `black` by code; returns the room_created payload. */
export async function startGame(white, black) {
  const created = await request(white, "create_chess_room", undefined, ["room_created", "error"]);
  if (created.event !== "room_created") throw new Error(created.payload.message);
  const from = black.log.length;
  black.emit("join_chess_room", { roomCode: created.payload.roomCode });
  await waitFor(black, "game_start", () => true, { from });
  return created.payload;
}

/**
 * Returns the server arguments for the ENGAGE suites: `--redis $ENGAGE_TEST_REDIS_URL` when that
 * variable is set (the same suites then run on the Redis store), else none (embedded store).
 */
export function engageArgs() {
  const url = process.env.ENGAGE_TEST_REDIS_URL;
  return url ? ["--redis", url] : [];
}
