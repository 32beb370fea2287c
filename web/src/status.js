// Pure functions that turn room state into the words on the page (tested without a browser).
import { Chess } from "chess.js";

const COLOR_NAME = { white: "White", black: "Black" };

const TERMINATION_TEXT = {
  checkmate: "checkmate",
  stalemate: "stalemate",
  threefold_repetition: "threefold repetition",
  fifty_moves: "fifty-move rule",
  insufficient_material: "insufficient material",
  timeout: "time out",
  agreement: "agreement",
  abandoned: "abandoned",
  resignation: "resignation",
};

/** Returns "white" | "black" | null: the colour `userId` plays in `room`. */
export function colorOf(room, userId) {
  if (!room || !userId) return null;
  if (room.whitePlayer === userId) return "white";
  if (room.blackPlayer === userId) return "black";
  return null;
}

/** Returns the colour that is not `color`. */
export function other(color) {
  return color === "white" ? "black" : "white";
}

/**
 * Returns the sentence describing a finished game from a `game_over` payload (or a finished
 * room, whose `winner` is known but whose reason may not be): e.g. "Checkmate — Black wins",
 * "Draw — stalemate", "White resigned — Black wins".
 */
export function resultText(over) {
  const winner = over.winner;
  const reason = over.reason;
  const termination = over.termination;
  const winnerText = winner === "white" || winner === "black" ? `${COLOR_NAME[winner]} wins` : "";
  if (reason === "checkmate" || termination === "checkmate") return `Checkmate — ${winnerText}`;
  if (reason === "resignation" || termination === "resignation") {
    const loser = winner === "white" || winner === "black" ? COLOR_NAME[other(winner)] : "A player";
    return `${loser} resigned — ${winnerText || "game over"}`;
  }
  if (winner === "draw" || reason === "draw") {
    const why = TERMINATION_TEXT[termination] || termination;
    return why ? `Draw — ${why}` : "Draw";
  }
  if (termination) {
    const why = TERMINATION_TEXT[termination] || termination;
    return winnerText ? `${winnerText} — ${why}` : `Game over — ${why}`;
  }
  return winnerText ? `Game over — ${winnerText}` : "Game over";
}

/**
 * Returns the status line for the chess room `room` seen by the player of colour `me`
 * (null for a spectator): waiting, whose turn (with check), or the result.
 * `over` is the last game_over payload for this room, if any; `inCheck` whether the side to
 * move is in check.
 */
export function statusText(room, me, { over = null, inCheck = false } = {}) {
  if (!room) return "Not in a room";
  if (room.status === "finished" || over) {
    return resultText(over || { winner: room.winner, reason: room.reason, termination: room.termination });
  }
  if (room.status === "waiting") {
    return `Waiting for an opponent — share the code ${room.roomCode || ""}`.trim();
  }
  const side = COLOR_NAME[room.turn] || room.turn;
  const check = inCheck ? " — check!" : "";
  if (me === room.turn) return `Your move (${room.turn})${check}`;
  if (me) return `${side} to move — waiting for your opponent${check}`;
  return `${side} to move${check}`;
}

/**
 * Returns the move list as rows [{n, white, black}] from SAN strings in play order.
 * `firstPly` is the ply number (1-based) of the first entry, for lists that start mid-game.
 */
export function moveRows(sans, firstPly = 1) {
  const rows = [];
  sans.forEach((san, i) => {
    const ply = firstPly + i;
    const n = Math.ceil(ply / 2);
    let row = rows[rows.length - 1];
    if (!row || row.n !== n) {
      row = { n, white: "", black: "" };
      rows.push(row);
    }
    if (ply % 2 === 1) row.white = san;
    else row.black = san;
  });
  return rows;
}

/** Returns the YouTube video id of `url`, or null when it is not a YouTube URL. */
export function youtubeId(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const host = u.hostname.replace(/^www\.|^m\./, "");
  let id = null;
  if (host === "youtu.be") id = u.pathname.slice(1).split("/")[0];
  else if (host === "youtube.com" || host === "youtube-nocookie.com" || host === "music.youtube.com") {
    if (u.pathname === "/watch") id = u.searchParams.get("v");
    else {
      const m = u.pathname.match(/^\/(?:embed|shorts|live|v)\/([^/?#]+)/);
      if (m) id = m[1];
    }
  }
  return id && /^[A-Za-z0-9_-]{11}$/.test(id) ? id : null;
}

/** Returns a short id for a direct video URL (its file name without extension, max 64 chars). */
export function fileVideoId(url) {
  try {
    const name = new URL(url).pathname.split("/").pop() || "video";
    return decodeURIComponent(name).replace(/\.[^.]*$/, "").slice(0, 64) || "video";
  } catch {
    return "video";
  }
}

/**
 * Returns the playhead in seconds implied by a sync state {currentTime, isPlaying, serverTime}
 * at `nowMs` (client clock, ms since the epoch), corrected by `offsetMs` (server minus client).
 */
export function playhead(state, nowMs, offsetMs = 0) {
  const base = Number(state.currentTime) || 0;
  if (!state.isPlaying || !state.serverTime) return base;
  const elapsed = (nowMs + offsetMs - Number(state.serverTime)) / 1000;
  return base + Math.max(0, elapsed);
}

const UCI = /^[a-h][1-8][a-h][1-8][qrbn]?$/;

/**
 * Returns the SAN list of a room's `moves` (the server stores UCI strings such as "e7e8q";
 * SAN strings or {san} objects are taken as they are), or null when the UCI moves do not
 * replay from the start position to `fen`.
 */
export function sanList(moves, fen) {
  if (moves.length > 0 && moves.every((m) => typeof m === "string" && UCI.test(m))) {
    const replay = new Chess();
    try {
      for (const m of moves) replay.move({ from: m.slice(0, 2), to: m.slice(2, 4), promotion: m[4] });
    } catch {
      return null;
    }
    const sans = replay.history();
    return !fen || replay.fen().split(" ").slice(0, 4).join(" ") === String(fen).split(" ").slice(0, 4).join(" ") ? sans : null;
  }
  const list = moves.map((m) => (typeof m === "string" ? m : m && m.san));
  return list.every(Boolean) ? list : null;
}
