// Parallel sequences (src/engine/sequences.ts, native/sequences.cpp): several generations decoded in
// one batch must give what each gives alone on a plain Context, keep their caches apart, and fail
// (abort, grammar, bad input) one at a time. Also topLogprobs, on Context and Sequence alike.
import Ajv from 'ajv';
import * as path from 'node:path';
import { CogitoError, loadModel, type Context, type GeneratedToken, type GenerateOptions, type GenerationResult, type Model, type Sequence, type SequencePool } from '../../src/engine';
import { addon, type NativeContext } from '../../src/engine/native';
import { repoRoot, smallModel } from '../support/engine';

const quiet = { onWarning: () => undefined };

/**
 * How far a batched run may drift from a lone one, in nats. One sequence alone on a pool, whatever
 * its id, is bit-exact against a Context (tested below, tolerance 0). Sequences that share a batch
 * are not: their cells interleave in the pool's unified KV buffer and share the attention's and the
 * matrix products' blocking, so the same terms are summed in another order (~1e-7 relative), and
 * the model amplifies that where a value is rounded again: the F16 KV cache (one f16 ulp is 5e-4
 * relative) and, for q8_0 weights, the activations quantized in blocks of 32 (one step is 1/127 of
 * the block's largest value). Tokens must match exactly, except where the lone run's two best
 * candidates are closer than `tie`: there the rounding may pick the other one, and the rest of that
 * sequence is not compared.
 *
 * The bounds set before the first run (1e-3 for f32 weights, then 2e-2 for q8_0 after a first
 * measured 3.3e-3) were exceeded once all four prompts shared one batch: measured maxima over
 * these tests are 1.0e-3 (the random f32 model, 4 × 32 tokens) and 2.8e-2 (the q8_0 default model,
 * first tokens). The bounds below leave about 4x headroom over those; a wrong position, a row of
 * another sequence's logits or a cell of another sequence in the attention moves logprobs by
 * nats and changes tokens (the parity tests fail on such a mutation).
 */
interface Tolerance {
  tie: number;
  logprob: number;
}
const F32_TOLERANCE: Tolerance = { tie: 5e-3, logprob: 5e-3 };
const Q8_TOLERANCE: Tolerance = { tie: 1e-1, logprob: 1e-1 };

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(CogitoError);
    return (err as CogitoError).code;
  }
  return undefined;
}

