// The chess room page: board, move list, status, presence, resign, rejoin after a drop.
import { Chessboard, COLOR, INPUT_EVENT_TYPE, FEN } from "cm-chessboard/src/Chessboard.js";
import { Markers, MARKER_TYPE } from "cm-chessboard/src/extensions/markers/Markers.js";
import {
  PromotionDialog,
  PROMOTION_DIALOG_RESULT_TYPE,
} from "cm-chessboard/src/extensions/promotion-dialog/PromotionDialog.js";
import { Chess } from "chess.js";
import { h, replaceChildren } from "./dom.js";
import { connect, trackConnection } from "./net.js";
import { colorOf, moveRows, other, sanList, statusText } from "./status.js";

/* global __ASSETS_URL__ */
const ASSETS_URL = typeof __ASSETS_URL__ === "string" ? __ASSETS_URL__ : "./assets/";

/** Returns the join payload for what the user typed or the link carried: a code or a roomId. */
export function joinPayload(codeOrId) {
  const v = String(codeOrId || "").trim();
  return /^room_/.test(v) ? { roomId: v } : { roomCode: v.toUpperCase() };
}

/** Returns the number of half-moves played in the position `fen` (from its move counters). */
function plyOfFen(fen) {
  const parts = String(fen || "").split(" ");
  const full = parseInt(parts[5], 10);
  if (!Number.isFinite(full) || full < 1) return 0;
  return (full - 1) * 2 + (parts[1] === "b" ? 1 : 0);
}

const movesKey = (roomId) => "engage.moves." + roomId;

/**
 * Mounts the chess page into `root` for `userId`. `target` is {create: true} or {code}.
 * Returns a function that unmounts it (closes the socket, destroys the board).
 */
