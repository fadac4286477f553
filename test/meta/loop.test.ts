// The loop's labels end to end: `cogito ask` through the real bin/cogito.js (over dist/, the default
// model, its sidecar, a VKS file) registers each answer and its decided claims in the feedback buffer
// beside the VKS, with the draft's signals; `cogito feedback` adds a user's judgement; `cogito meta
// status` counts; bad ids and words are clear errors.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AskResult } from '../../src/cascade';
import { FeedbackBuffer, feedbackPathBeside, SIGNAL_NAMES, SIGNALS_VERSION, type FeedbackStatus } from '../../src/meta';
import { repoRoot, tempDir } from '../support/engine';

let dir: string;
let vksPath: string;

function cogito(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'cogito.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ask(question: string, ...extra: string[]): AskResult {
  const r = cogito('ask', question, '--json', '--vks', vksPath, '--threads', '1', ...extra);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as AskResult;
}

/** Reads the buffer the CLI wrote, and closes it. */
function inBuffer<T>(read: (b: FeedbackBuffer) => T): T {
  const buffer = FeedbackBuffer.open(feedbackPathBeside(vksPath), { readonly: true });
  try {
    return read(buffer);
  } finally {
    buffer.close();
  }
}

beforeAll(() => {
  dir = tempDir('cogito-meta-loop-');
  vksPath = path.join(dir, 'vks.db');
}, 600_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const probeConfidence = SIGNAL_NAMES.indexOf('probe_confidence');

test('ask records each answer, a decided draft claim as an outcome with its source, weight, verdict and the draft\'s signals; feedback and status', () => {
  const lana = ask('What instrument does Lana play?');
  const objections = ask('Who wrote the Fourth Objections to the Meditations?');
  expect(lana.claims[0]).toMatchObject({ status: 'VERIFIED', source: 'CORPUS' });
  expect(objections.claims[0]).toMatchObject({ status: 'CORRECTED', source: 'CORPUS' });

  inBuffer((b) => {
    const [right] = b.outcomes(lana.id);
    expect(b.outcomes(lana.id)).toHaveLength(1);
    // a passage of the corpus is the cascade's own check: source 'correction', weight 1.5
    expect(right).toMatchObject({ question: lana.question, claim: 'Lana plays the bell.', source: 'correction', verdict: 'correct', weight: 1.5, errorType: 'none', signalsVersion: SIGNALS_VERSION });
    expect(right.signals).toHaveLength(SIGNAL_NAMES.length);
    // the signals are the draft's: the sidecar's probe confidence is the decision the answer reports
    expect(right.signals[probeConfidence]).toBeCloseTo((lana.decision as { confidence: number }).confidence, 5);
    const [wrong] = b.outcomes(objections.id);
    expect(b.outcomes(objections.id)).toHaveLength(1);
    expect(wrong).toMatchObject({ claim: 'Hobbes wrote the Fourth Objections.', source: 'correction', verdict: 'incorrect', weight: 1.5, errorType: 'factual' });
    expect(b.trueConfidence(lana.id)).toBe(1);
    expect(b.trueConfidence(objections.id)).toBe(0);
  });

  // the same question again is answered from the VKS record the corpus verdict was stored in: still the corpus's word
  const again = cogito('ask', 'What instrument does Lana play?', '--vks', vksPath, '--threads', '1');
  expect(again.code).toBe(0);
  expect(again.out).toMatch(/\[VERIFIED: VKS, /);
  const againId = /^answer ([0-9a-f]+): cogito feedback \1 accept\|reject\|correct "…"\n$/.exec(again.err)?.[1] as string;
  expect(againId).toBeDefined();
  expect(againId).not.toBe(lana.id);
  inBuffer((b) => expect(b.outcomes(againId)).toEqual([expect.objectContaining({ source: 'correction', verdict: 'correct', weight: 1.5 })]));

  // an answer nothing could check is registered without a label; a user can still judge it
  const open = ask('What language is spoken in Dreris?');
  expect(open.claims[0].status).toBe('UNVERIFIED');
  inBuffer((b) => {
    expect(b.outcomes(open.id)).toEqual([]);
    expect(b.answer(open.id)).toMatchObject({ question: open.question, draft: open.draft, status: 'UNVERIFIED', signalsVersion: SIGNALS_VERSION });
  });

  // a user's rejection lowers the answer's true confidence: 1.5 / (1.5 + 0.3)
  const reject = cogito('feedback', lana.id, 'reject', '--vks', vksPath);
  expect(reject).toMatchObject({ code: 0, err: '' });
  expect(reject.out).toBe(`recorded reject of ${lana.id} (user, incorrect, weight 0.3); true confidence now 0.833\n`);
  inBuffer((b) => {
    expect(b.trueConfidence(lana.id)).toBeCloseTo(1.5 / 1.8, 10);
    const user = b.outcomes(lana.id)[1];
    expect(user).toMatchObject({ source: 'user', verdict: 'incorrect', weight: 0.3, errorType: 'factual', claim: null });
    // the user's outcome carries the answer's signals
    expect(Array.from(user.signals)).toEqual(Array.from(b.outcomes(lana.id)[0].signals));
  });
  const accept = JSON.parse(cogito('feedback', open.id, 'accept', '--vks', vksPath, '--json').out) as { outcome: { weight: number; verdict: string }; trueConfidence: number };
  expect(accept).toMatchObject({ outcome: { weight: 0.5, verdict: 'correct' }, trueConfidence: 1 });
  const corrected = cogito('feedback', objections.id, 'correct', 'Arnauld wrote the Fourth Objections.', '--vks', vksPath);
  expect(corrected.code).toBe(0);
  inBuffer((b) => expect(b.outcomes(objections.id)[1]).toMatchObject({ source: 'user', verdict: 'incorrect', weight: 0.3, claim: 'Arnauld wrote the Fourth Objections.' }));

  // --no-feedback registers nothing
  const before = inBuffer((b) => b.registeredAnswers());
  const quiet = cogito('ask', 'What instrument does Muris play?', '--vks', vksPath, '--threads', '1', '--no-feedback');
  expect(quiet.code).toBe(0);
  expect(quiet.err).toBe('');
  expect(inBuffer((b) => b.registeredAnswers())).toBe(before);

  const status = JSON.parse(cogito('meta', 'status', '--vks', vksPath, '--json').out) as FeedbackStatus;
  expect(status).toEqual({
    path: feedbackPathBeside(vksPath),
    answers: 4,
    labelledAnswers: 4,
    outcomes: 6,
    bySource: { solver: 0, oracle: 0, correction: 3, user: 3 },
    // lana 0.833, objections 0, again 1, open 1 (the user's accept alone)
    trueConfidence: { bins: [1, 0, 0, 0, 3], mean: expect.closeTo((1.5 / 1.8 + 0 + 1 + 1) / 4, 10) },
    // lana 0.833 is below SELF's 0.85: HYBRID
    routes: { SELF: 2, HYBRID: 1, ORACLE: 1 },
    // four labelled answers are far from the 32 the first training needs
    learner: { dir: path.join(dir, 'meta'), current: null, versions: [] },
  });
  expect(cogito('meta', 'status', '--vks', vksPath).out).toMatch(/^feedback buffer .*feedback\.db\nanswers 4 \(labelled 4\) · outcomes 6: solver 0, oracle 0, correction 3, user 3\n/);
}, 120_000);

test('an unknown answer id and a bad judgement are clear errors that record nothing', () => {
  const unknown = cogito('feedback', 'feedface', 'accept', '--vks', vksPath);
  expect(unknown.code).toBe(1);
  expect(unknown.err).toMatch(/^cogito: .*feedback\.db: the feedback buffer knows no answer with id "feedface" .*\[FEEDBACK_UNKNOWN_ANSWER\]\n$/);
  // no buffer at all (a fresh folder): the same error, and no file is created
  const elsewhere = path.join(dir, 'elsewhere', 'vks.db');
  expect(cogito('feedback', 'feedface', 'reject', '--vks', elsewhere).err).toMatch(/\[FEEDBACK_UNKNOWN_ANSWER\]\n$/);
  expect(fs.existsSync(feedbackPathBeside(elsewhere))).toBe(false);
  expect(JSON.parse(cogito('meta', 'status', '--vks', elsewhere, '--json').out)).toMatchObject({ answers: 0, outcomes: 0, learner: { current: null, versions: [] } });
  expect(fs.existsSync(path.join(dir, 'elsewhere', 'meta'))).toBe(false);

  const before = inBuffer((b) => b.count());
  const word = cogito('feedback', 'feedface', 'maybe', '--vks', vksPath);
  expect(word.code).toBe(1);
  expect(word.err).toBe('cogito: the judgement is one of accept, reject, correct, not "maybe" [INVALID_ARGUMENT]\n');
  expect(cogito('feedback', 'feedface', 'correct', '--vks', vksPath).err).toMatch(/correct needs the right answer.*\[INVALID_ARGUMENT\]\n$/);
  expect(cogito('feedback', 'feedface', 'accept', 'extra words', '--vks', vksPath).err).toMatch(/accept takes no text.*\[INVALID_ARGUMENT\]\n$/);
  expect(inBuffer((b) => b.count())).toBe(before);
});
