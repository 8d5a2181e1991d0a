// Preloaded into a CLI child (`node --import this-file bin/mcpseal.js ...`): when the process
// exits, it writes its peak resident set size (getrusage ru_maxrss, in bytes) to the file named
// by MCPSEAL_TEST_RSS_FILE, so that a test can hold a real command to a memory bound.

import { writeFileSync } from 'node:fs';

const target = process.env['MCPSEAL_TEST_RSS_FILE'];
if (target) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in KiB.
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
