// Chat sessions: history, the template each turn, and the cache reuse across turns.
import * as path from 'node:path';
import { BusyError, ChatSession, ContextOverflowError, loadModel, type Context, type GeneratedToken, type Model } from '../../src/engine';
import { formatPrompt } from '../../models/recipe';
import { repoRoot, smallModel } from '../support/engine';

const QUESTIONS = ['What country is Tuten from?', 'In which country does Stes live?', 'What is the main language of Nemar?'];

let model: Model;
let ctx: Context;
let fresh: Context;

beforeAll(async () => {
  model = await loadModel(path.join(repoRoot, 'models', 'default.gguf'));
  ctx = await model.createContext({ contextSize: 256, threads: 1, onWarning: () => undefined });
  fresh = await model.createContext({ contextSize: 256, threads: 1, onWarning: () => undefined });
}, 120_000);

afterAll(async () => {
  await model.dispose();
});

/** A greedy generation from nothing cached: what a turn must equal, reuse or not. */
async function fromScratch(tokens: number[], maxTokens: number) {
  await fresh.reset();
  return fresh.complete(tokens, { maxTokens, temperature: 0, stop: ['\n'] });
}

test('a turn on the default model is its training prompt, and answers as generate does on that prompt', async () => {
  const session = model.createChatSession(ctx);
  for (const q of QUESTIONS) {
    session.reset();
    await ctx.reset();
    const turn = await session.complete(q, { maxTokens: 8 });
    await fresh.reset();
    const plain = await fresh.complete(formatPrompt(q), { maxTokens: 8, temperature: 0 });
    expect(turn.text).toBe(plain.text);
    expect(turn.tokens.map((t) => t.id)).toEqual(plain.tokens.map((t) => t.id));
    expect(turn.promptTokens).toBe(model.tokenize(formatPrompt(q)).length);
    expect(turn.text.trim().length).toBeGreaterThan(0);
  }
  // the first of them is a frequent fact the model knows
  session.reset();
  expect((await session.complete(QUESTIONS[0], { maxTokens: 8 })).text).toBe(' Uten');
});

test("the second turn reuses all of the first (prompt and reply) and evaluates only the new message's tokens", async () => {
  await ctx.reset();
  const session = model.createChatSession(ctx);
  const first = await session.complete(QUESTIONS[0], { maxTokens: 8 });
  expect(first.cachedPromptTokens).toBe(0);
  const firstTokens = [...session.template.tokenize([{ role: 'user', content: QUESTIONS[0] }]), ...first.tokens.map((t) => t.id)];
  expect(first.promptTokens + first.tokens.length).toBe(firstTokens.length);

  const second = await session.complete(QUESTIONS[1], { maxTokens: 8 });
  const secondPrompt = session.template.tokenize([
    { role: 'user', content: QUESTIONS[0] }, { role: 'assistant', content: first.text }, { role: 'user', content: QUESTIONS[1] },
  ]);
  // the rendered conversation extends what the cache holds, token for token
  expect(secondPrompt.slice(0, firstTokens.length)).toEqual(firstTokens);
  expect(second.promptTokens).toBe(secondPrompt.length);
  expect(second.cachedPromptTokens).toBe(firstTokens.length);
  expect(second.promptTokens - second.cachedPromptTokens).toBe(secondPrompt.length - firstTokens.length);
  // and reusing it changes nothing in the answer
  const scratch = await fromScratch(secondPrompt, 8);
  expect(second.tokens.map((t) => t.id)).toEqual(scratch.tokens.map((t) => t.id));
  expect(scratch.cachedPromptTokens).toBe(0);

  expect(session.history).toEqual([
    { role: 'user', content: QUESTIONS[0] }, { role: 'assistant', content: first.text },
    { role: 'user', content: QUESTIONS[1] }, { role: 'assistant', content: second.text },
  ]);
});

test('send() streams the reply; the history keeps exactly the generated text', async () => {
  await ctx.reset();
  const session = model.createChatSession(ctx);
  const seen: GeneratedToken[] = [];
  const turn = session.send(QUESTIONS[2], { maxTokens: 8 });
  let r = await turn.next();
  for (; !r.done; r = await turn.next()) seen.push(r.value);
  expect(seen.map((t) => t.text).join('')).toBe(r.value.text);
  expect(session.history[1]).toEqual({ role: 'assistant', content: r.value.text });
});

test('a system message is put before the conversation every turn, and reset() keeps it', async () => {
  await ctx.reset();
  const session = model.createChatSession(ctx, { system: 'Answers are one word.' });
  const first = await session.complete(QUESTIONS[0], { maxTokens: 8 });
  expect(model.detokenize(session.template.tokenize([{ role: 'system', content: 'Answers are one word.' }, ...session.history]))).toContain('Answers are one word.\nQuestion: What country is Tuten from?\nAnswer:');
  session.reset();
  expect(session.history).toEqual([]);
  const again = await session.complete(QUESTIONS[1], { maxTokens: 8 });
  // the system line and "Question:" are shared with the last turn; the rest is new
  const systemPrefix = model.tokenize('Answers are one word.\nQuestion:').length;
  expect(again.cachedPromptTokens).toBeGreaterThanOrEqual(systemPrefix);
  expect(again.cachedPromptTokens).toBeLessThan(first.promptTokens);
});

