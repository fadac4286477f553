/**
 * `cogito eval`: the base against base + sidecar on held-out questions. The base is run greedily
 * (pass 1) and judged; base + sidecar answers through two-pass inference, and a refusal is its
 * answer starting with the sidecar's refusal text. Every metric is scored against the base's own
 * correctness (src/loom/metrics.ts). Writes report.json, report.md and risk-coverage.png.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { InvalidOptionError, loadModel, throwIfAborted } from '../engine';
import { TwoPass } from '../sidecar';
import { checkpointPath, EXPORT_FILE } from './checkpoint';
import { exactMatch, judge, loadChecker, parseQaJsonl, type AnswerChecker, type QaItem } from './judge';
import { ManifestError, assertSameModel, finishStage, readManifest, startStage, writeManifest } from './manifest';
import { questionTokens, recordedPrompt } from './prompt';
import { writeReport, type EvalRecord, type WrittenReport } from './report';

export interface EvalOptions {
  runDir: string;
  /** Questions to evaluate on (default: the run's validation split of its own dataset). */
  dataset?: string;
  /** Sidecar file (default: the run's exported sidecar.gguf, else its checkpoint). */
  sidecar?: string;
  /**
   * Evaluate on this base instead of the run's (a quantization of it, say). The sidecar must still
   * bind to it (src/sidecar/bind.ts): other weights of the same shape need `force`.
   */
  model?: string;
  /** Run the sidecar on a base with another fingerprint; the binding warning goes into the report. */
  force?: boolean;
  maxTokens?: number;
  checker?: string;
  threads?: number;
  /** Where the report goes (default: the run directory). */
  outDir?: string;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function evaluate(options: EvalOptions): Promise<WrittenReport> {
  const manifest = await readManifest(options.runDir);
  // a run labelled by a caller (verdicts) has no reference answers to judge its own questions by
  if (manifest.labels !== undefined && options.dataset === undefined) {
    throw new InvalidOptionError(`${options.runDir}: its labels are ${manifest.labels.by}, not reference answers, so its questions cannot be judged: give --dataset, questions with reference answers`, 'INVALID_ARGUMENT');
  }
  const settings = manifest.encoder as { promptStyle?: string; promptTemplate?: string; chatTemplate?: string; checker?: string; maxTokens?: number };
  const questionPrompt = recordedPrompt(settings);
  const checkerSpec = options.checker ?? (typeof settings.checker === 'string' ? settings.checker : undefined);
  const checker: AnswerChecker = checkerSpec ? loadChecker(checkerSpec) : exactMatch;
  const maxTokens = options.maxTokens ?? (typeof settings.maxTokens === 'number' ? settings.maxTokens : 16);
  const items = await questions(options, manifest.dataset.path, manifest.splits.test.length > 0 ? manifest.splits.test : manifest.splits.val);
  const modelFile = options.model ?? manifest.model.path;
  const model = await loadModel(modelFile);
  let m = startStage(manifest, 'eval');
  await writeManifest(options.runDir, m);
  try {
    // another base is the caller's choice; the sidecar's own binding check judges it below
    if (options.model === undefined) assertSameModel(manifest, model.info.fingerprint, manifest.model.path);
    const sidecarFile = options.sidecar ?? (await firstExisting([path.join(options.runDir, EXPORT_FILE), checkpointPath(options.runDir)]));
    await using ctx = await model.createContext({ threads: options.threads });
    await using pipe = await TwoPass.load(model, sidecarFile, { threads: options.threads, force: options.force });
    const refusal = pipe.config.refusal.trim();
    const records: EvalRecord[] = [];
    for (const [i, item] of items.entries()) {
      throwIfAborted(options.signal);
      const prompt = questionTokens(model, item.question, questionPrompt);
      const base = await ctx.complete(prompt, { maxTokens, stop: ['\n'], signal: options.signal });
      const pass1 = await judge(base.text, item, checker);
      const two = await pipe.complete(prompt, { maxTokens, stop: ['\n'], signal: options.signal });
      const refused = refusal.length > 0 && two.text.trim().startsWith(refusal);
      const answered = refused ? null : await judge(two.text, item, checker);
      records.push({
        question: item.question,
        ...(item.bucket !== undefined ? { bucket: item.bucket } : {}),
        pass1Correct: pass1.correct,
        refused,
        confidence: two.decision.confidence,
        ...(answered ? { answerCorrect: answered.correct } : {}),
      });
      options.onProgress?.(i + 1, items.length);
    }
    const written = await writeReport(options.outDir ?? options.runDir, records, {
      model: modelFile,
      fingerprint: model.info.fingerprint,
      sidecar: sidecarFile,
      ...(pipe.warning !== null ? { binding: pipe.warning } : {}),
      dataset: options.dataset ?? manifest.dataset.path,
    });
    const r = written.report;
    m = finishStage(m, 'eval', 'done', {
      n: r.n, base_accuracy: r.base_accuracy, selective_accuracy: r.selective_accuracy, refusal_rate: r.refusal_rate,
      refusal_precision: r.refusal_precision, over_refusal: r.over_refusal, coverage: r.coverage, auroc: r.auroc, mcnemar_p: r.mcnemar_p,
      report: written.files.json,
    });
    await writeManifest(options.runDir, m);
    return written;
  } catch (err) {
    await writeManifest(options.runDir, finishStage(m, 'eval', 'failed', { error: err instanceof Error ? err.message : String(err) }));
    throw err;
  } finally {
    await model.dispose();
  }
}

/** The questions: a given file, or the run's own split of its dataset. */
async function questions(options: EvalOptions, runDataset: string, split: number[]): Promise<QaItem[]> {
  if (options.dataset) return parseQaJsonl(await fsp.readFile(options.dataset, 'utf8'), options.dataset);
  const all = parseQaJsonl(await fsp.readFile(runDataset, 'utf8'), runDataset);
  return split.map((i) => all[i]);
}

async function firstExisting(files: string[]): Promise<string> {
  for (const f of files) {
    try {
      await fsp.access(f);
      return f;
    } catch {
      // try the next
    }
  }
  throw new ManifestError(`no sidecar found (looked for ${files.join(', ')}); run cogito train and cogito export first`, null);
}
