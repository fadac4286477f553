/**
 * The prompt a QA question is asked with, shared by the default model's training corpus,
 * collect and eval: a model answers best in the format it was trained on. A chat model is asked
 * in its own chat format for the short answer alone, and a thinking model is asked to answer
 * directly: its turn opens with an empty thought, as its template renders "thinking off".
 */
import type { Model } from '../engine';
import { OutOfRangeError } from '../util/errors';

export const DEFAULT_PROMPT_TEMPLATE = 'Question: {question}\nAnswer:';

/** What a chat model is told with each question: collect judges the first line of the answer. */
export const SHORT_ANSWER_INSTRUCTION = 'Answer with only the answer, a word or a short phrase, on one line. No explanation.';

/** An empty thought: a thinking model that opens its turn with this answers without reasoning first. */
export const EMPTY_THOUGHT = '<think>\n\n</think>\n\n';

/**
 * How questions are put to the base: through a plain template, or in the model's chat format
 * (`chatTemplate`: a template llama.cpp knows, by name or text, instead of the model's own).
 */
export type QuestionPrompt = { style: 'plain'; template: string } | { style: 'chat'; chatTemplate?: string };

/** Fills `{question}` in a template. */
export function formatPrompt(template: string, question: string): string {
  if (!template.includes('{question}')) throw new OutOfRangeError('a prompt template must contain {question}');
  return template.split('{question}').join(question);
}

/** A chat template that reasons in `<think>` blocks before it answers (Qwen3, DeepSeek-R1 and kin). */
export function isThinkingTemplate(chatTemplate: string | null | undefined): boolean {
  return typeof chatTemplate === 'string' && chatTemplate.includes('<think>');
}

/**
 * What to tell someone who asks a chat model with the plain default template: it answers in the
 * format it was tuned on, and `--chat` asks it that way (null when there is nothing to say).
 */
export function chatPromptHint(prompt: QuestionPrompt, modelChatTemplate: string | null, templateGiven: boolean): string | null {
  if (prompt.style !== 'plain' || templateGiven || modelChatTemplate === null) return null;
  const thinking = isThinkingTemplate(modelChatTemplate) ? ', and a thinking model answers without thinking first' : '';
  return `the model has a chat template: --chat asks each question in it, for the short answer alone${thinking} (asked now with the plain prompt)`;
}

/** The tokens a question is asked with (BOS included where the vocabulary wants it). */
export function questionTokens(model: Model, question: string, prompt: QuestionPrompt): number[] {
  if (prompt.style === 'plain') return model.tokenize(formatPrompt(prompt.template, question));
  const text = model.applyChatTemplate([{ role: 'user', content: `${SHORT_ANSWER_INSTRUCTION}\n\n${question}` }], { template: prompt.chatTemplate });
  const thinking = isThinkingTemplate(prompt.chatTemplate ?? model.info.chatTemplate);
  // the template's text holds special tokens (<|im_start|>, …): they must be read as such
  return model.tokenize(thinking ? text + EMPTY_THOUGHT : text, { parseSpecial: true });
}

/** A prompt as a run's manifest keeps it, among the encoder settings. */
export function promptSettings(prompt: QuestionPrompt): { promptStyle: 'plain'; promptTemplate: string } | { promptStyle: 'chat'; chatTemplate?: string } {
  return prompt.style === 'plain' ? { promptStyle: 'plain', promptTemplate: prompt.template } : { promptStyle: 'chat', ...(prompt.chatTemplate !== undefined ? { chatTemplate: prompt.chatTemplate } : {}) };
}

/** The prompt a run was collected with, from its manifest's encoder settings (runs before chat prompts: plain). */
export function recordedPrompt(settings: { promptStyle?: unknown; promptTemplate?: unknown; chatTemplate?: unknown }): QuestionPrompt {
  if (settings.promptStyle === 'chat') return { style: 'chat', ...(typeof settings.chatTemplate === 'string' ? { chatTemplate: settings.chatTemplate } : {}) };
  return { style: 'plain', template: typeof settings.promptTemplate === 'string' ? settings.promptTemplate : DEFAULT_PROMPT_TEMPLATE };
}

/**
 * ` ${text}` as the tokenizer splits it after `prompt`: tokenized behind the prompt's last piece,
 * which is then cut off. Tokenized alone, an SPM tokenizer's leading space became a token of its
 * own, and the sidecar learnt to answer "Answer:  I don't know." with two spaces.
 */
export function continuationTokens(model: Model, prompt: readonly number[], text: string): number[] {
  const anchor = model.detokenize(prompt.slice(-1)).trim() || '.';
  const before = model.tokenize(anchor, { addSpecial: false });
  const after = model.tokenize(`${anchor} ${text}`, { addSpecial: false });
  // a tokenizer that merges across the anchor's edge: the text on its own is the best left
  return before.every((t, i) => after[i] === t) ? after.slice(before.length) : model.tokenize(` ${text}`, { addSpecial: false });
}