/** The code of the addon's own error (an Error with a `code`, before src/engine types it). */
async function nativeCode(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

/** Asserts a batched run equals the lone one token by token, up to a near-tie (see TIE_NATS). */
function expectSameGeneration(batched: GenerationResult, alone: GenerationResult, tolerance: Tolerance): void {
  const n = Math.min(batched.tokens.length, alone.tokens.length);
  for (let i = 0; i < n; i++) {
    const a = alone.tokens[i];
    const b = batched.tokens[i];
    if (a.id !== b.id) {
      // a divergence is only acceptable at a near-tie of the lone run's two best tokens
      expect(a.top).toBeDefined();
      const [first, second] = a.top!;
      expect(Math.abs(first.logprob - second.logprob)).toBeLessThan(tolerance.tie);
      expect([first.id, second.id]).toContain(b.id);
      return;
    }
    expect(Math.abs(a.logprob - b.logprob)).toBeLessThan(tolerance.logprob);
  }
  expect(batched.tokens.length).toBe(alone.tokens.length);
  expect(batched.text).toBe(alone.text);
  expect(batched.stopReason).toBe(alone.stopReason);
}

async function collect(it: AsyncGenerator<GeneratedToken, GenerationResult>): Promise<{ streamed: GeneratedToken[]; result: GenerationResult }> {
  const streamed: GeneratedToken[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return { streamed, result: r.value };
    streamed.push(r.value);
  }
}

describe('a sequence pool on the default model', () => {
  const same = (batched: GenerationResult, alone: GenerationResult) => expectSameGeneration(batched, alone, Q8_TOLERANCE);
  let model: Model;
  let ctx: Context;
  let pool: SequencePool;
  const prompts = [
    'Question: What is the capital of France?\nAnswer:',
    'Question: Who was Descartes?\nAnswer:',
    'Question: What is two plus two?\nAnswer:',
    'Question: Where is the river?\nAnswer:',
  ];
  const options: GenerateOptions = { maxTokens: 12, topLogprobs: 2 };
  const alone: GenerationResult[] = [];

  beforeAll(async () => {
    model = await loadModel(path.join(repoRoot, 'models', 'default.gguf'));
    ctx = await model.createContext({ contextSize: 64, ...quiet });
    for (const p of prompts) {
      await ctx.reset();
      alone.push(await ctx.complete(p, options));
    }
    pool = await model.createSequencePool({ sequences: 4, contextSize: 64, ...quiet });
  });
  afterAll(async () => {
    await model.dispose();
  });

  test('four prompts at once give what each gives alone', async () => {
    const seqs = prompts.map(() => pool.acquire());
    expect(pool.free).toBe(0);
    const results = await Promise.all(seqs.map((s, i) => s.complete(prompts[i], options)));
    results.forEach((r, i) => same(r, alone[i]));
    // and streamed token by token, the same again (now with each prompt's cache reused)
    const streamed = await Promise.all(seqs.map((s, i) => collect(s.generate(prompts[i], options))));
    streamed.forEach(({ streamed: tokens, result }, i) => {
      expect(tokens.map((t) => t.id)).toEqual(result.tokens.map((t) => t.id));
      expect(result.cachedPromptTokens).toBe(result.promptTokens - 1);
      same(result, alone[i]);
    });
    for (const s of seqs) s.release();
    expect(pool.free).toBe(4);
  });

  test('a sequence alone on the pool, whatever its id, is bit-exact against a Context', async () => {
    const seqs = prompts.map(() => pool.acquire());
    await Promise.all(seqs.map((s) => s.clear()));
    for (let i = 0; i < prompts.length; i++) {
      // the last sequence first: its cells then start at the buffer's first cell, as a lone context's do
      const s = seqs[seqs.length - 1 - i];
      const r = await s.complete(prompts[i], options);
      await s.clear();
      expect(r.tokens.map((t) => [t.id, t.logprob, t.top])).toEqual(alone[i].tokens.map((t) => [t.id, t.logprob, t.top]));
      expect(r.text).toBe(alone[i].text);
    }
    for (const s of seqs) s.release();
  });

  test('each sequence reuses its own cached prefix, and clear() forgets only its own', async () => {
    const [a, b] = [pool.acquire(), pool.acquire()];
    // the earlier test left caches behind
    await Promise.all([a.clear(), b.clear()]);
    const first = await a.complete(prompts[0], { maxTokens: 4 });
    expect(first.cachedPromptTokens).toBe(0);
    // the same prompt with a continuation: everything before the continuation comes from the cache
    const promptTokens = model.tokenize(prompts[0]);
    const longer = [...promptTokens, ...model.tokenize(' Paris', { addSpecial: false })];
    const [second, other] = await Promise.all([a.complete(longer, { maxTokens: 4 }), b.complete(prompts[1], { maxTokens: 4 })]);
    expect(second.cachedPromptTokens).toBeGreaterThanOrEqual(promptTokens.length);
    expect(second.cachedPromptTokens).toBeLessThan(longer.length);
    await ctx.reset();
    const fresh = await ctx.complete(longer, { maxTokens: 4, topLogprobs: 2 });
    same(second, fresh);
    expect(other.cachedPromptTokens).toBe(0);

    // clear a while b generates: b's answer is untouched, a starts over
    const running = b.complete(prompts[2], { ...options });
    await a.clear();
    expect(a.cachedTokens).toBe(0);
    same(await running, alone[2]);
    const again = await a.complete(prompts[0], { maxTokens: 4 });
    expect(again.cachedPromptTokens).toBe(0);
    expect(again.text).toBe(first.text);
    // a released sequence keeps its cache, and acquire(prompt) finds it
    a.release();
    b.release();
    const c = pool.acquire(promptTokens);
    expect(c.id).toBe(a.id);
    expect((await c.complete(prompts[0], { maxTokens: 2 })).cachedPromptTokens).toBe(promptTokens.length - 1);
    c.release();
    expect(await codeOf(() => a.complete(prompts[0]))).toBe('DISPOSED');
  });

  test('Context.generate reports its cached prompt tokens too', async () => {
    await ctx.reset();
    expect((await ctx.complete(prompts[1], { maxTokens: 2 })).cachedPromptTokens).toBe(0);
    const again = await ctx.complete(prompts[1], { maxTokens: 2 });
    expect(again.cachedPromptTokens).toBe(again.promptTokens - 1);
  });

  test('topLogprobs: sorted log-probabilities, the greedy token first, the same on Context and Sequence', async () => {
    await ctx.reset();
    const lone = await ctx.complete(prompts[0], { maxTokens: 6, topLogprobs: 5 });
    const s = pool.acquire();
    const pooled = await s.complete(prompts[0], { maxTokens: 6, topLogprobs: 5 });
    s.release();
    for (const r of [lone, pooled]) {
      expect(r.tokens.length).toBeGreaterThan(0);
      for (const t of r.tokens) {
        expect(t.top).toHaveLength(5);
        const top = t.top!;
        expect(top[0].id).toBe(t.id);
        expect(Math.abs(top[0].logprob - t.logprob)).toBeLessThan(1e-9);
        for (let i = 0; i < top.length; i++) {
          expect(top[i].logprob).toBeLessThanOrEqual(0);
          if (i > 0) expect(top[i].logprob).toBeLessThanOrEqual(top[i - 1].logprob);
          expect(top[i].text).toBe(Buffer.from(model.tokenBytes(top[i].id)).toString('utf8'));
        }
        // probabilities of distinct tokens sum to at most 1
        expect(top.reduce((sum, x) => sum + Math.exp(x.logprob), 0)).toBeLessThanOrEqual(1 + 1e-9);
      }
    }
    same(pooled, lone);
    // without topLogprobs, no alternatives
    await ctx.reset();
    expect((await ctx.complete(prompts[0], { maxTokens: 2 })).tokens[0].top).toBeUndefined();
  });

  test('an aborted generation frees its sequence at once; the others run on', async () => {
    const [a, b] = [pool.acquire(), pool.acquire()];
    const controller = new AbortController();
    const other = b.complete(prompts[3], options);
    const it = a.generate(prompts[1], { maxTokens: 40, signal: controller.signal });
    await it.next();
    controller.abort();
    expect(await codeOf(it.next())).toBe('ABORTED');
    a.release();
    const next = pool.acquire();
    same(await next.complete(prompts[0], options), alone[0]);
    same(await other, alone[3]);
    // an abort before the start is refused before anything is queued
    expect(await codeOf(next.complete(prompts[0], { signal: AbortSignal.abort() }))).toBe('ABORTED');
    // a consumer that stops early frees the sequence too
    for await (const _token of next.generate(prompts[2], { maxTokens: 20 })) break;
    expect((await next.complete(prompts[2], options)).text).toBe(alone[2].text);
    next.release();
    b.release();
  });

  test('bad options and misuse are refused with codes, and the pool still works', async () => {
    const s = pool.acquire();
    expect(await codeOf(s.complete(prompts[0], { topLogprobs: 21 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(s.complete(prompts[0], { topLogprobs: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(ctx.complete(prompts[0], { topLogprobs: -1 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(s.complete(prompts[0], { taps: { layers: [0] } }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(s.complete(prompts[0], { promptLogits: true }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(s.complete(prompts[0], { maxTokens: -1 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(s.complete(prompts[0], { temperature: -1 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(s.complete(prompts[0], { grammar: 'root ::= (' }))).toBe('INVALID_GRAMMAR');
    expect(await codeOf(s.complete([]))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(s.complete([model.info.vocabularySize]))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(s.complete(new Array(65).fill(1)))).toBe('CONTEXT_OVERFLOW');
    const running = s.complete(prompts[0], options);
    expect(await codeOf(s.complete(prompts[1]))).toBe('BUSY');
    expect(await codeOf(s.clear())).toBe('BUSY');
    same(await running, alone[0]);
    s.release();
    for (const sequences of [0, 65, 1.5, NaN]) {
      expect(await codeOf(model.createSequencePool({ sequences, contextSize: 64, ...quiet }))).toBe('INVALID_ARGUMENT');
    }
    expect(await codeOf(model.createSequencePool({ sequences: 4, contextSize: 64, batchSize: 2, ...quiet }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(model.createSequencePool({ sequences: 2, contextSize: 0 }))).toBe('INVALID_ARGUMENT');
  });

  test('a full pool refuses with NO_FREE_SEQUENCE until one is released', async () => {
    const all = Array.from({ length: pool.size }, () => pool.acquire());
    expect(await codeOf(() => pool.acquire())).toBe('NO_FREE_SEQUENCE');
    all[2].release();
    const again = pool.acquire();
    expect(again.id).toBe(all[2].id);
    for (const s of [...all.slice(0, 2), ...all.slice(3), again]) s.release();
  });

  test('pool disposal while idle', async () => {
    const small = await model.createSequencePool({ sequences: 2, contextSize: 32, ...quiet });
    const s = small.acquire();
    expect((await s.complete(prompts[0], { maxTokens: 2 })).tokens.length).toBeGreaterThan(0);
    await small.dispose();
    expect(await codeOf(() => small.acquire())).toBe('DISPOSED');
    expect(await codeOf(() => s.complete(prompts[0]))).toBe('DISPOSED');
    await small.dispose(); // twice is fine
  });
});

describe('a sequence pool on a model with random weights', () => {
  const same = (batched: GenerationResult, alone: GenerationResult) => expectSameGeneration(batched, alone, F32_TOLERANCE);
  let model: Model;
  let ctx: Context;
  let pool: SequencePool;

  beforeAll(async () => {
    model = await loadModel(await smallModel());
    ctx = await model.createContext({ contextSize: 512 });
    pool = await model.createSequencePool({ sequences: 4, contextSize: 512 });
  });
  afterAll(async () => {
    await model.dispose();
  });

  test('four prompts of different lengths at once give what each gives alone, 32 tokens each', async () => {
    const prompts = ['Hello', 'The record of the new user:', 'one two three four five six seven eight nine ten', 'Question: What is the capital of France?\nAnswer:'];
    const options: GenerateOptions = { maxTokens: 32, topLogprobs: 2 };
    const alone: GenerationResult[] = [];
    for (const p of prompts) {
      await ctx.reset();
      alone.push(await ctx.complete(p, options));
    }
    const seqs = prompts.map(() => pool.acquire());
    const results = await Promise.all(seqs.map((s, i) => s.complete(prompts[i], options)));
    results.forEach((r, i) => same(r, alone[i]));
    // generation ran long enough to matter: random weights rarely end by themselves
    expect(results.reduce((n, r) => n + r.tokens.length, 0)).toBeGreaterThan(64);
    for (const s of seqs) {
      await s.clear();
      s.release();
    }
  });

  test('a JSON Schema on one sequence while the others run free', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 8 }, n: { type: 'integer', minimum: 0, maximum: 99 } },
      required: ['name', 'n'],
      additionalProperties: false,
    };
    const free = ['The record of the new user:', 'Hello'];
    const alone: GenerationResult[] = [];
    for (const p of free) {
      await ctx.reset();
      alone.push(await ctx.complete(p, { maxTokens: 24, topLogprobs: 2 }));
    }
    const seqs: Sequence[] = [pool.acquire(), pool.acquire(), pool.acquire()];
    const [constrained, ...others] = await Promise.all([
      seqs[0].complete('A JSON value:', { jsonSchema: schema, maxTokens: 120 }),
      seqs[1].complete(free[0], { maxTokens: 24, topLogprobs: 2 }),
      seqs[2].complete(free[1], { maxTokens: 24, topLogprobs: 2 }),
    ]);
    expect(constrained.stopReason).toBe('eog');
    const validate = new Ajv().compile(schema);
    expect(validate(JSON.parse(constrained.text))).toBe(true);
    others.forEach((r, i) => same(r, alone[i]));
    for (const s of seqs) s.release();
  });

  test('a grammar dead end fails its own sequence only; the others and the loop run on', async () => {
    await ctx.reset();
    const alone = await ctx.complete('Hello', { maxTokens: 24, topLogprobs: 2 });
    const [a, b] = [pool.acquire(), pool.acquire()];
    // a NUL no token can spell (as in grammar.test.ts), after one token the grammar allows
    const [dead, other] = await Promise.allSettled([a.complete('Hello', { grammar: 'root ::= "a" [\\x00]', maxTokens: 4 }), b.complete('Hello', { maxTokens: 24, topLogprobs: 2 })]);
    expect(dead.status).toBe('rejected');
    expect((dead as PromiseRejectedResult).reason).toMatchObject({ code: 'GRAMMAR_DEAD_END' });
    expect(other.status).toBe('fulfilled');
    same((other as PromiseFulfilledResult<GenerationResult>).value, alone);
    // the failed sequence serves the next request
    same(await a.complete('Hello', { maxTokens: 24, topLogprobs: 2 }), alone);
    a.release();
    b.release();
  });

  test('a long prompt read in chunks beside a generating sequence (batchSize 8)', async () => {
    const chunked = await model.createSequencePool({ sequences: 2, contextSize: 256, batchSize: 8 });
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen';
    await ctx.reset();
    const longAlone = await ctx.complete(long, { maxTokens: 10, topLogprobs: 2 });
    await ctx.reset();
    const shortAlone = await ctx.complete('Hello', { maxTokens: 30, topLogprobs: 2 });
    const [a, b] = [chunked.acquire(), chunked.acquire()];
    const [shortR, longR] = await Promise.all([b.complete('Hello', { maxTokens: 30, topLogprobs: 2 }), a.complete(long, { maxTokens: 10, topLogprobs: 2 })]);
    expect(longR.promptTokens).toBeGreaterThan(8);
    same(longR, longAlone);
    same(shortR, shortAlone);
    await chunked.dispose();
  });

  test("a first token goes in a tick without prompt chunks: it does not wait for another sequence's prompt", async () => {
    const chunked = await model.createSequencePool({ sequences: 2, contextSize: 256, batchSize: 8 });
    const [short, long] = [chunked.acquire(), chunked.acquire()];
    const shortPrompt = model.tokenize('Hello');
    expect(shortPrompt.length).toBeLessThan(8);
    const longPrompt = new Array(40).fill(model.tokenize('one', { addSpecial: false })[0]);
    // queued in this order, in one turn: the first tick reads the short prompt and 8 - its length of the long one
    const shortRun = short.generate(shortPrompt, { maxTokens: 2 });
    const first = shortRun.next();
    const longRun = long.complete(longPrompt, { maxTokens: 2 });
    expect((await first).done).toBe(false);
    // the tick that sampled the short one's first token read nothing more of the long prompt
    expect(long.cachedTokens).toBe(8 - shortPrompt.length);
    while (!(await shortRun.next()).done);
    expect((await longRun).promptTokens).toBe(40);
    await chunked.dispose();
  });

  test('the positions of one sequence are its own: a full sequence stops with contextFull', async () => {
    const small = await model.createSequencePool({ sequences: 2, contextSize: 16 });
    const [a, b] = [small.acquire(), small.acquire()];
    const [ra, rb] = await Promise.all([a.complete('Hello', { maxTokens: 100 }), b.complete('The record', { maxTokens: 3 })]);
    expect(ra.stopReason === 'contextFull' || ra.stopReason === 'eog').toBe(true);
    if (ra.stopReason === 'contextFull') expect(ra.promptTokens + ra.tokens.length).toBe(16);
    expect(rb.tokens.length).toBeLessThanOrEqual(3);
    // a prompt that fills the sequence generates nothing
    expect((await a.complete(new Array(16).fill(1), { maxTokens: 5 })).stopReason).toBe('contextFull');
    await small.dispose();
  });

  test('the native tick checks its plan before llama.cpp sees it', async () => {
    const handle: NativeContext = await addon().createContext(model.native, { contextSize: 32, batchSize: 8, threads: 1, sequences: 2 });
    try {
      const tok = Int32Array.from(model.tokenize('Hello'));
      const bad = async (steps: unknown[], prompts: unknown[]) => nativeCode(async () => handle.tick(steps as never, prompts as never));
      expect(await bad([], [{ seq: 2, pos: 0, tokens: tok, logits: true }])).toBe('INVALID_ARGUMENT');
      expect(await bad([], [{ seq: -1, pos: 0, tokens: tok, logits: true }])).toBe('INVALID_ARGUMENT');
      expect(await bad([], [{ seq: 0, pos: 3, tokens: tok, logits: true }])).toBe('INVALID_ARGUMENT');
      expect(await bad([], [{ seq: 0, pos: 0, tokens: new Int32Array(9).fill(1), logits: true }])).toBe('INVALID_ARGUMENT');
      expect(await bad([], [{ seq: 0, pos: 0, tokens: Int32Array.from([model.info.vocabularySize]), logits: true }])).toBe('INVALID_ARGUMENT');
      expect(await bad([], [{ seq: 0, pos: 0, tokens: tok, logits: true }, { seq: 0, pos: 0, tokens: tok, logits: true }])).toBe('INVALID_ARGUMENT');
      expect(await bad([{ seq: 1, pos: 0, decode: true, top: 0 }], [])).toBe('INVALID_STATE');
      expect(await nativeCode(() => handle.removeFrom(0, 5))).toBe('INVALID_ARGUMENT');
      handle.setSampler({ temperature: 0 }, undefined, 1);
      expect(await bad([{ seq: 1, pos: 0, decode: true, top: 21 }], [])).toBe('INVALID_ARGUMENT');
      // sampling a sequence that has no logits yet fails that sequence alone
      const [r] = await handle.tick([{ seq: 1, pos: 0, decode: true, top: 0 }], [{ seq: 0, pos: 0, tokens: tok, logits: true }]);
      expect(r.error).toBeDefined();
      // positions past the per-sequence size, filled chunk by chunk
      for (let pos = tok.length; pos + 8 <= 32; pos += 8) await handle.tick([], [{ seq: 0, pos, tokens: new Int32Array(8).fill(1), logits: false }]);
      expect(await bad([], [{ seq: 0, pos: tok.length + 24, tokens: new Int32Array(8).fill(1), logits: false }])).toBe('CONTEXT_OVERFLOW');
    } finally {
      handle.dispose();
    }
  });
});
