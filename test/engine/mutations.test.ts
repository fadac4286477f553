import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidModelFileError, loadModel, makeModel, quantize, readGguf } from '../../src/engine';
import { ggufMutations, type Mutation } from '../support/gguf-mutations';
import { repoRoot, tempDir, testModel } from '../support/engine';
import { craftLlamaModel } from './support/craft-model';
import { runMutations, type MutationOutcome } from './support/mutation-harness';

/** Every outcome must be a completed decode or a typed error: never a signal, a hang or a stray exit. */
function expectNoCrash(outcomes: MutationOutcome[], mutations: Mutation[]): void {
  expect(outcomes.length).toBe(mutations.length);
  const crashes = outcomes.filter((o) => !(o.outcome === 'ok' || /^[A-Za-z]+Error\/[A-Z_]+: /.test(o.outcome)));
  expect(crashes).toEqual([]);
  // and no cogito error is an untyped one
  const untyped = outcomes.filter((o) => /^(Error|CogitoError)\//.test(o.outcome));
  expect(untyped).toEqual([]);
}

const outcomeOf = (outcomes: MutationOutcome[], label: string) => outcomes.find((o) => o.label === label)?.outcome;

describe('hostile model files never kill the process', () => {
  // ~1,500 mutations of the default model (a real trained model, with every key llama.cpp's saver writes):
  // each child process runs many; a crash would be charged to the mutation it had started
  it('every numeric metadata value and tensor-info field of the default model, at edge values: load + one decode', async () => {
    const model = path.join(repoRoot, 'models', 'default.gguf');
    const mutations = ggufMutations(model, { tensors: (name) => !/^blk\.[1-9]/.test(name) });
    expect(mutations.length).toBeGreaterThan(1000);
    const outcomes = await runMutations(model, mutations, tempDir('cogito-mutations-'));
    expectNoCrash(outcomes, mutations);
    // the ones that aborted before validation existed now name their key
    expect(outcomeOf(outcomes, 'llama.block_count = 0')).toMatch(/^InvalidModelFileError\/BAD_MODEL: .*llama\.block_count is 0/);
    expect(outcomeOf(outcomes, 'llama.block_count = 513')).toMatch(/llama\.block_count is 513; it must be an integer from 1 to 512/);
    expect(outcomeOf(outcomes, 'llama.attention.layer_norm_rms_epsilon = NaN')).toMatch(/layer_norm_rms_epsilon is NaN/);
    expect(outcomeOf(outcomes, 'llama.attention.layer_norm_rms_epsilon = -1')).toMatch(/layer_norm_rms_epsilon is -1/);
    expect(outcomeOf(outcomes, 'llama.expert_count = 1')).toMatch(/llama\.expert_count is 1 but llama\.expert_used_count is 0/);
    expect(outcomeOf(outcomes, 'llama.rope.scaling.type = "xxxxxx…"')).toMatch(/llama\.rope\.scaling\.type is "x+"/);
    expect(outcomeOf(outcomes, 'tensor output_norm.weight type = 26')).toMatch(/tensor output_norm\.weight has type i32/);
    // a mutation that changes nothing llama.cpp reads still runs
    expect(outcomeOf(outcomes, 'llama.attention.layer_norm_rms_epsilon = 1')).toBe('ok');
  }, 600_000);

  // a model with only the keys make-model writes: head sizes and rope dimensions are derived, not given
  it('the same for a minimal generated model', async () => {
    const model = await testModel('mutation-mini', { embeddingSize: 32, layers: 2, heads: 4, headsKv: 2, feedForwardSize: 64, contextSize: 64, seed: 3 });
    const mutations = ggufMutations(model, { tensors: (name) => !/^blk\.1/.test(name) });
    const outcomes = await runMutations(model, mutations, tempDir('cogito-mutations-'));
    expectNoCrash(outcomes, mutations);
    expect(outcomeOf(outcomes, 'llama.attention.head_count = 513')).toMatch(/head_count \(513\) leaves no dimensions per head/);
  }, 600_000);

  // hyperparameters and tensor shapes that agree, so llama.cpp's own shape checks pass: without
  // validation, 4 query heads over 3 key/value heads loaded and then aborted in ggml_mul_mat when the
  // context was made (ggml.c: GGML_ASSERT(ggml_can_mul_mat(k, q)))
  it('a consistent file whose query heads are not a multiple of its key/value heads', async () => {
    const dir = tempDir('cogito-crafted-');
    const from = await testModel('mutation-mini', { embeddingSize: 32, layers: 2, heads: 4, headsKv: 2, feedForwardSize: 64, contextSize: 64, seed: 3 });
    const gqa = path.join(dir, 'gqa.gguf');
    await craftLlamaModel(from, gqa, { embeddingSize: 32, layers: 2, heads: 4, headsKv: 3, headSize: 8, feedForward: 64 });
    const fine = path.join(dir, 'fine.gguf');
    await craftLlamaModel(from, fine, { embeddingSize: 32, layers: 2, heads: 4, headsKv: 2, headSize: 8, feedForward: 64 });
    const asWritten: Mutation = { label: 'as written', offset: 0, bytes: '' };
    const [bad] = await runMutations(gqa, [asWritten], dir);
    expect(bad.outcome).toMatch(/^InvalidModelFileError\/BAD_MODEL: .*layer 0 has 4 attention heads, not a multiple of its 3 key\/value heads \(llama\.attention\.head_count_kv\)/);
    const [good] = await runMutations(fine, [asWritten], dir);
    expect(good.outcome).toBe('ok');
  }, 120_000);
});

describe('the commands that write models', () => {
  it('make-model refuses more layers than llama.cpp loads, and writes nothing', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'deep.gguf');
    await expect(makeModel({ out, layers: 600, embeddingSize: 32, heads: 2, feedForwardSize: 32 })).rejects.toThrow(/at most 512/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('quantize refuses a model llama.cpp would abort on, with the key named', async () => {
    const src = await testModel('quant-src', { embeddingSize: 64, layers: 2, heads: 2, feedForwardSize: 128, seed: 3 });
    const dir = tempDir();
    const broken = path.join(dir, 'broken.gguf');
    fs.copyFileSync(src, broken);
    const [m] = ggufMutations(broken, { tensors: () => false }).filter((x) => x.label === 'llama.block_count = 0');
    const fd = fs.openSync(broken, 'r+');
    fs.writeSync(fd, Buffer.from(m.bytes, 'hex'), 0, m.bytes.length / 2, m.offset);
    fs.closeSync(fd);
    const err = await quantize(broken, path.join(dir, 'out.gguf'), 'q8_0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidModelFileError);
    expect((err as InvalidModelFileError).code).toBe('BAD_MODEL');
    expect((err as Error).message).toMatch(/llama\.block_count is 0/);
    expect(fs.readdirSync(dir)).toEqual(['broken.gguf']);
  });

  it('quantize a.gguf a.gguf replaces a.gguf with its quantized self, whole', async () => {
    const src = await testModel('quant-src', { embeddingSize: 64, layers: 2, heads: 2, feedForwardSize: 128, seed: 3 });
    const dir = tempDir();
    const file = path.join(dir, 'a.gguf');
    fs.copyFileSync(src, file);
    const before = fs.statSync(file).size;
    await quantize(file, file, 'q8_0');
    expect(fs.readdirSync(dir)).toEqual(['a.gguf']);
    expect(fs.statSync(file).size).toBeLessThan(before / 2);
    const info = await readGguf(file);
    expect(info.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!.type).toBe('q8_0');
    const model = await loadModel(file);
    const ctx = await model.createContext({ contextSize: 32, threads: 1 });
    expect((await ctx.complete('hello', { maxTokens: 2 })).tokens.length).toBe(2);
    await model.dispose();
  });

  it('a failed quantize leaves the existing output as it was', async () => {
    const src = await testModel('quant-src', { embeddingSize: 64, layers: 2, heads: 2, feedForwardSize: 128, seed: 3 });
    const dir = tempDir();
    const out = path.join(dir, 'out.gguf');
    fs.writeFileSync(out, 'previous contents');
    const q8 = path.join(dir, 'q8.gguf');
    await quantize(src, q8, 'q8_0');
    // llama.cpp refuses to requantize a quantized model: the old output must survive the failure
    await expect(quantize(q8, out, 'q4_0')).rejects.toThrow();
    expect(fs.readFileSync(out, 'utf8')).toBe('previous contents');
    expect(fs.readdirSync(dir).sort()).toEqual(['out.gguf', 'q8.gguf']);
  });
});
