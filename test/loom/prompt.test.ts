import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidOptionError, loadModel, type Model } from '../../src/engine';
import { collect, readCollected } from '../../src/loom/collect';
import { readManifest } from '../../src/loom/manifest';
import {
  DEFAULT_PROMPT_TEMPLATE,
  chatPromptHint,
  continuationTokens,
  EMPTY_THOUGHT,
  SHORT_ANSWER_INSTRUCTION,
  formatPrompt,
  isThinkingTemplate,
  promptSettings,
  questionTokens,
  recordedPrompt,
  type QuestionPrompt,
} from '../../src/loom/prompt';
import { repoRoot, smallModel, tempDir } from '../support/engine';

// a thinking model's template in the style of Qwen3: chatml turns, and a <think> block it writes
// before answering (llama.cpp recognises it as chatml by its <|im_start|>)
const THINKING_TEMPLATE =
  "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}";
const chatml = (user: string): string => `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;

const dir = tempDir('cogito-prompt-');
let modelPath: string;
let model: Model;

beforeAll(async () => {
  modelPath = await smallModel();
  model = await loadModel(modelPath);
}, 120_000);

afterAll(async () => {
  await model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a plain prompt is the template filled in', () => {
  expect(questionTokens(model, 'Who?', { style: 'plain', template: DEFAULT_PROMPT_TEMPLATE })).toEqual(model.tokenize('Question: Who?\nAnswer:'));
  expect(() => formatPrompt('no slot', 'Who?')).toThrow(RangeError);
});

test('a chat model is asked in its chat format for the short answer alone', () => {
  const tokens = questionTokens(model, 'Who wrote the Meditations?', { style: 'chat', chatTemplate: 'chatml' });
  expect(tokens).toEqual(model.tokenize(chatml(`${SHORT_ANSWER_INSTRUCTION}\n\nWho wrote the Meditations?`), { parseSpecial: true }));
  // the model has no chat template of its own: the error says so
  expect(() => questionTokens(model, 'Who?', { style: 'chat' })).toThrow(/no chat template/);
});

test('a thinking model is asked to answer directly: its turn opens with an empty thought', () => {
  expect(isThinkingTemplate(THINKING_TEMPLATE)).toBe(true);
  expect(isThinkingTemplate('chatml')).toBe(false);
  expect(isThinkingTemplate(null)).toBe(false);
  const tokens = questionTokens(model, 'Who?', { style: 'chat', chatTemplate: THINKING_TEMPLATE });
  expect(tokens).toEqual(model.tokenize(chatml(`${SHORT_ANSWER_INSTRUCTION}\n\nWho?`) + EMPTY_THOUGHT, { parseSpecial: true }));
  expect(model.detokenize(tokens).endsWith('<think>\n\n</think>\n\n')).toBe(true);
});

test('collect points a chat model asked with the plain prompt to --chat, and only then', () => {
  const plain: QuestionPrompt = { style: 'plain', template: DEFAULT_PROMPT_TEMPLATE };
  expect(chatPromptHint(plain, '{{ messages }}', false)).toMatch(/chat template: --chat asks/);
  expect(chatPromptHint(plain, '{{ messages }}', false)).not.toMatch(/thinking/);
  expect(chatPromptHint(plain, THINKING_TEMPLATE, false)).toMatch(/thinking model answers without thinking/);
  // nothing to say: no template, a prompt template chosen on purpose, or already --chat
  expect(chatPromptHint(plain, null, false)).toBeNull();
  expect(chatPromptHint(plain, THINKING_TEMPLATE, true)).toBeNull();
  expect(chatPromptHint({ style: 'chat' }, THINKING_TEMPLATE, false)).toBeNull();
});

test('the manifest keeps the prompt, and runs from before chat prompts read as plain', () => {
  const prompts: QuestionPrompt[] = [{ style: 'plain', template: 'Q: {question}\nA:' }, { style: 'chat' }, { style: 'chat', chatTemplate: 'chatml' }];
  for (const p of prompts) expect(recordedPrompt(promptSettings(p))).toEqual(p);
  expect(recordedPrompt({ promptTemplate: 'Q: {question}\nA:' })).toEqual({ style: 'plain', template: 'Q: {question}\nA:' });
  expect(recordedPrompt({})).toEqual({ style: 'plain', template: DEFAULT_PROMPT_TEMPLATE });
});

test('collect --chat asks every question in the chat format and records it for eval', async () => {
  const dataset = path.join(dir, 'qa.jsonl');
  fs.writeFileSync(dataset, ['Who wrote the Meditations?', 'Who objected third?'].map((q) => JSON.stringify({ question: q, answers: ['Descartes'] })).join('\n') + '\n');
  const runDir = path.join(dir, 'run');
  await collect({ runDir, model: modelPath, dataset, targetLayers: '3', maxTokens: 4, chat: { template: 'chatml' } });
  const manifest = await readManifest(runDir);
  expect(manifest.encoder).toMatchObject({ promptStyle: 'chat', chatTemplate: 'chatml' });
  const { records } = await readCollected(runDir, manifest, model.info.embeddingSize);
  expect(records.map((r) => r.prompt)).toEqual(records.map((r) => questionTokens(model, r.question, { style: 'chat', chatTemplate: 'chatml' })));
  await expect(collect({ runDir: path.join(dir, 'none'), model: modelPath, dataset, chat: true })).rejects.toThrow(/no chat template: name one \(--chat-template/);
  await expect(collect({ runDir: path.join(dir, 'both'), model: modelPath, dataset, chat: true, promptTemplate: 'Q: {question}' })).rejects.toThrow(InvalidOptionError);
}, 120_000);

test('a continuation is split as the tokenizer splits it behind the prompt, with no space token of its own', async () => {
  // the default model's SPM word vocabulary: " I" is one token, and a lone leading space another
  const qa = await loadModel(path.join(repoRoot, 'models', 'default.gguf'));
  try {
    const prompt = qa.tokenize('Question: What instrument does Trulen play?\nAnswer:');
    const whole = qa.tokenize("Question: What instrument does Trulen play?\nAnswer: I don't know.");
    expect(whole.slice(0, prompt.length)).toEqual(prompt);
    const refusal = continuationTokens(qa, prompt, "I don't know.");
    expect(refusal).toEqual(whole.slice(prompt.length));
    expect(qa.detokenize(refusal)).toBe("I don't know.");
    // what the text alone gives: a space token first
    expect(qa.tokenize(" I don't know.", { addSpecial: false }).length).toBe(refusal.length + 1);
  } finally {
    await qa.dispose();
  }
});
