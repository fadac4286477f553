/**
 * Bad input to the converter: a typed error naming the file (and the tensor where there is one),
 * and no output file, not even a temporary one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointError, convertModel, TokenizerNotFoundError, UnsupportedArchitectureError } from '../../src/convert';
import { CogitoError } from '../../src/engine';
import { tempDir } from '../support/engine';
import { copyFolderFiles, editConfig, readTensors, writeSafetensors, writeSafetensorsRaw, type TestTensor } from '../support/hf-folder';
import { stories260K, tinyStories656k } from '../support/shared-models';

let work: string;
let outDir: string;
let original: TestTensor[];
let n = 0;

beforeAll(() => {
  work = tempDir('cogito-convert-errors-');
  outDir = path.join(work, 'out');
  fs.mkdirSync(outDir);
  original = readTensors(path.join(tinyStories656k, 'model.safetensors'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A copy of tinystories-656k to break. */
function folder(): string {
  const dir = path.join(work, `case-${n++}`);
  copyFolderFiles(tinyStories656k, dir);
  fs.copyFileSync(path.join(tinyStories656k, 'model.safetensors'), path.join(dir, 'model.safetensors'));
  return dir;
}

/** Converts, expects the error, and checks nothing was left in the output's folder. */
async function refused(options: { input: string; tokenizer?: string }): Promise<CogitoError> {
  let caught: unknown;
  try {
    await convertModel({ ...options, output: path.join(outDir, 'model.gguf') });
  } catch (err) {
    caught = err;
  }
  expect(fs.readdirSync(outDir)).toEqual([]);
  expect(caught).toBeInstanceOf(CogitoError);
  return caught as CogitoError;
}

describe('safetensors', () => {
  test('a truncated file: INVALID_CHECKPOINT naming the file and the tensor that runs past its end', async () => {
    const dir = folder();
    const file = path.join(dir, 'model.safetensors');
    fs.truncateSync(file, fs.statSync(file).size - 100);
    const err = await refused({ input: dir });
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.code).toBe('INVALID_CHECKPOINT');
    expect(err.message).toMatch(new RegExp(`^${file}: tensor '[^']+': data_offsets .* run past the end of the file`));
  });

  test('a header length beyond the file, and a file shorter than the length itself', async () => {
    const dir = folder();
    const file = path.join(dir, 'model.safetensors');
    const bytes = fs.readFileSync(file);
    bytes.writeBigUInt64LE(BigInt(bytes.length), 0);
    fs.writeFileSync(file, bytes);
    expect((await refused({ input: dir })).message).toBe(`${file}: truncated safetensors file: the header says it is ${bytes.length} bytes, the file holds ${bytes.length - 8} after the length`);
    fs.writeFileSync(file, Buffer.alloc(5));
    expect((await refused({ input: dir })).message).toBe(`${file}: truncated safetensors file: 5 bytes, not even the 8-byte header length`);
  });

  test('overlapping tensors, an unknown dtype, a non-float weight, offsets that disagree with the shape', async () => {
    const dir = folder();
    const file = path.join(dir, 'model.safetensors');
    const header = (entries: Record<string, unknown>) => writeSafetensorsRaw(file, entries, Buffer.alloc(64));
    header({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } });
    expect((await refused({ input: dir })).message).toBe(`${file}: tensor 'b': its data overlaps tensor 'a'`);
    header({ a: { dtype: 'F33', shape: [4], data_offsets: [0, 16] } });
    expect((await refused({ input: dir })).message).toMatch(new RegExp(`^${file}: tensor 'a': unknown dtype "F33"`));
    header({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 12] } });
    expect((await refused({ input: dir })).message).toBe(`${file}: tensor 'a': data_offsets [0, 12] hold 12 bytes; shape [4] of F32 needs 16`);
    writeSafetensors(file, original.map((t) => (t.name === 'model.norm.weight' ? { ...t } : t)));
    const bytes = fs.readFileSync(file);
    const len = Number(bytes.readBigUInt64LE(0));
    const json = JSON.parse(bytes.subarray(8, 8 + len).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    json['model.norm.weight'] = { ...json['model.norm.weight'], dtype: 'I32' };
    writeSafetensorsRaw(file, json, bytes.subarray(8 + len));
    expect((await refused({ input: dir })).message).toBe(`${file}: tensor 'model.norm.weight': dtype I32 cannot be converted (weights must be F32, F16 or BF16)`);
  });
});

