'use strict';
// The curves of a day of use as a PNG: per window of questions, the VKS hit rate (and its running
// value), the final answers' accuracy and the oracle calls per claim, against the hit-rate goal.
// Drawn with the loom's Raster (axes, lines, 5×7 font); `plot` is the loom's plot module.

const SERIES = [
  { key: 'vks_hit_rate', label: 'vks hit rate', color: [31, 119, 180], dash: null },
  { key: 'cumulative_vks_hit_rate', label: 'vks hits so far', color: [31, 119, 180], dash: [6, 4] },
  { key: 'final_accuracy', label: 'final accuracy', color: [44, 160, 44], dash: null },
  { key: 'oracle_claim_rate', label: 'oracle calls per claim', color: [150, 150, 150], dash: null },
];

/** Frame of the chart: questions asked on x (0..total), a rate on y (0..1). */
function frame(width, height, total) {
  const left = 70;
  const top = 50;
  const right = width - 30;
  const bottom = height - 120;
  return { left, top, right, bottom, px: (q) => left + (q / total) * (right - left), py: (r) => bottom - Math.max(0, Math.min(1, r)) * (bottom - top) };
}

/** PNG bytes of the curves of `curve` (windows from ask-day's `windows`) for `total` questions. */
function plotDay(plot, { curve, total, goal = 0.4, title = 'a day of use', width = 720, height = 520 }) {
  const { Raster, COLORS } = plot;
  const r = new Raster(width, height);
  const f = frame(width, height, total);
  for (let i = 0; i <= 5; i++) {
    const y = f.py(i / 5);
    r.line(f.left, y, f.right, y, COLORS.grid);
    const yl = (i / 5).toFixed(1);
    r.text(f.left - 8 - Raster.textWidth(yl), y - Raster.textHeight() / 2, yl, COLORS.text);
  }
  const step = total / 5;
  for (let i = 0; i <= 5; i++) {
    const q = Math.round(i * step);
    const x = f.px(q);
    r.line(x, f.top, x, f.bottom, COLORS.grid);
    r.text(x - Raster.textWidth(String(q)) / 2, f.bottom + 10, String(q), COLORS.text);
  }
  r.text(f.left + (f.right - f.left) / 2 - Raster.textWidth('questions asked') / 2, f.bottom + 32, 'questions asked', COLORS.text);
  r.text(f.left + (f.right - f.left) / 2 - Raster.textWidth(title) / 2, 14, title, COLORS.text);
  r.line(f.left, f.py(goal), f.right, f.py(goal), COLORS.base, 1, [8, 6]);
  r.line(f.left, f.bottom, f.right, f.bottom, COLORS.axis, 2);
  r.line(f.left, f.top, f.left, f.bottom, COLORS.axis, 2);
  for (const s of SERIES) {
    const points = curve.filter((w) => w[s.key] !== null && w[s.key] !== undefined).map((w) => [f.px(w.end), f.py(w[s.key])]);
    for (let i = 1; i < points.length; i++) r.line(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1], s.color, 2, s.dash ?? undefined);
    for (const [x, y] of points) r.fillRect(x - 2, y - 2, 5, 5, s.color);
  }
  const legend = [...SERIES.map((s) => [s.label, s.color, s.dash]), [`goal: vks hit rate ${Math.round(goal * 100)}%`, COLORS.base, [8, 6]]];
  legend.forEach(([label, color, dash], i) => {
    const x = f.left + (i % 2) * 320;
    const y = f.bottom + 58 + Math.floor(i / 2) * 20;
    r.line(x, y + 6, x + 30, y + 6, color, 2, dash ?? undefined);
    r.text(x + 38, y, label, COLORS.text);
  });
  return r.toPng();
}

module.exports = { plotDay, SERIES, frame };
