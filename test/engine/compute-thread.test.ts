/**
 * A context's decodes run on one thread of its own (native/compute_thread.h), not on whichever
 * libuv worker is free: ggml's CPU pool makes the caller thread 0 of every graph, and a caller that
 * changed from token to token cost generation speed. Two contexts decode on two threads at once,
 * each with the results it gets alone.
 */
import { loadModel, type Model } from '../../src/engine';
import { smallModel } from '../support/engine';

let model: Model;

beforeAll(async () => {
  model = await loadModel(await smallModel());
});
afterAll(async () => {
  await model.dispose();
});

test('prompt evaluation and generation of a context all run on one thread', async () => {
  const ctx = await model.createContext({ contextSize: 128 });
  try {
    expect(ctx.graphCounters().decodeThreads).toBe(0);
    await ctx.evaluate(model.tokenize('One thread for every decode'));
    // far more calls than libuv has workers (4): any pool would have spread them
    for (let i = 0; i < 3; i++) await ctx.complete('Generation on its own thread', { maxTokens: 24, ignoreEos: true });
    expect(ctx.graphCounters().decodeThreads).toBe(1);
  } finally {
    await ctx.dispose();
  }
});

test('two contexts generating at once give what each gives alone', async () => {
  const prompts = ['The first context writes', 'A second context, elsewhere,'];
  const alone: number[][] = [];
  for (const p of prompts) {
    const ctx = await model.createContext({ contextSize: 128 });
    alone.push((await ctx.complete(p, { maxTokens: 32, ignoreEos: true })).tokens.map((t) => t.id));
    await ctx.dispose();
  }
  const ctxs = await Promise.all(prompts.map(() => model.createContext({ contextSize: 128 })));
  try {
    const together = await Promise.all(ctxs.map((c, i) => c.complete(prompts[i], { maxTokens: 32, ignoreEos: true })));
    expect(together.map((r) => r.tokens.map((t) => t.id))).toEqual(alone);
  } finally {
    await Promise.all(ctxs.map((c) => c.dispose()));
  }
});
