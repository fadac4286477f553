'use strict';
// The generated ~0.5B llama models the benchmarks share (made once, kept in bench/work/).

const fs = require('node:fs');
const path = require('node:path');

const work = path.join(__dirname, 'work');

/** { q8_0, q4_0 } paths (or only the `types` asked for), made with cogito's own makeModel + quantize when missing. */
async function benchModels(cogito, log, types = ['q8_0', 'q4_0']) {
  fs.mkdirSync(work, { recursive: true });
  const f32 = path.join(work, 'bench-0.5b-f32.gguf');
  const out = Object.fromEntries(types.map((type) => [type, path.join(work, `bench-0.5b-${type}.gguf`)]));
  if (Object.values(out).every((p) => fs.existsSync(p))) return out;
  if (!fs.existsSync(f32)) {
    log('making a ~0.5B llama model (1024 wide, 24 layers, 4096 feed-forward)');
    await cogito.makeModel({ out: f32, embeddingSize: 1024, layers: 24, heads: 16, headsKv: 16, feedForwardSize: 4096, seed: 1 });
  }
  for (const [type, file] of Object.entries(out)) {
    if (!fs.existsSync(file)) {
      log(`quantizing to ${type}`);
      await cogito.quantize(f32, file, type);
    }
  }
  fs.rmSync(f32, { force: true });
  return out;
}

module.exports = { benchModels, work };
