// ignoreEos (llama.cpp's ignore_eos): the draw never picks an end-of-generation token, so a
// generation runs to maxTokens — what benchmarks need to compare servers on equal token counts.
import * as path from 'node:path';
import { CogitoError, loadModel, type Model } from '../../src/engine';
import { repoRoot } from '../support/engine';

const quiet = { onWarning: () => undefined };
const PROMPT = 'Question: Who wrote the Meditations?\nAnswer:';

describe('ignoreEos', () => {
  let model: Model;
  beforeAll(async () => {
    model = await loadModel(path.join(repoRoot, 'models', 'default.gguf'));
  });
  afterAll(async () => model.dispose());

  it('turns a generation that ends itself into one of maxTokens, on a context and on a sequence', async () => {
    const ctx = await model.createContext(quiet);
    const natural = await ctx.complete(PROMPT, { maxTokens: 40 });
    // the premise: the model ends this answer itself, well before the limit
    expect(natural.stopReason).toBe('eog');
    expect(natural.tokens.length).toBeLessThan(40);
    const forced = await ctx.complete(PROMPT, { maxTokens: 40, ignoreEos: true });
    expect(forced.stopReason).toBe('maxTokens');
    expect(forced.tokens).toHaveLength(40);
    // greedy: the same tokens up to where the model would have ended
    expect(forced.tokens.slice(0, natural.tokens.length).map((t) => t.id)).toEqual(natural.tokens.map((t) => t.id));
    await ctx.dispose();

    const pool = await model.createSequencePool({ sequences: 2, contextSize: 128, ...quiet });
    const [a, b] = [pool.acquire(), pool.acquire()];
    const [fa, nb] = await Promise.all([a.complete(PROMPT, { maxTokens: 40, ignoreEos: true }), b.complete(PROMPT, { maxTokens: 40 })]);
    expect(fa.stopReason).toBe('maxTokens');
    expect(fa.tokens).toHaveLength(40);
    expect(nb.stopReason).toBe('eog');
    await pool.dispose();
  });

  it('must be a boolean', async () => {
    const ctx = await model.createContext(quiet);
    const err = await ctx.complete(PROMPT, { ignoreEos: 1 as unknown as boolean }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CogitoError);
    expect((err as CogitoError).code).toBe('INVALID_ARGUMENT');
    await ctx.dispose();
  });
});
