// Browser test of watch-along: the host plays, pauses and seeks a local video; the member follows.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchBrowser, newPerson, openLobby, screenshot, startTarget, text, until, withFailureArtifacts } from "./lib/harness.mjs";

// The bound: the member's playhead is within this of the host's.
const TOLERANCE_S = 0.5;

let target;
let browser;

before(async () => {
  target = await startTarget();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (target) await target.stop();
});

/** Returns {t, paused, ready} of the page's <video>. */
function videoState(page) {
  return page.evaluate(() => {
    const v = document.querySelector("[data-testid=video]");
    return v ? { t: v.currentTime, paused: v.paused, ready: v.readyState >= 1 } : { t: NaN, paused: true, ready: false };
  });
}

/** Reads both playheads back to back and returns the member's minus the host's. */
async function drift(host, member) {
  const [h, m] = await Promise.all([videoState(host), videoState(member)]);
  return { drift: m.t - h.t, host: h, member: m };
}

/** Resolves once the member is within the tolerance of the host (and `extra` holds). */
async function follows(host, member, what, extra = () => true) {
  let last;
  try {
    await until(
      async () => {
        last = await drift(host, member);
        return Math.abs(last.drift) < TOLERANCE_S && extra(last);
      },
      3000,
      what,
    );
  } catch (err) {
    throw new Error(`${err.message}; last reading ${JSON.stringify(last)}`);
  }
  return last;
}

describe("watch-along in the browser", () => {
  test(
    "the member follows the host's play, pause and seek within 0.5 s",
    withFailureArtifacts("watch", async (pages) => {
      const host = await newPerson(browser, pages);
      const member = await newPerson(browser, pages);
      await openLobby(host, target.url, "hana");
      const videoUrl = `${target.url}/app/media/sample.webm`;
      await host.getByTestId("video-url").fill(videoUrl);
      await host.getByRole("button", { name: "Create watch room", exact: true }).click();
      const codeEl = host.getByTestId("room-code");
      await until(async () => (await codeEl.textContent()).trim().length > 0, 10000, "the room code");
      const code = (await codeEl.textContent()).trim();

      await openLobby(member, target.url, "milo");
      await member.getByTestId("watch-code").fill(code);
      await member.getByRole("button", { name: "Join watch room", exact: true }).click();
      await until(async () => (await videoState(member)).ready && (await videoState(host)).ready, 10000, "both videos loaded");
      await until(async () => /milo/.test(await text(host, "participants")), 5000, "the host sees the member");
      assert.match(await text(member, "participants"), /hana/);
      assert.ok(await member.getByRole("button", { name: "Play", exact: true }).isDisabled(), "members cannot control playback");

      // Play: both advance together.
      await host.getByRole("button", { name: "Play", exact: true }).click();
      await until(async () => (await videoState(host)).t > 1.0, 5000, "the host's video playing");
      const playing = await follows(host, member, "the member playing along", (s) => !s.member.paused && s.member.t > 0.5);
      // A second later (by the host's video clock) they are still together.
      await until(async () => (await videoState(host)).t > playing.host.t + 1, 5000, "a second of playback");
      const later = await drift(host, member);
      assert.ok(!later.member.paused && later.member.t > playing.member.t, "the member keeps playing");
      assert.ok(Math.abs(later.drift) < TOLERANCE_S, `drift while playing ${later.drift.toFixed(3)} s`);

      // Pause: both stop at the same frame.
      await host.getByRole("button", { name: "Pause", exact: true }).click();
      const paused = await follows(host, member, "the member paused", (s) => s.member.paused && s.host.paused);
      assert.ok(paused.member.t > 1.0);

      // Seek while paused, then play from there.
      await host.getByTestId("seek").fill("12");
      await follows(host, member, "the member at 12 s", (s) => Math.abs(s.member.t - 12) < TOLERANCE_S && s.member.paused);
      await host.getByRole("button", { name: "Play", exact: true }).click();
      await follows(host, member, "the member playing from 12 s", (s) => !s.member.paused && s.member.t > 12.2);
      await screenshot(host, "watch-host");
      await screenshot(member, "watch-member");

      for (const p of [host, member]) assert.deepEqual(p.problems, [], "uncaught errors or console errors on the page");

      // Host hand-over: the host leaves, the member becomes the host and may control playback.
      await host.context().close();
      await until(async () => /you/i.test(await text(member, "host")), 5000, "the member to become host");
      assert.ok(await member.getByRole("button", { name: "Pause", exact: true }).isEnabled());
      await member.getByRole("button", { name: "Pause", exact: true }).click();
      await until(async () => (await videoState(member)).paused, 3000, "the new host's pause");
      await member.context().close();
    }),
  );

  test(
    "sing-along: a member joins by the share link, sees who is there and follows the host",
    withFailureArtifacts("sing", async (pages) => {
      const host = await newPerson(browser, pages);
      const member = await newPerson(browser, pages);
      await openLobby(host, target.url, "sia");
      await host.getByTestId("video-url").fill(`${target.url}/app/media/sample.webm`);
      await host.getByTestId("room-kind").selectOption("sing");
      await host.getByRole("button", { name: "Create watch room", exact: true }).click();
      const codeEl = host.getByTestId("room-code");
      await until(async () => (await codeEl.textContent()).trim().length > 0, 10000, "the room code");
      const code = (await codeEl.textContent()).trim();
      assert.equal(new URL(host.url()).hash, `#/sing/${code}`);
      assert.match(await host.locator("h1").textContent(), /Sing-along/);

      await openLobby(member, target.url, "sam");
      await member.goto(await host.getByTestId("share-link").inputValue());
      await until(async () => (await videoState(member)).ready && (await videoState(host)).ready, 10000, "both videos loaded");
      await until(async () => /sam/.test(await text(host, "participants")), 5000, "the host sees the member");
      assert.match(await text(member, "participants"), /sia.*host/);
      assert.match(await text(member, "host"), /Host: sia/);

      await host.getByRole("button", { name: "Play", exact: true }).click();
      await follows(host, member, "the member singing along", (s) => !s.member.paused && s.member.t > 0.5);
      for (const p of [host, member]) assert.deepEqual(p.problems, [], "uncaught errors or console errors on the page");
      await host.context().close();
      await member.context().close();
    }),
  );
});
