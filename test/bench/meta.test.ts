// bench/meta.js's own parts, without a model: the online schedule of retrains, the rows known at
// each retrain, the table of every score (the measures themselves are tested in
// test/meta/evaluation.test.ts), the goals and the PNG.
import * as evaluation from '../../src/meta/evaluation';
import * as baselines from '../../src/meta/baselines';
import { ERROR_TYPES, type ErrorType } from '../../src/meta/labels';
import { SIGNAL_NAMES, type SignalName } from '../../src/meta/signals';
import * as plot from '../../src/loom/plot';
import { decodePng } from '../../src/loom/png';

/* eslint-disable @typescript-eslint/no-require-imports */
const metaEval = require('../../bench/meta-eval.js');
const { plotMeta, frames } = require('../../bench/meta-plot.js');
const GOALS = require('../../bench/meta.goals.json');
/* eslint-enable @typescript-eslint/no-require-imports */

const lib = { evaluation, baselines, ERROR_TYPES };

function signals(values: Partial<Record<SignalName, number>>): Float32Array {
  return Float32Array.from(SIGNAL_NAMES, (name) => values[name] ?? 0);
}

describe('the online schedule', () => {
  test('first at 32 labelled answers, then each time 8 more have come in since the last retrain', () => {
    const counts = [0, 10, 20, 31, 32, 33, 39, 40, 41, 48, 60, 60];
    expect(metaEval.retrainPoints(counts)).toEqual([
      { after: 4, outcomes: 32 },
      { after: 7, outcomes: 40 },
      { after: 9, outcomes: 48 },
      { after: 10, outcomes: 60 },
    ]);
    expect(metaEval.retrainPoints([1, 2, 3], 2, 1)).toEqual([
      { after: 1, outcomes: 2 },
      { after: 2, outcomes: 3 },
    ]);
    expect(metaEval.retrainPoints([0, 31])).toEqual([]);
    expect(() => metaEval.retrainPoints([5, 4])).toThrow(/decrease/);
    expect(() => metaEval.retrainPoints([5], 0)).toThrow();
  });

  test('the rows known after a question: those of the answers asked by then', () => {
    const rows = [{ answerId: 'a' }, { answerId: 'c' }, { answerId: 'b' }];
    expect(metaEval.rowsAsOf(rows, ['a', 'b', 'c'], 1)).toEqual([{ answerId: 'a' }, { answerId: 'b' }]);
    expect(metaEval.rowsAsOf(rows, ['a', 'b', 'c'], 2)).toEqual(rows);
  });
});

describe('references', () => {
  test('the majority error type, the first in ERROR_TYPES order among equals', () => {
    expect(metaEval.majorityType([{ errorType: 'none' }, { errorType: 'factual' }, { errorType: 'none' }], ERROR_TYPES)).toBe('none');
    expect(metaEval.majorityType([{ errorType: 'none' }, { errorType: 'factual' }], ERROR_TYPES)).toBe('factual');
  });

  test('the route head at its operating point: ORACLE to the oracle, the rest kept', () => {
    const p = metaEval.routeOperatingPoint(['SELF', 'ORACLE', 'HYBRID', 'ORACLE'], [1, 0, 1, 1], [1, 1, 0, 0]);
    expect(p).toEqual({ share: 0.5, quality: 0.75, routes: { SELF: 1, HYBRID: 1, ORACLE: 2 } });
  });
});

