/**
 * TwoPass.load({ attentionEntropy: n }): pass 1 reads the last n layers' attention entropy at the
 * last prompt token (native/attention.cpp) into the cognitive state, and signals carry it
 * (SIGNALS_VERSION 2). The default model and its sidecar on held-out prompts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidOptionError, loadModel, type Model } from '../../src/engine';
import { parseQaJsonl } from '../../src/loom/judge';
import { DEFAULT_PROMPT_TEMPLATE, formatPrompt } from '../../src/loom/prompt';
import { SIGNAL_NAMES, signalsFromGeneration, signalsVector } from '../../src/meta';
import { TwoPass } from '../../src/sidecar';
import { repoRoot } from '../support/engine';
import { defaultModel, defaultSidecar } from '../support/serve';

let model: Model;
let pipe: TwoPass;

beforeAll(async () => {
  model = await loadModel(defaultModel);
  pipe = await TwoPass.load(model, defaultSidecar, { threads: 1, contextSize: 64, attentionEntropy: 2 });
});

afterAll(async () => {
  await pipe?.dispose();
  await model?.dispose();
});

const heldout = parseQaJsonl(fs.readFileSync(path.join(repoRoot, 'models', 'default.heldout.jsonl'), 'utf8'), 'default.heldout.jsonl');

test('pass 1 reads the last layers at the last prompt token, as a plain evaluation of the prompt does, into the signals', async () => {
  const layers = [model.info.layerCount - 2, model.info.layerCount - 1];
  const check = await model.createContext({ contextSize: 64, threads: 1, attentionEntropy: { layers } });
  try {
    for (const q of heldout.slice(0, 4)) {
      const prompt = formatPrompt(DEFAULT_PROMPT_TEMPLATE, q.question);
      const result = await pipe.complete(prompt, { maxTokens: 8, stop: ['\n'] });
      const state = await pipe.encode(prompt);
      const readings = state.attentionEntropy!;
      expect(readings.map((a) => a.layer)).toEqual(layers);
      const n = model.tokenize(prompt).length;
      for (const a of readings) {
        expect(a.mean).toBeGreaterThan(0);
        expect(a.max).toBeGreaterThanOrEqual(a.mean);
        expect(a.max).toBeLessThanOrEqual(Math.log(n) + 1e-5);
      }
      const direct = (await check.evaluate(model.tokenize(prompt))).attentionEntropy!;
      direct.forEach((a, i) => expect(a.mean).toBeCloseTo(readings[i].mean, 4));
      const signals = signalsFromGeneration({ result, state });
      expect(signals.attentionEntropy).toEqual(readings);
      const v = signalsVector(signals);
      const at = (name: (typeof SIGNAL_NAMES)[number]) => v[SIGNAL_NAMES.indexOf(name)];
      expect(at('attention_entropy_present')).toBe(1);
      expect(at('attention_entropy_last')).toBeCloseTo(readings[1].mean, 5);
      expect(at('attention_entropy_mean')).toBeCloseTo((readings[0].mean + readings[1].mean) / 2, 5);
    }
  } finally {
    await check.dispose();
  }
});

test('the number of last layers is checked', async () => {
  for (const bad of [0, model.info.layerCount + 1, 1.5]) {
    await expect(TwoPass.load(model, defaultSidecar, { threads: 1, contextSize: 32, attentionEntropy: bad })).rejects.toThrow(InvalidOptionError);
  }
  await expect(TwoPass.load(model, defaultSidecar, { threads: 1, contextSize: 32, attentionEntropy: 0 })).rejects.toThrow(/attentionEntropy must be a number of last layers in 1\.\.4 \(got 0\)/);
});
