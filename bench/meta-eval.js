'use strict';
// The parts of bench/meta.js that need no model: the online schedule of retrains, the scores of the
// meta-learner and of every baseline on the test rows, their figures (src/meta/evaluation.ts), the
// routing references and the goals. The rules are written out in bench/README.md (`bench/meta.js`);
// this file is their one copy. `lib` is { evaluation, baselines, ERROR_TYPES } of the compiled
// library (or src/ in tests).

const round = (x, digits = 4) => (x === null || x === undefined || !Number.isFinite(x) ? (x ?? null) : Number(x.toFixed(digits)));

/**
 * Where the online schedule retrains (src/meta/online.ts `trainingDue`): once the buffer holds
 * `first` labelled answers, then each time `every` more have come in since the last retrain.
 * `countAfter[i]` is the buffer's count after question i (never decreasing). Returns
 * [{ after: i, outcomes: count }] in asking order.
 */
function retrainPoints(countAfter, first = 32, every = 8) {
  if (!Number.isInteger(first) || first < 1 || !Number.isInteger(every) || every < 1) throw new Error('first and every must be integers >= 1');
  const points = [];
  let next = first;
  countAfter.forEach((count, i) => {
    if (i > 0 && count < countAfter[i - 1]) throw new Error(`counts must not decrease (question ${i})`);
    if (count >= next) {
      points.push({ after: i, outcomes: count });
      next = count + every;
    }
  });
  return points;
}

/** The training rows known after question `after`: those of the answers asked by then, in buffer order. */
function rowsAsOf(trainRows, asked, after) {
  const ids = new Set(asked.slice(0, after + 1));
  return trainRows.filter((r) => ids.has(r.answerId));
}

/** The most common error type among rows (the first in ERROR_TYPES order among equals). */
function majorityType(rows, errorTypes) {
  const counts = new Map(errorTypes.map((t) => [t, 0]));
  for (const r of rows) counts.set(r.errorType, (counts.get(r.errorType) ?? 0) + 1);
  let best = errorTypes[0];
  for (const t of errorTypes) if (counts.get(t) > counts.get(best)) best = t;
  return best;
}

/** Routing scores of the perfect router: the questions only the oracle gets right first, those only the model gets right last. */
function perfectScores(qualitySelf, qualityOracle) {
  return qualitySelf.map((q, i) => q - qualityOracle[i]);
}

/** The route head at its own operating point: ORACLE questions answered by the oracle, SELF and HYBRID kept. */
function routeOperatingPoint(routes, qualitySelf, qualityOracle) {
  const n = routes.length;
  if (n === 0) return { share: null, quality: null, routes: { SELF: 0, HYBRID: 0, ORACLE: 0 } };
  const counts = { SELF: 0, HYBRID: 0, ORACLE: 0 };
  let quality = 0;
  routes.forEach((r, i) => {
    counts[r]++;
    quality += r === 'ORACLE' ? qualityOracle[i] : qualitySelf[i];
  });
  return { share: round(counts.ORACLE / n), quality: round(quality / n), routes: counts };
}

function roundFigures(f) {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
}

/**
 * Every score on the test rows. `test[i]` has `signals` (Float32Array), `question`, `verdictRight`
 * (true/false, or null when unlabelled), `truthRight`, `qualitySelf`, `qualityOracle`;
 * `metaPredictions[i]` is the learner's MetaPrediction for it (null: no learner); `textRouter` scores a
 * question. Returns { name: { isProbability, scores } } with the meta-learner first.
 */
function scoresOf(lib, test, metaPredictions, textRouter) {
  const out = {};
  if (metaPredictions) out.meta = { isProbability: true, scores: metaPredictions.map((p) => p.confidence) };
  for (const b of lib.baselines.SIGNAL_BASELINES) out[b.name] = { isProbability: b.isProbability, scores: test.map((t) => b.score(t.signals)) };
  out.text_router = { isProbability: true, scores: test.map((t) => textRouter.score(t.question)) };
  return out;
}

/** AUROC, PRR, AURC and ECE of each score, on the rows with a verdict label and on the ground-truth label. */
function confidenceTables(lib, test, scores) {
  const labelled = test.map((t, i) => (t.verdictRight === null ? -1 : i)).filter((i) => i >= 0);
  const verdict = {};
  const truth = {};
  for (const [name, s] of Object.entries(scores)) {
    verdict[name] = roundFigures(lib.evaluation.confidenceFigures(labelled.map((i) => s.scores[i]), labelled.map((i) => test[i].verdictRight), s.isProbability));
    truth[name] = roundFigures(lib.evaluation.confidenceFigures(s.scores, test.map((t) => t.truthRight), s.isProbability));
  }
  return { verdict, truth, labelled: labelled.length };
}

/** The routing figures of each score, and of the perfect router for reference; curves kept for the plot. */
function routingTables(lib, test, scores) {
  const self = test.map((t) => t.qualitySelf);
  const oracle = test.map((t) => t.qualityOracle);
  const out = {};
  for (const [name, s] of Object.entries({ ...scores, perfect: { scores: perfectScores(self, oracle) } })) {
    const r = lib.evaluation.routingFigures(s.scores, self, oracle);
    out[name] = { apgr: round(r.apgr), oracle_share_at_95: round(r.oracleShareAt95), curve: r.curve.map((p) => ({ share: round(p.share), quality: round(p.quality) })) };
  }
  return { quality_self: round(self.reduce((a, b) => a + b, 0) / (self.length || 1)), quality_oracle: round(oracle.reduce((a, b) => a + b, 0) / (oracle.length || 1)), random_apgr: 0.5, by_score: out };
}

