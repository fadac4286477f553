// The feedback buffer on a real SQLite file: weights by source, true confidence, route and error
// targets, training rows, validation, and files it refuses to open.
import Database from 'better-sqlite3';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  answerErrorType,
  CogitoError,
  errorTypeFromFailure,
  FeedbackBuffer,
  FeedbackIntegrityError,
  FeedbackSchemaError,
  feedbackPathBeside,
  MetaError,
  outcomeWeight,
  routeTarget,
  SIGNAL_NAMES,
  SIGNALS_VERSION,
  trueConfidenceOf,
  type OutcomeInput,
  type Signals,
} from '../../src/meta';
import { tempDir } from '../vks/helpers';

const vector = (seed: number): number[] => SIGNAL_NAMES.map((_, k) => seed + k);
const signals = (seed = 0): OutcomeInput['signals'] => ({ vector: vector(seed), version: SIGNALS_VERSION });

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('cogito-meta-feedback-')));
afterEach(() => cleanup());

describe('the label rules', () => {
  test('weights: solver 3.0, oracle 2.0, correction 1.5, user 0.5 accepting and 0.3 rejecting', () => {
    expect(outcomeWeight('solver', 'correct')).toBe(3);
    expect(outcomeWeight('solver', 'incorrect')).toBe(3);
    expect(outcomeWeight('oracle', 'incorrect')).toBe(2);
    expect(outcomeWeight('correction', 'incorrect')).toBe(1.5);
    expect(outcomeWeight('user', 'correct')).toBe(0.5);
    expect(outcomeWeight('user', 'incorrect')).toBe(0.3);
    expect(() => outcomeWeight('crowd' as never, 'correct')).toThrow(MetaError);
  });

  test('true confidence is the weighted share of correct verdicts; routes cut at 0.85 and 0.4', () => {
    expect(trueConfidenceOf([])).toBeNull();
    // solver says correct (3), user rejects (0.3): 3 / 3.3
    expect(trueConfidenceOf([{ verdict: 'correct', weight: 3 }, { verdict: 'incorrect', weight: 0.3 }])).toBeCloseTo(3 / 3.3, 12);
    expect(routeTarget(0.85)).toBe('SELF');
    expect(routeTarget(0.8499)).toBe('HYBRID');
    expect(routeTarget(0.4)).toBe('HYBRID');
    expect(routeTarget(0.3999)).toBe('ORACLE');
    expect(() => routeTarget(1.2)).toThrow(MetaError);
  });

  test('error types: what failed maps to one of five classes; an answer takes the heaviest failure when the majority says incorrect', () => {
    expect(errorTypeFromFailure('wrong-fact')).toBe('factual');
    expect(errorTypeFromFailure('unsupported-inference')).toBe('logical');
    expect(errorTypeFromFailure('unresolved-reference')).toBe('unresolved-reference');
    expect(errorTypeFromFailure('refusal')).toBe('out-of-scope');
    expect(errorTypeFromFailure('unverified')).toBe('out-of-scope');
    expect(
      answerErrorType([
        { verdict: 'incorrect', weight: 0.3, errorType: 'factual' },
        { verdict: 'incorrect', weight: 3, errorType: 'logical' },
        { verdict: 'correct', weight: 0.5, errorType: 'none' },
      ]),
    ).toBe('logical');
    // the solver's proof outweighs the user's rejection: no error
    expect(answerErrorType([{ verdict: 'correct', weight: 3, errorType: 'none' }, { verdict: 'incorrect', weight: 0.3, errorType: 'factual' }])).toBe('none');
  });
});

