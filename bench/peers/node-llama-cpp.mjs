// Measures node-llama-cpp's prebuilt binary on one model: prompt processing and generation tokens/s.
// Runs in its own process (argv: model path, prompt tokens, generated tokens, threads); prints JSON.
import { getLlama } from 'node-llama-cpp';

const [modelPath, ppArg, tgArg, threadsArg] = process.argv.slice(2);
const pp = Number(ppArg);
const tg = Number(tgArg);
const threads = Number(threadsArg);

const llama = await getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, logLevel: 'error' });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({ contextSize: 1024, batchSize: 512, threads });

const tokens = Array.from({ length: pp }, (_, i) => 100 + (i % 1000));
let ppBest = 0;
let tgBest = 0;
for (let rep = 0; rep < 2; rep++) {
  const seq = context.getSequence();
  let t = performance.now();
  await seq.evaluateWithoutGeneratingNewTokens(tokens);
  ppBest = Math.max(ppBest, pp / ((performance.now() - t) / 1000));
  seq.dispose();

  const gen = context.getSequence();
  let n = 0;
  t = performance.now();
  for await (const _ of gen.evaluate([1], { temperature: 0 })) {
    if (++n >= tg) break;
  }
  tgBest = Math.max(tgBest, tg / ((performance.now() - t) / 1000));
  gen.dispose();
}
process.stdout.write(JSON.stringify({ pp_tps: ppBest, tg_tps: tgBest, binary: 'prebuilt' }) + '\n');
await context.dispose();
await model.dispose();
await llama.dispose();
