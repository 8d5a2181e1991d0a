'use strict';
// Replays inputs through targets without the engine: `node fuzz/replay.cjs <target> <file|dir>...`.
// Prints one JSON line per target: { target, inputs, escaped: [{ input, error }] }. An escape is an
// exception that is not an MCPSealError (what jsfuzz would record as a crash). Exit 1 on any escape.
const fs = require('node:fs');
const path = require('node:path');

function inputsOf(paths) {
  const files = [];
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) for (const n of fs.readdirSync(p).sort()) files.push(path.join(p, n));
    else files.push(p);
  }
  return files;
}

async function replay(target, paths) {
  const { fuzz } = require(path.join(__dirname, 'targets', `${target}.cjs`));
  const files = inputsOf(paths);
  const escaped = [];
  for (const file of files) {
    try {
      await fuzz(fs.readFileSync(file));
    } catch (error) {
      escaped.push({ input: file, error: String(error && error.stack ? error.stack : error).slice(0, 2000) });
    }
  }
  return { target, inputs: files.length, escaped };
}

async function main() {
  const [target, ...paths] = process.argv.slice(2);
  const result = await replay(target, paths.length > 0 ? paths : [path.join(__dirname, 'corpus', target)]);
  console.log(JSON.stringify(result));
  if (result.escaped.length > 0) process.exitCode = 1;
}

main();
