// Unit tests of the client's pure functions (status words, move rows, URLs, playhead) in Node.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { colorOf, fileVideoId, moveRows, playhead, resultText, sanList, statusText, youtubeId } from "../../web/src/status.js";

describe("status words", () => {
  const room = { roomId: "r", roomCode: "123456", whitePlayer: "alice", blackPlayer: "bob", turn: "white", status: "active", winner: null };

  test("names the player's colour and whose move it is", () => {
    assert.equal(colorOf(room, "alice"), "white");
    assert.equal(colorOf(room, "bob"), "black");
    assert.equal(colorOf(room, "eve"), null);
    assert.equal(statusText(room, "white"), "Your move (white)");
    assert.equal(statusText(room, "black"), "White to move — waiting for your opponent");
    assert.equal(statusText({ ...room, turn: "black" }, "black", { inCheck: true }), "Your move (black) — check!");
    assert.equal(statusText(room, null), "White to move");
    assert.equal(statusText({ ...room, status: "waiting", blackPlayer: null }, "white"), "Waiting for an opponent — share the code 123456");
  });

  test("gives the exact result of a finished game", () => {
    assert.equal(resultText({ winner: "black", reason: "checkmate", termination: "checkmate" }), "Checkmate — Black wins");
    assert.equal(resultText({ winner: "white", reason: "resignation" }), "Black resigned — White wins");
    assert.equal(resultText({ winner: "draw", reason: "draw", termination: "stalemate" }), "Draw — stalemate");
    assert.equal(resultText({ winner: "draw", reason: "draw", termination: "threefold_repetition" }), "Draw — threefold repetition");
    assert.equal(resultText({ winner: "draw", reason: "draw" }), "Draw");
    assert.equal(resultText({ winner: "white", termination: "abandoned" }), "White wins — abandoned");
    assert.equal(statusText({ ...room, status: "finished", winner: "black" }, "white", { over: { winner: "black", reason: "checkmate" } }), "Checkmate — Black wins");
    assert.equal(statusText({ ...room, status: "finished", winner: "white" }, "white"), "Game over — White wins");
  });

  test("lays SAN moves out in numbered rows, also from mid-game", () => {
    assert.deepEqual(moveRows(["f3", "e5", "g4", "Qh4#"]), [
      { n: 1, white: "f3", black: "e5" },
      { n: 2, white: "g4", black: "Qh4#" },
    ]);
    assert.deepEqual(moveRows(["Nf6", "Nc3"], 4), [
      { n: 2, white: "", black: "Nf6" },
      { n: 3, white: "Nc3", black: "" },
    ]);
    assert.deepEqual(moveRows([]), []);
  });
});

describe("move history from the room", () => {
  test("replays the server's UCI moves into SAN and checks them against the FEN", () => {
    const mate = "rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3";
    assert.deepEqual(sanList(["f2f3", "e7e5", "g2g4", "d8h4"], mate), ["f3", "e5", "g4", "Qh4#"]);
    assert.equal(sanList(["f2f3", "e7e5", "g2g4"], mate), null); // does not reach the position
    assert.equal(sanList(["e2e5"], null), null); // illegal
    assert.deepEqual(sanList(["a2a4", "b7b5", "a4b5", "a7a6", "b5a6", "c8b7", "a6b7", "b8c6", "b7a8n"], null).slice(-1), ["bxa8=N"]);
    assert.deepEqual(sanList(["e4", { san: "e5" }], null), ["e4", "e5"]);
    assert.deepEqual(sanList([], null), []);
    assert.equal(sanList([null], null), null);
  });
});

describe("video helpers", () => {
  test("recognises YouTube URLs and nothing else", () => {
    assert.equal(youtubeId("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3"), "dQw4w9WgXcQ");
    assert.equal(youtubeId("https://youtu.be/dQw4w9WgXcQ"), "dQw4w9WgXcQ");
    assert.equal(youtubeId("https://www.youtube.com/embed/dQw4w9WgXcQ"), "dQw4w9WgXcQ");
    assert.equal(youtubeId("https://youtube.com/shorts/dQw4w9WgXcQ"), "dQw4w9WgXcQ");
    assert.equal(youtubeId("https://example.com/watch?v=dQw4w9WgXcQ"), null);
    assert.equal(youtubeId("https://www.youtube.com/watch?v=short"), null);
    assert.equal(youtubeId("not a url"), null);
    assert.equal(fileVideoId("http://h/app/media/sample.webm"), "sample");
    assert.equal(fileVideoId("http://h/"), "video");
  });

  test("computes the playhead from the server's timestamp while playing only", () => {
    assert.equal(playhead({ currentTime: 10, isPlaying: false, serverTime: 1000 }, 5000), 10);
    assert.equal(playhead({ currentTime: 10, isPlaying: true, serverTime: 1000 }, 3500), 12.5);
    assert.equal(playhead({ currentTime: 10, isPlaying: true, serverTime: 1000 }, 3500, -500), 12);
    assert.equal(playhead({ currentTime: 10, isPlaying: true, serverTime: 9000 }, 3500), 10); // clock skew never rewinds
    assert.equal(playhead({ isPlaying: true }, 3500), 0);
  });
});
