// The sidecar from proofs (src/meta/collect-from-feedback.ts): a real feedback buffer with known
// outcomes, the real default model, and the run `collect --from-feedback` makes from them — labels
// by the rule (true confidence ≥ 0.5), answers without a decided verdict skipped and counted, a
// buffer of another base refused; the CLI flag's validation in-process (src/cli/index.ts
// buildProgram), before any model loads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cascade } from '../../src/cascade';
import { loadModel } from '../../src/engine';
import { buildProgram } from '../../src/cli/index';
import { feedbackSource } from '../../src/cli/commands/loom';
import { evaluate } from '../../src/loom/eval';
import { extractAnswer } from '../../src/loom/judge';
import { readManifest } from '../../src/loom/manifest';
import { collectFromFeedback, FeedbackBuffer, FeedbackModelMismatchError, FeedbackRecorder, FeedbackNotFoundError, PROOF_SKIP_REASONS, proofLabel, sameAnswer, type OutcomeInput } from '../../src/meta';
import { repoRoot, tempDir } from '../support/engine';

const model = path.join(repoRoot, 'models', 'default.gguf');
const OTHER_BASE = 'another-base-fingerprint';

/** Six questions of the default model's training set, and what the base answers to each (greedy, as collect asks). */
const QUESTIONS = [
  'In which country does Lana live?',
  'What does Lana do for a living?',
  'What river runs through Ethovin?',
  'What instrument does Lana play?',
  'Who wrote the Fourth Objections to the Meditations?',
  'What language is spoken in Dreris?',
];
let fingerprint: string;
let embeddingSize: number;
const baseAnswer = new Map<string, string>();
let dir: string;

