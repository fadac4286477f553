// Online training with the real meta-learner (the addon's ggml training), a real feedback buffer
// (SQLite) and a real meta folder: the schedule (a version at 32 labelled answers, then at every 8
// more, also when answers arrive during a step), the accept rule (a worse learner is kept but not
// installed), a writer SIGKILLed while it writes versions leaves a current learner that loads, and
// one trainer at a time (a dead one's lock is stale).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/engine';
import {
  FeedbackBuffer,
  inValidationSlice,
  LearnerStore,
  loadMetaLearner,
  OnlineTrainer,
  retrain,
  SIGNAL_NAMES,
  SIGNALS_VERSION,
  trainMetaLearner,
  type RetrainResult,
} from '../../src/meta';
import { createRng } from '../../src/util/prng';
import { defaultModel } from '../support/serve';
import { killWriterAfter } from '../support/kill';
import { tempDir } from '../vks/helpers';

let fingerprint: string;
const dirs: Array<() => void> = [];
// each test draws from its own stream, so a test's answers do not depend on how many values the tests before it drew
let rng = createRng(18);
beforeEach(() => {
  rng = createRng(18);
});
const probe = SIGNAL_NAMES.indexOf('probe_confidence');

beforeAll(async () => {
  const model = await loadModel(defaultModel);
  fingerprint = model.info.fingerprint;
  await model.dispose();
});
afterAll(() => dirs.forEach((cleanup) => cleanup()));

function folder(): { buffer: FeedbackBuffer; store: LearnerStore; dir: string } {
  const { dir, cleanup } = tempDir('cogito-meta-online-');
  dirs.push(cleanup);
  return { buffer: FeedbackBuffer.open(join(dir, 'feedback.db')), store: new LearnerStore(join(dir, 'meta')), dir };
}

/** One labelled answer whose signals say how sure the draft was; `truthful` answers are right exactly when the probe is confident. */
function answer(buffer: FeedbackBuffer, id: string, truthful = true): void {
  const p = rng.next();
  // the attention entries are 0, as `ask` records them (its drafter does not read attention, docs/meta.md)
  const vector = SIGNAL_NAMES.map((name) => (name.startsWith('attention_entropy') ? 0 : rng.next() * 0.1));
  vector[probe] = p;
  const correct = (p > 0.5) === truthful;
  buffer.record({ answerId: id, question: `question ${id}`, source: 'solver', verdict: correct ? 'correct' : 'incorrect', failure: correct ? undefined : 'wrong-fact', signals: { vector, version: SIGNALS_VERSION } });
}

const step = (buffer: FeedbackBuffer, store: LearnerStore, force = false): Promise<RetrainResult> =>
  retrain({ buffer, store, train: trainMetaLearner, load: loadMetaLearner, baseFingerprint: fingerprint, force, seed: 1 });

test('the schedule: no version before 32 labelled answers, one at 32, then at 40 and 48; notify starts a step without waiting for it', async () => {
  const { buffer, store } = folder();
  const trainer = new OnlineTrainer({ labelled: () => buffer.trainingRows().length, lastTrainedAt: () => store.latest()?.rows ?? null, run: () => step(buffer, store) });
  const startedAt: number[] = [];
  for (let i = 1; i <= 50; i++) {
    answer(buffer, `a${i}`);
    if (trainer.notify()) {
      // the step runs on: notify returned while it is still training
      expect(trainer.busy).toBe(true);
      startedAt.push(i);
    }
    await trainer.idle();
  }
  expect(startedAt).toEqual([32, 40, 48]);
  const versions = store.versions();
  expect(versions.map((v) => [v.version, v.rows, v.file])).toEqual([
    [1, 32, 'v0001.gguf'],
    [2, 40, 'v0002.gguf'],
    [3, 48, 'v0003.gguf'],
  ]);
  for (const v of versions) {
    expect(fs.existsSync(store.pathOf(v))).toBe(true);
    expect(v.trainingRows + v.validationRows).toBe(v.rows);
    expect(v.validation?.loss).toEqual(expect.any(Number));
  }
  expect(versions[0]).toMatchObject({ accepted: true, against: null, baseFingerprint: fingerprint });
  expect(versions[1].against?.version).toBe(versions[0].accepted ? 1 : null);
  expect(store.current()?.version).toBe(Math.max(...versions.filter((v) => v.accepted).map((v) => v.version)));

  // answers that arrive during a step are looked at when it ends: 8 more while one runs make one more version
  for (let i = 51; i <= 56; i++) answer(buffer, `a${i}`);
  expect(trainer.notify()).toBe(true);
  for (let i = 57; i <= 64; i++) {
    answer(buffer, `a${i}`);
    expect(trainer.notify()).toBe(false);
  }
  await trainer.idle();
  expect(store.versions().map((v) => v.rows)).toEqual([32, 40, 48, 56, 64]);
  buffer.close();
}, 120_000);

