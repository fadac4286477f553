'use strict';
// bench/meta.js's PNG: on the left the routing curves (quality against the share of questions sent to
// the oracle) of the meta-learner, each baseline and the perfect router, with the random router's
// straight line; on the right the learning curve (AUROC, ECE, APGR of each online retrain on the
// test split against the outcomes in the buffer). Drawn with the loom's Raster; `plot` is the loom's
// plot module.

const ROUTING_SERIES = [
  { key: 'meta', label: 'meta-learner', color: [31, 119, 180], width: 3, dash: null },
  { key: 'probe_confidence', label: 'probe', color: [44, 160, 44], width: 2, dash: null },
  { key: 'max_token_probability', label: 'max token prob', color: [255, 127, 14], width: 2, dash: null },
  { key: 'mean_token_entropy', label: 'token entropy', color: [148, 103, 189], width: 2, dash: null },
  { key: 'perplexity', label: 'perplexity', color: [140, 86, 75], width: 2, dash: [4, 3] },
  { key: 'text_router', label: 'text router', color: [227, 119, 194], width: 2, dash: null },
  { key: 'perfect', label: 'perfect router', color: [150, 150, 150], width: 1, dash: [4, 4] },
];

// the installed learner's figures; with the online trainer, the AUROC of each candidate it trained beside them
const LEARNING_SERIES = [
  { label: 'auroc', get: (p) => p.auroc, color: [31, 119, 180], dash: null },
  { label: 'ece', get: (p) => p.ece, color: [214, 39, 40], dash: null },
  { label: 'apgr', get: (p) => p.apgr, color: [44, 160, 44], dash: [6, 4] },
  { label: 'candidate auroc', get: (p) => p.candidate?.auroc, color: [150, 150, 150], dash: [3, 3] },
];

/** A panel's frame: x from x0 to x1 over [left, right], y from y0 to y1 over [bottom, top], clamped. */
function panel(left, top, right, bottom, [x0, x1], [y0, y1]) {
  const clamp = (v, a, b) => Math.max(a, Math.min(b, v));
  return {
    left, top, right, bottom, x0, x1, y0, y1,
    px: (x) => left + ((clamp(x, x0, x1) - x0) / (x1 - x0 || 1)) * (right - left),
    py: (y) => bottom - ((clamp(y, y0, y1) - y0) / (y1 - y0 || 1)) * (bottom - top),
  };
}

/** The quality axis: the curves' range widened by 0.01 each way, out to whole steps of 0.05 (in [0, 1]). */
function qualityRange(curves) {
  const qualities = Object.values(curves).flatMap((c) => c.map((p) => p.quality));
  if (qualities.length === 0) return [0, 1];
  const low = Math.max(0, Math.floor((Math.min(...qualities) - 0.01) * 20) / 20);
  const high = Math.min(1, Math.ceil((Math.max(...qualities) + 0.01) * 20) / 20);
  return high > low ? [low, high] : [0, 1];
}

/** Ticks from a to b at the largest of 0.01, 0.02, 0.05, 0.1, 0.2 that gives at most 10 steps. */
function qualityTicks(a, b) {
  const step = [0.01, 0.02, 0.05, 0.1, 0.2].find((s) => (b - a) / s <= 10 + 1e-9) ?? 0.2;
  const n = Math.round((b - a) / step);
  return Array.from({ length: n + 1 }, (_, i) => a + i * step);
}

function axes(r, plot, f, xTicks, yTicks, xLabel, title) {
  const { Raster, COLORS } = plot;
  for (const y of yTicks) {
    r.line(f.left, f.py(y), f.right, f.py(y), COLORS.grid);
    const l = y.toFixed(2);
    r.text(f.left - 8 - Raster.textWidth(l), f.py(y) - Raster.textHeight() / 2, l, COLORS.text);
  }
  for (const x of xTicks) {
    r.line(f.px(x), f.top, f.px(x), f.bottom, COLORS.grid);
    const l = Number.isInteger(x) ? String(x) : x.toFixed(1);
    r.text(f.px(x) - Raster.textWidth(l) / 2, f.bottom + 10, l, COLORS.text);
  }
  r.text(f.left + (f.right - f.left) / 2 - Raster.textWidth(xLabel) / 2, f.bottom + 32, xLabel, COLORS.text);
  r.text(f.left + (f.right - f.left) / 2 - Raster.textWidth(title) / 2, f.top - 30, title, COLORS.text);
  r.line(f.left, f.bottom, f.right, f.bottom, COLORS.axis, 2);
  r.line(f.left, f.top, f.left, f.bottom, COLORS.axis, 2);
}

