/**
 * llama.cpp reuses the previous graph between ubatches of the same shape. The layer hook (taps)
 * must not take that away: a generation with taps builds as many graphs for 24 tokens as for 4,
 * and every extra token is a reuse.
 */
import { loadModel, type Context, type GenerateOptions, type Model } from '../../src/engine';
import { smallModel } from '../support/engine';

let model: Model;
let ctx: Context;

beforeAll(async () => {
  model = await loadModel(await smallModel());
  ctx = await model.createContext({ contextSize: 128 });
});
afterAll(async () => {
  await ctx.dispose();
  await model.dispose();
});

/** Graphs built and reused while generating `maxTokens` tokens (the prompt's last token included). */
async function graphsFor(prompt: number[], maxTokens: number, options: GenerateOptions): Promise<{ built: number; reused: number; tokens: number }> {
  const before = ctx.graphCounters();
  const r = await ctx.complete(prompt, { ...options, maxTokens, ignoreEos: true });
  const after = ctx.graphCounters();
  return { built: after.built - before.built, reused: after.reused - before.reused, tokens: r.tokens.length };
}

describe('graph reuse while the layer hook is set', () => {
  const cases: [string, GenerateOptions][] = [
    ['no hook', {}],
    ['taps on every layer, mean over the generated span', { taps: { layers: 'all', mode: 'mean' } }],
    ['taps on two layers, the last prompt token', { taps: { layers: [1, 3], mode: 'last' } }],
  ];
  test.each(cases)('%s: the graphs built do not grow with the tokens generated', async (_name, options) => {
    const prompt = model.tokenize('Graph reuse with the layer hook set');
    await graphsFor(prompt, 2, options); // the prompt in the cache, as for the runs compared
    const short = await graphsFor(prompt, 4, options);
    const long = await graphsFor(prompt, 24, options);
    expect([short.tokens, long.tokens]).toEqual([4, 24]);
    // the prompt's last token (a 1-token ubatch) and the first generated one may each build;
    // from then on every token reuses the graph
    expect(long.built).toBe(short.built);
    expect(long.built).toBeLessThanOrEqual(2);
    expect(long.reused - short.reused).toBe(20);
  });

  test('taps read from a reused graph are the states of the tokens generated', async () => {
    // the mean over the generated span, read token by token from reused graphs, equals the mean of
    // those positions evaluated in one batch (any stale or shared tensor would differ)
    const prompt = model.tokenize('Taps read from a reused graph');
    const before = ctx.graphCounters();
    const gen = await ctx.complete(prompt, { maxTokens: 12, ignoreEos: true, taps: { layers: [0, 2], mode: 'mean' } });
    expect(ctx.graphCounters().reused - before.reused).toBeGreaterThanOrEqual(10);
    const span = await ctx.evaluate([...prompt, ...gen.tokens.map((t) => t.id)], { taps: { layers: [0, 2], mode: 'all' } });
    const E = model.info.embeddingSize;
    for (let k = 0; k < 2; k++) {
      const rows = span.taps![k].data;
      let worst = 0;
      for (let j = 0; j < E; j++) {
        let s = 0;
        for (let p = prompt.length; p < prompt.length + 12; p++) s += rows[p * E + j];
        worst = Math.max(worst, Math.abs(gen.taps![k].data[j] - s / 12));
      }
      expect(worst).toBeLessThanOrEqual(1e-3);
    }
  });
});
