/**
 * The eval report: `report.json` (machine-readable, stable keys), `report.md` (for people)
 * and `risk-coverage.png`, written into the run directory.
 *
 * Base and base + sidecar are compared per question on one outcome: a response is *good*
 * when it is a correct answer, or a refusal where the base would have been wrong. McNemar's
 * test runs on that outcome; the paired permutation test runs on a graded score that
 * charges wrong answers (+1 correct, 0 refusal, −1 wrong), where refusing helps only when it
 * replaces a wrong answer.
 */
import * as path from 'node:path';
import { writeFileAtomic } from './manifest';
import { riskCoverageCurve, selectiveMetrics, type QuestionRecord, type RiskCoveragePoint, type SelectiveMetrics } from './metrics';
import { plotRiskCoverage } from './plot';
import { mcnemar, pairedPermutationTest, type McNemarMethod, type PermutationTestResult } from './stats';

export const REPORT_JSON = 'report.json';
export const REPORT_MD = 'report.md';
export const REPORT_PNG = 'risk-coverage.png';

export interface EvalRecord extends QuestionRecord {
  id?: string;
  question?: string;
  /** Frequency bucket (or any grouping) for the per-bucket table. */
  bucket?: string;
}

export interface ReportMeta {
  model?: string;
  fingerprint?: string;
  sidecar?: string;
  dataset?: string;
  /** The binding warning when `force` ran the sidecar on a base it was not trained for. */
  binding?: string;
  /** ISO timestamp; defaults to now. */
  createdAt?: string;
}

export type BucketMetrics = Pick<
  SelectiveMetrics,
  'n' | 'base_accuracy' | 'selective_accuracy' | 'refusal_rate' | 'refusal_precision' | 'over_refusal' | 'coverage'
>;

export interface TargetCheck {
  name: string;
  value: number | null;
  comparison: '>=' | '<=';
  threshold: number;
  /** null when the value could not be measured (e.g. no refusals). */
  met: boolean | null;
}

export interface EvalReport extends SelectiveMetrics {
  mcnemar_p: number;
  mcnemar_method: McNemarMethod;
  /** Questions the base got right and base + sidecar handled badly (over-refusals, pass-2 errors). */
  mcnemar_b: number;
  /** Questions the base got wrong and base + sidecar handled well (correct refusals, pass-2 fixes). */
  mcnemar_c: number;
  paired_test: {
    name: 'paired-permutation';
    score: string;
    mean_difference: number;
    p: number;
    method: PermutationTestResult['method'];
  };
  buckets: Record<string, BucketMetrics>;
  targets: TargetCheck[];
  /** At most ~100 points of the curve, for re-plotting without the records. */
  risk_coverage: Array<Pick<RiskCoveragePoint, 'threshold' | 'coverage' | 'risk'>>;
  meta: ReportMeta & { createdAt: string };
}

/** Issue 4's targets for the default sidecar on the default model's held-out questions. */
export interface Targets {
  minRefusalPrecision: number;
  maxOverRefusal: number;
  /** Selective accuracy must beat base accuracy by at least this much (0.25 = 25 points). */
  minSelectiveGain: number;
}
export const DEFAULT_TARGETS: Targets = { minRefusalPrecision: 0.85, maxOverRefusal: 0.15, minSelectiveGain: 0.25 };

/** Good response of base + sidecar (see the module comment). */
function sidecarGood(r: QuestionRecord): boolean {
  return r.refused ? !r.pass1Correct : (r.answerCorrect ?? r.pass1Correct);
}

function sidecarScore(r: QuestionRecord): number {
  if (r.refused) return 0;
  return (r.answerCorrect ?? r.pass1Correct) ? 1 : -1;
}

export function checkTargets(m: SelectiveMetrics, t: Targets = DEFAULT_TARGETS): TargetCheck[] {
  const check = (name: string, value: number | null, comparison: '>=' | '<=', threshold: number): TargetCheck => ({
    name,
    value,
    comparison,
    threshold,
    met: value === null ? null : comparison === '>=' ? value >= threshold - 1e-12 : value <= threshold + 1e-12,
  });
  const gain = m.selective_accuracy === null || m.base_accuracy === null ? null : m.selective_accuracy - m.base_accuracy;
  return [
    check('refusal_precision', m.refusal_precision, '>=', t.minRefusalPrecision),
    check('over_refusal', m.over_refusal, '<=', t.maxOverRefusal),
    check('selective_accuracy - base_accuracy', gain, '>=', t.minSelectiveGain),
  ];
}

function thin(points: readonly RiskCoveragePoint[], max = 100): EvalReport['risk_coverage'] {
  const step = Math.max(1, Math.ceil(points.length / max));
  const kept = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  return kept.map(({ threshold, coverage, risk }) => ({ threshold, coverage, risk }));
}

