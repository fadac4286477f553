import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodePng } from '../../src/loom/png';
import { buildReport, checkTargets, renderMarkdown, writeReport, type EvalRecord } from '../../src/loom/report';
import { selectiveMetrics } from '../../src/loom/metrics';

const rec = (confidence: number, pass1Correct: boolean, refused: boolean, bucket?: string): EvalRecord => ({
  confidence,
  pass1Correct,
  refused,
  bucket,
});

// the six hand-worked questions of metrics.test.ts, in two buckets
const SIX: EvalRecord[] = [
  rec(0.9, true, false, 'head'),
  rec(0.8, true, false, 'head'),
  rec(0.7, false, false, 'head'),
  rec(0.6, true, true, 'tail'),
  rec(0.3, false, true, 'tail'),
  rec(0.2, false, true, 'tail'),
];

test('report.json carries the required keys and the McNemar comparison on good responses', () => {
  const r = buildReport(SIX, { model: 'm.gguf' }, undefined);
  for (const key of ['base_accuracy', 'selective_accuracy', 'refusal_rate', 'refusal_precision', 'over_refusal', 'coverage', 'auroc', 'mcnemar_p', 'n']) {
    expect(r).toHaveProperty(key);
  }
  // D (known, refused) got worse; E and F (wrong, refused) got better
  expect([r.mcnemar_b, r.mcnemar_c, r.mcnemar_method]).toEqual([1, 2, 'exact-binomial']);
  expect(r.mcnemar_p).toBe(1); // 2 · P(X ≤ 1 | n = 3) = 2 · 4/8, capped at 1
  expect(r.paired_test.mean_difference).toBeCloseTo(1 / 6, 12);
  expect(r.buckets.head).toMatchObject({ n: 3, base_accuracy: 2 / 3, coverage: 1, refusal_precision: null });
  expect(r.buckets.tail).toMatchObject({ n: 3, refusal_rate: 1, selective_accuracy: null });
  expect(r.risk_coverage).toHaveLength(6);
  expect(r.meta.model).toBe('m.gguf');
  expect(Number.isNaN(Date.parse(r.meta.createdAt))).toBe(false);
});

test('targets: met, missed and not measured', () => {
  const [precision, over, gain] = checkTargets(selectiveMetrics(SIX));
  expect(precision).toMatchObject({ name: 'refusal_precision', met: false });
  expect(over).toMatchObject({ met: false });
  expect(gain.value).toBeCloseTo(2 / 3 - 1 / 2, 12);
  expect(gain.met).toBe(false);
  const good = checkTargets(selectiveMetrics([rec(0.9, true, false), rec(0.1, false, true), rec(0.2, false, true)]));
  expect(good.map((t) => t.met)).toEqual([true, true, true]);
  const none = checkTargets(selectiveMetrics([rec(0.9, true, false)]));
  expect(none[0].met).toBeNull();
});

test('markdown shows the headline numbers, buckets, targets and the plot', () => {
  const md = renderMarkdown(buildReport(SIX, { dataset: 'held.jsonl', createdAt: '2025-01-01T00:00:00.000Z' }));
  expect(md).toContain('| selective accuracy (on answered) | 66.7% |');
  expect(md).toContain('| refusal precision (base wrong) | 66.7% |');
  expect(md).toContain('| head | 3 | 66.7% | 66.7% | 100.0% | — | — |');
  expect(md).toContain('| refusal_precision >= 0.85 | 0.667 | no |');
  expect(md).toContain('![risk-coverage curve](risk-coverage.png)');
  expect(md).toContain('- dataset: `held.jsonl`');
});

test('writeReport writes report.json, report.md and a decodable PNG', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cogito-report-'));
  try {
    const { files, report } = await writeReport(dir, SIX);
    const json = JSON.parse(await fsp.readFile(files.json, 'utf8')) as Record<string, unknown>;
    expect(json.n).toBe(6);
    expect(json.refusal_precision).toBeCloseTo(2 / 3, 12);
    expect(json.mcnemar_p).toBe(report.mcnemar_p);
    expect(await fsp.readFile(files.markdown, 'utf8')).toContain('# Sidecar evaluation');
    const img = decodePng(await fsp.readFile(files.png));
    expect([img.width, img.height]).toEqual([640, 480]);
    expect((await fsp.readdir(dir)).sort()).toEqual(['report.json', 'report.md', 'risk-coverage.png']);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
