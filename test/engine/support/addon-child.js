'use strict';
// Runs in a child process with COGITO_ADDON naming another build of the addon (one process loads one
// build: two copies of ggml must not share it): prints systemInfo() and, given a model, the greedy
// tokens of a prompt, as one JSON line. A failure to load prints the error's code and message.
//   node addon-child.js [model prompt maxTokens]
require('../../vks/support/ts-hook');
const { loadModel, systemInfo } = require('../../../src/engine/index.ts');

async function main() {
  const [modelPath, prompt, maxTokens] = process.argv.slice(2);
  let info;
  try {
    info = systemInfo();
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: { name: err.constructor.name, code: err.code, message: err.message } })}\n`);
    return;
  }
  let tokens = null;
  if (modelPath) {
    const model = await loadModel(modelPath);
    const ctx = await model.createContext({ contextSize: 128 });
    const r = await ctx.complete(prompt, { maxTokens: Number(maxTokens), temperature: 0, ignoreEos: true });
    tokens = r.tokens.map((t) => t.id);
    await ctx.dispose();
    await model.dispose();
  }
  process.stdout.write(`${JSON.stringify({ info, tokens })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