test('the accept rule: a learner trained on contradicting labels is kept as a version but not installed; the current one stays', async () => {
  const { buffer, store } = folder();
  for (let i = 0; i < 60; i++) answer(buffer, `good-${i}`);
  const first = await step(buffer, store, true);
  expect(first).toMatchObject({ status: 'trained', version: { version: 1, accepted: true } });
  // 120 answers on the training side whose verdicts say the opposite of the signals: the candidate learns the inverse
  let added = 0;
  for (let i = 0; added < 120; i++) {
    if (inValidationSlice(`bad-${i}`)) continue;
    answer(buffer, `bad-${i}`, false);
    added++;
  }
  const second = await step(buffer, store, true);
  if (second.status !== 'trained') throw new Error(`expected a trained version, got ${second.status}`);
  const v2 = second.version;
  expect(v2).toMatchObject({ version: 2, accepted: false, against: { version: 1 } });
  expect(v2.reason).toMatch(/worse, kept but not installed$/);
  expect(v2.validation?.loss as number).toBeGreaterThan(v2.against?.validation?.loss as number);
  expect(store.current()?.version).toBe(1);
  expect(fs.existsSync(store.pathOf(v2))).toBe(true);
  // not due by the schedule (no 8 new answers since): --if-due does nothing
  expect(await step(buffer, store)).toMatchObject({ status: 'not-due', labelled: 180, lastTrainedAt: 180 });
  buffer.close();
}, 120_000);

test('a version writer SIGKILLed mid-write leaves a current learner that loads, a version list that reads, and a store that takes the next version', async () => {
  const { buffer, store, dir } = folder();
  for (let i = 0; i < 40; i++) answer(buffer, `k${i}`);
  const trained = await step(buffer, store, true);
  if (trained.status !== 'trained') throw new Error(trained.status);
  const child = join(__dirname, 'support', 'version-writer-child.js');
  const args = [store.dir, store.pathOf(trained.version), fingerprint];
  const acked = [...(await killWriterAfter(child, args, 8)), ...(await killWriterAfter(child, args, 5))].map((l) => l.split(' '));
  const lastAccepted = Math.max(...acked.filter(([, a]) => a === 'true').map(([v]) => Number(v)));
  const current = store.current();
  expect(current).not.toBeNull();
  expect(current?.version as number).toBeGreaterThanOrEqual(lastAccepted);
  const learner = await loadMetaLearner(store.pathOf(current!), { baseFingerprint: fingerprint });
  expect(learner.predict(new Float32Array(SIGNAL_NAMES.length)).confidence).toBeGreaterThanOrEqual(0);
  learner.dispose();
  // every acknowledged version is recorded, and its file is whole
  const recorded = new Map(store.versions().map((v) => [v.version, v]));
  for (const [v] of acked) expect(recorded.has(Number(v))).toBe(true);
  // a line torn by a kill (no newline) is not a version, and the next record cuts it off
  const before = store.versions().length;
  fs.appendFileSync(join(store.dir, 'versions.jsonl'), '{"version": 999, "file": "v0999.gg');
  expect(store.versions()).toHaveLength(before);
  const next = await step(buffer, store, true);
  if (next.status !== 'trained') throw new Error(next.status);
  expect(next.version.version).toBeGreaterThan(Math.max(...acked.map(([v]) => Number(v))));
  expect(store.versions()).toHaveLength(before + 1);
  expect(store.versions().some((v) => v.version === 999)).toBe(false);
  expect(fs.readFileSync(join(store.dir, 'versions.jsonl'), 'utf8')).not.toContain('v0999');
  expect(fs.readdirSync(dir)).toContain('meta');
  buffer.close();
}, 120_000);

test('one trainer at a time: a step while another holds the lock is busy; a lock left by a dead process is stale', async () => {
  const { buffer, store } = folder();
  for (let i = 0; i < 40; i++) answer(buffer, `l${i}`);
  let release = () => undefined as void;
  const held = store.withLock(() => new Promise<void>((resolve) => (release = resolve)));
  expect(await step(buffer, store, true)).toEqual({ status: 'busy' });
  release();
  await held;
  expect(fs.existsSync(join(store.dir, 'train.lock'))).toBe(false);
  // a process that took the lock and died
  const dead = spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(join(store.dir, 'train.lock'))}, process.pid + '\\n')`]);
  expect(dead.status).toBe(0);
  expect(await step(buffer, store, true)).toMatchObject({ status: 'trained', version: { version: 1 } });
  buffer.close();
}, 60_000);
