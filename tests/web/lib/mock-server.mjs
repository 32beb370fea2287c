// A contract double of engage-server for developing the web client: serves web/dist at /app/
// and speaks just enough Engine.IO 4 (WebSocket only) and Socket.IO 5 to play the events of
// CONTRACT.md Part A. Not the judge: the browser tests run against the real server unless
// ENGAGE_WEB_MOCK=1. Run it alone with `node tests/web/lib/mock-server.mjs [port]`.
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Chess } from "chess.js";
import { WebSocketServer } from "ws";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json",
  ".webm": "video/webm",
};
const NAMESPACES = new Set(["/", "/play-along", "/watch-along", "/sing-along"]);

/** Starts the double on 127.0.0.1:`port` (0 = any); resolves to {url, port, stop()}. */
export async function startMock({ webRoot, port = 0 } = {}) {
  const chessRooms = new Map(); // roomId → {room, game}
  const chessCodes = new Map();
  const videoRooms = new Map(); // roomId → room (both watch and sing; ids are unique)
  const videoCodes = new Map();
  const members = new Map(); // `${ns}|${roomId}` → Set<nsSocket>
  const connections = new Set();

  const server = http.createServer((req, res) => serveHttp(webRoot, req, res));
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    if (!req.url.startsWith("/socket.io/")) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => onEngine(ws));
  });

  function onEngine(ws) {
    connections.add(ws);
    const sockets = new Map(); // ns → nsSocket
    ws.send("0" + JSON.stringify({ sid: randomBytes(10).toString("base64url"), upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 }));
    const ping = setInterval(() => ws.send("2"), 25000);
    ws.on("message", (data) => {
      const text = data.toString();
      if (text[0] !== "4") return;
      const { type, ns, payload } = parsePacket(text.slice(1));
      if (type === "0") {
        if (!NAMESPACES.has(ns)) return ws.send(`44${prefix(ns)}${JSON.stringify({ message: "Invalid namespace" })}`);
        const auth = payload && typeof payload === "object" ? payload : {};
        const id = randomBytes(10).toString("base64url");
        const userId = auth.userId || auth.token || (ns === "/play-along" || ns === "/" ? id : null);
        if (!userId) return ws.send(`44${prefix(ns)}${JSON.stringify({ message: "Authentication required" })}`);
        const s = { ws, ns, id, userId: String(userId), rooms: new Set() };
        sockets.set(ns, s);
        ws.send(`40${prefix(ns)}${JSON.stringify({ sid: id })}`);
        if (ns === "/play-along") {
          emit(s, "server_ready", { socketId: id, userId: s.userId, redisReady: true, timestamp: Date.now() });
          emit(s, "connected", { socketId: id, userId: s.userId });
        }
      } else if (type === "1") {
        const s = sockets.get(ns);
        if (s) disconnect(s), sockets.delete(ns);
      } else if (type === "2") {
        const s = sockets.get(ns);
        if (s && Array.isArray(payload) && typeof payload[0] === "string") handle(s, payload[0], payload[1]);
      }
    });
    ws.on("close", () => {
      clearInterval(ping);
      connections.delete(ws);
      for (const s of sockets.values()) disconnect(s);
      sockets.clear();
    });
  }

  const prefix = (ns) => (ns === "/" ? "" : ns + ",");
  function parsePacket(p) {
    const type = p[0];
    let rest = p.slice(1);
    let ns = "/";
    if (rest[0] === "/") {
      const comma = rest.indexOf(",");
      ns = comma < 0 ? rest : rest.slice(0, comma);
      rest = comma < 0 ? "" : rest.slice(comma + 1);
    }
    rest = rest.replace(/^\d+/, "");
    let payload;
    try {
      payload = rest ? JSON.parse(rest) : undefined;
    } catch {
      payload = undefined;
    }
    return { type, ns, payload };
  }
  function emit(s, name, data) {
    if (s.ws.readyState === 1) s.ws.send(`42${prefix(s.ns)}${JSON.stringify([name, data])}`);
  }
  function error(s, message, code) {
    emit(s, "error", { message, code });
  }
  function join(s, roomId) {
    for (const other of [...s.rooms]) if (other !== roomId) leave(s, other);
    const key = `${s.ns}|${roomId}`;
    if (!members.has(key)) members.set(key, new Set());
    members.get(key).add(s);
    s.rooms.add(roomId);
  }
  function leave(s, roomId) {
    const set = members.get(`${s.ns}|${roomId}`);
    if (set) set.delete(s);
    s.rooms.delete(roomId);
  }
  function toRoom(ns, roomId, name, data, except) {
    for (const m of members.get(`${ns}|${roomId}`) || []) if (m !== except) emit(m, name, data);
  }
  const newId = () => `room_${Date.now()}_${randomBytes(6).toString("hex").slice(0, 9)}`;
  const newCode = (taken) => {
    for (;;) {
      const c = String(randomInt(0, 1000000)).padStart(6, "0");
      if (!taken.has(c)) return c;
    }
  };
  const obj = (v) => (v && typeof v === "object" && !Array.isArray(v) ? v : {});

  function handle(s, name, raw) {
    const p = obj(raw);
    if (s.ns === "/play-along") return chess(s, name, p);
    if (s.ns === "/watch-along" || s.ns === "/sing-along") return video(s, name, p);
  }

  function chess(s, name, p) {
    if (name === "create_chess_room") {
      const roomId = newId();
      const roomCode = newCode(chessCodes);
      const game = new Chess();
      const room = { roomId, roomCode, whitePlayer: s.userId, blackPlayer: null, fen: game.fen(), turn: "white", status: "waiting", winner: null, createdAt: new Date().toISOString(), version: 1, moves: [], ply: 0 };
      chessRooms.set(roomId, { room, game });
      chessCodes.set(roomCode, roomId);
      join(s, roomId);
      return emit(s, "room_created", { ...room });
    }
    if (name === "join_chess_room") {
      let roomId = typeof p.roomId === "string" ? p.roomId : null;
      if (!roomId && typeof p.roomCode === "string") {
        roomId = chessCodes.get(p.roomCode.trim().toUpperCase()) || null;
        if (!roomId) return error(s, "Invalid room code", "INVALID_CODE");
      }
      if (!roomId) return error(s, "Room ID or code is required", "MISSING_ID");
      const entry = chessRooms.get(roomId);
      if (!entry) return error(s, "Room not found", "ROOM_NOT_FOUND");
      const { room } = entry;
      if (room.whitePlayer === s.userId || room.blackPlayer === s.userId) {
        join(s, roomId);
        emit(s, "game_start", { ...room });
        return toRoom(s.ns, roomId, "opponent_rejoined", { userId: s.userId, roomId }, s);
      }
      if (room.blackPlayer) return error(s, "Room is full", "ROOM_FULL");
      room.blackPlayer = s.userId;
      room.status = "active";
      room.version++;
      join(s, roomId);
      return toRoom(s.ns, roomId, "game_start", { ...room });
    }
    const entry = chessRooms.get(p.roomId);
    if (name === "make_move") {
      if (!entry) return error(s, "Room not found", "ROOM_NOT_FOUND");
      const { room, game } = entry;
      const color = room.whitePlayer === s.userId ? "white" : room.blackPlayer === s.userId ? "black" : null;
      if (!color) return error(s, "Not in this room", "NOT_IN_ROOM");
      if (room.status !== "active") return error(s, "Game is not active", "GAME_NOT_ACTIVE");
      if (color !== room.turn) return error(s, "Not your turn", "NOT_YOUR_TURN");
      const move = { from: p.from, to: p.to };
      if (p.promotion) move.promotion = p.promotion;
      let done;
      try {
        done = game.move(move);
      } catch (err) {
        return error(s, "Invalid move: " + err.message, "INVALID_MOVE");
      }
      room.fen = game.fen();
      room.moves.push(done.from + done.to + (done.promotion || ""));
      room.turn = game.turn() === "w" ? "white" : "black";
      room.ply++;
      room.version++;
      let termination = null;
      if (game.isCheckmate()) (room.status = "finished"), (room.winner = color), (termination = "checkmate");
      else if (game.isDraw() || game.isStalemate()) {
        room.status = "finished";
        room.winner = "draw";
        termination = game.isStalemate() ? "stalemate" : game.isThreefoldRepetition() ? "threefold_repetition" : game.isInsufficientMaterial() ? "insufficient_material" : "fifty_moves";
      }
      const update = { roomId: room.roomId, from: p.from, to: p.to };
      if (p.promotion) update.promotion = p.promotion;
      Object.assign(update, { fen: room.fen, turn: room.turn, status: room.status, winner: room.winner, san: done.san, ply: room.ply, version: room.version });
      toRoom(s.ns, room.roomId, "move_update", update);
      if (termination) toRoom(s.ns, room.roomId, "game_over", { roomId: room.roomId, winner: room.winner, reason: termination === "checkmate" ? "checkmate" : "draw", termination, version: room.version });
      return;
    }
    if (name === "resign") {
      if (!entry) return error(s, "Room not found", "ROOM_NOT_FOUND");
      const { room } = entry;
      const color = room.whitePlayer === s.userId ? "white" : room.blackPlayer === s.userId ? "black" : null;
      if (!color) return error(s, "Not in this room", "NOT_IN_ROOM");
      if (room.status === "finished") return error(s, "Game is already finished", "GAME_FINISHED");
      room.status = "finished";
      room.winner = color === "white" ? "black" : "white";
      room.version++;
      toRoom(s.ns, room.roomId, "game_over", { roomId: room.roomId, winner: room.winner, reason: "resignation", termination: "resignation", version: room.version });
    }
  }

  function video(s, name, p) {
    const create = s.ns === "/watch-along" ? "create_watch_room" : "create_sing_room";
    const joinEvt = s.ns === "/watch-along" ? "join_watch_room" : "join_sing_room";
    if (name === create) {
      if (!p.videoId || !p.videoUrl) return error(s, "videoId and videoUrl are required", "BAD_REQUEST");
      const roomId = newId();
      const roomCode = newCode(videoCodes);
      const room = { roomId, roomCode, hostId: s.userId, videoId: p.videoId, videoUrl: p.videoUrl, isPlaying: false, currentTime: 0, createdAt: new Date().toISOString(), participants: [s.userId], version: 1, serverTime: Date.now() };
      videoRooms.set(roomId, room);
      videoCodes.set(roomCode, roomId);
      join(s, roomId);
      return emit(s, "room_created", { ...room });
    }
    if (name === joinEvt) {
      const roomId = typeof p.roomId === "string" ? p.roomId : videoCodes.get(String(p.roomCode || "").trim());
      if (!p.roomId && !p.roomCode) return error(s, "roomId is required", "BAD_REQUEST");
      const room = roomId && videoRooms.get(roomId);
      if (!room) return error(s, "Room not found", "ROOM_NOT_FOUND");
      if (!room.participants.includes(s.userId)) room.participants.push(s.userId);
      join(s, roomId);
      emit(s, "room_joined", { ...room, isHost: room.hostId === s.userId });
      return toRoom(s.ns, roomId, "participant_joined", { userId: s.userId, roomId }, s);
    }
    const room = videoRooms.get(p.roomId);
    if (!room) return error(s, "Room not found", "ROOM_NOT_FOUND");
    if (["play", "pause", "seek"].includes(name)) {
      if (room.hostId !== s.userId) return error(s, "Only host can control playback", "FORBIDDEN");
      if (name !== "seek") room.isPlaying = name === "play";
      room.currentTime = Number(p.currentTime) || 0;
      room.serverTime = Date.now();
      room.version++;
      const evt = name === "play" ? "sync_play" : name === "pause" ? "sync_pause" : "sync_seek";
      return toRoom(s.ns, room.roomId, evt, { currentTime: room.currentTime, isPlaying: room.isPlaying, serverTime: room.serverTime });
    }
    if (name === "change_video") {
      if (room.hostId !== s.userId) return error(s, "Only host can change video", "FORBIDDEN");
      Object.assign(room, { videoId: p.videoId, videoUrl: p.videoUrl, currentTime: 0, isPlaying: false, serverTime: Date.now() });
      room.version++;
      return toRoom(s.ns, room.roomId, "sync_video", { videoId: p.videoId, videoUrl: p.videoUrl });
    }
  }

  function disconnect(s) {
    for (const roomId of [...s.rooms]) {
      leave(s, roomId);
      if (s.ns === "/play-along") toRoom(s.ns, roomId, "opponent_left", { userId: s.userId, roomId });
      else if (s.ns !== "/") {
        toRoom(s.ns, roomId, "participant_left", { userId: s.userId, roomId });
        const room = videoRooms.get(roomId);
        const rest = [...(members.get(`${s.ns}|${roomId}`) || [])];
        if (!room) continue;
        if (rest.length === 0) videoRooms.delete(roomId), videoCodes.delete(room.roomCode);
        else if (room.hostId === s.userId && !rest.some((m) => m.userId === s.userId)) {
          room.hostId = rest[0].userId;
          toRoom(s.ns, roomId, "host_changed", { roomId, hostId: room.hostId });
        }
      }
    }
  }

  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = server.address().port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    async stop() {
      for (const ws of connections) ws.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function serveHttp(webRoot, req, res) {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/") {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    return res.end(JSON.stringify({ status: "ok", server: "Engage Socket.IO Server (mock)" }));
  }
  if (url.pathname === "/app") {
    res.writeHead(301, { location: "/app/" });
    return res.end();
  }
  if (!url.pathname.startsWith("/app/") || !webRoot) return res.writeHead(404).end("Not Found");
  let rel = decodeURIComponent(url.pathname.slice(5)) || "index.html";
  if (rel.endsWith("/")) rel += "index.html";
  const file = path.resolve(webRoot, rel);
  if (!file.startsWith(path.resolve(webRoot) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    return res.writeHead(404).end("Not Found");
  }
  const data = fs.readFileSync(file);
  const headers = { "content-type": TYPES[path.extname(file)] || "application/octet-stream", "accept-ranges": "bytes", "cache-control": "no-cache" };
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || "");
  if (m && (m[1] || m[2])) {
    const start = m[1] ? Number(m[1]) : data.length - Number(m[2]);
    const end = m[1] && m[2] ? Math.min(Number(m[2]), data.length - 1) : data.length - 1;
    if (start >= data.length) return res.writeHead(416, { "content-range": `bytes */${data.length}` }).end();
    res.writeHead(206, { ...headers, "content-range": `bytes ${start}-${end}/${data.length}` });
    return res.end(req.method === "HEAD" ? undefined : data.subarray(start, end + 1));
  }
  res.writeHead(200, headers);
  res.end(req.method === "HEAD" ? undefined : data);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../web/dist");
  const m = await startMock({ webRoot: root, port: Number(process.argv[2] || 0) });
  console.log(`listening on 127.0.0.1:${m.port}`);
  console.log(`open ${m.url}/app/`);
}
