/** Our llama2.c conversion against llama.cpp's own convert-llama2c-to-ggml, on the same stories260K. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertModel } from '../../src/convert';
import { readGguf, readGgufTensor } from '../../src/engine';
import { runPeer, tempDir } from '../support/engine';
import { stories260K } from '../support/shared-models';

describe('stories260K: cogito convert vs llama.cpp convert-llama2c-to-ggml', () => {
  let work: string;
  let ours: string;
  let theirs: string;

  beforeAll(async () => {
    work = tempDir('cogito-llama2c-peer-');
    ours = path.join(work, 'ours.gguf');
    theirs = path.join(work, 'theirs.gguf');
    await convertModel({ input: path.join(stories260K, 'stories260K.bin'), tokenizer: path.join(stories260K, 'tok512.bin'), output: ours });
    runPeer('llama-convert-llama2c-to-ggml', [
      '--copy-vocab-from-model', path.join(stories260K, 'tok512.bin'),
      '--llama2c-model', path.join(stories260K, 'stories260K.bin'),
      '--llama2c-output-model', theirs,
    ]);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('every weight is byte for byte the same (their output.weight is a copy of the shared embeddings)', async () => {
    const a = await readGguf(ours);
    const b = await readGguf(theirs);
    const names = a.tensors.map((t) => t.name).sort();
    expect(b.tensors.map((t) => t.name).filter((n) => n !== 'output.weight').sort()).toEqual(names);
    for (const t of a.tensors) {
      expect({ name: t.name, shape: t.shape }).toEqual({ name: t.name, shape: b.tensors.find((u) => u.name === t.name)?.shape });
      expect(readGgufTensor(ours, t.name).equals(readGgufTensor(theirs, t.name))).toBe(true);
    }
    expect(readGgufTensor(theirs, 'output.weight').equals(readGgufTensor(ours, 'token_embd.weight'))).toBe(true);
  });

  test('the vocabulary (tokens, scores, types, special ids) and the hyperparameters are the same', async () => {
    const a = (await readGguf(ours, { maxArray: 100000 })).metadata;
    const b = (await readGguf(theirs, { maxArray: 100000 })).metadata;
    for (const key of ['tokenizer.ggml.model', 'tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type',
      'tokenizer.ggml.bos_token_id', 'tokenizer.ggml.eos_token_id', 'tokenizer.ggml.unknown_token_id', 'llama.embedding_length',
      'llama.feed_forward_length', 'llama.block_count', 'llama.attention.head_count', 'llama.attention.head_count_kv',
      'llama.rope.dimension_count', 'llama.attention.layer_norm_rms_epsilon']) {
      expect({ key, value: a[key]?.value }).toEqual({ key, value: b[key]?.value });
    }
  });
});
