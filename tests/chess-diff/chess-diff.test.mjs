// Differential test: engage-chess against chess.js 1.4 (the original server's rules engine).
// Plays seeded random games with chess.js and, at every ply, compares with build/engage-chess
// (or $ENGAGE_CHESS): the legal move set, the FEN, the status; for the moves played through
// chess.js's public move() (all promotions, castlings and en-passant captures, 15% of the rest)
// the UCI and SAN, sending either the move object or chess.js's SAN; the exact error message
// of invalid move objects; that chess.js FENs parse and print back unchanged; and, for one
// game in five, the PGN. One game in five starts from a FEN rich in special moves.
// Knobs: CHESS_DIFF_GAMES (default 2000), CHESS_DIFF_SEED (default 20240601).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { Chess } from 'chess.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = process.env.ENGAGE_CHESS || resolve(root, 'build/engage-chess');
const GAMES = Number(process.env.CHESS_DIFF_GAMES || 2000);
const SEED = Number(process.env.CHESS_DIFF_SEED || 20240601);
const MAX_PLIES = 600;
const BATCH = 25; // games per round trip
const WORKERS = Number(process.env.CHESS_DIFF_WORKERS || 2); // chess.js is the slow side

// mulberry32: small seeded PRNG.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START_FENS = [
  'r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1', // Kiwipete
  '8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1',
  'r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1',
  'rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8',
  'r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10',
  'rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3',
  '3k4/3p4/8/K1P4r/8/8/8/8 b - - 0 1',
  '8/8/1k6/2b5/2pP4/8/5K2/8 b - d3 0 1',
  'r3k2r/1b4bq/8/8/8/8/7B/R3K2R w KQkq - 0 1',
  '8/P1k5/K7/8/8/8/8/8 w - - 0 1',
];

const sq = (i) => 'abcdefgh'[i & 7] + String(8 - (i >> 4));
const SQUARES = [];
for (let r = 1; r <= 8; r++) for (const f of 'abcdefgh') SQUARES.push(f + r);

// chess.js's isCheckmate()/isStalemate() with the legal move count already at hand (each
// of those calls would generate the moves again).
function status(chess, legalCount) {
  if (legalCount === 0) return chess.isCheck() ? 'checkmate' : 'stalemate';
  if (chess.isInsufficientMaterial()) return 'insufficient_material';
  if (chess.isThreefoldRepetition()) return 'threefold_repetition';
  if (chess.isDrawByFiftyMoves()) return 'fifty_moves';
  return 'ongoing';
}

// The legal moves as chess.js's internal records (0x88 squares), to avoid building verbose
// Move objects for every legal move.
function legalMoves(chess) {
  return chess._moves({ legal: true }).map((m) => ({
    raw: m,
    from: sq(m.from),
    to: sq(m.to),
    promotion: m.promotion,
    uci: sq(m.from) + sq(m.to) + (m.promotion || ''),
  }));
}

// Returns chess.js's answer to a move object on a throw-away copy: the SAN or the message.
function chessJsAttempt(fen, history, obj) {
  const c = new Chess(fen);
  for (const m of history) c.move(m);
  try {
    return { san: c.move(obj).san };
  } catch (e) {
    return { error: e.message };
  }
}

// Builds one game: the commands for engage-chess and the lines it must print. Each game has
// its own seed, so the games do not depend on how they are split between workers.
function buildGame(gameIndex) {
  const rand = prng((SEED ^ Math.imul(gameIndex + 1, 0x9e3779b1)) >>> 0);
  // Every fifth game starts from a position rich in castling, en passant and promotions.
  const start = gameIndex % 5 === 4 ? START_FENS[(gameIndex / 5) % START_FENS.length | 0] : null;
  const chess = start ? new Chess(start) : new Chess();
  const cmds = [start ? `position fen ${start}` : 'position startpos'];
  const expected = [];
  const where = []; // for each expected line: a description of the position
  for (let ply = 0; ply < MAX_PLIES; ply++) {
    const fen = chess.fen();
    const legal = legalMoves(chess);
    const st = status(chess, legal.length);
    const ctx = `game ${gameIndex} ply ${ply} fen ${fen}`;
    cmds.push('fen', 'status', 'legal');
    expected.push(fen, st, legal.map((m) => m.uci).sort().join(' '));
    where.push(ctx, ctx, ctx);
    // chess.js FENs (what the original stored in Redis) parse and print back unchanged.
    if (rand() < 0.1) {
      cmds.push(`checkfen ${fen}`);
      expected.push(fen);
      where.push(ctx);
    }
    if (st !== 'ongoing') break;

    // Now and then, an invalid move object: chess.js's exact error message is expected.
    if (rand() < 0.05) {
      const pick = legal[Math.floor(rand() * legal.length)];
      const variants = [
        { from: SQUARES[Math.floor(rand() * 64)], to: SQUARES[Math.floor(rand() * 64)] },
        { from: pick.from.toUpperCase(), to: pick.to },
        { from: pick.from, to: pick.to.toUpperCase(), promotion: 'q' },
      ];
      if (pick.promotion) {
        variants.push({ from: pick.from, to: pick.to }); // promotion missing
        variants.push({ from: pick.from, to: pick.to, promotion: 'x' });
        variants.push({ from: pick.from, to: pick.to, promotion: 'Q' });
      }
      const obj = variants[Math.floor(rand() * variants.length)];
      let res;
      try {
        // Only probe on a copy if the object might be legal; otherwise chess.js must throw.
        const c = new Chess(fen);
        res = { san: c.move(obj).san };
      } catch (e) {
        res = { error: e.message };
      }
      if (res.error) {
        cmds.push(`play ${obj.from} ${obj.to}${obj.promotion ? ' ' + obj.promotion : ''}`);
        expected.push('error: ' + res.error);
        where.push(ctx);
      }
    }

    // Random moves, biased towards captures and promotions (half of the time when there are
    // some) so that games reach endgames, promotions and every ending sooner.
    const forcing = legal.filter((x) => x.raw.captured || x.promotion);
    const pool = forcing.length && rand() < 0.5 ? forcing : legal;
    const m = pool[Math.floor(rand() * pool.length)];
    if (m.promotion || m.raw.flags & (8 | 32 | 64) || rand() < 0.15) {
      // Through the public API (promotions, castling, en passant, and 15% of the other moves):
      // the SAN is compared too. chess.js ignores `promotion` on a non-promotion move: sometimes
      // send one anyway.
      const obj = { from: m.from, to: m.to };
      if (m.promotion) obj.promotion = m.promotion;
      else if (rand() < 0.2) obj.promotion = 'qrbnx'[Math.floor(rand() * 5)];
      const played = chess.move(obj);
      // Half of the time, send chess.js's SAN of the move instead of the object.
      if (rand() < 0.5) cmds.push(`playsan ${played.san}`);
      else cmds.push(`play ${obj.from} ${obj.to}${obj.promotion ? ' ' + obj.promotion : ''}`);
      expected.push(`${m.uci} ${played.san}`);
      where.push(ctx);
    } else {
      // Exactly what chess.js's move() does after matching, without building the Move object
      // (SAN, before/after FENs) that makes it slow.
      chess._makeMove(m.raw);
      chess._incPositionCount();
      cmds.push(`moves ${m.uci}`);
    }
  }
  const final = status(chess, chess._moves().length);
  // One game in five (half of them from a FEN): the PGN too (chess.js leaves Result at "*"; ours follows the status).
  if (gameIndex % 10 === 0 || gameIndex % 10 === 9) {
    const result =
      final === 'ongoing' ? '*' : final === 'checkmate' ? (chess.turn() === 'w' ? '0-1' : '1-0') : '1/2-1/2';
    chess.setHeader('Result', result);
    const pgn = chess.pgn().split('\n');
    cmds.push('pgn');
    expected.push(...pgn);
    where.push(...pgn.map(() => `game ${gameIndex} pgn`));
  }
  return { cmds, expected, where, final };
}

