'use strict';
// Applies GGUF mutations one at a time to a private copy of a model and runs load + one decode on
// each, printing "start i" before and "done i <outcome>" after. A signal exit after "start i" names
// the mutation that killed the process. Usage: mutation-child.js <model copy> <mutations.json> <from> <to>
require('../../vks/support/ts-hook');
const fs = require('node:fs');
const { loadModel } = require('../../../src/engine/index.ts');

const [file, listFile, fromArg, toArg] = process.argv.slice(2);
const mutations = JSON.parse(fs.readFileSync(listFile, 'utf8'));
const say = (line) => fs.writeSync(1, `${line}\n`);

async function attempt() {
  const model = await loadModel(file);
  try {
    const ctx = await model.createContext({ contextSize: 16, threads: 1 });
    await ctx.complete('Once upon', { maxTokens: 2 });
  } finally {
    await model.dispose();
  }
}

(async () => {
  const fd = fs.openSync(file, 'r+');
  for (let i = Number(fromArg); i < Number(toArg); i++) {
    const m = mutations[i];
    const patch = Buffer.from(m.bytes, 'hex');
    const original = Buffer.alloc(patch.length);
    fs.readSync(fd, original, 0, patch.length, m.offset);
    fs.writeSync(fd, patch, 0, patch.length, m.offset);
    say(`start ${i}`);
    let outcome;
    try {
      await attempt();
      outcome = 'ok';
    } catch (err) {
      outcome = `${err && err.name}/${err && err.code}: ${String(err && err.message).replace(/\s+/g, ' ').slice(0, 300)}`;
    }
    say(`done ${i} ${outcome}`);
    fs.writeSync(fd, original, 0, original.length, m.offset);
  }
  fs.closeSync(fd);
})();
