// Preloaded into `mcpseal run` by bench/launch.ts (node --import, through NODE_OPTIONS) to time
// the phases of a launch from inside the process: when bwrap is spawned, when the go byte is
// written (the re-hash passed: lib/launch/gate.ts) and when the server's first output arrives.
// Milliseconds since the process started (performance.now()), one JSON line appended to
// $MCPSEAL_BENCH_MARKS at exit. Benchmark only: it patches child_process.spawn and Socket#end.
import { appendFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const childProcess = require('node:child_process');
const net = require('node:net');
const marks = {};
const mark = (name) => {
  marks[name] ??= performance.now();
};
const spawn = childProcess.spawn;
childProcess.spawn = function (command, ...rest) {
  const child = spawn.call(this, command, ...rest);
  if (/bwrap$/u.test(command)) {
    mark('spawned');
    child.stdout?.once('data', () => mark('firstOutput'));
  }
  return child;
};
syncBuiltinESMExports();
const end = net.Socket.prototype.end;
net.Socket.prototype.end = function (data, ...rest) {
  if (data === '1') mark('go');
  return end.call(this, data, ...rest);
};
process.on('exit', () => {
  if (process.env.MCPSEAL_BENCH_MARKS) appendFileSync(process.env.MCPSEAL_BENCH_MARKS, `${JSON.stringify(marks)}\n`);
});