export function buildReport(records: readonly EvalRecord[], meta: ReportMeta = {}, targets: Targets = DEFAULT_TARGETS): EvalReport {
  const metrics = selectiveMetrics(records);
  const mc = mcnemar(
    records.map((r) => r.pass1Correct),
    records.map(sidecarGood),
  );
  const perm = pairedPermutationTest(
    records.map((r) => (r.pass1Correct ? 1 : -1)),
    records.map(sidecarScore),
  );
  const groups = new Map<string, EvalRecord[]>();
  for (const r of records) {
    if (r.bucket === undefined) continue;
    groups.set(r.bucket, [...(groups.get(r.bucket) ?? []), r]);
  }
  const buckets: Record<string, BucketMetrics> = {};
  for (const [name, rs] of groups) {
    const m = selectiveMetrics(rs);
    buckets[name] = {
      n: m.n,
      base_accuracy: m.base_accuracy,
      selective_accuracy: m.selective_accuracy,
      refusal_rate: m.refusal_rate,
      refusal_precision: m.refusal_precision,
      over_refusal: m.over_refusal,
      coverage: m.coverage,
    };
  }
  return {
    ...metrics,
    mcnemar_p: mc.p,
    mcnemar_method: mc.method,
    mcnemar_b: mc.b,
    mcnemar_c: mc.c,
    paired_test: {
      name: 'paired-permutation',
      score: 'correct answer +1, refusal 0, wrong answer -1 (base always answers)',
      mean_difference: perm.meanDifference,
      p: perm.p,
      method: perm.method,
    },
    buckets,
    targets: checkTargets(metrics, targets),
    risk_coverage: thin(riskCoverageCurve(records)),
    meta: { ...meta, createdAt: meta.createdAt ?? new Date().toISOString() },
  };
}

// ---------------------------------------------------------------- markdown

const pct = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);
const num = (v: number | null): string => (v === null ? '—' : v.toFixed(3));
const pval = (p: number): string => (p < 0.001 ? p.toExponential(2) : p.toFixed(4));

export function renderMarkdown(r: EvalReport, pngName: string = REPORT_PNG): string {
  const lines: string[] = ['# Sidecar evaluation', ''];
  const meta: Array<[string, string | undefined]> = [
    ['model', r.meta.model],
    ['fingerprint', r.meta.fingerprint],
    ['sidecar', r.meta.sidecar],
    ['dataset', r.meta.dataset],
    ['binding', r.meta.binding],
    ['date', r.meta.createdAt],
  ];
  for (const [k, v] of meta) if (v !== undefined) lines.push(`- ${k}: \`${v}\``);
  lines.push(`- questions: ${r.n}`, '');
  lines.push('| metric | value |', '| --- | --- |');
  lines.push(`| base accuracy | ${pct(r.base_accuracy)} |`);
  lines.push(`| selective accuracy (on answered) | ${pct(r.selective_accuracy)} |`);
  lines.push(`| coverage | ${pct(r.coverage)} |`);
  lines.push(`| refusal rate | ${pct(r.refusal_rate)} |`);
  lines.push(`| refusal precision (base wrong) | ${pct(r.refusal_precision)} |`);
  lines.push(`| over-refusal (base knew) | ${pct(r.over_refusal)} |`);
  lines.push(`| known questions refused | ${pct(r.known_refusal_rate)} |`);
  lines.push(`| wrong answers caught | ${pct(r.refusal_recall)} |`);
  lines.push(`| AUROC of confidence | ${num(r.auroc)} |`);
  lines.push(`| AURC (lower is better) | ${num(r.aurc)} |`, '');
  lines.push('## Base vs base + sidecar', '');
  lines.push(
    `McNemar (${r.mcnemar_method}) on good responses — a correct answer, or a refusal where the base was wrong: ` +
      `${r.mcnemar_b} questions got worse, ${r.mcnemar_c} got better, p = ${pval(r.mcnemar_p)}.`,
    '',
    `Paired permutation test (${r.paired_test.method}) on ${r.paired_test.score}: mean difference ` +
      `${r.paired_test.mean_difference.toFixed(3)}, p = ${pval(r.paired_test.p)}.`,
    '',
  );
  lines.push('## Targets', '', '| target | value | met |', '| --- | --- | --- |');
  for (const t of r.targets) {
    lines.push(`| ${t.name} ${t.comparison} ${t.threshold} | ${num(t.value)} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'no'} |`);
  }
  lines.push('');
  const names = Object.keys(r.buckets);
  if (names.length > 0) {
    lines.push('## By bucket', '');
    lines.push('| bucket | n | base accuracy | selective accuracy | coverage | refusal precision | over-refusal |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const name of names) {
      const b = r.buckets[name];
      lines.push(
        `| ${name} | ${b.n} | ${pct(b.base_accuracy)} | ${pct(b.selective_accuracy)} | ${pct(b.coverage)} | ${pct(b.refusal_precision)} | ${pct(b.over_refusal)} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Risk–coverage', '', `![risk-coverage curve](${pngName})`, '');
  return lines.join('\n');
}

// ---------------------------------------------------------------- files

export interface WrittenReport {
  report: EvalReport;
  files: { json: string; markdown: string; png: string };
}

/** Builds the report and writes report.json, report.md and risk-coverage.png into `outDir`. */
export async function writeReport(
  outDir: string,
  records: readonly EvalRecord[],
  meta: ReportMeta = {},
  targets: Targets = DEFAULT_TARGETS,
): Promise<WrittenReport> {
  const report = buildReport(records, meta, targets);
  const files = { json: path.join(outDir, REPORT_JSON), markdown: path.join(outDir, REPORT_MD), png: path.join(outDir, REPORT_PNG) };
  const png = plotRiskCoverage({
    curve: riskCoverageCurve(records),
    baseRisk: report.base_accuracy === null ? null : 1 - report.base_accuracy,
    operatingPoint:
      report.coverage === null || report.selective_accuracy === null ? null : { coverage: report.coverage, risk: 1 - report.selective_accuracy },
    title: `Risk-coverage (n=${report.n}, AUROC ${num(report.auroc)})`,
  });
  await writeFileAtomic(files.png, png);
  await writeFileAtomic(files.markdown, renderMarkdown(report, REPORT_PNG));
  await writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  return { report, files };
}