describe('the table', () => {
  // four test answers: right, right, wrong, wrong (verdict and truth alike); the fourth unlabelled by verdict.
  // The meta-learner and the text router rank them perfectly, every signal baseline backwards; the oracle gets the wrong ones right.
  const test_ = [
    { question: 'Where does Lana live?', signals: signals({ probe_confidence: 0.1, logprob_mean: -0.4, generated_tokens: 1, entropy_mean: 0.4 }), verdictRight: true, truthRight: true, qualitySelf: 1, qualityOracle: 1, errorType: 'none' as ErrorType },
    { question: 'What does Lana play?', signals: signals({ probe_confidence: 0.2, logprob_mean: -0.3, generated_tokens: 1, entropy_mean: 0.3 }), verdictRight: true, truthRight: true, qualitySelf: 1, qualityOracle: 1, errorType: 'none' as ErrorType },
    { question: 'Where does Osk live?', signals: signals({ probe_confidence: 0.8, logprob_mean: -0.2, generated_tokens: 1, entropy_mean: 0.2 }), verdictRight: false, truthRight: false, qualitySelf: 0, qualityOracle: 1, errorType: 'out-of-scope' as ErrorType },
    { question: 'What does Osk play?', signals: signals({ probe_confidence: 0.9, logprob_mean: -0.1, generated_tokens: 1, entropy_mean: 0.1 }), verdictRight: null, truthRight: false, qualitySelf: 0, qualityOracle: 1, errorType: null },
  ];
  const prediction = (confidence: number, errorType: ErrorType) => ({ confidence, route: confidence < 0.4 ? 'ORACLE' : 'SELF', routeProbabilities: {}, errorType, errorProbabilities: {} });
  const predictions = [prediction(0.95, 'none'), prediction(0.9, 'none'), prediction(0.2, 'factual'), prediction(0.1, 'out-of-scope')];
  const trainRows = [{ errorType: 'none' }, { errorType: 'none' }, { errorType: 'factual' }];
  const textRouter = baselines.TextRouter.train([
    { question: 'Where does Lana live?', target: 1 },
    { question: 'Where does Osk live?', target: 0 },
  ], { minCount: 1 });

  test('the headline keys: the meta-learner on the verdict-labelled answers, routing on every question', () => {
    const t = metaEval.evaluate(lib, { test: test_, metaPredictions: predictions, textRouter, trainRows, goals: GOALS });
    expect(t.verdict_labelled).toBe(3);
    expect(t.figures.auroc_meta).toBe(1);
    for (const b of ['probe_confidence', 'max_token_probability', 'mean_token_entropy', 'perplexity']) expect(t.baselines[b].auroc).toBe(0);
    expect(t.baselines.text_router.auroc).toBe(1);
    expect(t.figures.best_baseline).toBe('text_router');
    expect(t.figures.auroc_best_baseline).toBe(1);
    // the meta-learner sends the two wrong answers first: quality 1 at share 1/2, PGR 0, 1, 1 → 3/4
    expect(t.figures.apgr).toBe(0.75);
    expect(t.figures.oracle_share_at_95).toBe(0.5);
    expect(t.routing.by_score.perfect.apgr).toBe(0.75);
    expect(t.routing.quality_self).toBe(0.5);
    expect(t.routing.quality_oracle).toBe(1);
    expect(t.routing.route_head).toEqual({ share: 0.5, quality: 1, routes: { SELF: 2, HYBRID: 0, ORACLE: 2 } });
    // error type on the three labelled answers: the third predicted factual, actually out of scope
    expect(t.figures.error_type_accuracy).toBeCloseTo(2 / 3, 4);
    expect(t.error_type.confusion[ERROR_TYPES.indexOf('out-of-scope')][ERROR_TYPES.indexOf('factual')]).toBe(1);
    expect(t.error_type.majority_class).toBe('none');
    expect(t.error_type.majority_accuracy).toBeCloseTo(2 / 3, 4);
    // the ground truth counts the fourth answer too
    expect(t.ground_truth.meta.n).toBe(4);
    expect(t.ground_truth.probe_confidence.auroc).toBe(0);
    expect(t.baselines.mean_token_entropy.ece).toBeNull();
    // ECE: 0.05, 0.1, 0.2 off over three answers
    expect(t.figures.ece_meta).toBeCloseTo(0.35 / 3, 4);
    // the text router ties the meta-learner: no margin of 0.03
    expect(t.goals_met).toEqual({ auroc_margin: false, ece_meta: false, apgr: false, oracle_share_at_95: false });
  });

  test('without a learner the meta figures are null, the baselines still measured', () => {
    const t = metaEval.evaluate(lib, { test: test_, metaPredictions: null, textRouter, trainRows, goals: GOALS });
    expect(t.figures).toMatchObject({ auroc_meta: null, ece_meta: null, apgr: null, error_type_accuracy: null });
    expect(t.goals_met).toEqual({ auroc_margin: null, ece_meta: null, apgr: null, oracle_share_at_95: null });
    expect(t.baselines.probe_confidence.auroc).toBe(0);
  });

  test('a learning-curve point', () => {
    const p = metaEval.learningPoint(lib, test_, predictions, { questions: 10, outcomes: 32, rows: 20 });
    expect(p).toMatchObject({ questions: 10, outcomes: 32, rows: 20, auroc: 1, auroc_truth: 1, apgr: 0.75 });
    expect(p.ece).toBeCloseTo((0.05 + 0.1 + 0.2) / 3, 4);
  });
});

