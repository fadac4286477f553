import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// TwoPass.load + dispose, cycle after cycle, in a child process of its own (a clean heap, and
// --expose-gc to settle the JS side): RSS grew by tens of KB a cycle before the addon handed freed
// memory back (native/common.h release_freed_memory); 13 KB a cycle was the reported figure.
const child = path.join(__dirname, '..', 'support', 'leak-child.js');
const CYCLES = 300;
const BOUND_PER_CYCLE = 2048;
// Cycles before the first measurement: glibc settles its arenas once (a step of ~2 MB by cycle
// 30–100 on this host, the same after 300 cycles as after 600); what is measured is the steady state.
// Before the fix RSS kept climbing until cycle ~250 (122 → 144 MB), tens of KB a cycle.
const WARMUP = 100;

interface Measured {
  part: string;
  cycles: number;
  rssBefore: number;
  rssAfter: number;
}

function measure(part: string): Measured {
  const r = spawnSync(process.execPath, ['--expose-gc', child, part, String(CYCLES), String(WARMUP)], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`leak-child ${part} exited with ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measured;
}

// RSS is the allocator's view of the whole process: beside the suite's other workers it still steps
// (3.1 KB/cycle once in a clean-clone CI run), so it runs alone, with COGITO_HEAVY_TESTS=1.
const alone = process.env.COGITO_HEAVY_TESTS === '1' ? test : test.skip;

alone(`TwoPass.load + dispose keeps RSS within ${BOUND_PER_CYCLE} bytes a cycle over ${CYCLES} cycles`, () => {
  const m = measure('twopass');
  const perCycle = (m.rssAfter - m.rssBefore) / m.cycles;
  expect(perCycle).toBeLessThan(BOUND_PER_CYCLE);
}, 200_000);
