import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mutation } from '../../support/gguf-mutations';

export interface MutationOutcome {
  label: string;
  /** "ok", "<ErrorName>/<code>: message", "signal SIGABRT" or "hang". */
  outcome: string;
}

/**
 * Runs `mutations` of `model` in child processes, many per child. A child that dies by a signal
 * is charged to the mutation it had started; the next child resumes after it.
 */
export async function runMutations(model: string, mutations: Mutation[], workDir: string, options: { stallMs?: number } = {}): Promise<MutationOutcome[]> {
  const listFile = path.join(workDir, 'mutations.json');
  fs.writeFileSync(listFile, JSON.stringify(mutations));
  const outcomes: MutationOutcome[] = [];
  let next = 0;
  while (next < mutations.length) {
    const copy = path.join(workDir, 'model.gguf');
    fs.copyFileSync(model, copy);
    const { done, started, exit } = await runChild(copy, listFile, next, mutations.length, options.stallMs ?? 60_000);
    for (const [i, outcome] of done) outcomes[i] = { label: mutations[i].label, outcome };
    const lastDone = done.length ? done[done.length - 1][0] : next - 1;
    if (started > lastDone) {
      outcomes[started] = { label: mutations[started].label, outcome: exit };
      next = started + 1;
    } else if (lastDone + 1 < mutations.length && exit !== 'exit 0') {
      // died between mutations: charge nothing, resume after the last finished one
      next = lastDone + 1;
    } else {
      next = lastDone + 1;
    }
  }
  return outcomes;
}

function runChild(copy: string, listFile: string, from: number, to: number, stallMs: number): Promise<{ done: [number, string][]; started: number; exit: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'mutation-child.js'), copy, listFile, String(from), String(to)], { stdio: ['ignore', 'pipe', 'ignore'] });
    const done: [number, string][] = [];
    let started = from - 1;
    let buf = '';
    let stalled = false;
    let timer = setTimeout(stall, stallMs);
    function stall() {
      stalled = true;
      child.kill('SIGKILL');
    }
    child.stdout.on('data', (chunk: Buffer) => {
      clearTimeout(timer);
      timer = setTimeout(stall, stallMs);
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^(start|done) (\d+)(?: (.*))?$/.exec(line);
        if (!m) continue;
        if (m[1] === 'start') started = Number(m[2]);
        else done.push([Number(m[2]), m[3]]);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ done, started, exit: stalled ? 'hang' : signal ? `signal ${signal}` : `exit ${code}` });
    });
  });
}