describe('against config.json', () => {
  test('a tensor whose shape contradicts config.json names the file and tensor', async () => {
    const dir = folder();
    editConfig(dir, (c) => {
      c.intermediate_size = 400;
    });
    const err = await refused({ input: dir });
    expect(err.message).toBe(`${path.join(dir, 'model.safetensors')}: tensor 'model.layers.0.mlp.gate_proj.weight': shape [384, 128] contradicts config.json, which makes it [400, 128]`);
  });

  test('a vocabulary size that disagrees with the embeddings, from config.json or from the tokenizer', async () => {
    const dir = folder();
    editConfig(dir, (c) => {
      c.vocab_size = 1024;
    });
    expect((await refused({ input: dir })).message).toBe(`${path.join(dir, 'model.safetensors')}: tensor 'lm_head.weight': 2048 embedding rows, config.json's vocab_size is 1024`);
    const dir2 = folder();
    const tokFile = path.join(dir2, 'tokenizer.json');
    const tok = JSON.parse(fs.readFileSync(tokFile, 'utf8')) as { added_tokens: unknown[] };
    tok.added_tokens.push({ id: 2048, content: '<|extra|>', special: true });
    fs.writeFileSync(tokFile, JSON.stringify(tok));
    const err = await refused({ input: dir2 });
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toBe(`${tokFile}: token "<|extra|>" has id 2048, but the embeddings have 2048 rows (vocabulary size disagrees with the embeddings)`);
  });

  test('a missing tensor, and one the architecture has no place for', async () => {
    const dir = folder();
    writeSafetensors(path.join(dir, 'model.safetensors'), original.filter((t) => t.name !== 'model.layers.1.mlp.up_proj.weight'));
    expect((await refused({ input: dir })).message).toBe(`${dir}: tensor 'model.layers.1.mlp.up_proj.weight': missing from the checkpoint`);
    writeSafetensors(path.join(dir, 'model.safetensors'), [...original, { name: 'model.layers.2.mlp.up_proj.weight', shape: [2], data: new Float32Array(2) }]);
    expect((await refused({ input: dir })).message).toBe(`${path.join(dir, 'model.safetensors')}: tensor 'model.layers.2.mlp.up_proj.weight': not a tensor of a LlamaForCausalLM with 2 layers`);
  });

  test('a missing tokenizer: TOKENIZER_NOT_FOUND', async () => {
    const dir = folder();
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    const err = await refused({ input: dir });
    expect(err).toBeInstanceOf(TokenizerNotFoundError);
    expect(err.code).toBe('TOKENIZER_NOT_FOUND');
  });

  test('an unsupported architecture says which are', async () => {
    const dir = folder();
    editConfig(dir, (c) => {
      c.architectures = ['GPT2LMHeadModel'];
    });
    const err = await refused({ input: dir });
    expect(err).toBeInstanceOf(UnsupportedArchitectureError);
    expect(err.message).toBe(`${path.join(dir, 'config.json')}: unsupported architecture GPT2LMHeadModel (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM)`);
  });
});

describe('llama2.c', () => {
  const bin = path.join(stories260K, 'stories260K.bin');
  const tok = path.join(stories260K, 'tok512.bin');

  test('a truncated checkpoint, a missing tokenizer, a tokenizer for another vocabulary', async () => {
    const cut = path.join(work, 'cut.bin');
    fs.writeFileSync(cut, fs.readFileSync(bin).subarray(0, 500000));
    expect((await refused({ input: cut, tokenizer: tok })).message).toMatch(new RegExp(`^${cut}: the file is 500000 bytes; its header \\[64, 172, 5, 8, 4, 512, 512\\] needs 1056540`));
    const err = await refused({ input: bin });
    expect(err).toBeInstanceOf(TokenizerNotFoundError);
    expect((await refused({ input: bin, tokenizer: path.join(work, 'none.bin') })).code).toBe('TOKENIZER_NOT_FOUND');
    const shortTok = path.join(work, 'short-tok.bin');
    fs.writeFileSync(shortTok, fs.readFileSync(tok).subarray(0, 3000));
    expect((await refused({ input: bin, tokenizer: shortTok })).message).toMatch(new RegExp(`^${shortTok}: (the tokenizer ends at token \\d+|token \\d+: length)`));
  });

  test('a header that is not a llama2.c checkpoint\'s', async () => {
    const bad = path.join(work, 'bad.bin');
    const bytes = Buffer.from(fs.readFileSync(bin));
    bytes.writeInt32LE(60, 0);
    fs.writeFileSync(bad, bytes);
    expect((await refused({ input: bad, tokenizer: tok })).message).toMatch(/dim must split into an even head size/);
  });
});