describe('FeedbackBuffer', () => {
  test('records outcomes with their weights and signals, and derives each answer\'s training row', () => {
    const path = feedbackPathBeside(join(dir, 'home', 'vks.db'));
    expect(path).toBe(join(dir, 'home', 'feedback.db'));
    const t0 = new Date('2026-01-01T00:00:00Z');
    const t1 = new Date('2026-01-02T00:00:00Z');
    {
      using buffer = FeedbackBuffer.open(path);
      const a = buffer.record({ answerId: 'a', question: 'Is wax extended?', claim: 'wax is extended', source: 'solver', verdict: 'correct', signals: signals(1), createdAt: t0 });
      expect(a).toMatchObject({ answerId: 'a', source: 'solver', verdict: 'correct', weight: 3, errorType: 'none', createdAt: t0.toISOString(), signalsVersion: SIGNALS_VERSION });
      expect(Array.from(a.signals)).toEqual(vector(1));
      buffer.record({ answerId: 'a', question: 'Is wax extended?', source: 'user', verdict: 'incorrect', errorType: 'factual', signals: signals(1), createdAt: t0 });
      buffer.record({ answerId: 'b', question: 'What country is Tuten from?', source: 'oracle', verdict: 'incorrect', failure: 'wrong-fact', signals: signals(2), createdAt: t0 });
      buffer.record({ answerId: 'b', question: 'What country is Tuten from?', source: 'correction', verdict: 'incorrect', failure: 'wrong-fact', signals: signals(2), createdAt: t1 });
      buffer.record({ answerId: 'c', question: 'Who is Lana?', source: 'solver', verdict: 'correct', signals: signals(3), createdAt: t0 });
      buffer.record({ answerId: 'c', question: 'Who is Lana?', source: 'oracle', verdict: 'incorrect', failure: 'unsupported-inference', signals: signals(3), createdAt: t0 });
      expect(buffer.count()).toBe(6);
      expect(buffer.answers()).toBe(3);
    }
    // reopened: everything is still there
    using buffer = FeedbackBuffer.open(path);
    expect(buffer.trueConfidence('a')).toBeCloseTo(3 / 3.3, 12);
    expect(buffer.trueConfidence('b')).toBe(0);
    expect(buffer.trueConfidence('c')).toBeCloseTo(0.6, 12);
    expect(buffer.trueConfidence('nobody')).toBeNull();
    const rows = buffer.trainingRows();
    expect(rows.map((r) => [r.answerId, r.route, r.errorType, r.weight, r.outcomes])).toEqual([
      ['a', 'SELF', 'none', 3.3, 2],
      ['b', 'ORACLE', 'factual', 3.5, 2],
      ['c', 'HYBRID', 'none', 5, 2],
    ]);
    expect(Array.from(rows[1].signals)).toEqual(vector(2));
    expect(rows[1].updatedAt).toBe(t1.toISOString());
    // since: only answers with an outcome at or after it
    expect(buffer.trainingRows({ since: t1 }).map((r) => r.answerId)).toEqual(['b']);
    // another signals version: no rows until outcomes carry it
    expect(buffer.trainingRows({ signalsVersion: SIGNALS_VERSION + 1 })).toEqual([]);
  });

  test('takes a Signals record and stores its vector', () => {
    using buffer = FeedbackBuffer.open(join(dir, 'f.db'));
    const record: Signals = {
      version: SIGNALS_VERSION,
      hidden: [{ layer: 2, mean: 0.1, std: 1.5 }, { layer: 3, mean: -0.2, std: 2 }],
      entropy: { mean: 0.2, max: 0.5, min: 0 },
      logprob: { mean: -0.1, min: -0.4, first: -0.05 },
      generatedTokens: 4,
      hedges: 1,
      repetition4: 0,
      ood: null,
      probe: { confidence: 0.7, min: 0.6, max: 0.8, layers: [{ layer: 2, confidence: 0.6 }, { layer: 3, confidence: 0.8 }], refused: false },
      attentionEntropy: null,
    };
    const o = buffer.record({ answerId: 'x', question: 'q?', source: 'user', verdict: 'correct', signals: record });
    expect(o.signals).toHaveLength(SIGNAL_NAMES.length);
    expect(o.signals[SIGNAL_NAMES.indexOf('probe_confidence')]).toBeCloseTo(0.7, 6);
    expect(o.signals[SIGNAL_NAMES.indexOf('ood_present')]).toBe(0);
    expect(o.signals[SIGNAL_NAMES.indexOf('hidden_std')]).toBeCloseTo(1.75, 6);
  });

  test('rejects malformed outcomes with MetaError and writes nothing', () => {
    using buffer = FeedbackBuffer.open(join(dir, 'f.db'));
    const ok: OutcomeInput = { answerId: 'a', question: 'q?', source: 'solver', verdict: 'correct', signals: signals() };
    const bad: [string, Partial<OutcomeInput> & Record<string, unknown>][] = [
      ['empty answer id', { answerId: '' }],
      ['no question', { question: '  ' }],
      ['unknown source', { source: 'crowd' as never }],
      ['unknown verdict', { verdict: 'maybe' as never }],
      ['correct with an error type', { errorType: 'factual' }],
      ['incorrect without what failed', { verdict: 'incorrect' }],
      ['incorrect with none', { verdict: 'incorrect', errorType: 'none' }],
      ['unknown error type', { verdict: 'incorrect', errorType: 'cosmic' as never }],
      ['short vector', { signals: { vector: [1, 2, 3], version: SIGNALS_VERSION } }],
      ['non-finite signal', { signals: { vector: vector(0).map((v, i) => (i === 4 ? NaN : v)), version: SIGNALS_VERSION } }],
      ['bad date', { createdAt: new Date('not a date') }],
    ];
    for (const [why, change] of bad) {
      let thrown: unknown;
      try {
        buffer.record({ ...ok, ...change } as OutcomeInput);
      } catch (err) {
        thrown = err;
      }
      expect({ why, error: thrown instanceof MetaError && thrown instanceof CogitoError ? thrown.code : thrown }).toEqual({ why, error: 'META_INVALID' });
    }
    expect(buffer.count()).toBe(0);
    buffer.close();
    expect(() => buffer.count()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });

  test('refuses a file that is not a buffer, one from a newer cogito, and a damaged one', () => {
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE stuff (x)');
    db.close();
    expect(() => FeedbackBuffer.open(other)).toThrow(FeedbackSchemaError);

    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'this is not a database at all, only words '.repeat(200));
    expect(() => FeedbackBuffer.open(garbage)).toThrow(expect.objectContaining({ code: 'FEEDBACK_SCHEMA' }));

    const newer = join(dir, 'newer.db');
    FeedbackBuffer.open(newer).close();
    const n = new Database(newer);
    n.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`).run();
    n.close();
    expect(() => FeedbackBuffer.open(newer)).toThrow(expect.objectContaining({ code: 'FEEDBACK_SCHEMA', found: '99' }));
    expect(() => FeedbackBuffer.open(join(dir, 'missing.db'), { readonly: true })).toThrow();

    // a buffer whose index pages are overwritten: quick_check (or the read under it) finds the damage
    const damaged = join(dir, 'damaged.db');
    {
      using buffer = FeedbackBuffer.open(damaged);
      for (let i = 0; i < 400; i++) buffer.record({ answerId: `a${i}`, question: `question ${i}`, source: 'solver', verdict: 'correct', signals: signals(i) });
    }
    const size = readFileSync(damaged).length;
    const fd = openSync(damaged, 'r+');
    const pageSize = 4096;
    // leave page 1 (the header and schema) intact; scribble over the middle of every later page
    for (let page = 1; page * pageSize < size; page++) writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, page * pageSize + 1000);
    closeSync(fd);
    expect(() => FeedbackBuffer.open(damaged)).toThrow(FeedbackIntegrityError);
  });

  test('a writer that waits longer than busyTimeoutMs for another connection\'s lock gets FeedbackBusyError naming the file', () => {
    const path = join(dir, 'f.db');
    using buffer = FeedbackBuffer.open(path, { busyTimeoutMs: 0 });
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      expect(() => buffer.record({ answerId: 'a', question: 'q?', source: 'solver', verdict: 'correct', signals: signals() })).toThrow(
        expect.objectContaining({ code: 'FEEDBACK_BUSY', path }),
      );
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    buffer.record({ answerId: 'a', question: 'q?', source: 'solver', verdict: 'correct', signals: signals() });
    expect(buffer.count()).toBe(1);
  });

  test('a read-only open reads what a writer wrote and writes nothing', () => {
    const path = join(dir, 'f.db');
    {
      using writer = FeedbackBuffer.open(path);
      writer.record({ answerId: 'a', question: 'q?', source: 'oracle', verdict: 'correct', signals: signals() });
    }
    using reader = FeedbackBuffer.open(path, { readonly: true });
    expect(reader.trueConfidence('a')).toBe(1);
    expect(() => reader.record({ answerId: 'b', question: 'q?', source: 'oracle', verdict: 'correct', signals: signals() })).toThrow();
    expect(reader.count()).toBe(1);
  });
});