function polyline(r, f, points, color, width, dash) {
  for (let i = 1; i < points.length; i++) r.line(f.px(points[i - 1][0]), f.py(points[i - 1][1]), f.px(points[i][0]), f.py(points[i][1]), color, width, dash ?? undefined);
}

function legend(r, plot, entries, x, y, columns, columnWidth) {
  entries.forEach(([label, color, dash], i) => {
    const lx = x + (i % columns) * columnWidth;
    const ly = y + Math.floor(i / columns) * 20;
    r.line(lx, ly + 6, lx + 26, ly + 6, color, 2, dash ?? undefined);
    r.text(lx + 32, ly, label, plot.COLORS.text);
  });
}

/** The frames of both panels for a chart of `width` × `height` (exported so tests find where values land). */
function frames(width, height, routingCurves, learning) {
  const half = Math.floor(width / 2);
  const routing = panel(70, 60, half - 20, height - 150, [0, 1], qualityRange(routingCurves));
  const maxOutcomes = learning.length ? Math.max(...learning.map((p) => p.labelled)) : 1;
  const learningFrame = panel(half + 70, 60, width - 30, height - 150, [0, maxOutcomes], [0, 1]);
  return { routing, learning: learningFrame };
}

/**
 * PNG bytes. `routing`: { curves: { name: [{ share, quality }] } } (names of ROUTING_SERIES);
 * `learning`: [{ labelled, auroc, ece, apgr, candidate?: { auroc } }] (null values skipped).
 */
function plotMeta(plot, { routing, learning, title = 'meta-learner vs baselines', width = 1200, height = 560 }) {
  const { Raster, COLORS } = plot;
  const r = new Raster(width, height);
  const f = frames(width, height, routing.curves, learning);
  const ticks = (a, b, n) => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  r.text(width / 2 - Raster.textWidth(title) / 2, 8, title, COLORS.text);

  const rf = f.routing;
  axes(r, plot, rf, ticks(0, 1, 5), qualityTicks(rf.y0, rf.y1), 'share sent to the oracle', 'quality vs oracle calls');
  const ends = Object.values(routing.curves).find((c) => c.length > 1);
  if (ends) polyline(r, rf, [[0, ends[0].quality], [1, ends[ends.length - 1].quality]], COLORS.base, 1, [8, 6]);
  const shown = ROUTING_SERIES.filter((s) => routing.curves[s.key]?.length);
  // the meta-learner last, on top
  for (const s of [...shown].reverse()) polyline(r, rf, routing.curves[s.key].map((p) => [p.share, p.quality]), s.color, s.width, s.dash);
  legend(r, plot, [...shown.map((s) => [s.label, s.color, s.dash]), ['random router', COLORS.base, [8, 6]]], rf.left - 40, rf.bottom + 56, 2, 260);

  const lf = f.learning;
  const xTicks = ticks(0, lf.x1, 4).map((x) => Math.round(x));
  axes(r, plot, lf, xTicks, ticks(0, 1, 5), 'labelled answers in the buffer', 'learning over time (test split)');
  const drawn = LEARNING_SERIES.filter((s) => learning.some((p) => s.get(p) !== null && s.get(p) !== undefined));
  // the candidates first, under the installed learner's lines
  for (const s of [...drawn].reverse()) {
    const points = learning.filter((p) => s.get(p) !== null && s.get(p) !== undefined).map((p) => [p.labelled, s.get(p)]);
    polyline(r, lf, points, s.color, 2, s.dash);
    for (const [x, y] of points) r.fillRect(lf.px(x) - 2, lf.py(y) - 2, 5, 5, s.color);
  }
  legend(r, plot, drawn.map((s) => [s.label, s.color, s.dash]), lf.left - 40, lf.bottom + 56, 2, 260);
  return r.toPng();
}

module.exports = { plotMeta, frames, qualityRange, qualityTicks, ROUTING_SERIES, LEARNING_SERIES };
