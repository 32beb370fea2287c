// Builds the web client into web/dist: esbuild bundles (minified, content-hashed names), the
// board's SVG sprites in a content-hashed folder, web/public copied, and .gz siblings.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const WEB = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(WEB, "..");
const SRC = path.join(WEB, "src");
const DIST = path.join(WEB, "dist");
const PUBLIC = path.join(WEB, "public");
const BOARD_ASSETS = path.join(ROOT, "node_modules", "cm-chessboard", "assets");
// The sprite files cm-chessboard fetches at run time, relative to its assetsUrl.
const SPRITES = ["pieces/standard.svg", "extensions/markers/markers.svg"];
const COMPRESSIBLE = /\.(html|js|mjs|css|svg|json|map|txt)$/;

function sha(buffers, length) {
  const hash = createHash("sha256");
  for (const b of buffers) hash.update(b);
  return hash.digest("hex").slice(0, length);
}

function copyTree(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(a, b);
    else if (entry.isFile()) {
      fs.mkdirSync(path.dirname(b), { recursive: true });
      fs.copyFileSync(a, b);
    }
  }
}

function listFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

// Returns the licence texts of the npm packages esbuild put into the bundles.
function licenses(metafile) {
  const packages = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (m) packages.add(m[1]);
  }
  const parts = [];
  for (const name of [...packages].sort()) {
    const dir = path.join(ROOT, "node_modules", name);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const file = fs.readdirSync(dir).find((f) => /^licen[cs]e(\.md|\.txt)?$/i.test(f));
    const body = file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : `License: ${pkg.license}`;
    parts.push(`${name} ${pkg.version} (${pkg.license})\n${"-".repeat(60)}\n${body}\n`);
  }
  return "The engage web client bundles these packages:\n\n" + parts.join("\n");
}

async function main() {
  if (!fs.existsSync(BOARD_ASSETS)) {
    throw new Error("node_modules/cm-chessboard is missing: run `npm ci` (make deps) first");
  }
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.mkdirSync(DIST, { recursive: true });

  // 1. Board sprites into assets-<hash>/ so that they can be cached for ever.
  const spriteData = SPRITES.map((s) => fs.readFileSync(path.join(BOARD_ASSETS, s)));
  const assetsDir = `assets-${sha([...SPRITES.map((s) => Buffer.from(s)), ...spriteData], 10)}`;
  SPRITES.forEach((s, i) => {
    const to = path.join(DIST, assetsDir, s);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, spriteData[i]);
  });

  // 2. The bundles.
  const result = await esbuild.build({
    entryPoints: [
      { in: path.join(SRC, "main.js"), out: "app" },
      { in: path.join(SRC, "style.css"), out: "style" },
    ],
    outdir: DIST,
    bundle: true,
    minify: true,
    format: "esm",
    target: ["chrome100", "firefox100", "safari15"],
    entryNames: "[name]-[hash]",
    sourcemap: "linked",
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
    absWorkingDir: ROOT,
    define: { __ASSETS_URL__: JSON.stringify(`./${assetsDir}/`) },
  });
  const outputs = Object.entries(result.metafile.outputs);
  const find = (entry) => {
    const hit = outputs.find(([, o]) => o.entryPoint && o.entryPoint.endsWith(entry));
    if (!hit) throw new Error(`esbuild produced no output for ${entry}`);
    return path.basename(hit[0]);
  };
  const js = find("src/main.js");
  const css = find("src/style.css");

  // 3. The licences of every bundled package, next to the bundle that contains them.
  fs.writeFileSync(path.join(DIST, "THIRD-PARTY-LICENSES.txt"), licenses(result.metafile));

  // 4. The page shell and the public files (the sample video).
  const html = fs.readFileSync(path.join(SRC, "index.html"), "utf8").replace("%CSS%", `./${css}`).replace("%JS%", `./${js}`);
  fs.writeFileSync(path.join(DIST, "index.html"), html);
  copyTree(PUBLIC, DIST);

  // 5. Precompressed siblings, kept only when they are smaller.
  let plain = 0;
  let gz = 0;
  for (const file of listFiles(DIST)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const data = fs.readFileSync(file);
    const packed = zlib.gzipSync(data, { level: 9 });
    if (packed.length < data.length) {
      fs.writeFileSync(file + ".gz", packed);
      if (!file.endsWith(".map")) {
        plain += data.length;
        gz += packed.length;
      }
    }
  }
  const kb = (n) => (n / 1024).toFixed(1) + " KiB";
  console.log(`web: built ${path.relative(ROOT, DIST)}/ (${js}, ${css}, ${assetsDir}/) — text ${kb(plain)}, gzip ${kb(gz)}`);
}

main().catch((err) => {
  console.error("web build failed:", err.message);
  process.exit(1);
});