export function mountChess(root, { userId, target, connEl }) {
  const socket = connect("/play-along", userId);
  trackConnection(socket, connEl);
  let me = userId;
  let room = null; // the last full room state (room_created / game_start, updated by moves)
  let over = null; // the last game_over payload for this room
  let myColor = null;
  let sans = []; // SAN of the moves we know, in order
  let firstPly = 1; // ply number of sans[0]
  let confirmedFen = FEN.start; // the position the server last confirmed
  let pending = null; // a move sent and not yet confirmed
  let createSent = false;
  let presence = "";
  let settling = 0; // board position changes still animating (see settle())
  let destroyed = false;
  const game = new Chess();

  const codeEl = h("strong", { class: "code", "data-testid": "room-code" });
  const linkEl = h("input", { class: "share", readOnly: true, "aria-label": "Share link", "data-testid": "share-link" });
  const copyBtn = h("button", { type: "button", class: "secondary", text: "Copy link", onClick: copyLink });
  const statusEl = h("p", { class: "status", "data-testid": "status", role: "status" });
  const errorEl = h("p", { class: "error", "data-testid": "error", role: "alert" });
  const opponentEl = h("p", { class: "presence", "data-testid": "opponent" });
  const playersEl = h("p", { class: "players", "data-testid": "players" });
  const movesEl = h("ol", { class: "moves", "data-testid": "moves", "aria-label": "Moves" });
  const resignBtn = h("button", { type: "button", class: "danger", text: "Resign", disabled: true, onClick: resign });
  const boardEl = h("div", { class: "board-host", "data-testid": "board" });
  replaceChildren(
    root,
    h(
      "section",
      { class: "chess" },
      h("div", { class: "board-wrap" }, boardEl),
      h(
        "aside",
        { class: "side" },
        h("p", { class: "room" }, "Room code ", codeEl),
        h("div", { class: "share-row" }, linkEl, copyBtn),
        playersEl,
        statusEl,
        opponentEl,
        errorEl,
        h("div", { class: "actions" }, resignBtn, h("a", { href: "#/", class: "button secondary", text: "Leave" })),
        h("h2", { text: "Moves" }),
        movesEl,
      ),
    ),
  );

  const board = new Chessboard(boardEl, {
    position: FEN.start,
    orientation: COLOR.white,
    assetsUrl: ASSETS_URL,
    style: { cssClass: "default", showCoordinates: true, animationDuration: 200 },
    extensions: [{ class: Markers, props: { autoMarkers: MARKER_TYPE.frame } }, { class: PromotionDialog }],
  });
  board.enableMoveInput(onMoveInput);
  publishInput();
  statusEl.textContent = target.create ? "Creating a game…" : "Joining…";

  socket.on("connected", (d) => {
    if (d && typeof d.userId === "string" && d.userId) me = d.userId;
  });
  socket.on("connect", () => {
    if (room) socket.emit("join_chess_room", { roomId: room.roomId });
    else if (target.create) {
      if (!createSent) {
        createSent = true;
        socket.emit("create_chess_room");
      }
    } else socket.emit("join_chess_room", joinPayload(target.code));
  });
  socket.on("room_created", (r) => {
    if (!r || typeof r.roomId !== "string" || room) return;
    applyRoom(r);
    if (r.roomCode) history.replaceState(null, "", "#/chess/" + encodeURIComponent(r.roomCode));
  });
  socket.on("game_start", (r) => {
    if (!r || typeof r.roomId !== "string") return;
    if (room && r.roomId !== room.roomId) return;
    const wasWaiting = room && room.status === "waiting";
    applyRoom(r);
    if (wasWaiting && r.blackPlayer && myColor === "white") setPresence(`${r.blackPlayer} joined`);
  });
  socket.on("move_update", onMoveUpdate);
  socket.on("game_over", (g) => {
    if (!room || !g || g.roomId !== room.roomId) return;
    over = g;
    room.status = "finished";
    room.winner = g.winner;
    if (typeof g.version === "number") room.version = Math.max(room.version || 0, g.version);
    render();
  });
  socket.on("opponent_left", (d) => {
    if (!room || !d || d.roomId !== room.roomId || d.userId === me) return;
    setPresence(`${d.userId} left the game — waiting for them to come back`);
  });
  socket.on("opponent_rejoined", (d) => {
    if (!room || !d || d.roomId !== room.roomId || d.userId === me) return;
    setPresence(`${d.userId} came back`);
  });
  socket.on("error", (e) => {
    const message = (e && (e.message || e.code)) || "Unknown error";
    errorEl.textContent = message;
    if (pending) {
      pending = null;
      settle(board.setPosition(confirmedFen, true));
    }
    publishInput();
    if (!room) statusEl.textContent = "Could not enter the room";
  });

  function applyRoom(r) {
    const sameRoom = room && room.roomId === r.roomId;
    room = { ...(sameRoom ? room : {}), ...r };
    myColor = colorOf(room, me);
    confirmedFen = r.fen || FEN.start;
    pending = null;
    try {
      game.load(confirmedFen);
    } catch {
      game.reset();
    }
    const ply = typeof r.ply === "number" ? r.ply : plyOfFen(confirmedFen);
    restoreMoves(r, ply, sameRoom);
    if (r.status === "finished" && !over) {
      over = r.reason || r.termination ? { winner: r.winner, reason: r.reason, termination: r.termination } : null;
    }
    if (r.status !== "finished") over = null;
    const orientation = myColor === "black" ? COLOR.black : COLOR.white;
    if (board.getOrientation() !== orientation) settle(board.setOrientation(orientation));
    settle(board.setPosition(confirmedFen, false));
    errorEl.textContent = "";
    render();
  }

  // Takes the move list from the room when the server sends one, else from this tab's
  // session storage when it still matches the position, else starts it empty.
  function restoreMoves(r, ply, sameRoom) {
    let list = null;
    if (Array.isArray(r.moves)) list = sanList(r.moves, r.fen);
    if (!list && sameRoom && firstPly + sans.length - 1 === ply) return;
    if (!list) {
      try {
        const saved = JSON.parse(sessionStorage.getItem(movesKey(r.roomId)) || "null");
        if (saved && saved.fen === r.fen && Array.isArray(saved.sans)) {
          sans = saved.sans;
          firstPly = saved.firstPly;
          return;
        }
      } catch {
        // Corrupt or unavailable storage: start the list empty.
      }
    }
    sans = list || [];
    firstPly = ply - sans.length + 1;
  }

  function saveMoves() {
    if (!room) return;
    try {
      sessionStorage.setItem(movesKey(room.roomId), JSON.stringify({ fen: room.fen, sans, firstPly }));
    } catch {
      // Storage full or disabled: the list is kept for this page only.
    }
  }

  function onMoveUpdate(u) {
    if (!room || !u || u.roomId !== room.roomId) return;
    if (typeof u.version === "number" && typeof room.version === "number") {
      if (u.version <= room.version) return; // stale or duplicate
      if (u.version > room.version + 1) socket.emit("join_chess_room", { roomId: room.roomId }); // gap: ask again
    }
    const ply = typeof u.ply === "number" ? u.ply : plyOfFen(u.fen);
    const san = u.san || `${u.from}-${u.to}`;
    if (sans.length === 0 && ply >= 1) firstPly = ply;
    const index = ply - firstPly;
    if (index >= 0) {
      while (sans.length < index) sans.push("…");
      sans.length = index;
      sans.push(san);
    }
    Object.assign(room, {
      fen: u.fen,
      turn: u.turn,
      status: u.status,
      winner: u.winner,
      version: typeof u.version === "number" ? u.version : room.version,
      ply,
    });
    confirmedFen = u.fen;
    pending = null;
    try {
      game.load(u.fen);
    } catch {
      game.reset();
    }
    settle(board.setPosition(u.fen, true));
    board.removeMarkers(MARKER_TYPE.square);
    if (u.from) board.addMarker(MARKER_TYPE.square, u.from);
    if (u.to) board.addMarker(MARKER_TYPE.square, u.to);
    errorEl.textContent = "";
    saveMoves();
    render();
  }

  function canMove() {
    return !!room && room.status === "active" && !over && myColor === room.turn && !pending;
  }

  // Tracks a board change (setPosition/setOrientation) until its animation has finished.
  // cm-chessboard runs position changes one after another, and a click move of ours stays
  // "in progress" (further clicks ignored) until everything queued before it has been drawn;
  // so the board takes input again only when every change we queued has settled.
  function settle(promise) {
    settling++;
    publishInput();
    Promise.resolve(promise)
      .catch(() => {})
      .then(() => {
        settling--;
        // After cm-chessboard's own continuations (it resets its input state in a .then).
        setTimeout(publishInput, 0);
      });
  }

  // Publishes the board's input state for people and automation: data-input="ready" when a
  // click or drag of ours will be taken (our turn, nothing pending, the board at rest), else
  // "wait"; data-position and data-orientation ("w" or "b": the side at the bottom) are what
  // is drawn once the board is at rest.
  function publishInput() {
    if (destroyed) return;
    const atRest = settling === 0;
    boardEl.dataset.input = atRest && canMove() ? "ready" : "wait";
    if (atRest) {
      boardEl.dataset.position = board.getPosition();
      boardEl.dataset.orientation = board.getOrientation();
    }
  }

  function sendMove(from, to, promotion) {
    pending = { from, to, promotion };
    const move = { roomId: room.roomId, from, to };
    if (promotion) move.promotion = promotion;
    socket.emit("make_move", move);
  }

  // Handles cm-chessboard's move input: legal-move hints from chess.js, every drop sent to
  // the server (the judge); a drop the hints call illegal snaps back at once, and the
  // server's answer (move_update or error) settles the board either way.
  function onMoveInput(event) {
    switch (event.type) {
      case INPUT_EVENT_TYPE.moveInputStarted: {
        if (!canMove()) return false;
        const piece = event.piece || "";
        if (piece.charAt(0) !== myColor.charAt(0)) return false;
        boardEl.dataset.selected = event.squareFrom;
        board.removeLegalMovesMarkers();
        board.addLegalMovesMarkers(game.moves({ square: event.squareFrom, verbose: true }));
        return true;
      }
      case INPUT_EVENT_TYPE.validateMoveInput: {
        board.removeLegalMovesMarkers();
        delete boardEl.dataset.selected;
        // Our own move lands at once instead of sliding: cm-chessboard ignores the next click
        // until this move's animation has run, and the opponent may answer within it.
        event.animate = false;
        const from = event.squareFrom;
        const to = event.squareTo;
        const legal = game.moves({ square: from, verbose: true }).filter((m) => m.to === to);
        if (legal.length > 0 && legal[0].promotion) {
          pending = { from, to };
          publishInput();
          board.showPromotionDialog(to, myColor === "white" ? COLOR.white : COLOR.black, (result) => {
            if (result && result.type === PROMOTION_DIALOG_RESULT_TYPE.pieceSelected && result.piece) {
              sendMove(from, to, result.piece.charAt(1));
            } else {
              pending = null;
              settle(board.setPosition(confirmedFen, true));
              publishInput();
            }
          });
          return true;
        }
        sendMove(from, to);
        publishInput();
        return legal.length > 0;
      }
      case INPUT_EVENT_TYPE.moveInputCanceled:
        board.removeLegalMovesMarkers();
        delete boardEl.dataset.selected;
        return undefined;
      default:
        return undefined;
    }
  }

  function resign() {
    if (!room || room.status === "finished") return;
    socket.emit("resign", { roomId: room.roomId });
  }

  function copyLink() {
    linkEl.select();
    if (navigator.clipboard) navigator.clipboard.writeText(linkEl.value).catch(() => {});
  }

  function setPresence(text) {
    presence = text;
    render();
  }

  function render() {
    if (!room) return;
    codeEl.textContent = room.roomCode || room.roomId;
    linkEl.value = `${location.origin}${location.pathname}#/chess/${encodeURIComponent(room.roomCode || room.roomId)}`;
    const white = room.whitePlayer || "—";
    const black = room.blackPlayer || "(waiting)";
    playersEl.textContent = `White: ${white} · Black: ${black}` + (myColor ? ` · you play ${myColor}` : " · you are watching");
    statusEl.textContent = statusText(room, myColor, { over, inCheck: room.status === "active" && game.inCheck() });
    statusEl.dataset.state = room.status === "finished" || over ? "finished" : room.status;
    opponentEl.textContent = presence;
    resignBtn.disabled = !myColor || room.status === "finished" || !!over;
    publishInput();
    const rows = moveRows(sans, firstPly);
    replaceChildren(
      movesEl,
      rows.map((row) => h("li", { value: row.n }, h("span", { class: "w", text: row.white || "…" }), " ", h("span", { class: "b", text: row.black }))),
    );
    board.removeMarkers(MARKER_TYPE.circleDanger);
    if (room.status === "active" && game.inCheck()) {
      const king = findKing(room.turn);
      if (king) board.addMarker(MARKER_TYPE.circleDanger, king);
    }
    if (opponentOf()) document.title = `engage — ${statusEl.textContent}`;
  }

  function opponentOf() {
    if (!room || !myColor) return null;
    return other(myColor) === "white" ? room.whitePlayer : room.blackPlayer;
  }

  function findKing(color) {
    const want = color === "white" ? "wk" : "bk";
    for (const file of "abcdefgh") {
      for (let rank = 1; rank <= 8; rank++) {
        if (board.getPiece(file + rank) === want) return file + rank;
      }
    }
    return null;
  }

  return () => {
    destroyed = true;
    socket.disconnect();
    board.destroy();
  };
}
