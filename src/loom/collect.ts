/**
 * `cogito collect`: runs the base model greedily on every question of a QA dataset, judges its
 * answer, and keeps what the sidecar learns from — the hidden states of the last prompt token at
 * the target layers, the base's output features there (sidecars/FORMAT.md φ), the answer and
 * whether it was right (`pass1_correct`).
 *
 * A run directory after collect:
 *   run.json                   the manifest (model fingerprint, layers, dataset, splits)
 *   collect/records.jsonl      one CollectRecord per question, in dataset order
 *   collect/hidden.f32         float32, questions × target layers × n_embd, same order
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { InternalError, InvalidOptionError, loadModel, type Model, type StopReason } from '../engine';
import { outputFeatures, resolveTargetLayers } from '../sidecar';
import { exactMatch, judge, loadChecker, parseQaJsonl, type AnswerChecker, type QaItem } from './judge';
import {
  RunDataError,
  createManifest,
  finishStage,
  makeSplits,
  startStage,
  writeFileAtomic,
  writeManifest,
  type RunManifest,
} from './manifest';
import { DEFAULT_PROMPT_TEMPLATE, chatPromptHint, promptSettings, questionTokens, type QuestionPrompt } from './prompt';

export const COLLECT_DIR = 'collect';
export const RECORDS_FILE = path.join(COLLECT_DIR, 'records.jsonl');
export const HIDDEN_FILE = path.join(COLLECT_DIR, 'hidden.f32');

export interface CollectRecord {
  index: number;
  question: string;
  answers: string[];
  bucket?: string;
  /** Token ids of the prompt the base saw (with BOS). */
  prompt: number[];
  /** The base's greedy continuation, up to the first newline. */
  output: string;
  /** Token ids of that continuation. */
  outputTokens: number[];
  /** The judged answer span. */
  answer: string;
  /** Was the base right? The ground truth every sidecar metric is scored against. */
  pass1_correct: boolean;
  /** Why the answer ended: 'eog' (the end-of-generation token, not in outputTokens), 'stop' (the newline, in outputTokens), … */
  stopReason?: StopReason;
  /** φ of sidecars/FORMAT.md at the last prompt token: how sure the base was (absent in runs collected before version 2). */
  outputFeatures?: number[];
}

export interface CollectOptions {
  runDir: string;
  model: string;
  dataset: string;
  /** 'early' | 'mid' | 'late' | 'all' | '2,5-7' | '-1' (default 'late'). */
  targetLayers?: string;
  /** A built-in checker name ('exact', 'contains') or a module path (default 'exact'). */
  checker?: string;
  /** `{question}` is replaced by the question (default `Question: {question}\nAnswer:`). */
  promptTemplate?: string;
  /**
   * Ask in the model's chat format instead, for the short answer alone (a thinking model without
   * its thinking); a chat template (a name llama.cpp knows, or its text) replaces the model's own.
   */
  chat?: boolean | { template: string };
  maxTokens?: number;
  seed?: number;
  valShare?: number;
  testShare?: number;
  threads?: number;
  onProgress?: (done: number, total: number, correct: number) => void;
  /** Advice before the run starts (a chat model asked with the plain template). */
  onNotice?: (message: string) => void;
  signal?: AbortSignal;
}

export interface CollectSummary {
  questions: number;
  correct: number;
  accuracy: number;
  targetLayers: number[];
  seconds: number;
}

