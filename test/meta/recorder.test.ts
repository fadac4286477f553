// From an answer to labels (src/meta/recorder.ts) on a real SQLite buffer: which claims become
// outcomes, with which source, verdict and error type; answers registered once; outcomes without
// signals; a user's judgement against a registered answer, and the errors around it.
import { join } from 'node:path';
import type { AskResult, ClaimReport } from '../../src/cascade';
import {
  CogitoError,
  FeedbackBuffer,
  feedbackStatus,
  MetaError,
  NO_SIGNALS_VERSION,
  outcomesOfAnswer,
  recordJudgement,
  SIGNAL_NAMES,
  SIGNALS_VERSION,
  UnknownAnswerError,
  type VksMethodOf,
} from '../../src/meta';
import { tempDir } from '../vks/helpers';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('cogito-meta-recorder-')));
afterEach(() => cleanup());

function claim(over: Partial<ClaimReport>): ClaimReport {
  return { text: 'Lana plays the bell.', kind: 'FACTUAL', status: 'VERIFIED', source: 'CORPUS', reference: 'World Gazetteer, Lana', correction: null, reason: 'a passage says so', repairs: [], vksId: null, ...over };
}

function answer(claims: ClaimReport[], over: Partial<AskResult> = {}): AskResult {
  return { id: 'a1', question: 'What instrument does Lana play?', draft: 'bell', final: '', annotated: '', status: 'VERIFIED', claims, formal: null, decision: null, oracle_calls: 0, timings_ms: {}, ...over };
}

const methods: Record<string, string> = { z3: 'Z3', corpus: 'CORPUS', oracle: 'ORACLE', seed: 'SEED', user: 'USER' };
const vksMethodOf: VksMethodOf = (id) => methods[id] ?? null;
const signals = { vector: SIGNAL_NAMES.map((_, k) => k / 10), version: SIGNALS_VERSION };

describe('outcomesOfAnswer', () => {
  test('each decided claim of the draft: VERIFIED is correct, CORRECTED incorrect; the source by who decided', () => {
    const claims = [
      claim({ source: 'SOLVER', kind: 'FORMAL' }),
      claim({ source: 'SOLVER', kind: 'FORMAL', status: 'CORRECTED' }),
      claim({ source: 'CORPUS' }),
      claim({ source: 'CORPUS', status: 'CORRECTED' }),
      claim({ source: 'ORACLE', status: 'CORRECTED' }),
      claim({ source: 'VKS', vksId: 'z3' }),
      claim({ source: 'VKS', vksId: 'corpus', status: 'CORRECTED' }),
      claim({ source: 'VKS', vksId: 'oracle', status: 'CORRECTED' }),
      claim({ source: 'VKS', vksId: 'user' }),
    ];
    const out = outcomesOfAnswer(answer(claims), { origins: claims.map(() => 'draft') }, null, vksMethodOf);
    expect(out.map((o) => [o.source, o.verdict, o.failure ?? null])).toEqual([
      ['solver', 'correct', null],
      ['solver', 'incorrect', 'unsupported-inference'],
      ['correction', 'correct', null],
      ['correction', 'incorrect', 'wrong-fact'],
      ['oracle', 'incorrect', 'wrong-fact'],
      ['solver', 'correct', null],
      ['correction', 'incorrect', 'wrong-fact'],
      ['oracle', 'incorrect', 'wrong-fact'],
      ['user', 'correct', null],
    ]);
    expect(out.every((o) => o.answerId === 'a1' && o.claim === 'Lana plays the bell.' && o.signals === null)).toBe(true);
  });

  test('no label for what decides nothing about the draft: open, soft, the oracle alone, a seed axiom, claims from the question', () => {
    const open = [
      claim({ status: 'UNVERIFIED', source: 'NONE' }),
      claim({ status: 'UNVERIFIED', source: 'ORACLE' }),
      claim({ status: 'SOFT', source: 'SOFT' }),
      claim({ source: 'VKS', vksId: 'seed' }),
      claim({ source: 'VKS', vksId: 'gone' }),
    ];
    expect(outcomesOfAnswer(answer(open), { origins: open.map(() => 'draft') }, null, vksMethodOf)).toEqual([]);
    const fromQuestion = [claim({ source: 'SOLVER', kind: 'FORMAL' }), claim({ source: 'CORPUS', status: 'CORRECTED' })];
    expect(outcomesOfAnswer(answer(fromQuestion), { origins: ['argument', 'check'] }, null, vksMethodOf)).toEqual([]);
  });

  test('the model refused and a checked source answered: one incorrect outcome of type refusal', () => {
    const found = [claim({ source: 'CORPUS' }), claim({ source: 'CORPUS', text: 'second' })];
    const out = outcomesOfAnswer(answer(found, { draft: '' }), { origins: ['found', 'found'] }, null, vksMethodOf);
    expect(out).toEqual([expect.objectContaining({ source: 'correction', verdict: 'incorrect', failure: 'refusal' })]);
    expect(() => outcomesOfAnswer(answer(found), { origins: ['draft'] }, null, vksMethodOf)).toThrow(MetaError);
  });
});

