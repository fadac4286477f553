// The feedback loop end to end, as CI runs it (issue 18, "Done when"): through the real bin/cogito.js
// over dist/, the default model and its sidecar, SQLite, Z3, and the oracle model served by a real
// `cogito serve` on loopback — bootstrap a few dozen questions (the meta-learner trained online),
// train, ask a question whose route is read from the current learner and applied, record a user's
// correction, retrain, then a batch of asks whose labels make a step due, run by a detached child.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AskResult } from '../../src/cascade';
import { readQuestionFile } from '../../src/cascade/batch';
import { loadDomainPack } from '../../src/corpus/domain';
import { drawBootstrapQuestions, FeedbackBuffer, heldOutOf, type LearnerVersion, type RetrainResult } from '../../src/meta';
import { cogito } from '../support/cli';
import { repoRoot, tempDir } from '../support/engine';
import { startServer, type RunningServer } from '../support/serve';

let dir: string;
let vks: string;
let oracle: RunningServer;

const BOOTSTRAP = 90;
const models = path.join(repoRoot, 'models');

beforeAll(async () => {
  dir = tempDir('cogito-meta-e2e-');
  vks = path.join(dir, 'vks.db');
  oracle = await startServer({ modelPath: path.join(models, 'oracle.gguf'), contextSize: 64, threads: 1, onWarning: () => undefined });
}, 600_000);
afterAll(async () => {
  await oracle?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Status {
  labelledAnswers: number;
  learner: { current: number | null; versions: LearnerVersion[] };
}

async function status(): Promise<Status> {
  const r = await cogito('meta', 'status', '--vks', vks, '--json');
  expect(r).toMatchObject({ code: 0 });
  return JSON.parse(r.out) as Status;
}

/** Labelled answers (training rows) in the buffer, read as the trainer reads them. */
function labelled(): number {
  const buffer = FeedbackBuffer.open(path.join(dir, 'feedback.db'), { readonly: true });
  try {
    return buffer.trainingRows().length;
  } finally {
    buffer.close();
  }
}

// the bootstrap's own draw, continued: questions it did not ask, still none from the held-out file
const drawn = drawBootstrapQuestions(loadDomainPack(path.join(models, 'default.domain.json')), {
  count: BOOTSTRAP + 41,
  seed: 1,
  heldOut: heldOutOf(readQuestionFile(path.join(models, 'default.heldout.jsonl'))),
});

test('bootstrap → train → a routed ask → a user correction → retrain → online training from ask in a child process', async () => {
  const t0 = Date.now();
  const boot = await cogito('meta', 'bootstrap', '--questions', String(BOOTSTRAP), '--oracle', oracle.url, '--vks', vks, '--threads', '1', '--json');
  expect(boot).toMatchObject({ code: 0 });
  expect(boot.err).toMatch(/bootstrap \[#+\.*\] 90\/90 /);
  const summary = JSON.parse(boot.out) as { questions: number; labelled: number; outcomes: number; trainingSteps: number; oracleCalls: number; learner: { current: number | null; versions: number } };
  expect(summary).toMatchObject({ questions: BOOTSTRAP });
  expect(summary.oracleCalls).toBeGreaterThan(0);
  const afterBoot = await status();
  // at least 32 labelled answers: online training ran during the bootstrap
  expect(afterBoot.labelledAnswers).toBeGreaterThanOrEqual(32);
  expect(summary.trainingSteps).toBeGreaterThanOrEqual(1);
  expect(afterBoot.learner.versions.map((v) => v.version)).toEqual(afterBoot.learner.versions.map((_, i) => i + 1));
  expect(afterBoot.learner.versions[0]).toMatchObject({ version: 1, rows: 32, accepted: true });
  expect(afterBoot.learner.current).not.toBeNull();
  process.stderr.write(`e2e: bootstrap of ${BOOTSTRAP} questions ${Date.now() - t0} ms, ${afterBoot.labelledAnswers} labelled, ${afterBoot.learner.versions.length} version(s)\n`);

  const train = await cogito('meta', 'train', '--vks', vks, '--json');
  expect(train).toMatchObject({ code: 0 });
  const trained = JSON.parse(train.out) as RetrainResult;
  if (trained.status !== 'trained') throw new Error(`meta train: ${train.out}`);
  expect(trained.version.version).toBe(afterBoot.learner.versions.length + 1);
  const current = (await status()).learner.current as number;

  // a question bootstrap did not ask, routed by the current learner; the route is applied
  const question = drawn[BOOTSTRAP].question;
  const asked = await cogito('ask', question, '--json', '--oracle', oracle.url, '--vks', vks, '--threads', '1');
  expect(asked).toMatchObject({ code: 0 });
  const result = JSON.parse(asked.out) as AskResult;
  expect(result.route).toMatchObject({ by: `meta-learner v${current}`, confidence: expect.any(Number) });
  expect(['SELF', 'HYBRID', 'ORACLE']).toContain(result.route?.advice);
  const repairs = result.claims.flatMap((c) => c.repairs);
  if (result.route?.advice === 'SELF') expect({ calls: result.oracle_calls, repairs }).toEqual({ calls: 0, repairs: [] });
  if (result.route?.advice === 'ORACLE') expect(repairs).toEqual([]);
  // --no-route: no route on the answer
  const unrouted = await cogito('ask', question, '--json', '--no-route', '--no-feedback', '--vks', vks, '--threads', '1');
  expect(JSON.parse(unrouted.out)).not.toHaveProperty('route');
  // no sidecar, no signals: the learner gives no advice and the answer takes the full order
  const unsignalled = await cogito('ask', question, '--json', '--no-sidecar', '--no-feedback', '--vks', vks, '--threads', '1');
  expect(unsignalled).toMatchObject({ code: 0 });
  expect(JSON.parse(unsignalled.out)).not.toHaveProperty('route');

  // the user corrects it: one more label on that answer
  const before = labelled();
  const corrected = await cogito('feedback', result.id, 'correct', 'It is something else entirely.', '--vks', vks, '--json');
  expect(corrected).toMatchObject({ code: 0 });
  expect(JSON.parse(corrected.out)).toMatchObject({ outcome: { source: 'user', verdict: 'incorrect', weight: 0.3 } });
  const withCorrection = labelled();
  expect(withCorrection).toBeGreaterThanOrEqual(before);

  const retrain = await cogito('meta', 'train', '--vks', vks, '--json');
  const retrained = JSON.parse(retrain.out) as RetrainResult;
  if (retrained.status !== 'trained') throw new Error(`meta train: ${retrain.out}`);
  expect(retrained.version).toMatchObject({ version: trained.version.version + 1, rows: withCorrection, against: { version: current } });

  // a batch of asks: once 8 more answers are labelled, a step is due and a detached child trains it
  const beforeBatch = await status();
  const versionsBefore = beforeBatch.learner.versions.length;
  // the retrain above may or may not have been installed (the accept rule decides): the batch starts with whichever is current
  const currentBeforeBatch = beforeBatch.learner.current as number;
  expect(currentBeforeBatch).toBe(retrained.version.accepted ? retrained.version.version : current);
  const batch = path.join(dir, 'batch.jsonl');
  fs.writeFileSync(batch, `${drawn.slice(BOOTSTRAP + 1).map((q) => JSON.stringify({ question: q.question })).join('\n')}\n`);
  const ran = await cogito('ask', '--batch', batch, '--out', path.join(dir, 'batch-out.jsonl'), '--vks', vks, '--threads', '1');
  expect(ran).toMatchObject({ code: 0 });
  expect(labelled()).toBeGreaterThanOrEqual(withCorrection + 8);
  const deadline = Date.now() + 30_000;
  while ((await status()).learner.versions.length === versionsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const final = await status();
  expect(final.learner.versions.length).toBeGreaterThan(versionsBefore);
  // every batch answer was routed; a version the child installed during the batch is taken up between two questions, never undone
  const routedBy = fs.readFileSync(path.join(dir, 'batch-out.jsonl'), 'utf8').trim().split('\n').map((l) => Number(/^meta-learner v(\d+)$/.exec((JSON.parse(l) as AskResult).route?.by ?? '')?.[1]));
  expect(routedBy.every((v) => v >= currentBeforeBatch)).toBe(true);
  expect(routedBy).toEqual([...routedBy].sort((a, b) => a - b));
  expect(fs.readFileSync(path.join(dir, 'meta', 'train.log'), 'utf8')).toMatch(/meta-learner v\d+: /);

  // not due right after the child's step; status lists every version and marks the current one
  const notDue = JSON.parse((await cogito('meta', 'train', '--if-due', '--vks', vks, '--json')).out) as RetrainResult;
  expect(notDue).toMatchObject({ status: 'not-due', lastTrainedAt: final.learner.versions.at(-1)?.rows });
  const text = (await cogito('meta', 'status', '--vks', vks)).out;
  expect(text).toMatch(new RegExp(`meta-learner: current v${final.learner.current} of ${final.learner.versions.length} version\\(s\\) in `));
  expect(text).toMatch(new RegExp(`\\n\\* v${final.learner.current} .* · (accepted|rejected): `));

  // eval on questions answered now (labelled by the cascade's verdicts), and on the buffer's validation slice
  const questions = path.join(dir, 'eval.jsonl');
  fs.writeFileSync(questions, `${['What instrument does Lana play?', 'Who wrote the Fourth Objections to the Meditations?', 'In what year was the Discourse on the Method published?'].map((q) => JSON.stringify({ question: q })).join('\n')}\n`);
  const onQuestions = await cogito('meta', 'eval', '--questions', questions, '--vks', vks, '--threads', '1', '--json');
  expect(onQuestions.code).toBe(0);
  expect(JSON.parse(onQuestions.out)).toMatchObject({ version: final.learner.current, on: expect.stringMatching(/^3 question\(s\) of .*eval\.jsonl \(3 labelled\)$/), rows: 3, loss: expect.any(Number) });
  const nowhere = await cogito('meta', 'eval', '--vks', path.join(dir, 'nowhere', 'vks.db'));
  expect(nowhere.code).not.toBe(0);
  expect(nowhere.err).toMatch(/no current meta-learner .*\[NOT_FOUND\]\n$/);

  const evaluated = await cogito('meta', 'eval', '--vks', vks, '--json');
  expect(evaluated.code).toBe(0);
  expect(JSON.parse(evaluated.out)).toMatchObject({ version: final.learner.current, on: 'the validation slice of the feedback buffer', rows: expect.any(Number) });
  process.stderr.write(`e2e: whole loop ${Date.now() - t0} ms; the routed ask: ${JSON.stringify(result.route)}, oracle calls ${result.oracle_calls}, repairs ${repairs.length}; batch routed by ${[...new Set(routedBy)].map((v) => `v${v}`).join(', ')}; versions ${final.learner.versions.map((v) => `v${v.version}:${v.rows}:${v.accepted ? "accepted" : "rejected"}`).join(" ")}\n`);
}, 180_000);
