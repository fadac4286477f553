// The signals of real generations: the default model and its sidecar answer held-out questions;
// every signal is finite and the vector has SIGNAL_NAMES' size; the OOD distribution is fitted on
// the sidecar's own training prompts (never the held-out ones); and questions the model saw often
// read differently from questions it never saw. The figures are printed, not tuned on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, type Model } from '../../src/engine';
import { parseQaJsonl, type QaItem } from '../../src/loom/judge';
import { DEFAULT_PROMPT_TEMPLATE, formatPrompt } from '../../src/loom/prompt';
import {
  completeWithSignals,
  fitHiddenDistribution,
  hiddenStateVector,
  SIGNAL_NAMES,
  SIGNALS_VERSION,
  signalsVector,
  signalsFromGeneration,
  type GenerationForSignals,
  type HiddenDistribution,
  type Signals,
} from '../../src/meta';
import { TwoPass } from '../../src/sidecar';
import { repoRoot } from '../support/engine';
import { defaultModel, defaultSidecar } from '../support/serve';

const FIT_PROMPTS = 150;
const PER_BUCKET = 30;

function items(file: string): QaItem[] {
  return parseQaJsonl(fs.readFileSync(path.join(repoRoot, 'models', file), 'utf8'), file);
}
const prompt = (q: QaItem): string => formatPrompt(DEFAULT_PROMPT_TEMPLATE, q.question);
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

let model: Model;
let pipe: TwoPass;
let distribution: HiddenDistribution;
const byBucket = new Map<string, Signals[]>();
const generations: GenerationForSignals[] = [];

beforeAll(async () => {
  model = await loadModel(defaultModel);
  pipe = await TwoPass.load(model, defaultSidecar, { threads: 1, contextSize: 64, cacheSize: 8 });
  // the training distribution: pass 1 on the sidecar's training prompts (every 5th, in file order)
  const train = items('default.sidecar-train.jsonl').filter((_, i) => i % 5 === 0).slice(0, FIT_PROMPTS);
  const states: Float32Array[] = [];
  for (const q of train) states.push(hiddenStateVector((await pipe.encode(prompt(q))).hidden));
  distribution = fitHiddenDistribution(states);
  const heldout = items('default.heldout.jsonl');
  for (const bucket of ['frequent', 'unseen']) {
    const list: Signals[] = [];
    for (const q of heldout.filter((h) => h.bucket === bucket).slice(0, PER_BUCKET)) {
      const { result, state, signals } = await completeWithSignals(pipe, prompt(q), { maxTokens: 12, stop: ['\n'] }, { distribution });
      generations.push({ result, state });
      list.push(signals);
    }
    byBucket.set(bucket, list);
  }
}, 120_000);

afterAll(async () => {
  await pipe?.dispose();
  await model?.dispose();
});

test('every held-out answer has finite signals of the documented size, one hidden entry per target layer', () => {
  const all = [...byBucket.values()].flat();
  expect(all).toHaveLength(2 * PER_BUCKET);
  expect(distribution.dimension).toBe(pipe.config.targetLayers.length * model.info.embeddingSize);
  for (const s of all) {
    const v = signalsVector(s);
    expect(v).toHaveLength(SIGNAL_NAMES.length);
    expect(v.every(Number.isFinite)).toBe(true);
    expect(s.hidden.map((h) => h.layer)).toEqual(pipe.config.targetLayers);
    for (const h of s.hidden) expect(h.std).toBeGreaterThan(0);
    expect(s.ood).not.toBeNull();
    expect(s.ood).toBeGreaterThan(0);
    // this pipeline was loaded without attentionEntropy: absent, 0 in the vector with its flag 0
    expect(s.version).toBe(SIGNALS_VERSION);
    expect(s.attentionEntropy).toBeNull();
    for (const name of ['attention_entropy_mean', 'attention_entropy_last', 'attention_entropy_present'] as const) expect(v[SIGNAL_NAMES.indexOf(name)]).toBe(0);
    if (s.generatedTokens > 0) {
      expect(s.entropy.min).toBeLessThanOrEqual(s.entropy.mean);
      expect(s.entropy.mean).toBeLessThanOrEqual(s.entropy.max);
      expect(s.logprob.min).toBeLessThanOrEqual(s.logprob.first);
      expect(s.logprob.mean).toBeLessThanOrEqual(0);
    }
    expect(s.probe.confidence).toBeGreaterThanOrEqual(0);
    expect(s.probe.confidence).toBeLessThanOrEqual(1);
  }
});

test('answers to questions the model saw often read as surer than answers to questions it never saw', () => {
  const figure = (bucket: string, pick: (s: Signals) => number): number => mean(byBucket.get(bucket)!.map(pick));
  const figures = Object.fromEntries(
    (['frequent', 'unseen'] as const).map((b) => [
      b,
      {
        probe_confidence: figure(b, (s) => s.probe.confidence),
        entropy_mean: figure(b, (s) => s.entropy.mean),
        logprob_mean: figure(b, (s) => s.logprob.mean),
        logprob_first: figure(b, (s) => s.logprob.first),
        ood: figure(b, (s) => s.ood ?? NaN),
        refused: figure(b, (s) => (s.probe.refused ? 1 : 0)),
        hedges: figure(b, (s) => s.hedges),
        repetition_4gram: figure(b, (s) => s.repetition4),
      },
    ]),
  );
  // what the signals cost beside the generation: recomputed from the kept results
  const start = process.hrtime.bigint();
  for (const g of generations) signalsVector(signalsFromGeneration(g, { distribution }));
  const microsEach = Number(process.hrtime.bigint() - start) / 1000 / generations.length;
  // the figures docs/meta.md reports (n = PER_BUCKET per bucket)
  console.log(`signals by bucket (n ${PER_BUCKET} each; ${microsEach.toFixed(0)} µs per answer):\n${JSON.stringify(figures, null, 2)}`);
  expect(figures.frequent.probe_confidence).toBeGreaterThan(figures.unseen.probe_confidence);
  expect(figures.frequent.entropy_mean).toBeLessThan(figures.unseen.entropy_mean);
});
