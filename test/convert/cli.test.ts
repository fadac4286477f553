/** `cogito convert`, `generate --prompt-tokens`, and provenance in `cogito gguf` / `cogito inspect`, as a user runs them. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../support/engine';
import { referenceCases, tinyStories656k } from '../support/shared-models';

const CHILD = path.join(__dirname, 'support', 'cli-child.js');

/** `cogito <args>`, with the command module that registers args[0] (gguf is the model module's, inspect the sidecar module's). */
function cogito(...args: string[]) {
  const module = args[0] === 'gguf' ? 'model' : args[0] === 'inspect' ? 'sidecar' : args[0];
  const r = spawnSync(process.execPath, [CHILD, module, ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let work: string;
let model: string;

beforeAll(() => {
  work = tempDir('cogito-convert-cli-');
  model = path.join(work, 'ts.gguf');
  const r = cogito('convert', tinyStories656k, '-o', model);
  expect(r).toEqual({ code: 0, out: `wrote ${model} (f32, 20 tensors) from huggingface LlamaForCausalLM, tokenizer sentencepiece-bpe\n`, err: '' });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('generate --prompt-tokens continues the ids as given: the reference\'s greedy tokens', () => {
  const c = referenceCases(tinyStories656k)[0];
  const r = cogito('generate', '--model', model, '--no-sidecar', '--prompt-tokens', c.prompt_tokens.join(','), '--max-tokens', '12', '--json');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.out) as { tokens: { id: number }[] };
  expect(out.tokens.map((t) => t.id)).toEqual(c.generated_tokens.slice(0, 12));
});

test('generate: --prompt-tokens with a prompt, bad ids, ids outside the vocabulary', () => {
  expect(cogito('generate', '--model', model, '--prompt-tokens', '1,2', 'text')).toMatchObject({ code: 1, err: 'cogito: give either a prompt or --prompt-tokens [INVALID_ARGUMENT]\n' });
  expect(cogito('generate', '--model', model, '--prompt-tokens', '1,x')).toMatchObject({ code: 1 });
  expect(cogito('generate', '--model', model, '--no-sidecar', '--prompt-tokens', '1,2048').err).toMatch(/2048.*\[(OUT_OF_RANGE|INVALID_ARGUMENT)\]\n$/);
});

test('cogito gguf shows where a converted model came from; a sidecar binds to it and inspect says so too', () => {
  expect(cogito('gguf', model).out).toContain('\n  converted from huggingface LlamaForCausalLM (tokenizer sentencepiece-bpe)\n');
  const sidecar = path.join(work, 'sc.gguf');
  expect(cogito('sidecar', 'create', '-m', model, '-o', sidecar).code).toBe(0);
  const r = cogito('inspect', sidecar, '--model', model);
  expect(r.code).toBe(0);
  expect(r.out).toContain(`binds to ${model}`);
  expect(r.out).toContain('  model converted from huggingface LlamaForCausalLM (tokenizer sentencepiece-bpe)\n');
});

test('a bad input: exit 1 with its code, and no output', () => {
  const dir = path.join(work, 'gpt2');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ architectures: ['GPT2LMHeadModel'] }));
  const out = path.join(work, 'never.gguf');
  expect(cogito('convert', dir, '-o', out)).toEqual({
    code: 1, out: '',
    err: `cogito: ${path.join(dir, 'config.json')}: unsupported architecture GPT2LMHeadModel (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM) [UNSUPPORTED_ARCHITECTURE]\n`,
  });
  expect(cogito('convert', tinyStories656k, '-o', out, '--type', 'q3')).toMatchObject({ code: 1, err: 'cogito: --type must be one of f32, f16, q8_0, q4_0, q4_k_m, q5_k_m, q6_k (got "q3") [INVALID_ARGUMENT]\n' });
  expect(fs.existsSync(out)).toBe(false);
});
