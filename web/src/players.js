// Video players behind one small interface: an HTML5 <video> for file URLs, YouTube's IFrame API.
import { h } from "./dom.js";
import { youtubeId } from "./status.js";

/**
 * The interface every player offers: ready (bool), time() seconds, duration() seconds,
 * paused(), play() → Promise, pause(), seek(t), setRate(r), destroy(). `onChange` is called
 * when metadata loads or playback state changes, `onError(message)` on a failure.
 */
class Html5Player {
  constructor(container, url, { onChange, onError }) {
    this.video = h("video", {
      class: "video",
      "data-testid": "video",
      playsInline: true,
      preload: "auto",
      src: url,
    });
    this.video.setAttribute("playsinline", "");
    this.ready = false;
    this.video.addEventListener("loadedmetadata", () => {
      this.ready = true;
      onChange();
    });
    for (const ev of ["play", "pause", "seeked", "durationchange"]) this.video.addEventListener(ev, () => onChange());
    this.video.addEventListener("error", () => onError("The video cannot be played: " + url));
    container.append(this.video);
  }
  time() {
    return this.video.currentTime || 0;
  }
  duration() {
    return Number.isFinite(this.video.duration) ? this.video.duration : 0;
  }
  paused() {
    return this.video.paused;
  }
  // Starts playback; when the browser refuses sound without a gesture, retries muted.
  async play() {
    try {
      await this.video.play();
      return true;
    } catch (err) {
      if (err && err.name === "NotAllowedError" && !this.video.muted) {
        this.video.muted = true;
        try {
          await this.video.play();
          return "muted";
        } catch {
          return false;
        }
      }
      return false;
    }
  }
  pause() {
    this.video.pause();
  }
  seek(t) {
    const d = this.duration();
    this.video.currentTime = Math.max(0, d ? Math.min(t, d) : t);
  }
  setRate(r) {
    if (this.video.playbackRate !== r) this.video.playbackRate = r;
  }
  muted() {
    return this.video.muted;
  }
  unmute() {
    this.video.muted = false;
  }
  destroy() {
    this.video.pause();
    this.video.removeAttribute("src");
    this.video.load();
    this.video.remove();
  }
}

let ytApi = null;

// Loads YouTube's IFrame API once; rejects when the network does not allow it within 8 s.
function loadYouTubeApi() {
  if (ytApi) return ytApi;
  ytApi = new Promise((resolve, reject) => {
    if (window.YT && window.YT.Player) return resolve(window.YT);
    const timer = setTimeout(() => reject(new Error("YouTube is not reachable from this network")), 8000);
    const previous = window.onYouTubeIframeAPIReady;
    window.onYouTubeIframeAPIReady = () => {
      clearTimeout(timer);
      if (typeof previous === "function") previous();
      resolve(window.YT);
    };
    const script = h("script", { src: "https://www.youtube.com/iframe_api", async: true });
    script.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new Error("YouTube is not reachable from this network"));
    });
    document.head.append(script);
  });
  ytApi.catch(() => {
    ytApi = null;
  });
  return ytApi;
}

class YouTubePlayer {
  constructor(container, id, { onChange, onError }) {
    this.ready = false;
    this.player = null;
    const slot = h("div", { class: "video yt", "data-testid": "youtube" });
    container.append(slot);
    this.slot = slot;
    loadYouTubeApi().then(
      (YT) => {
        if (!slot.isConnected) return;
        this.player = new YT.Player(slot, {
          videoId: id,
          playerVars: { controls: 0, playsinline: 1, rel: 0, disablekb: 1 },
          events: {
            onReady: () => {
              this.ready = true;
              onChange();
            },
            onStateChange: () => onChange(),
            onError: (e) => onError("YouTube error " + (e && e.data)),
          },
        });
      },
      (err) => onError(err.message),
    );
  }
  time() {
    return this.ready ? this.player.getCurrentTime() || 0 : 0;
  }
  duration() {
    return this.ready ? this.player.getDuration() || 0 : 0;
  }
  paused() {
    return !this.ready || this.player.getPlayerState() !== 1;
  }
  async play() {
    if (this.ready) this.player.playVideo();
    return this.ready;
  }
  pause() {
    if (this.ready) this.player.pauseVideo();
  }
  seek(t) {
    if (this.ready) this.player.seekTo(Math.max(0, t), true);
  }
  setRate() {
    // YouTube only offers coarse rates; drift is corrected by seeking instead.
  }
  muted() {
    return this.ready && this.player.isMuted();
  }
  unmute() {
    if (this.ready) this.player.unMute();
  }
  destroy() {
    if (this.player && this.player.destroy) this.player.destroy();
    this.slot.remove();
  }
}

/** Creates the right player for `url` inside `container`. */
export function createPlayer(container, url, callbacks) {
  const id = youtubeId(url);
  if (id) return new YouTubePlayer(container, id, callbacks);
  return new Html5Player(container, url, callbacks);
}
