// Browser tests of the chess client: two people in two Chromium contexts against the server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  boardState,
  clickMove,
  dragMove,
  launchBrowser,
  newPerson,
  openLobby,
  pieceOn,
  screenshot,
  startTarget,
  text,
  until,
  waitForInput,
  waitForPieces,
  withFailureArtifacts,
} from "./lib/harness.mjs";

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

/**
 * A (alice) creates a game, B (bob) joins it by the code shown on A's page — typed into the
 * lobby, or `viaLink`: by opening the share link shown on A's page.
 */
async function startGame(tag, pages, { viaLink = false } = {}) {
  const a = await newPerson(browser, pages);
  const b = await newPerson(browser, pages);
  await openLobby(a, target.url, `alice-${tag}`);
  await a.getByRole("button", { name: "Create game", exact: true }).click();
  const codeEl = a.getByTestId("room-code");
  await until(async () => /^\d{6}$/.test((await codeEl.textContent()).trim()), 10000, "the room code");
  const code = (await codeEl.textContent()).trim();
  assert.match(await text(a, "status"), /Waiting for an opponent/);
  assert.equal(new URL(a.url()).hash, `#/chess/${code}`);

  await openLobby(b, target.url, `bob-${tag}`);
  if (viaLink) {
    const link = await a.getByTestId("share-link").inputValue();
    assert.equal(link, `${target.url}/app/#/chess/${code}`);
    await b.goto(link);
  } else {
    await b.getByTestId("join-code").fill(code);
    await b.getByRole("button", { name: "Join", exact: true }).click();
  }
  await until(async () => /Your move \(white\)/.test(await text(a, "status")), 10000, "A's turn");
  await until(async () => /White to move/.test(await text(b, "status")), 10000, "B to see White to move");
  assert.equal((await text(b, "room-code")).trim(), code);
  return { a, b, code };
}

/** Resolves once every page in `pages` lists `count` moves, the last being `san`. */
async function waitMove(pages, count, san) {
  for (const p of pages) {
    let played = [];
    let board = {};
    const who = await p.evaluate(() => localStorage.getItem("engage.userId"));
    await until(
      async () => {
        const cells = await p.locator("[data-testid=moves] span").allTextContents();
        played = cells.filter((c) => c && c !== "…");
        board = await boardState(p);
        return played.length === count && played[count - 1] === san;
      },
      8000,
      () => `move ${count} (${san}) on ${who}: the list shows [${played.join(" ")}], board ${JSON.stringify(board)}`,
    );
  }
}

function assertNoProblems(...pages) {
  for (const p of pages) assert.deepEqual(p.problems, [], "uncaught errors or console errors on the page");
}

/** Resolves once the board of `page` is drawn from `color`'s side ("w" or "b"). */
async function waitForOrientation(page, color) {
  await until(async () => (await boardState(page)).orientation === color, 5000, `the board seen from ${color}`);
}