class Engine {
  constructor(path) {
    this.proc = spawn(path, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = [];
    this.waiters = [];
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      this.lines.push(line);
      if (line === 'readyok') this.waiters.shift()?.();
    });
  }
  // Sends the commands and resolves with the lines printed before "readyok".
  async run(cmds) {
    const done = new Promise((res) => this.waiters.push(res));
    this.proc.stdin.write(cmds.join('\n') + '\nisready\n');
    await done;
    const out = this.lines;
    this.lines = [];
    out.pop(); // readyok
    return out;
  }
  close() {
    this.proc.stdin.end('quit\n');
  }
}

// Worker: builds batches of games [first, end) with chess.js and posts them to the main thread.
function workerMain({ first, end, step }) {
  for (let g0 = first; g0 < end; g0 += step) {
    const batch = { cmds: [], expected: [], where: [], finals: [] };
    for (let g = g0; g < Math.min(end, g0 + BATCH); g++) {
      const game = buildGame(g);
      batch.cmds.push(...game.cmds);
      batch.expected.push(...game.expected);
      batch.where.push(...game.where);
      batch.finals.push(game.final);
    }
    parentPort.postMessage(batch);
  }
  parentPort.postMessage(null);
}

if (!isMainThread) {
  workerMain(workerData);
} else {
  test('engage-chess agrees with chess.js 1.4 on random games', { timeout: 600_000 }, async (t) => {
    if (!existsSync(binary)) {
      assert.fail(`engage-chess not found at ${binary} (run make build or set ENGAGE_CHESS)`);
    }
    const engine = new Engine(binary);
    const counts = {};
    let plies = 0;
    const queue = [];
    let wake = null;
    let running = 0;
    const workers = [];
    // Worker w builds the batches starting at w * BATCH, (w + WORKERS) * BATCH, ...
    for (let w = 0; w < WORKERS; w++) {
      const worker = new Worker(fileURLToPath(import.meta.url), {
        workerData: { first: w * BATCH, end: GAMES, step: WORKERS * BATCH },
      });
      running++;
      worker.on('message', (batch) => {
        if (batch === null) running--;
        else queue.push(batch);
        wake?.();
      });
      worker.on('error', (e) => {
        queue.push({ error: e });
        wake?.();
      });
      workers.push(worker);
    }
    try {
      while (running > 0 || queue.length > 0) {
        if (queue.length === 0) {
          await new Promise((res) => (wake = res));
          wake = null;
          continue;
        }
        const batch = queue.shift();
        if (batch.error) throw batch.error;
        const got = await engine.run(batch.cmds);
        for (let i = 0; i < batch.expected.length; i++) {
          if (got[i] !== batch.expected[i]) {
            assert.fail(
              `mismatch at ${batch.where[i]}\n  chess.js: ${batch.expected[i]}\n  engage:   ${got[i]}`,
            );
          }
        }
        assert.equal(got.length, batch.expected.length, 'engage-chess printed extra lines');
        for (const f of batch.finals) counts[f] = (counts[f] || 0) + 1;
        plies += batch.cmds.filter((c) => c === 'fen').length;
      }
    } finally {
      engine.close();
      for (const w of workers) w.terminate();
    }
    const games = Object.values(counts).reduce((a, b) => a + b, 0);
    assert.equal(games, GAMES);
    t.diagnostic(`${games} games, ${plies} positions; final status: ${JSON.stringify(counts)}`);
  });
}