describe('the buffer: answers, outcomes without signals, judgements', () => {
  test('an answer registers once; outcomes may have no signals; recordAll is all or nothing', () => {
    const buffer = FeedbackBuffer.open(join(dir, 'feedback.db'));
    try {
      expect(buffer.registerAnswer({ answerId: 'a1', question: 'Q?', draft: 'bell', status: 'VERIFIED', signals: null })).toBe(true);
      expect(buffer.registerAnswer({ answerId: 'a1', question: 'Q?', draft: 'bell', status: 'VERIFIED', signals: null })).toBe(false);
      expect(buffer.answer('a1')).toMatchObject({ draft: 'bell', signalsVersion: NO_SIGNALS_VERSION, signals: new Float32Array(0) });
      expect(buffer.answer('nope')).toBeNull();
      const good = { answerId: 'a1', question: 'Q?', source: 'correction' as const, verdict: 'correct' as const, signals: null };
      expect(() => buffer.recordAll([good, { ...good, verdict: 'incorrect' }])).toThrow(MetaError);
      expect(buffer.count()).toBe(0);
      const [stored] = buffer.recordAll([good]);
      expect(stored).toMatchObject({ signalsVersion: NO_SIGNALS_VERSION, weight: 1.5 });
      // an outcome without signals counts for the true confidence but gives no training row
      expect(buffer.trueConfidence('a1')).toBe(1);
      expect(buffer.trainingRows()).toEqual([]);
    } finally {
      buffer.close();
    }
  });

  test('a judgement: accept 0.5, reject 0.3, correct keeps the text; with the answer\'s signals; unknown id and bad words throw', () => {
    const buffer = FeedbackBuffer.open(join(dir, 'feedback.db'));
    try {
      buffer.registerAnswer({ answerId: 'a1', question: 'Q?', draft: 'bell', status: 'UNVERIFIED', signals });
      expect(recordJudgement(buffer, 'a1', 'accept')).toMatchObject({ source: 'user', verdict: 'correct', weight: 0.5, errorType: 'none' });
      expect(recordJudgement(buffer, 'a1', 'reject')).toMatchObject({ verdict: 'incorrect', weight: 0.3, errorType: 'factual' });
      const fixed = recordJudgement(buffer, 'a1', 'correct', '  Lana plays the drum. ');
      expect(fixed).toMatchObject({ verdict: 'incorrect', weight: 0.3, claim: 'Lana plays the drum.', signalsVersion: SIGNALS_VERSION });
      expect(Array.from(fixed.signals)).toEqual(Array.from(Float32Array.from(signals.vector)));
      expect(buffer.trueConfidence('a1')).toBeCloseTo(0.5 / 1.1, 10);
      expect(buffer.trainingRows()).toEqual([expect.objectContaining({ answerId: 'a1', route: 'HYBRID', outcomes: 3 })]);

      const unknown = (() => {
        try {
          recordJudgement(buffer, 'zz', 'accept');
        } catch (e) {
          return e;
        }
      })();
      expect(unknown).toBeInstanceOf(UnknownAnswerError);
      expect(unknown).toBeInstanceOf(CogitoError);
      expect((unknown as UnknownAnswerError).code).toBe('FEEDBACK_UNKNOWN_ANSWER');
      expect(() => recordJudgement(buffer, 'a1', 'maybe' as 'accept')).toThrow(/one of accept, reject, correct/);
      expect(() => recordJudgement(buffer, 'a1', 'correct', ' ')).toThrow(MetaError);
      expect(() => recordJudgement(buffer, 'a1', 'reject', 'text')).toThrow(MetaError);
      expect(buffer.count()).toBe(3);
      expect(feedbackStatus(buffer)).toMatchObject({ answers: 1, labelledAnswers: 1, outcomes: 3, bySource: { user: 3 }, routes: { HYBRID: 1 }, trueConfidence: { bins: [0, 0, 1, 0, 0] } });
    } finally {
      buffer.close();
    }
  });
});
