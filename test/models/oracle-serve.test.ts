// The oracle (models/oracle.gguf, MODEL_CARD.md "Oracle model") served by a real `cogito serve` on
// loopback and asked through the `openai` npm client, as the cascade asks its oracle: a rare
// held-out fact the default model does not know is answered right, and a held-out fact nobody wrote
// about is refused with "I don't know." rather than guessed.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { PLAIN_CHAT_TEMPLATE_KEY } from '../../src/engine/chat-template';
import { readGguf } from '../../src/engine/gguf';
import { normaliseAnswer } from '../../src/loom/judge';
import { startServer, type RunningServer } from '../support/serve';

const models = path.join(__dirname, '..', '..', 'models');
const heldout = new Map(
  readFileSync(path.join(models, 'default.heldout.jsonl'), 'utf8').trimEnd().split('\n')
    .map((l) => JSON.parse(l) as { id: string; question: string; answers: string[]; bucket: string })
    .map((q) => [q.id, q]),
);
// picked from both models' greedy held-out answers after the oracle was measured: rare facts the
// default model gets wrong ("Omos", "flute") and the oracle right; an unseen fact it refuses
const RARE = ['capital:Zisir', 'river:Ulamar'];
const UNSEEN = 'home:Trulen';

let s: RunningServer;
let client: OpenAI;
beforeAll(async () => {
  s = await startServer({ modelPath: path.join(models, 'oracle.gguf'), contextSize: 128, onWarning: () => undefined });
  client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
});
afterAll(async () => {
  await s?.close();
});

async function ask(question: string): Promise<string> {
  const r = await client.chat.completions.create({ model: 'oracle', messages: [{ role: 'user', content: question }], temperature: 0, max_tokens: 8 });
  return r.choices[0].message.content ?? '';
}

test('declares the default model\'s chat template and has its vocabulary, so chat APIs ask both alike', async () => {
  const [oracle, base] = await Promise.all([readGguf(path.join(models, 'oracle.gguf'), { maxArray: 1 << 14 }), readGguf(path.join(models, 'default.gguf'), { maxArray: 1 << 14 })]);
  expect(oracle.metadata[PLAIN_CHAT_TEMPLATE_KEY]).toBeDefined();
  expect(oracle.metadata[PLAIN_CHAT_TEMPLATE_KEY]).toEqual(base.metadata[PLAIN_CHAT_TEMPLATE_KEY]);
  expect(JSON.stringify(oracle.metadata['tokenizer.ggml.tokens']).length).toBeGreaterThan(4627 * 3);
  expect(oracle.metadata['tokenizer.ggml.tokens']).toEqual(base.metadata['tokenizer.ggml.tokens']);
  expect(oracle.fileSize).toBeLessThan(4e6);
});

test('answers rare held-out questions right through the OpenAI chat API', async () => {
  expect((await client.models.list()).data.map((m) => m.id)).toEqual(['oracle']);
  for (const id of RARE) {
    const q = heldout.get(id)!;
    expect(q.bucket).toBe('rare');
    const answer = normaliseAnswer(await ask(q.question));
    expect([id, answer]).toEqual([id, normaliseAnswer(q.answers[0])]);
  }
});

test('says "I don\'t know." to a held-out question about a fact nobody wrote about', async () => {
  const q = heldout.get(UNSEEN)!;
  expect(q.bucket).toBe('unseen');
  expect((await ask(q.question)).trim()).toBe("I don't know.");
});
