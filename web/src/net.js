// Identity (display name = userId in localStorage) and Socket.IO connections to the server.
import { io } from "socket.io-client";

const NAME_KEY = "engage.userId";

/** Returns the stored display name (the userId), or "" when none was chosen yet. */
export function storedName() {
  try {
    return localStorage.getItem(NAME_KEY) || "";
  } catch {
    return "";
  }
}

/** Stores `name` (trimmed, at most 40 characters) as the userId and returns it. */
export function saveName(name) {
  const clean = String(name || "").trim().slice(0, 40);
  try {
    if (clean) localStorage.setItem(NAME_KEY, clean);
  } catch {
    // Private mode without storage: the name lives for this page only.
  }
  return clean;
}

/** Returns a fresh guest name such as "guest-4821". */
export function guestName() {
  const n = crypto.getRandomValues(new Uint16Array(1))[0] % 10000;
  return "guest-" + String(n).padStart(4, "0");
}

/**
 * Opens a Socket.IO connection to `namespace` ("/play-along", "/watch-along", "/sing-along")
 * of the page's own origin, authenticated with `userId`. Reconnects forever with backoff.
 * WebSocket first, long-polling when WebSocket cannot connect.
 */
export function connect(namespace, userId) {
  return io(location.origin + namespace, {
    auth: { userId },
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: 20000,
  });
}

/** Shows the connection state of `socket` in the top bar element `el`. */
export function trackConnection(socket, el) {
  const show = (text, cls) => {
    el.textContent = text;
    el.className = "conn " + cls;
  };
  show("connecting…", "pending");
  socket.on("connect", () => show("online", "ok"));
  socket.on("disconnect", () => show("reconnecting…", "pending"));
  socket.on("connect_error", (err) => show("offline: " + (err && err.message), "bad"));
}
