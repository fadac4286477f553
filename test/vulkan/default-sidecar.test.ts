/**
 * The shipped sidecar on the shipped model, every layer on the Vulkan device, against the CPU build
 * (issue 20, item 4): its decisions (refuse or trust, from the probes' confidence against the
 * sidecar's threshold) on every held-out question must agree on at least 99 %, and the two-pass
 * answers are compared too. Rule written before the run: agreement = same `refuse` (and, for the
 * answers, the same text) question by question, over all of models/default.heldout.jsonl.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../support/engine';
import { figures, loadBuilds, printFigures } from './builds';

const MIN_AGREEMENT = 0.99;
const MAX_TOKENS = 12;
const { cpu, gpu } = loadBuilds();
const modelPath = path.join(repoRoot, 'models', 'default.gguf');
const sidecarPath = path.join(repoRoot, 'sidecars', 'default.gguf');
const questions = fs.readFileSync(path.join(repoRoot, 'models', 'default.heldout.jsonl'), 'utf8').trim().split('\n')
  .map((line) => (JSON.parse(line) as { question: string }).question);
const prompt = (q: string) => `Question: ${q}\nAnswer:`;

interface Outcome { refuse: boolean; confidence: number; text: string; refused: boolean }

async function run(build: typeof cpu, gpuLayers: number): Promise<{ outcomes: Outcome[]; seconds: number; tokens: number }> {
  const model = await build.engine.loadModel(modelPath, { gpuLayers });
  const pipe = await build.sidecar.TwoPass.load(model, sidecarPath, { contextSize: 256, threads: 2, cacheSize: 0 });
  const started = Date.now();
  let tokens = 0;
  try {
    const outcomes: Outcome[] = [];
    for (const q of questions) {
      const r = await pipe.complete(prompt(q), { maxTokens: MAX_TOKENS, temperature: 0 });
      tokens += r.tokens.length;
      outcomes.push({ refuse: r.decision.refuse, confidence: r.decision.confidence, text: r.text, refused: r.refused });
    }
    return { outcomes, seconds: (Date.now() - started) / 1000, tokens };
  } finally {
    await pipe.dispose();
    await model.dispose();
  }
}

afterAll(() => printFigures('default-sidecar.test.ts'));

test(`the default sidecar decides as on the CPU build on >= ${MIN_AGREEMENT * 100} % of the held-out questions`, async () => {
  expect(questions.length).toBeGreaterThan(500);
  const want = await run(cpu, 0);
  const got = await run(gpu, 99);
  const n = questions.length;
  const sameDecision = got.outcomes.filter((o, i) => o.refuse === want.outcomes[i].refuse).length;
  const sameText = got.outcomes.filter((o, i) => o.text === want.outcomes[i].text).length;
  const confidenceDiff = Math.max(...got.outcomes.map((o, i) => Math.abs(o.confidence - want.outcomes[i].confidence)));
  figures.defaultSidecar = {
    questions: n,
    decisionAgreement: sameDecision / n,
    answerAgreement: sameText / n,
    confidenceMaxAbsDiff: confidenceDiff,
    refusals: { cpu: want.outcomes.filter((o) => o.refuse).length, gpu: got.outcomes.filter((o) => o.refuse).length },
    // two-pass throughput over the whole run (prompt + generation), a correctness device, not a speed one
    tokensPerSecond: { cpu: want.tokens / want.seconds, gpu: got.tokens / got.seconds },
  };
  expect(sameDecision / n).toBeGreaterThanOrEqual(MIN_AGREEMENT);
  expect(sameText / n).toBeGreaterThanOrEqual(MIN_AGREEMENT);
});
