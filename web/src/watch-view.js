// The watch-along / sing-along page: shared video, host controls, drift correction, members.
import { h, replaceChildren } from "./dom.js";
import { connect, trackConnection } from "./net.js";
import { createPlayer } from "./players.js";
import { fileVideoId, playhead, youtubeId } from "./status.js";

// Drift correction: above HARD_DRIFT_S the member seeks; between SOFT_DRIFT_S and that it
// plays a little faster or slower until it has caught up.
const HARD_DRIFT_S = 0.4;
const SOFT_DRIFT_S = 0.08;
const DRIFT_CHECK_MS = 250;

const KINDS = {
  watch: { ns: "/watch-along", create: "create_watch_room", join: "join_watch_room", title: "Watch-along" },
  sing: { ns: "/sing-along", create: "create_sing_room", join: "join_sing_room", title: "Sing-along" },
};

/** Returns the payload for create_*_room from a video URL. */
export function videoPayload(url) {
  return { videoId: youtubeId(url) || fileVideoId(url), videoUrl: url };
}

function fmt(t) {
  const s = Math.max(0, Math.floor(t || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * Mounts a watch/sing room page into `root`. `kind` is "watch" or "sing"; `target` is
 * {create: {videoUrl}} or {code}. Returns the unmount function.
 */
export function mountWatch(root, { userId, kind, target, connEl }) {
  const K = KINDS[kind] || KINDS.watch;
  const socket = connect(K.ns, userId);
  trackConnection(socket, connEl);
  let room = null;
  let isHost = false;
  let player = null;
  let playerUrl = "";
  let sync = { currentTime: 0, isPlaying: false, serverTime: Date.now() };
  let createSent = false;
  const participants = new Map(); // userId → "here" | "left"

  const codeEl = h("strong", { class: "code", "data-testid": "room-code" });
  const linkEl = h("input", { class: "share", readOnly: true, "aria-label": "Share link", "data-testid": "share-link" });
  const statusEl = h("p", { class: "status", "data-testid": "status", role: "status", text: "Connecting…" });
  const errorEl = h("p", { class: "error", "data-testid": "error", role: "alert" });
  const hostEl = h("p", { class: "host", "data-testid": "host" });
  const listEl = h("ul", { class: "participants", "data-testid": "participants", "aria-label": "Participants" });
  const stage = h("div", { class: "stage" });
  const timeEl = h("span", { class: "time", "data-testid": "time", text: "0:00 / 0:00" });
  const playBtn = h("button", { type: "button", text: "Play", onClick: hostPlay });
  const pauseBtn = h("button", { type: "button", text: "Pause", onClick: hostPause });
  const seekEl = h("input", {
    type: "range",
    min: "0",
    max: "0",
    step: "0.1",
    value: "0",
    "aria-label": "Seek",
    "data-testid": "seek",
    onChange: () => hostSeek(parseFloat(seekEl.value)),
  });
  const urlEl = h("input", { type: "url", "aria-label": "New video URL", placeholder: "https://…", "data-testid": "new-video-url" });
  const changeBtn = h("button", { type: "button", class: "secondary", text: "Change video", onClick: hostChangeVideo });
  const unmuteBtn = h("button", { type: "button", class: "secondary", text: "Unmute", hidden: true, onClick: () => {
    if (player) player.unmute();
    unmuteBtn.hidden = true;
  } });
  replaceChildren(
    root,
    h(
      "section",
      { class: "watch" },
      h("div", { class: "stage-wrap" }, stage, h("div", { class: "controls" }, playBtn, pauseBtn, seekEl, timeEl, unmuteBtn)),
      h(
        "aside",
        { class: "side" },
        h("h1", { text: K.title }),
        h("p", { class: "room" }, "Room code ", codeEl),
        h("div", { class: "share-row" }, linkEl),
        statusEl,
        hostEl,
        errorEl,
        h("div", { class: "change-row" }, urlEl, changeBtn),
        h("h2", { text: "Participants" }),
        listEl,
        h("div", { class: "actions" }, h("a", { href: "#/", class: "button secondary", text: "Leave" })),
      ),
    ),
  );
  render();

  socket.on("connect", () => {
    if (room) socket.emit(K.join, { roomId: room.roomId });
    else if (target.create) {
      if (!createSent) {
        createSent = true;
        socket.emit(K.create, videoPayload(target.create.videoUrl));
      }
    } else {
      const code = String(target.code || "").trim();
      socket.emit(K.join, /^room_/.test(code) ? { roomId: code } : { roomCode: code.toUpperCase() });
    }
  });
  socket.on("room_created", (r) => {
    if (!r || typeof r.roomId !== "string" || room) return;
    enterRoom(r, true);
    history.replaceState(null, "", `#/${kind}/${encodeURIComponent(r.roomCode || r.roomId)}`);
  });
  socket.on("room_joined", (r) => {
    if (!r || typeof r.roomId !== "string") return;
    enterRoom(r, r.isHost === true || r.hostId === userId);
  });
  socket.on("sync_play", (d) => onSync(d, true));
  socket.on("sync_pause", (d) => onSync(d, false));
  socket.on("sync_seek", (d) => onSync(d, undefined));
  socket.on("sync_video", (d) => {
    if (!room || !d) return;
    room.videoUrl = d.videoUrl;
    room.videoId = d.videoId;
    sync = { currentTime: 0, isPlaying: false, serverTime: Number(d.serverTime) || Date.now() };
    loadVideo(d.videoUrl);
    render();
  });
  socket.on("participant_joined", (d) => {
    if (d && d.userId) participants.set(d.userId, "here");
    render();
  });
  socket.on("participant_left", (d) => {
    if (d && d.userId) participants.set(d.userId, "left");
    render();
  });
  socket.on("host_changed", (d) => {
    if (!room || !d) return;
    room.hostId = d.hostId;
    isHost = d.hostId === userId;
    statusEl.textContent = isHost ? "You are now the host" : `${d.hostId} is now the host`;
    render();
  });
  socket.on("room_closed", (d) => {
    statusEl.textContent = "The room was closed" + (d && d.reason ? ` (${d.reason})` : "");
    room = null;
    render();
  });
  socket.on("error", (e) => {
    errorEl.textContent = (e && (e.message || e.code)) || "Unknown error";
    if (!room) statusEl.textContent = "Could not enter the room";
  });

  function enterRoom(r, host) {
    room = { ...r };
    isHost = host;
    participants.clear();
    for (const p of Array.isArray(r.participants) ? r.participants : []) participants.set(p, "here");
    participants.set(userId, "here");
    sync = {
      currentTime: Number(r.currentTime) || 0,
      isPlaying: !!r.isPlaying,
      serverTime: Number(r.serverTime) || Date.now(),
    };
    errorEl.textContent = "";
    statusEl.textContent = isHost ? "You are the host" : "Following the host";
    if (r.videoUrl !== playerUrl) loadVideo(r.videoUrl);
    follow(true);
    render();
  }

  function onSync(d, playing) {
    if (!room || !d) return;
    if (d.roomId && d.roomId !== room.roomId) return;
    sync = {
      currentTime: d.currentTime === undefined ? playhead(sync, Date.now()) : Number(d.currentTime) || 0,
      isPlaying: typeof d.isPlaying === "boolean" ? d.isPlaying : playing === undefined ? sync.isPlaying : playing,
      serverTime: Number(d.serverTime) || Date.now(),
    };
    follow(true);
    render();
  }

  function loadVideo(url) {
    if (player) player.destroy();
    player = null;
    playerUrl = url || "";
    if (!url) return;
    player = createPlayer(stage, url, {
      onChange: () => {
        if (player && player.ready) follow(false);
        renderTime();
      },
      onError: (message) => {
        errorEl.textContent = message;
      },
    });
  }

  // Brings the local player to the server's playhead. `hard` (a new sync state) seeks on any
  // noticeable difference; the periodic check only corrects real drift.
  function follow(hard) {
    if (!player || !player.ready) return;
    const target = playhead(sync, Date.now());
    const drift = player.time() - target;
    if (sync.isPlaying) {
      if (Math.abs(drift) > (hard ? 0.15 : HARD_DRIFT_S)) {
        player.seek(target);
        player.setRate(1);
      } else if (Math.abs(drift) > SOFT_DRIFT_S) player.setRate(drift > 0 ? 0.95 : 1.05);
      else player.setRate(1);
      if (player.paused()) {
        player.play().then((result) => {
          if (result === "muted") unmuteBtn.hidden = false;
        });
      }
    } else {
      if (!player.paused()) player.pause();
      player.setRate(1);
      if (Math.abs(drift) > 0.05) player.seek(target);
    }
  }

  const timer = setInterval(() => {
    follow(false);
    renderTime();
  }, DRIFT_CHECK_MS);

  function hostPlay() {
    if (!room || !isHost || !player) return;
    const t = player.time();
    sync = { currentTime: t, isPlaying: true, serverTime: Date.now() };
    follow(true);
    socket.emit("play", { roomId: room.roomId, currentTime: t });
  }
  function hostPause() {
    if (!room || !isHost || !player) return;
    const t = player.time();
    sync = { currentTime: t, isPlaying: false, serverTime: Date.now() };
    follow(true);
    socket.emit("pause", { roomId: room.roomId, currentTime: t });
  }
  function hostSeek(t) {
    if (!room || !isHost || !Number.isFinite(t)) return;
    sync = { ...sync, currentTime: t, serverTime: Date.now() };
    follow(true);
    socket.emit("seek", { roomId: room.roomId, currentTime: t });
  }
  function hostChangeVideo() {
    const url = urlEl.value.trim();
    if (!room || !isHost || !url) return;
    try {
      new URL(url, location.href);
    } catch {
      errorEl.textContent = "That is not a URL";
      return;
    }
    const absolute = new URL(url, location.href).href;
    socket.emit("change_video", { roomId: room.roomId, ...videoPayload(absolute) });
  }

  function renderTime() {
    if (!player) return;
    const d = player.duration();
    timeEl.textContent = `${fmt(player.time())} / ${fmt(d)}`;
    if (d && seekEl.max !== String(d)) seekEl.max = String(d);
    if (document.activeElement !== seekEl) seekEl.value = String(player.time());
  }

  function render() {
    const inRoom = !!room;
    codeEl.textContent = inRoom ? room.roomCode || room.roomId : "";
    linkEl.value = inRoom ? `${location.origin}${location.pathname}#/${kind}/${encodeURIComponent(room.roomCode || room.roomId)}` : "";
    for (const el of [playBtn, pauseBtn, seekEl, urlEl, changeBtn]) {
      el.disabled = !inRoom || !isHost;
      el.title = isHost ? "" : "Only the host controls playback";
    }
    hostEl.textContent = inRoom ? (isHost ? "Host: you" : `Host: ${room.hostId}`) : "";
    replaceChildren(
      listEl,
      [...participants.entries()].map(([id, state]) =>
        h("li", { class: state, "data-user": id }, id, id === userId ? " (you)" : "", room && id === room.hostId ? " ★ host" : "", state === "left" ? " — left" : ""),
      ),
    );
    renderTime();
  }

  return () => {
    clearInterval(timer);
    socket.disconnect();
    if (player) player.destroy();
  };
}
