// Preloaded into a CLI child (`node --import this-file bin/mcpseal.js ...`): when the process
// exits, it writes its peak resident set size in bytes to the file named by
// MCPSEAL_TEST_RSS_FILE, so that a test can hold a real command to a memory bound.
//
// On Linux the peak is VmHWM of /proc/self/status, the high-water mark of this process's own
// address space. Not getrusage's ru_maxrss: Linux carries the pre-exec high-water mark of the
// forked copy of the parent into it (fs/exec.c keeps the old mm's hiwater in signal->maxrss), so
// a child of a test runner that has grown to 156 MB reports at least 156 MB whatever it does
// itself (measured: a child of a 300 MB parent, maxRSS 298 MB, VmHWM 43 MB).

import { readFileSync, writeFileSync } from 'node:fs';

function peakRss(): number {
  try {
    const kib = /^VmHWM:\s+(\d+)\s+kB$/mu.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kib !== undefined) return Number(kib) * 1024;
  } catch {
    // not Linux: below
  }
  // resourceUsage().maxRSS is in KiB.
  return process.resourceUsage().maxRSS * 1024;
}

const target = process.env['MCPSEAL_TEST_RSS_FILE'];
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(peakRss()));
  });
}
