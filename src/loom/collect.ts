/**
 * `cogito collect`: runs the base model greedily on every question of a QA dataset, judges its
 * answer, and keeps what the sidecar learns from — the hidden states of the last prompt token at
 * the target layers, the base's output features there (sidecars/FORMAT.md φ), the answer and
 * whether it was right (`pass1_correct`). Whether it was right is judged against the question's
 * reference answers (`collect`), or given by a caller's labeller for questions without any
 * (`collectLabelled`: the meta layer's labels from the cascade's verdicts).
 *
 * A run directory after collect:
 *   run.json                   the manifest (model fingerprint, layers, dataset, splits, labels)
 *   collect/records.jsonl      one CollectRecord per question kept, in dataset order
 *   collect/hidden.f32         float32, questions × target layers × n_embd, same order
 *   collect/questions.jsonl    a labeller's run: the questions kept (the manifest's dataset)
 *   collect/skipped.jsonl      a labeller's run: the questions it left out, and why
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { InternalError, InvalidOptionError, loadModel, throwIfAborted, type Model, type StopReason } from '../engine';
import { outputFeatures, resolveTargetLayers } from '../sidecar';
import { exactMatch, extractAnswer, loadChecker, parseQaJsonl, type AnswerChecker, type QaItem } from './judge';
import {
  RunDataError,
  createManifest,
  finishStage,
  makeSplits,
  startStage,
  writeFileAtomic,
  writeManifest,
  type JsonValue,
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

/** How collect asks the base, whoever labels its answers. */
export interface CollectBaseOptions {
  runDir: string;
  model: string;
  /** 'early' | 'mid' | 'late' | 'all' | '2,5-7' | '-1' (default 'late'). */
  targetLayers?: string;
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

export interface CollectOptions extends CollectBaseOptions {
  dataset: string;
  /** A built-in checker name ('exact', 'contains') or a module path (default 'exact'). */
  checker?: string;
}

/** The label of the base's answer to one question: right or wrong, or left out of the run, and why. */
export type AnswerLabel = { correct: boolean } | { skip: string };

/**
 * Says whether the base's answer was right, in place of judging it against reference answers: for
 * questions that have none (the meta layer labels them by the cascade's verdicts).
 */
export interface AnswerLabeller {
  /** What the run's manifest records as the labels' origin (RunManifest.labels.by). */
  readonly name: string;
  /** Called once the base is loaded, before any question runs: throws to refuse a base the labels are not about. */
  checkBase?(base: { path: string; fingerprint: string }): void;
  /** `answer`: the span judged (judge.ts extractAnswer of the base's continuation). */
  label(question: QaItem, answer: string): AnswerLabel | Promise<AnswerLabel>;
  /** What the manifest keeps beside the name once every question is labelled (sources, counts, the rule). */
  detail?(): { [key: string]: JsonValue };
}

export interface LabelledCollectOptions extends CollectBaseOptions {
  /** The questions (reference answers optional: an empty list when there are none). */
  questions: readonly QaItem[];
  labeller: AnswerLabeller;
}

export interface CollectSummary {
  questions: number;
  correct: number;
  accuracy: number;
  targetLayers: number[];
  seconds: number;
}

export interface LabelledCollectSummary extends CollectSummary {
  /** Questions asked; `questions` of them were labelled and kept. */
  asked: number;
  skipped: number;
  /** Skipped questions per reason the labeller gave. */
  skippedBy: Record<string, number>;
}

/** In a run labelled by a caller: the questions kept, as a QA dataset (the manifest's dataset). */
export const LABELLED_QUESTIONS_FILE = path.join(COLLECT_DIR, 'questions.jsonl');
/** In a run labelled by a caller: one `{"index", "question", "answer", "reason"}` per question left out (index: in the questions given). */
export const SKIPPED_FILE = path.join(COLLECT_DIR, 'skipped.jsonl');

/** Collects a QA dataset, each answer judged against the question's reference answers. */
export async function collect(options: CollectOptions): Promise<CollectSummary> {
  const items = parseQaJsonl(await fsp.readFile(options.dataset, 'utf8'), options.dataset);
  const checker: AnswerChecker = options.checker ? loadChecker(options.checker) : exactMatch;
  const label = async (item: QaItem, answer: string): Promise<AnswerLabel> => ({ correct: Boolean(await checker.check(answer, item.answers)) });
  const { questions, correct, accuracy, targetLayers, seconds } = await collectInto(options, items, { dataset: options.dataset, checker: checker.name, labeller: null, label });
  return { questions, correct, accuracy, targetLayers, seconds };
}

/**
 * Collects questions whose labels a caller gives (AnswerLabeller): the run keeps the labelled ones
 * (its dataset: collect/questions.jsonl, split as collect splits), lists the skipped ones in
 * collect/skipped.jsonl, and records in its manifest who labelled it.
 */
export async function collectLabelled(options: LabelledCollectOptions): Promise<LabelledCollectSummary> {
  if (!Array.isArray(options.questions) || options.questions.length === 0) throw new InvalidOptionError('collect: no questions to label', 'INVALID_ARGUMENT');
  if (typeof options.labeller?.label !== 'function' || typeof options.labeller.name !== 'string' || options.labeller.name === '') {
    throw new InvalidOptionError('collect: a labeller needs a name and a label function', 'INVALID_ARGUMENT');
  }
  return collectInto(options, options.questions, { dataset: path.join(options.runDir, LABELLED_QUESTIONS_FILE), checker: null, labeller: options.labeller, label: (item, answer) => options.labeller.label(item, answer) });
}

interface Labelling {
  /** The manifest's dataset path. */
  dataset: string;
  /** The checker's name (judged against reference answers), or null (a labeller's labels). */
  checker: string | null;
  labeller: AnswerLabeller | null;
  label: (item: QaItem, answer: string) => Promise<AnswerLabel> | AnswerLabel;
}

async function collectInto(options: CollectBaseOptions, items: readonly QaItem[], labelling: Labelling): Promise<LabelledCollectSummary> {
  const started = Date.now();
  if (options.chat && options.promptTemplate !== undefined) throw new InvalidOptionError('collect: give a prompt template or a chat prompt, not both', 'INVALID_ARGUMENT');
  const prompt: QuestionPrompt = options.chat
    ? { style: 'chat', ...(typeof options.chat === 'object' ? { chatTemplate: options.chat.template } : {}) }
    : { style: 'plain', template: options.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE };
  const model = await loadModel(options.model);
  try {
    if (prompt.style === 'chat' && prompt.chatTemplate === undefined && model.info.chatTemplate === null) {
      throw new InvalidOptionError(`${options.model} has no chat template: name one (--chat-template chatml, llama3, …)`, 'INVALID_ARGUMENT');
    }
    labelling.labeller?.checkBase?.({ path: path.resolve(options.model), fingerprint: model.info.fingerprint });
    const hint = chatPromptHint(prompt, model.info.chatTemplate, options.promptTemplate !== undefined);
    if (hint) options.onNotice?.(hint);
    const spec = options.targetLayers ?? 'late';
    const targetLayers = resolveTargetLayers(spec, model.info.layerCount);
    const seed = options.seed ?? 1;
    const valShare = options.valShare ?? 0.15;
    const testShare = options.testShare ?? 0;
    const encoder = { kind: 'selective', ...promptSettings(prompt), ...(labelling.checker !== null ? { checker: labelling.checker } : {}), maxTokens: options.maxTokens ?? 16 };
    // a labeller's run learns how many questions it keeps only once they are labelled: the manifest is rewritten then
    let manifest: RunManifest = createManifest({
      model: { path: path.resolve(options.model), fingerprint: model.info.fingerprint },
      targetLayers,
      targetLayersSpec: spec,
      dataset: { path: path.resolve(labelling.dataset), questions: items.length },
      splits: makeSplits(items.length, seed, valShare, testShare),
      encoder,
      ...(labelling.labeller ? { labels: { by: labelling.labeller.name, detail: {} } } : {}),
    });
    await fsp.mkdir(path.join(options.runDir, COLLECT_DIR), { recursive: true });
    manifest = startStage(manifest, 'collect');
    await writeManifest(options.runDir, manifest);
    try {
      const { records, hidden, skipped } = await runBase(model, items, targetLayers, prompt, labelling.label, options);
      const correct = records.filter((r) => r.pass1_correct).length;
      await writeFileAtomic(path.join(options.runDir, RECORDS_FILE), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      await writeFileAtomic(path.join(options.runDir, HIDDEN_FILE), new Uint8Array(hidden.buffer, hidden.byteOffset, hidden.byteLength));
      const skippedBy: Record<string, number> = {};
      for (const s of skipped) skippedBy[s.reason] = (skippedBy[s.reason] ?? 0) + 1;
      const summary: LabelledCollectSummary = {
        questions: records.length, correct, accuracy: correct / Math.max(1, records.length), targetLayers, seconds: (Date.now() - started) / 1000,
        asked: items.length, skipped: skipped.length, skippedBy,
      };
      const detail: { [key: string]: JsonValue } = { questions: summary.questions, correct, accuracy: summary.accuracy, seconds: summary.seconds };
      if (labelling.labeller) {
        if (records.length === 0) throw new RunDataError(`the labeller '${labelling.labeller.name}' labelled none of the ${items.length} questions (${Object.entries(skippedBy).map(([r, n]) => `${n} ${r}`).join(', ')}): nothing to train on`);
        const kept = records.map((r) => ({ question: r.question, answers: r.answers, ...(r.bucket !== undefined ? { bucket: r.bucket } : {}) }));
        await writeFileAtomic(path.join(options.runDir, LABELLED_QUESTIONS_FILE), kept.map((q) => JSON.stringify(q)).join('\n') + '\n');
        await writeFileAtomic(path.join(options.runDir, SKIPPED_FILE), skipped.map((q) => `${JSON.stringify(q)}\n`).join(''));
        const files = { questions: LABELLED_QUESTIONS_FILE.split(path.sep).join('/'), skipped: SKIPPED_FILE.split(path.sep).join('/') };
        manifest = {
          ...manifest,
          dataset: { path: manifest.dataset.path, questions: records.length },
          splits: makeSplits(records.length, seed, valShare, testShare),
          labels: { by: labelling.labeller.name, detail: { asked: items.length, labelled: records.length, correct, skipped: skipped.length, skippedBy, files, ...(labelling.labeller.detail?.() ?? {}) } },
        };
        Object.assign(detail, { asked: items.length, skipped: skipped.length });
      }
      manifest = finishStage(manifest, 'collect', 'done', detail);
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

interface SkippedQuestion {
  index: number;
  question: string;
  answer: string;
  reason: string;
}

async function runBase(
  model: Model,
  items: readonly QaItem[],
  targetLayers: number[],
  questionPrompt: QuestionPrompt,
  label: Labelling['label'],
  options: CollectBaseOptions,
): Promise<{ records: CollectRecord[]; hidden: Float32Array; skipped: SkippedQuestion[] }> {
  const E = model.info.embeddingSize;
  const L = targetLayers.length;
  const hidden = new Float32Array(items.length * L * E);
  const records: CollectRecord[] = [];
  const skipped: SkippedQuestion[] = [];
  await using ctx = await model.createContext({ threads: options.threads });
  let correct = 0;
  for (const [index, item] of items.entries()) {
    throwIfAborted(options.signal);
    const prompt = questionTokens(model, item.question, questionPrompt);
    // greedy, the short answer only: the first line is what is labelled
    const r = await ctx.complete(prompt, { maxTokens: options.maxTokens ?? 16, stop: ['\n'], taps: { layers: targetLayers, mode: 'last' }, promptLogits: true, signal: options.signal });
    const taps = r.taps ?? [];
    if (taps.length !== L) throw new InternalError(`expected taps at ${L} layers, got ${taps.length}`);
    const answer = extractAnswer(r.text);
    const verdict = await label(item, answer);
    if ('skip' in verdict) {
      skipped.push({ index, question: item.question, answer, reason: verdict.skip });
    } else {
      // kept records are packed: record k's states are at k in hidden.f32
      taps.forEach((t, l) => hidden.set(t.data, (records.length * L + l) * E));
      if (verdict.correct) correct++;
      records.push({
        index: records.length,
        question: item.question,
        answers: item.answers,
        ...(item.bucket !== undefined ? { bucket: item.bucket } : {}),
        prompt,
        output: r.text,
        outputTokens: r.tokens.map((t) => t.id),
        answer,
        pass1_correct: verdict.correct,
        stopReason: r.stopReason,
        // rounded to float32, as the runtime hands them to the sidecar
        outputFeatures: Array.from(Float32Array.from(outputFeatures(r.promptLogits ?? []))),
      });
    }
    options.onProgress?.(index + 1, items.length, correct);
  }
  return { records, hidden: hidden.subarray(0, records.length * L * E), skipped };
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