test('goals: each against its figure, null when not measured', () => {
  expect(metaEval.goalsMet({ auroc_meta: 0.9, auroc_best_baseline: 0.87, ece_meta: 0.05, apgr: 0.8, oracle_share_at_95: 0.3 }, GOALS)).toEqual({ auroc_margin: true, ece_meta: true, apgr: true, oracle_share_at_95: true });
  expect(metaEval.goalsMet({ auroc_meta: 0.9, auroc_best_baseline: 0.88, ece_meta: 0.06, apgr: 0.79, oracle_share_at_95: 0.31 }, GOALS)).toEqual({ auroc_margin: false, ece_meta: false, apgr: false, oracle_share_at_95: false });
  expect(metaEval.goalsMet({ auroc_meta: null, auroc_best_baseline: 0.5, ece_meta: null, apgr: null, oracle_share_at_95: null }, GOALS)).toEqual({ auroc_margin: null, ece_meta: null, apgr: null, oracle_share_at_95: null });
});

test('the PNG: each routing curve and learning series where its values lie', () => {
  const curves = { meta: [{ share: 0, quality: 0.5 }, { share: 0.5, quality: 1 }, { share: 1, quality: 1 }], probe_confidence: [{ share: 0, quality: 0.5 }, { share: 1, quality: 1 }] };
  const learning = [{ labelled: 32, auroc: 0.6, ece: 0.2, apgr: 0.5 }, { labelled: 64, auroc: 0.8, ece: 0.1, apgr: null }];
  const png = decodePng(plotMeta(plot, { routing: { curves }, learning, width: 1000, height: 500 }));
  expect([png.width, png.height]).toEqual([1000, 500]);
  const f = frames(1000, 500, curves, learning);
  const at = (x: number, y: number) => {
    const i = (Math.round(y) * png.width + Math.round(x)) * 3;
    return Array.from(png.rgb.slice(i, i + 3));
  };
  expect(at(f.routing.px(0.25), f.routing.py(0.75))).toEqual([31, 119, 180]);
  expect(at(f.learning.px(64), f.learning.py(0.8))).toEqual([31, 119, 180]);
  expect(at(f.learning.px(64), f.learning.py(0.1))).toEqual([214, 39, 40]);
  // no APGR point at 64, so no line towards it: the background above the AUROC line
  expect(at(f.learning.px(60), f.learning.py(0.95))).toEqual([255, 255, 255]);
  // a candidate the online trainer did not install, drawn beside the installed learner
  const withCandidate = decodePng(plotMeta(plot, { routing: { curves }, learning: [{ labelled: 32, auroc: 0.6, ece: 0.2, apgr: 0.5, candidate: { auroc: 0.9 } }, { labelled: 64, auroc: 0.6, ece: 0.1, apgr: 0.5, candidate: { auroc: 0.9 } }], width: 1000, height: 500 }));
  const g = frames(1000, 500, curves, [{ labelled: 64 }]);
  const i = (Math.round(g.learning.py(0.9)) * 1000 + Math.round(g.learning.px(64))) * 3;
  expect(Array.from(withCandidate.rgb.slice(i, i + 3))).toEqual([150, 150, 150]);
});

test('the quality axis: the curves widened to steps of 0.05, ticks of at most 10 steps', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { qualityRange, qualityTicks } = require('../../bench/meta-plot.js');
  const [low, high] = qualityRange({ a: [{ share: 0, quality: 0.62 }, { share: 1, quality: 0.674 }], b: [{ share: 0.5, quality: 0.685 }] });
  expect(low).toBeCloseTo(0.6, 12);
  expect(high).toBeCloseTo(0.7, 12);
  expect(qualityTicks(0.6, 0.7).map((t: number) => Number(t.toFixed(2)))).toEqual([0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.7]);
  expect(qualityTicks(0, 1).length).toBe(11);
  expect(qualityRange({})).toEqual([0, 1]);
});