test('a template that rewrites history (llama3 trims replies) only shortens the reuse; the answer stays right', async () => {
  const small = await loadModel(await smallModel());
  const c = await small.createContext({ contextSize: 256, threads: 1, onWarning: () => undefined });
  const scratch = await small.createContext({ contextSize: 256, threads: 1, onWarning: () => undefined });
  try {
    const session = small.createChatSession(c, { template: 'llama3' });
    const first = await session.complete('Hello there', { maxTokens: 4, temperature: 0 });
    const generated = [...session.template.tokenize([{ role: 'user', content: 'Hello there' }]), ...first.tokens.map((t) => t.id)];
    const second = await session.complete('And then?', { maxTokens: 4, temperature: 0 });
    const prompt = session.template.tokenize([...session.history.slice(0, 2), { role: 'user', content: 'And then?' }]);
    // the case is real: the reply had edge whitespace, and the template trimmed it
    expect(first.text).not.toBe(first.text.trim());
    let shared = 0;
    while (shared < generated.length && generated[shared] === prompt[shared]) shared++;
    expect(shared).toBeLessThan(generated.length);
    expect(second.cachedPromptTokens).toBe(shared);
    const reference = await scratch.complete(prompt, { maxTokens: 4, temperature: 0 });
    expect(second.tokens.map((t) => t.id)).toEqual(reference.tokens.map((t) => t.id));
  } finally {
    await small.dispose();
  }
});

test('a conversation that outgrows the context: a clear error by default, the oldest turns dropped when asked', async () => {
  await ctx.reset();
  const strict = model.createChatSession(ctx);
  for (let i = 0; i < 8; i++) await strict.complete(QUESTIONS[i % 3], { maxTokens: 8 });
  const before = strict.history;
  // about 26 tokens a turn: a dozen turns pass the 256 positions
  let err: unknown;
  try {
    for (let i = 0; i < 8; i++) await strict.complete(QUESTIONS[i % 3], { maxTokens: 8 });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ContextOverflowError);
  expect((err as ContextOverflowError).code).toBe('CONTEXT_OVERFLOW');
  expect((err as Error).message).toMatch(/no longer fits the context of 256.*drop-oldest/);
  expect(strict.history.length).toBeGreaterThan(before.length);
  expect(strict.history.length % 2).toBe(0);

  // the same conversation, dropping: the turn fits with room for the reply, and the answer is the turn alone's
  const dropping = new ChatSession(ctx, { template: model.chatTemplate(), history: strict.history, overflow: 'drop-oldest' });
  const turn = await dropping.complete(QUESTIONS[0], { maxTokens: 8, reserveTokens: 240 });
  expect(turn.droppedMessages).toBe(strict.history.length);
  expect(turn.promptTokens).toBe(model.tokenize(formatPrompt(QUESTIONS[0])).length);
  expect(turn.text).toBe(' Uten');
  expect(dropping.history).toEqual([{ role: 'user', content: QUESTIONS[0] }, { role: 'assistant', content: ' Uten' }]);
});

test('maxTurns keeps that many earlier exchanges; 0 asks every message alone, as the default model was trained', async () => {
  await ctx.reset();
  const alone = model.createChatSession(ctx, { maxTurns: 0 });
  await alone.complete(QUESTIONS[0], { maxTokens: 8 });
  const second = await alone.complete(QUESTIONS[1], { maxTokens: 8 });
  expect(second.droppedMessages).toBe(2);
  expect(second.promptTokens).toBe(model.tokenize(formatPrompt(QUESTIONS[1])).length);
  const single = await fromScratch(model.tokenize(formatPrompt(QUESTIONS[1])), 8);
  expect(second.text).toBe(single.text);
  expect(alone.history).toEqual([{ role: 'user', content: QUESTIONS[1] }, { role: 'assistant', content: second.text }]);

  const one = model.createChatSession(ctx, { maxTurns: 1 });
  for (const q of QUESTIONS) await one.complete(q, { maxTokens: 8 });
  expect(one.history.map((m) => m.content).filter((_, i) => i % 2 === 0)).toEqual(QUESTIONS.slice(1));
  expect(() => model.createChatSession(ctx, { maxTurns: -1 })).toThrow(/maxTurns must be an integer >= 0/);
});

test('a consumer that stops reading ends the turn: nothing enters the history and the context is free', async () => {
  await ctx.reset();
  const session = model.createChatSession(ctx);
  const small = await loadModel(await smallModel());
  try {
    // a model that talks on: stop after its first token
    const c = await small.createContext({ contextSize: 256, threads: 1, onWarning: () => undefined });
    const chatty = small.createChatSession(c, { template: 'chatml' });
    for await (const token of chatty.send('Tell me a story', { maxTokens: 32 })) {
      expect(typeof token.text).toBe('string');
      break;
    }
    expect(chatty.history).toEqual([]);
    const next = await chatty.complete('Hello', { maxTokens: 2 });
    expect(next.tokens.length).toBeGreaterThan(0);
  } finally {
    await small.dispose();
  }
  // one turn at a time on one session
  const a = session.complete(QUESTIONS[0], { maxTokens: 8 });
  await expect(session.complete(QUESTIONS[1], { maxTokens: 8 })).rejects.toBeInstanceOf(BusyError);
  await a;
  expect(session.history.length).toBe(2);
  await expect(session.complete(42 as unknown as string)).rejects.toMatchObject({ code: 'INVALID_CHAT_MESSAGE' });
  expect(() => new ChatSession(ctx, { template: model.chatTemplate(), history: [{ role: 'system', content: 'x' }] })).toThrow(/give it as the system option/);
  expect(() => new ChatSession(ctx, { template: 'chatml' as never })).toThrow(/needs a ChatTemplate/);
  expect(() => model.createChatSession(ctx, { overflow: 'wrap' as never })).toThrow(/overflow must be/);
});