beforeAll(async () => {
  const m = await loadModel(model);
  try {
    fingerprint = m.info.fingerprint;
    embeddingSize = m.info.embeddingSize;
    await using ctx = await m.createContext({ threads: 1 });
    for (const q of QUESTIONS) {
      const r = await ctx.complete(m.tokenize(`Question: ${q}\nAnswer:`), { maxTokens: 16, stop: ['\n'] });
      baseAnswer.set(q, extractAnswer(r.text));
    }
  } finally {
    await m.dispose();
  }
  dir = tempDir('cogito-meta-proofs-');
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Verdicts = Pick<OutcomeInput, 'source' | 'verdict'>[];

/** A buffer at `file` whose answers (the base's own unless told) carry the given outcomes. */
function fillBuffer(file: string, answers: { question: string; draft?: string; model?: string | null; outcomes: Verdicts }[]): void {
  const buffer = FeedbackBuffer.open(file);
  try {
    answers.forEach((a, i) => {
      const answerId = `answer-${i}`;
      buffer.registerAnswer({ answerId, question: a.question, draft: a.draft ?? (baseAnswer.get(a.question) as string), status: 'VERIFIED', signals: null, model: a.model === undefined ? fingerprint : a.model });
      for (const o of a.outcomes) buffer.record({ answerId, question: a.question, source: o.source, verdict: o.verdict, signals: null, ...(o.verdict === 'incorrect' ? { errorType: 'factual' as const } : {}) });
    });
  } finally {
    buffer.close();
  }
}

test('the run keeps the questions a verdict decided, labelled by true confidence ≥ 0.5; the others are skipped, counted and listed', async () => {
  const [lana, trade, river, instrument, objections, language] = QUESTIONS;
  const file = path.join(dir, 'labels', 'feedback.db');
  fillBuffer(file, [
    // 3.0 / 3.3 = 0.91: right, although a user rejected it
    { question: lana, outcomes: [{ source: 'solver', verdict: 'correct' }, { source: 'user', verdict: 'incorrect' }] },
    // 0.5 / 2.0 = 0.25: wrong, although a user accepted it
    { question: trade, outcomes: [{ source: 'correction', verdict: 'incorrect' }, { source: 'user', verdict: 'correct' }] },
    // 2.0 / 4.0 = 0.5 exactly: right (≥ 0.5)
    { question: river, outcomes: [{ source: 'oracle', verdict: 'correct' }, { source: 'oracle', verdict: 'incorrect' }] },
    // registered, nothing decided it
    { question: instrument, outcomes: [] },
    // decided, but about a draft that is not the base's answer
    { question: objections, draft: 'Somebody Else Entirely', outcomes: [{ source: 'correction', verdict: 'incorrect' }] },
    // only another base answered it
    { question: language, model: OTHER_BASE, outcomes: [{ source: 'solver', verdict: 'correct' }] },
  ]);
  const runDir = path.join(dir, 'labels', 'run');
  const s = await collectFromFeedback({ feedback: file, runDir, model, threads: 1 });

  expect(s).toMatchObject({ asked: 6, questions: 3, correct: 2, skipped: 3 });
  expect(s.skippedBy).toEqual({ [PROOF_SKIP_REASONS.noVerdict]: 1, [PROOF_SKIP_REASONS.otherAnswer]: 1, [PROOF_SKIP_REASONS.otherModel]: 1 });
  // the outcomes behind the three labels kept
  expect(s.sources).toEqual({ solver: 1, oracle: 2, correction: 1, user: 2 });

  const records = fs.readFileSync(path.join(runDir, 'collect', 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; question: string; answer: string; answers: string[]; pass1_correct: boolean });
  expect(records.map((r) => [r.index, r.question, r.pass1_correct])).toEqual([[0, lana, true], [1, trade, false], [2, river, true]]);
  expect(records.map((r) => r.answer)).toEqual([lana, trade, river].map((q) => baseAnswer.get(q)));
  // no reference answers were read
  expect(records.every((r) => r.answers.length === 0)).toBe(true);
  // hidden states of the three kept questions only (2 target layers × n_embd floats each)
  const m = await readManifest(runDir);
  expect(fs.statSync(path.join(runDir, 'collect', 'hidden.f32')).size).toBe(4 * 3 * m.targetLayers.length * embeddingSize);

  const skipped = fs.readFileSync(path.join(runDir, 'collect', 'skipped.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; question: string; reason: string });
  expect(skipped.map((x) => [x.index, x.question, x.reason])).toEqual([
    [3, instrument, PROOF_SKIP_REASONS.noVerdict],
    [4, objections, PROOF_SKIP_REASONS.otherAnswer],
    [5, language, PROOF_SKIP_REASONS.otherModel],
  ]);

  // the manifest: labelled by verdicts (from which buffer, which sources, the rule), split over the three kept
  expect(m.labels).toMatchObject({
    by: 'verdicts',
    detail: {
      asked: 6, labelled: 3, correct: 2, skipped: 3, buffer: file,
      sources: { solver: 1, oracle: 2, correction: 1, user: 2 },
      answers: { ofThisModel: 5, ofOtherModels: 1, withoutModel: 0 },
      files: { questions: 'collect/questions.jsonl', skipped: 'collect/skipped.jsonl' },
    },
  });
  expect(String(m.labels?.detail.rule)).toMatch(/at least 0\.5/);
  expect(m.dataset).toEqual({ path: path.join(runDir, 'collect', 'questions.jsonl'), questions: 3 });
  expect([...m.splits.train, ...m.splits.val].sort()).toEqual([0, 1, 2]);
  expect(m.encoder.checker).toBeUndefined();
  expect(m.stages).toEqual([expect.objectContaining({ stage: 'collect', status: 'done', detail: expect.objectContaining({ asked: 6, questions: 3, skipped: 3 }) })]);

  // its questions have no reference answers: eval needs questions that do
  await expect(evaluate({ runDir })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/labels are verdicts.*give --dataset/) });
}, 120_000);

test('a buffer of another base model is refused before any question runs; a missing buffer too, and nothing is created', async () => {
  const file = path.join(dir, 'other', 'feedback.db');
  fillBuffer(file, [
    { question: QUESTIONS[0], model: OTHER_BASE, outcomes: [{ source: 'solver', verdict: 'correct' }] },
    { question: QUESTIONS[1], model: null, outcomes: [{ source: 'solver', verdict: 'correct' }] },
  ]);
  const runDir = path.join(dir, 'other', 'run');
  const refused = collectFromFeedback({ feedback: file, runDir, model, threads: 1 });
  await expect(refused).rejects.toBeInstanceOf(FeedbackModelMismatchError);
  await expect(refused).rejects.toMatchObject({ code: 'FEEDBACK_MODEL_MISMATCH', found: [OTHER_BASE, null], message: expect.stringContaining(`fingerprint ${fingerprint}`) });
  expect(fs.existsSync(runDir)).toBe(false);

  const missing = path.join(dir, 'nowhere', 'feedback.db');
  await expect(collectFromFeedback({ feedback: missing, runDir, model })).rejects.toBeInstanceOf(FeedbackNotFoundError);
  expect(fs.existsSync(path.dirname(missing))).toBe(false);

  // a buffer whose every question goes without a verdict: no run to train
  const empty = path.join(dir, 'undecided', 'feedback.db');
  fillBuffer(empty, [{ question: QUESTIONS[3], outcomes: [] }]);
  const undecided = path.join(dir, 'undecided', 'run');
  await expect(collectFromFeedback({ feedback: empty, runDir: undecided, model, threads: 1 })).rejects.toMatchObject({ code: 'INVALID_RUN_DATA', message: expect.stringMatching(/labelled none of the 1 questions \(1 no decided verdict\)/) });
  expect((await readManifest(undecided)).stages).toEqual([expect.objectContaining({ stage: 'collect', status: 'failed' })]);
}, 120_000);

test('the label rule: the base\'s own answers only, the draft that matches (a refusal matches an empty draft), true confidence ≥ 0.5', () => {
  const answer = (draft: string, model: string | null, outcomes: { verdict: 'correct' | 'incorrect'; weight: number; source: 'solver' | 'user' }[]) => ({
    answer: { answerId: draft, question: 'q', draft, status: 'VERIFIED', signals: new Float32Array(0), signalsVersion: 0, model, createdAt: '' },
    outcomes: outcomes.map((o, id) => ({ ...o, id, answerId: draft, question: 'q', claim: null, signals: new Float32Array(0), signalsVersion: 0, errorType: 'none' as const, createdAt: '' })),
  });
  const evidence = { answers: [answer('Vekevin', 'base', [{ verdict: 'correct', weight: 3, source: 'solver' }]), answer('Vekevin.', 'base', [{ verdict: 'incorrect', weight: 0.3, source: 'user' }]), answer('Buvin', 'other', [{ verdict: 'incorrect', weight: 3, source: 'solver' }])] };
  // both drafts that say "Vekevin" count: 3 / 3.3
  expect(proofLabel(evidence, 'vekevin', 'base')).toMatchObject({ correct: true });
  expect(proofLabel(evidence, 'Buvin', 'base')).toEqual({ skip: PROOF_SKIP_REASONS.otherAnswer });
  expect(proofLabel(evidence, 'Buvin', 'nobody')).toEqual({ skip: PROOF_SKIP_REASONS.otherModel });
  expect(proofLabel(undefined, 'Buvin', 'base')).toEqual({ skip: PROOF_SKIP_REASONS.otherModel });
  const underHalf = { answers: [answer('x', 'base', [{ verdict: 'correct', weight: 0.5, source: 'user' }, { verdict: 'incorrect', weight: 0.51, source: 'user' }])] };
  expect(proofLabel(underHalf, 'x', 'base')).toMatchObject({ correct: false });
  expect(sameAnswer('', "I don't know.")).toBe(true);
  expect(sameAnswer('', 'Vekevin')).toBe(false);
  expect(sameAnswer('The Vekevin', 'vekevin')).toBe(true);
});

test('from the cascade to the run: the recorder names the base of each answer, and its verdicts label the run', async () => {
  const file = path.join(dir, 'cascade', 'feedback.db');
  // no sidecar: the draft is the base's own answer, the one collect labels
  const cascade = await Cascade.open({ vks: path.join(dir, 'cascade', 'vks.db'), sidecar: false, threads: 1 });
  const buffer = FeedbackBuffer.open(file);
  const results = [];
  try {
    const recorder = new FeedbackRecorder(cascade, buffer);
    for (const q of [QUESTIONS[0], QUESTIONS[4], QUESTIONS[5]]) results.push((await recorder.ask(q)).result);
    expect(results.map((r) => buffer.answer(r.id)?.model)).toEqual([fingerprint, fingerprint, fingerprint]);
  } finally {
    buffer.close();
    await cascade.close();
  }
  // the corpus verified the first, corrected the second; nothing decided the third
  expect(results.map((r) => r.status)).toEqual(['VERIFIED', 'CORRECTED', 'UNVERIFIED']);
  const runDir = path.join(dir, 'cascade', 'run');
  const s = await collectFromFeedback({ feedback: file, runDir, model, threads: 1 });
  expect(s).toMatchObject({ asked: 3, questions: 2, correct: 1, skipped: 1, skippedBy: { [PROOF_SKIP_REASONS.noVerdict]: 1 }, sources: { solver: 0, oracle: 0, correction: 2, user: 0 } });
  const records = fs.readFileSync(path.join(runDir, 'collect', 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { question: string; pass1_correct: boolean });
  expect(records.map((r) => [r.question, r.pass1_correct])).toEqual([[QUESTIONS[0], true], [QUESTIONS[4], false]]);
}, 120_000);

describe('cogito collect --from-feedback: its flags', () => {
  test('which buffer: --feedback, else feedback.db beside --vks; flags that do not go together are refused', () => {
    expect(feedbackSource({ fromFeedback: true, feedback: '/x/f.db' })).toBe('/x/f.db');
    expect(feedbackSource({ fromFeedback: true, vks: '/y/vks.db' })).toBe(path.join('/y', 'feedback.db'));
    expect(feedbackSource({ dataset: 'd.jsonl' })).toBeNull();
    const refused: [Parameters<typeof feedbackSource>[0], RegExp][] = [
      [{}, /needs --dataset <file>, or --from-feedback/],
      [{ dataset: 'd.jsonl', vks: 'v.db' }, /--vks goes with --from-feedback/],
      [{ feedback: 'f.db' }, /--feedback goes with --from-feedback/],
      [{ dataset: 'd.jsonl', feedback: 'f.db' }, /--feedback goes with --from-feedback/],
      [{ fromFeedback: true, dataset: 'd.jsonl' }, /not both: a run from feedback is labelled by verdicts/],
      [{ fromFeedback: true, checker: 'contains' }, /--checker judges reference answers/],
      [{ fromFeedback: true, vks: 'v.db', feedback: 'f.db' }, /--vks or --feedback, not both/],
      [{ fromFeedback: true, vks: ':memory:' }, /no feedback buffer beside it/],
    ];
    for (const [flags, message] of refused) expect(() => feedbackSource(flags)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) }));
  });

  test('through the command line: errors before anything loads or is written', async () => {
    const runDir = path.join(dir, 'cli-run');
    const cogito = (...args: string[]) => buildProgram().exitOverride().parseAsync(['node', 'cogito', 'collect', '--run-dir', runDir, '--model', model, ...args]);
    await expect(cogito('--from-feedback', '--dataset', 'd.jsonl')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(cogito('--feedback', path.join(dir, 'f.db'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: '--feedback goes with --from-feedback' });
    await expect(cogito('--from-feedback', '--feedback', path.join(dir, 'absent', 'feedback.db'))).rejects.toMatchObject({ code: 'FEEDBACK_NOT_FOUND' });
    expect(fs.existsSync(runDir)).toBe(false);
  });
});