describe("chess in the browser", () => {
  test(
    "two players play fool's mate by clicking squares; both see checkmate",
    withFailureArtifacts("fools-mate", async (pages) => {
      const { a, b } = await startGame("mate", pages);
      await waitForOrientation(b, "b");
      assert.equal(await pieceOn(b, "e7"), "bp");
      // Black's board is seen from Black's side: h1 is in the top-left corner, a8 bottom-right.
      const [h1, a8] = [await b.locator('.square[data-square="h1"]').boundingBox(), await b.locator('.square[data-square="a8"]').boundingBox()];
      assert.ok(h1.y < a8.y && h1.x < a8.x, "black sees the board from black's side");

      await clickMove(a, "f2", "f3");
      await waitMove([a, b], 1, "f3");
      await clickMove(b, "e7", "e5");
      await waitMove([a, b], 2, "e5");
      await clickMove(a, "g2", "g4");
      await waitMove([a, b], 3, "g4");
      await clickMove(b, "d8", "h4");
      await waitMove([a, b], 4, "Qh4#");

      for (const p of [a, b]) {
        await until(async () => /Checkmate — Black wins/.test(await text(p, "status")), 5000, "checkmate status");
        await waitForPieces(p, { h4: "bq", e1: "wk" });
        assert.equal((await boardState(p)).input, "wait", "the board takes no more moves");
      }
      assert.ok(await a.getByRole("button", { name: "Resign" }).isDisabled());
      assert.ok(await b.getByRole("button", { name: "Resign" }).isDisabled());
      await screenshot(a, "fools-mate-white");
      await screenshot(b, "fools-mate-black");
      assertNoProblems(a, b);
      await a.context().close();
      await b.context().close();
    }),
  );

  test(
    "B joins by the share link; a reload mid-game resumes the same position; leaving is shown",
    withFailureArtifacts("reload", async (pages) => {
      const { a, b, code } = await startGame("reload", pages, { viaLink: true });
      await clickMove(a, "e2", "e4");
      await waitMove([a, b], 1, "e4");
      await clickMove(b, "e7", "e5");
      await waitMove([a, b], 2, "e5");

      await a.reload();
      await until(async () => /Your move \(white\)/.test(await text(a, "status")), 10000, "resumed status");
      assert.equal((await text(a, "room-code")).trim(), code);
      await waitForPieces(a, { e4: "wp", e5: "bp", e2: null, e7: null });
      await waitMove([a], 2, "e5"); // the move list survives the reload too
      await until(async () => /came back/.test(await text(b, "opponent")), 5000, "B told A came back");

      await clickMove(a, "g1", "f3");
      await waitMove([a, b], 3, "Nf3");
      await waitForPieces(b, { f3: "wn", g1: null });
      await screenshot(a, "reload-resumed");

      // A leaves to the lobby: B is told; A comes back by the link and it is B's move.
      await a.getByRole("link", { name: "Leave" }).click();
      await until(async () => /alice-reload left the game/.test(await text(b, "opponent")), 5000, "B told A left");
      await a.goto(`${target.url}/app/#/chess/${code}`);
      await until(async () => /Black to move/.test(await text(a, "status")), 10000, "A back in the game");
      await until(async () => /alice-reload came back/.test(await text(b, "opponent")), 5000, "B told A came back again");
      await waitForInput(b);
      assertNoProblems(a, b);
      await a.context().close();
      await b.context().close();
    }),
  );

  test(
    "an illegal drag snaps back and shows the server's error; a legal drag plays",
    withFailureArtifacts("illegal-drag", async (pages) => {
      const { a, b } = await startGame("illegal", pages);
      await dragMove(a, "e2", "e5");
      await until(async () => /invalid move/i.test(await text(a, "error")), 5000, "the server's error");
      await waitForPieces(a, { e2: "wp", e5: null });
      assert.match(await text(a, "status"), /Your move \(white\)/);
      await screenshot(a, "illegal-drag");

      await dragMove(a, "e2", "e4");
      await waitMove([a, b], 1, "e4");
      assert.equal(await text(a, "error"), "");

      await b.getByRole("button", { name: "Resign" }).click();
      for (const p of [a, b]) {
        await until(async () => /Black resigned — White wins/.test(await text(p, "status")), 5000, "resignation status");
      }
      // A rejected move is shown on the page, never logged as a console error.
      assertNoProblems(a, b);
      await a.context().close();
      await b.context().close();
    }),
  );

  test(
    "a pawn reaching the last rank offers the promotion picker",
    withFailureArtifacts("promotion", async (pages) => {
      const { a, b } = await startGame("promo", pages);
      const plies = [
        [a, "a2", "a4", "a4"], [b, "b7", "b5", "b5"], [a, "a4", "b5", "axb5"], [b, "a7", "a6", "a6"],
        [a, "b5", "a6", "bxa6"], [b, "c8", "b7", "Bb7"], [a, "a6", "b7", "axb7"], [b, "b8", "c6", "Nc6"],
      ];
      let n = 0;
      for (const [p, from, to, san] of plies) {
        await clickMove(p, from, to);
        await waitMove([a, b], ++n, san);
      }
      await clickMove(a, "b7", "a8");
      const knight = a.getByRole("button", { name: "Knight" });
      await knight.waitFor({ state: "visible", timeout: 5000 });
      await knight.click();
      await waitMove([a, b], 9, "bxa8=N");
      for (const p of [a, b]) await waitForPieces(p, { a8: "wn", b7: null });
      await screenshot(b, "promotion");
      assertNoProblems(a, b);
      await a.context().close();
      await b.context().close();
    }),
  );
});
