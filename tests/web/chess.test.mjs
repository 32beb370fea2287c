// Browser tests of the chess client: two people in two Chromium contexts against the server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
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

/** A (alice) creates a game, B (bob) joins it by the code shown on A's page. */
async function startGame(tag) {
  const a = await newPerson(browser);
  const b = await newPerson(browser);
  await openLobby(a, target.url, `alice-${tag}`);
  await a.getByRole("button", { name: "Create game", exact: true }).click();
  const codeEl = a.getByTestId("room-code");
  await until(async () => /^\d{6}$/.test((await codeEl.textContent()).trim()), 10000, "the room code");
  const code = (await codeEl.textContent()).trim();
  assert.match(await text(a, "status"), /Waiting for an opponent/);
  assert.equal(new URL(a.url()).hash, `#/chess/${code}`);

  await openLobby(b, target.url, `bob-${tag}`);
  await b.getByTestId("join-code").fill(code);
  await b.getByRole("button", { name: "Join", exact: true }).click();
  await until(async () => /Your move \(white\)/.test(await text(a, "status")), 10000, "A's turn");
  await until(async () => /White to move/.test(await text(b, "status")), 10000, "B to see White to move");
  assert.equal((await text(b, "room-code")).trim(), code);
  return { a, b, code };
}

/** Resolves once both pages list `count` moves, the last being `san`. */
async function waitMove(pages, count, san) {
  for (const p of pages) {
    await until(
      async () => {
        const cells = await p.locator("[data-testid=moves] span").allTextContents();
        const played = cells.filter((c) => c && c !== "…");
        return played.length === count && played[count - 1] === san;
      },
      8000,
      `move ${count} (${san}) on ${await p.evaluate(() => localStorage.getItem("engage.userId"))}`,
    );
  }
}

function assertNoProblems(...pages) {
  for (const p of pages) assert.deepEqual(p.problems, [], "uncaught errors or console errors on the page");
}

describe("chess in the browser", () => {
  test("two players play fool's mate by clicking squares; both see checkmate", async () => {
    const { a, b } = await startGame("mate");
    assert.equal(await pieceOn(b, "e7"), "bp");
    // Black's board is seen from Black's side: a8 is in the bottom-right corner... h1 is top-left.
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
      await until(async () => (await pieceOn(p, "h4")) === "bq", 3000, "the queen on h4");
    }
    assert.ok(await a.getByRole("button", { name: "Resign" }).isDisabled());
    await screenshot(a, "fools-mate-white");
    await screenshot(b, "fools-mate-black");
    assertNoProblems(a, b);
    await a.context().close();
    await b.context().close();
  });

  test("a reload mid-game resumes the same position", async () => {
    const { a, b, code } = await startGame("reload");
    await clickMove(a, "e2", "e4");
    await waitMove([a, b], 1, "e4");
    await clickMove(b, "e7", "e5");
    await waitMove([a, b], 2, "e5");

    await a.reload();
    await until(async () => /Your move \(white\)/.test(await text(a, "status")), 10000, "resumed status");
    assert.equal((await text(a, "room-code")).trim(), code);
    assert.equal(await pieceOn(a, "e4"), "wp");
    assert.equal(await pieceOn(a, "e5"), "bp");
    assert.equal(await pieceOn(a, "e2"), null);
    await waitMove([a], 2, "e5"); // the move list survives the reload too
    await until(async () => /came back/.test(await text(b, "opponent")), 5000, "B told A came back");

    await clickMove(a, "g1", "f3");
    await waitMove([a, b], 3, "Nf3");
    await until(async () => (await pieceOn(b, "f3")) === "wn", 3000, "the knight on f3");
    await screenshot(a, "reload-resumed");
    assertNoProblems(a, b);
    await a.context().close();
    await b.context().close();
  });

  test("an illegal drag snaps back and shows the server's error; a legal drag plays", async () => {
    const { a, b } = await startGame("illegal");
    await dragMove(a, "e2", "e5");
    await until(async () => /invalid move/i.test(await text(a, "error")), 5000, "the server's error");
    await until(async () => (await pieceOn(a, "e2")) === "wp" && (await pieceOn(a, "e5")) === null, 3000, "snap back");
    assert.match(await text(a, "status"), /Your move \(white\)/);
    await screenshot(a, "illegal-drag");

    await dragMove(a, "e2", "e4");
    await waitMove([a, b], 1, "e4");
    assert.equal(await text(a, "error"), "");

    await b.getByRole("button", { name: "Resign" }).click();
    for (const p of [a, b]) {
      await until(async () => /Black resigned — White wins/.test(await text(p, "status")), 5000, "resignation status");
    }
    // The console error of the rejected move is the page's only complaint, if any.
    assertNoProblems(a, b);
    await a.context().close();
    await b.context().close();
  });

  test("a pawn reaching the last rank offers the promotion picker", async () => {
    const { a, b } = await startGame("promo");
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
    for (const p of [a, b]) await until(async () => (await pieceOn(p, "a8")) === "wn", 3000, "the new knight");
    await screenshot(b, "promotion");
    assertNoProblems(a, b);
    await a.context().close();
    await b.context().close();
  });
});