export async function collect(options: CollectOptions): Promise<CollectSummary> {
  const started = Date.now();
  const items = parseQaJsonl(await fsp.readFile(options.dataset, 'utf8'), options.dataset);
  const checker: AnswerChecker = options.checker ? loadChecker(options.checker) : exactMatch;
  if (options.chat && options.promptTemplate !== undefined) throw new InvalidOptionError('collect: give a prompt template or a chat prompt, not both', 'INVALID_ARGUMENT');
  const prompt: QuestionPrompt = options.chat
    ? { style: 'chat', ...(typeof options.chat === 'object' ? { chatTemplate: options.chat.template } : {}) }
    : { style: 'plain', template: options.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE };
  const model = await loadModel(options.model);
  try {
    if (prompt.style === 'chat' && prompt.chatTemplate === undefined && model.info.chatTemplate === null) {
      throw new InvalidOptionError(`${options.model} has no chat template: name one (--chat-template chatml, llama3, …)`, 'INVALID_ARGUMENT');
    }
    const hint = chatPromptHint(prompt, model.info.chatTemplate, options.promptTemplate !== undefined);
    if (hint) options.onNotice?.(hint);
    const spec = options.targetLayers ?? 'late';
    const targetLayers = resolveTargetLayers(spec, model.info.layerCount);
    const seed = options.seed ?? 1;
    let manifest: RunManifest = createManifest({
      model: { path: path.resolve(options.model), fingerprint: model.info.fingerprint },
      targetLayers,
      targetLayersSpec: spec,
      dataset: { path: path.resolve(options.dataset), questions: items.length },
      splits: makeSplits(items.length, seed, options.valShare ?? 0.15, options.testShare ?? 0),
      encoder: { kind: 'selective', ...promptSettings(prompt), checker: checker.name, maxTokens: options.maxTokens ?? 16 },
    });
    await fsp.mkdir(path.join(options.runDir, COLLECT_DIR), { recursive: true });
    manifest = startStage(manifest, 'collect');
    await writeManifest(options.runDir, manifest);
    try {
      const { records, hidden } = await runBase(model, items, targetLayers, prompt, checker, options);
      const correct = records.filter((r) => r.pass1_correct).length;
      await writeFileAtomic(path.join(options.runDir, RECORDS_FILE), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      await writeFileAtomic(path.join(options.runDir, HIDDEN_FILE), new Uint8Array(hidden.buffer, hidden.byteOffset, hidden.byteLength));
      const summary: CollectSummary = { questions: records.length, correct, accuracy: correct / Math.max(1, records.length), targetLayers, seconds: (Date.now() - started) / 1000 };
      manifest = finishStage(manifest, 'collect', 'done', { questions: summary.questions, correct, accuracy: summary.accuracy, seconds: summary.seconds });
      await writeManifest(options.runDir, manifest);
      return summary;
    } catch (err) {
      await writeManifest(options.runDir, finishStage(manifest, 'collect', 'failed', { error: err instanceof Error ? err.message : String(err) }));
      throw err;
    }
  } finally {
    await model.dispose();
  }
}

async function runBase(
  model: Model,
  items: QaItem[],
  targetLayers: number[],
  questionPrompt: QuestionPrompt,
  checker: AnswerChecker,
  options: CollectOptions,
): Promise<{ records: CollectRecord[]; hidden: Float32Array }> {
  const E = model.info.embeddingSize;
  const L = targetLayers.length;
  const hidden = new Float32Array(items.length * L * E);
  const records: CollectRecord[] = [];
  await using ctx = await model.createContext({ threads: options.threads });
  let correct = 0;
  for (const [index, item] of items.entries()) {
    options.signal?.throwIfAborted();
    const prompt = questionTokens(model, item.question, questionPrompt);
    // greedy, the short answer only: the first line is what is judged
    const r = await ctx.complete(prompt, { maxTokens: options.maxTokens ?? 16, stop: ['\n'], taps: { layers: targetLayers, mode: 'last' }, promptLogits: true, signal: options.signal });
    const taps = r.taps ?? [];
    if (taps.length !== L) throw new InternalError(`expected taps at ${L} layers, got ${taps.length}`);
    taps.forEach((t, l) => hidden.set(t.data, (index * L + l) * E));
    const j = await judge(r.text, item, checker);
    if (j.correct) correct++;
    records.push({
      index,
      question: item.question,
      answers: item.answers,
      ...(item.bucket !== undefined ? { bucket: item.bucket } : {}),
      prompt,
      output: r.text,
      outputTokens: r.tokens.map((t) => t.id),
      answer: j.answer,
      pass1_correct: j.correct,
      stopReason: r.stopReason,
      // rounded to float32, as the runtime hands them to the sidecar
      outputFeatures: Array.from(Float32Array.from(outputFeatures(r.promptLogits ?? []))),
    });
    options.onProgress?.(index + 1, items.length, correct);
  }
  return { records, hidden };
}

/** Reads what collect wrote: the records and, per record, its L·E hidden states. */
export async function readCollected(runDir: string, manifest: RunManifest, embeddingSize: number): Promise<{ records: CollectRecord[]; hidden: Float32Array }> {
  const text = await fsp.readFile(path.join(runDir, RECORDS_FILE), 'utf8');
  const records = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as CollectRecord);
  const bytes = await fsp.readFile(path.join(runDir, HIDDEN_FILE));
  const hidden = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const want = records.length * manifest.targetLayers.length * embeddingSize;
  if (hidden.length !== want) throw new RunDataError(`${HIDDEN_FILE} holds ${hidden.length} floats, expected ${want}: collect again`);
  return { records, hidden };
}
