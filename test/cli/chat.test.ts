// `cogito chat` end to end: stdin lines in, streamed replies out, one session across them.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadModel } from '../../src/engine';
import { repoRoot } from '../support/engine';

const CHILD = path.join(__dirname, '..', 'engine', 'support', 'cli-child.js');
const chat = (input: string, ...args: string[]) =>
  spawnSync(process.execPath, [CHILD, 'chat', '--threads', '1', ...args], { input, encoding: 'utf8', timeout: 120_000 });

test('answers each line on the default model in its declared format, reusing the earlier turns', () => {
  const r = chat('What country is Tuten from?\n\nWhat is the main language of Nemar?\n', '--stats', '-n', '8');
  expect(r.status).toBe(0);
  const replies = r.stdout.split('\n').filter((l) => l !== '');
  // a blank line is no turn; the first reply is the model's answer to its training prompt
  expect(replies).toHaveLength(2);
  expect(replies[0]).toBe('Uten');
  const stats = [...r.stderr.matchAll(/\[prompt (\d+) tokens: (\d+) cached, (\d+) evaluated; reply (\d+) tokens/g)].map((m) => m.slice(1).map(Number));
  expect(stats).toHaveLength(2);
  const [[p1, c1, , n1], [, c2]] = stats;
  expect(c1).toBe(0);
  expect(c2).toBe(p1 + n1);
});

test('a template llama.cpp cannot render is a one-line error naming the built-in ones', () => {
  const r = chat('Hello\n', '--chat-template', 'no-such-template');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/llama\.cpp cannot render the chat template given.*chatml/);
  expect(r.stdout).toBe('');
});

test('--system puts its line before the conversation', async () => {
  const r = chat('What country is Tuten from?\n', '--system', 'Be brief.', '-n', '4', '--stats');
  expect(r.status).toBe(0);
  const model = await loadModel(path.join(repoRoot, 'models', 'default.gguf'));
  try {
    const expected = model.tokenize('Be brief.\nQuestion: What country is Tuten from?\nAnswer:').length;
    expect(r.stderr).toContain(`[prompt ${expected} tokens: 0 cached, ${expected} evaluated;`);
  } finally {
    await model.dispose();
  }
});

test('generate --chat asks the prompt in the model\'s template: the default model\'s Question/Answer prompt', async () => {
  const r = spawnSync(process.execPath, [CHILD, 'generate', '--chat', 'What instrument does Lana play?', '--no-sidecar', '--json', '-n', '8', '-t', '1'], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status).toBe(0);
  const model = await loadModel(path.join(repoRoot, 'models', 'default.gguf'));
  try {
    const ctx = await model.createContext({ threads: 1 });
    const plain = await ctx.complete('Question: What instrument does Lana play?\nAnswer:', { maxTokens: 8, temperature: 0, stop: ['\n'] });
    const out = JSON.parse(r.stdout) as { text: string; tokens: { id: number }[] };
    expect(out.text).toBe(plain.text);
    expect(out.tokens.map((t) => t.id)).toEqual(plain.tokens.map((t) => t.id));
    expect(out.text).toBe(' bell');
  } finally {
    await model.dispose();
  }
  const bad = spawnSync(process.execPath, [CHILD, 'generate', 'x', '--chat-template', 'chatml'], { encoding: 'utf8', timeout: 120_000 });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/--chat-template needs --chat/);
});