/** The baseline with the highest verdict-label AUROC (null AUROCs never win). */
function bestBaseline(verdictTable) {
  let best = null;
  for (const [name, f] of Object.entries(verdictTable)) {
    if (name === 'meta' || f.auroc === null) continue;
    if (best === null || f.auroc > verdictTable[best].auroc) best = name;
  }
  return best;
}

/** The error head against the buffer's types on the labelled test rows, and the majority-class reference. */
function errorTypeTable(lib, test, metaPredictions, trainRows) {
  const labelled = test.map((t, i) => (t.errorType === null ? -1 : i)).filter((i) => i >= 0);
  const actual = labelled.map((i) => test[i].errorType);
  const majority = majorityType(trainRows, lib.ERROR_TYPES);
  const reference = lib.evaluation.errorTypeScore(actual, actual.map(() => majority));
  const meta = metaPredictions ? lib.evaluation.errorTypeScore(actual, labelled.map((i) => metaPredictions[i].errorType)) : null;
  return {
    n: labelled.length,
    accuracy: meta ? round(meta.accuracy) : null,
    classes: lib.ERROR_TYPES,
    confusion: meta ? meta.matrix : null,
    majority_class: majority,
    majority_accuracy: round(reference.accuracy),
    actual_counts: Object.fromEntries(lib.ERROR_TYPES.map((t) => [t, actual.filter((a) => a === t).length])),
  };
}

/** One point of the learning curve: a learner's figures on the test rows. */
function learningPoint(lib, test, predictions, point) {
  const labelled = test.map((t, i) => (t.verdictRight === null ? -1 : i)).filter((i) => i >= 0);
  const scores = predictions.map((p) => p.confidence);
  const curve = lib.evaluation.routingCurve(scores, test.map((t) => t.qualitySelf), test.map((t) => t.qualityOracle));
  return {
    ...point,
    auroc: round(lib.evaluation.auroc(labelled.map((i) => scores[i]), labelled.map((i) => test[i].verdictRight))),
    ece: round(lib.evaluation.ece(labelled.map((i) => scores[i]), labelled.map((i) => test[i].verdictRight))),
    auroc_truth: round(lib.evaluation.auroc(scores, test.map((t) => t.truthRight))),
    apgr: round(lib.evaluation.apgr(curve)),
  };
}

/** Each goal of meta.goals.json against the figures: true, false, or null when a figure is missing. */
function goalsMet(figures, goals) {
  const has = (v) => v !== null && v !== undefined;
  return {
    auroc_margin: has(figures.auroc_meta) && has(figures.auroc_best_baseline) ? figures.auroc_meta >= figures.auroc_best_baseline + goals.auroc_margin.at_least - 1e-12 : null,
    ece_meta: has(figures.ece_meta) ? figures.ece_meta <= goals.ece_meta.at_most : null,
    apgr: has(figures.apgr) ? figures.apgr >= goals.apgr.at_least : null,
    oracle_share_at_95: has(figures.oracle_share_at_95) ? figures.oracle_share_at_95 <= goals.oracle_share_at_95.at_most : null,
  };
}

/**
 * The whole table from the test rows, the learner's predictions on them (null without a learner),
 * the text router and the training rows. The headline keys are the meta-learner's on the verdict
 * label, routing on the routing quality.
 */
function evaluate(lib, { test, metaPredictions, textRouter, trainRows, goals }) {
  const scores = scoresOf(lib, test, metaPredictions, textRouter);
  const confidence = confidenceTables(lib, test, scores);
  const routing = routingTables(lib, test, scores);
  const best = bestBaseline(confidence.verdict);
  const routes = metaPredictions ? routeOperatingPoint(metaPredictions.map((p) => p.route), test.map((t) => t.qualitySelf), test.map((t) => t.qualityOracle)) : null;
  const errorType = errorTypeTable(lib, test, metaPredictions, trainRows);
  const meta = confidence.verdict.meta ?? null;
  const figures = {
    auroc_meta: meta?.auroc ?? null,
    auroc_best_baseline: best ? confidence.verdict[best].auroc : null,
    best_baseline: best,
    prr_meta: meta?.prr ?? null,
    aurc_meta: meta?.aurc ?? null,
    ece_meta: meta?.ece ?? null,
    apgr: routing.by_score.meta?.apgr ?? null,
    oracle_share_at_95: routing.by_score.meta?.oracle_share_at_95 ?? null,
    error_type_accuracy: errorType.accuracy,
  };
  const baselines = Object.fromEntries(
    Object.keys(scores)
      .filter((k) => k !== 'meta')
      .map((k) => [k, { ...confidence.verdict[k], apgr: routing.by_score[k].apgr, oracle_share_at_95: routing.by_score[k].oracle_share_at_95 }]),
  );
  return {
    figures,
    goals_met: goalsMet(figures, goals),
    baselines,
    ground_truth: confidence.truth,
    verdict_labelled: confidence.labelled,
    routing: { ...routing, route_head: routes },
    error_type: errorType,
  };
}

module.exports = { retrainPoints, rowsAsOf, majorityType, perfectScores, routeOperatingPoint, scoresOf, confidenceTables, routingTables, bestBaseline, errorTypeTable, learningPoint, goalsMet, evaluate, round };
