// Entry point: the hash router (#/, #/chess/<code>, #/watch/<code>, #/sing/<code>) and the lobby.
import { h, replaceChildren } from "./dom.js";
import { guestName, saveName, storedName } from "./net.js";
import { mountChess } from "./chess-view.js";
import { mountWatch } from "./watch-view.js";

const app = document.getElementById("app");
const meEl = document.querySelector("[data-testid=me]");
const connEl = document.querySelector("[data-testid=connection]");
let unmount = null;

/** Returns the user's name (the userId), choosing and storing a guest name the first time. */
function currentUser() {
  return storedName() || saveName(guestName());
}

function showMe() {
  meEl.textContent = "You: " + currentUser();
}

/** Parses the hash into {view, code?, create?}. */
export function parseRoute(hash) {
  const parts = String(hash || "").replace(/^#\/?/, "").split("/");
  const view = parts[0] || "";
  if (view === "chess" && parts[1]) {
    return parts[1] === "new" ? { view, create: true } : { view, code: decodeURIComponent(parts[1]) };
  }
  if ((view === "watch" || view === "sing") && parts[1]) {
    if (parts[1] === "new") return { view, create: { videoUrl: decodeURIComponent(parts.slice(2).join("/")) } };
    return { view, code: decodeURIComponent(parts[1]) };
  }
  return { view: "lobby" };
}

function route() {
  if (unmount) {
    unmount();
    unmount = null;
  }
  connEl.textContent = "";
  showMe();
  const r = parseRoute(location.hash);
  const userId = currentUser();
  if (r.view === "chess") unmount = mountChess(app, { userId, target: r, connEl });
  else if (r.view === "watch" || r.view === "sing") {
    if (r.create && !r.create.videoUrl) {
      location.hash = "#/";
      return;
    }
    unmount = mountWatch(app, { userId, kind: r.view, target: r, connEl });
  } else lobby();
}

function lobby() {
  document.title = "engage — play chess, watch together";
  const sample = new URL("media/sample.webm", location.href).href;
  const nameEl = h("input", {
    id: "name",
    "aria-label": "Your name",
    "data-testid": "name",
    maxLength: 40,
    autocomplete: "nickname",
    value: currentUser(),
  });
  const saveCurrentName = () => {
    const name = saveName(nameEl.value) || currentUser();
    nameEl.value = name;
    showMe();
    return name;
  };
  nameEl.addEventListener("change", saveCurrentName);
  const codeEl = h("input", {
    "aria-label": "Room code",
    "data-testid": "join-code",
    placeholder: "6-digit code",
    inputMode: "numeric",
    autocomplete: "off",
    maxLength: 64,
  });
  const videoEl = h("input", { type: "url", "aria-label": "Video URL", "data-testid": "video-url", value: sample });
  const kindEl = h(
    "select",
    { "aria-label": "Room kind", "data-testid": "room-kind" },
    h("option", { value: "watch", text: "Watch-along" }),
    h("option", { value: "sing", text: "Sing-along" }),
  );
  const watchCodeEl = h("input", {
    "aria-label": "Watch room code",
    "data-testid": "watch-code",
    placeholder: "room code",
    autocomplete: "off",
    maxLength: 64,
  });
  const errorEl = h("p", { class: "error", role: "alert", "data-testid": "lobby-error" });

  const go = (hash) => {
    saveCurrentName();
    location.hash = hash;
  };
  const joinChess = (e) => {
    e.preventDefault();
    const code = codeEl.value.trim();
    if (!code) {
      errorEl.textContent = "Type the code your friend sent you";
      return;
    }
    go("#/chess/" + encodeURIComponent(code.toUpperCase()));
  };
  const createWatch = (e) => {
    e.preventDefault();
    let url;
    try {
      url = new URL(videoEl.value.trim(), location.href).href;
    } catch {
      errorEl.textContent = "That video URL is not valid";
      return;
    }
    go(`#/${kindEl.value}/new/${encodeURIComponent(url)}`);
  };
  const joinWatch = (e) => {
    e.preventDefault();
    const code = watchCodeEl.value.trim();
    if (!code) {
      errorEl.textContent = "Type the room code";
      return;
    }
    go(`#/${kindEl.value}/${encodeURIComponent(code)}`);
  };

  replaceChildren(
    app,
    h(
      "section",
      { class: "lobby" },
      h("h1", { text: "Play chess or watch together" }),
      h("p", {}, h("label", { for: "name", text: "Your name " }), nameEl),
      h(
        "div",
        { class: "cards" },
        h(
          "form",
          { class: "card", onSubmit: joinChess, "aria-label": "Chess" },
          h("h2", { text: "Chess" }),
          h("p", { text: "Create a game and send the 6-digit code to a friend, or join theirs." }),
          h("button", { type: "button", text: "Create game", onClick: () => go("#/chess/new") }),
          h("div", { class: "row" }, codeEl, h("button", { type: "submit", text: "Join" })),
        ),
        h(
          "form",
          { class: "card", onSubmit: joinWatch, "aria-label": "Watch together" },
          h("h2", { text: "Watch together" }),
          h("p", { text: "A direct video file URL or a YouTube link (YouTube needs internet access)." }),
          h("div", { class: "row" }, kindEl, videoEl),
          h("button", { type: "button", text: "Create watch room", onClick: createWatch }),
          h("div", { class: "row" }, watchCodeEl, h("button", { type: "submit", text: "Join watch room" })),
        ),
      ),
      errorEl,
    ),
  );
}

window.addEventListener("hashchange", route);
route();
