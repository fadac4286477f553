/** `cogito meta`: the feedback loop — bootstrap the buffer, train the meta-learner, evaluate it, and the state of both. */
import { Option, type Command } from 'commander';
import * as fs from 'node:fs';
import { Cascade } from '../../cascade';
import { besideModel } from '../../cascade/options';
import { readQuestionFile } from '../../cascade/batch';
import { loadDomainPack } from '../../corpus/domain';
import { defaultModelPath, loadModel } from '../../engine';
import {
  drawBootstrapQuestions,
  FeedbackBuffer,
  feedbackPathBeside,
  FeedbackRecorder,
  feedbackStatus,
  heldOutOf,
  LearnerStore,
  loadMetaLearner,
  metaDirBeside,
  ROUTES,
  runBootstrap,
  scoreOnSlice,
  splitRows,
  trainingRowsFor,
  type FeedbackStatus,
  type LearnerVersion,
  type OnlineTrainer,
  type RetrainResult,
  type SliceScore,
  type TrainingRow,
} from '../../meta';
import { InvalidOptionError, NotFoundError } from '../../util/errors';
import { onlineTrainer, retrainHere } from '../online';
import { addOracleOptions, oracleOf, type OracleFlags } from '../oracle-options';
import { printJson, progressBar } from '../output';
import { parseInteger } from '../parse';
import { defaultVksPath } from './vks';

interface CommonFlags {
  vks?: string;
  json?: boolean;
}

interface ModelFlags extends CommonFlags {
  model?: string;
  threads?: number;
}

export function register(program: Command): void {
  const meta = program.command('meta').description('the feedback loop: fill the feedback buffer, train the meta-learner that routes cogito ask, evaluate it, and show both');
  const vksOption = (c: Command) => c.option('--vks <path>', 'the VKS beside which the feedback buffer (feedback.db) and the meta-learner versions (meta/) live (default $COGITO_VKS or ~/.cogito/vks.db)');

  vksOption(meta.command('status').description('the feedback buffer (answers, outcomes per source, true confidences, route targets) and the meta-learner versions'))
    .option('--json', 'print it as JSON')
    .action((flags: CommonFlags) => {
      const vks = flags.vks ?? defaultVksPath();
      const path = feedbackPathBeside(vks);
      const status: MetaStatus = { ...(fs.existsSync(path) ? readStatus(path) : emptyStatus(path)), learner: learnerStatus(new LearnerStore(metaDirBeside(vks))) };
      if (flags.json) printJson(status);
      else process.stdout.write(statusText(status));
    });

  const bootstrap = vksOption(meta.command('bootstrap').description("fill the feedback buffer from nothing: questions drawn (seeded) from the model's domain pack, never from its held-out file, each answered through the cascade and its verdicts recorded; the meta-learner is trained online as labels arrive"))
    .option('--questions <n>', 'how many questions', (v) => parseInteger(v, '--questions'), 500)
    .option('--seed <n>', 'the draw\'s seed', (v) => parseInteger(v, '--seed'), 1)
    .option('-m, --model <path>', 'GGUF model file (default: the default model)')
    .option('--held-out <file>', 'questions never to ask, JSON Lines with "id" (frame:subject) and "question" (default: <model>.heldout.jsonl beside the model)')
    .option('--no-repair', 'no self-repair before the oracle')
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--json', 'print the summary as JSON');
  addOracleOptions(bootstrap).action(async (flags: BootstrapFlags) => runBootstrapCommand(flags));

  vksOption(meta.command('train').description('train a meta-learner now from the feedback buffer; it replaces the current one only if it is not worse on the validation slice (every version is kept in meta/)'))
    .option('-m, --model <path>', 'the base model the learner is bound to (default: the default model)')
    .option('--if-due', 'train only when the online schedule says so (32 labelled answers, then every 8 more): what cogito ask runs in the background')
    .option('--epochs <n>', 'passes over the training rows (default: the learner\'s)', (v) => parseInteger(v, '--epochs'))
    .option('--seed <n>', 'the training seed', (v) => parseInteger(v, '--seed'))
    .option('--json', 'print the result as JSON')
    .addOption(new Option('--base-fingerprint <hex>', 'the base model\'s fingerprint, instead of loading it (cogito ask passes it)').hideHelp())
    .action(async (flags: TrainFlags) => runTrain(flags));

  vksOption(meta.command('eval').description("the current meta-learner's scores: on the buffer's validation slice, or on questions answered now through the cascade and labelled by its verdicts"))
    .option('--questions <file>', 'JSON Lines of {"question": …}: each answered (fresh in-memory VKS, no oracle) and labelled as cogito ask labels it')
    .option('-m, --model <path>', 'the base model (default: the default model)')
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--json', 'print the scores as JSON')
    .action(async (flags: EvalFlags) => runEval(flags));
}

// ── status ──────────────────────────────────────────────────────────────────────────────────────

interface MetaStatus extends FeedbackStatus {
  learner: { dir: string; current: number | null; versions: LearnerVersion[] };
}

function readStatus(path: string): FeedbackStatus {
  const buffer = FeedbackBuffer.open(path);
  try {
    return feedbackStatus(buffer);
  } finally {
    buffer.close();
  }
}

/** No buffer yet: nothing was recorded (and status creates no file). */
function emptyStatus(path: string): FeedbackStatus {
  return { path, answers: 0, labelledAnswers: 0, outcomes: 0, bySource: { solver: 0, oracle: 0, correction: 0, user: 0 }, trueConfidence: { bins: [0, 0, 0, 0, 0], mean: null }, routes: { SELF: 0, HYBRID: 0, ORACLE: 0 } };
}

function learnerStatus(store: LearnerStore): MetaStatus['learner'] {
  return { dir: store.dir, current: store.current()?.version ?? null, versions: store.versions() };
}

const fixed = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : x.toFixed(digits));

function versionLine(v: LearnerVersion, current: number | null): string {
  const s = v.validation;
  const mark = v.version === current ? '*' : ' ';
  return `${mark} v${v.version} ${v.createdAt} · ${v.rows} labelled (${v.trainingRows} train, ${v.validationRows} validation) · loss ${fixed(s?.loss, 4)} · AUROC ${fixed(s?.auroc)} · route acc ${fixed(s?.routeAccuracy)} · ${v.accepted ? 'accepted' : 'rejected'}: ${v.reason}`;
}

function statusText(s: MetaStatus): string {
  const sources = Object.entries(s.bySource).map(([k, v]) => `${k} ${v}`).join(', ');
  const bins = s.trueConfidence.bins.map((n, i) => `${(i / s.trueConfidence.bins.length).toFixed(1)}–${((i + 1) / s.trueConfidence.bins.length).toFixed(1)}: ${n}`).join(', ');
  const learner = s.learner.versions.length === 0 ? ['meta-learner: none trained yet'] : [`meta-learner: current ${s.learner.current === null ? 'none' : `v${s.learner.current}`} of ${s.learner.versions.length} version(s) in ${s.learner.dir}`, ...s.learner.versions.map((v) => versionLine(v, s.learner.current))];
  return [
    `feedback buffer ${s.path}`,
    `answers ${s.answers} (labelled ${s.labelledAnswers}) · outcomes ${s.outcomes}: ${sources}`,
    `true confidence: ${bins}; mean ${s.trueConfidence.mean === null ? '—' : s.trueConfidence.mean.toFixed(3)}`,
    `route targets: ${ROUTES.map((r) => `${r} ${s.routes[r]}`).join(', ')}`,
    ...learner,
    '',
  ].join('\n');
}

// ── bootstrap ───────────────────────────────────────────────────────────────────────────────────

interface BootstrapFlags extends ModelFlags, OracleFlags {
  questions: number;
  seed: number;
  heldOut?: string;
  repair: boolean;
}

async function runBootstrapCommand(flags: BootstrapFlags): Promise<void> {
  const vks = flags.vks ?? defaultVksPath();
  if (vks === ':memory:') throw new InvalidOptionError('bootstrap fills the feedback buffer beside a VKS file: --vks :memory: has none', 'INVALID_ARGUMENT');
  if (flags.questions < 1) throw new InvalidOptionError(`--questions must be at least 1, not ${flags.questions}`, 'INVALID_ARGUMENT');
  const oracle = oracleOf(flags);
  const cascade = await Cascade.open({ model: flags.model, vks, oracle, repair: flags.repair, threads: flags.threads });
  const buffer = FeedbackBuffer.open(feedbackPathBeside(vks));
  let trainer: OnlineTrainer | null = null;
  try {
    if (!cascade.paths.domain) throw new NotFoundError(`${besideModel(cascade.paths.model, '.domain.json')}: bootstrap draws its questions from the model's domain pack, and there is none`);
    const heldOutPath = flags.heldOut ?? besideModel(cascade.paths.model, '.heldout.jsonl');
    const heldOut = heldOutOf(flags.heldOut !== undefined || fs.existsSync(heldOutPath) ? readQuestionFile(heldOutPath) : []);
    const questions = drawBootstrapQuestions(loadDomainPack(cascade.paths.domain), { count: flags.questions, seed: flags.seed, heldOut });
    const store = new LearnerStore(metaDirBeside(vks));
    const fingerprint = cascade.modelFingerprint;
    trainer = onlineTrainer(buffer, store, fingerprint, async () => reportStep(await retrainHere(buffer, store, fingerprint)), (err) => process.stderr.write(`cogito: online training: ${String(err)}\n`));
    const bar = progressBar('bootstrap');
    const summary = await runBootstrap(new FeedbackRecorder(cascade, buffer), questions, { trainer, onAnswer: (done, total, a) => bar(done, total, a.result.status) });
    const learner = learnerStatus(store);
    if (flags.json) printJson({ ...summary, heldOutExcluded: heldOut.facts.size, learner: { current: learner.current, versions: learner.versions.length } });
    else {
      const statuses = Object.entries(summary.byStatus).map(([k, v]) => `${k} ${v}`).join(', ');
      process.stdout.write(`bootstrap: ${summary.questions} question(s) (${statuses}); ${summary.labelled} labelled, ${summary.outcomes} outcome(s), oracle calls ${summary.oracleCalls}; ${summary.trainingSteps} training step(s), current meta-learner ${learner.current === null ? 'none' : `v${learner.current}`}\n`);
    }
  } finally {
    // a step still running (the run failed midway) ends before the buffer it reads closes
    trainer?.close();
    await trainer?.idle();
    buffer.close();
    await cascade.close();
  }
}

/** A step's result, one line on stderr (a long command shows what its background work did). */
function reportStep(r: RetrainResult): RetrainResult {
  if (r.status === 'trained') process.stderr.write(`meta-learner v${r.version.version}: ${r.version.accepted ? 'installed' : 'kept, not installed'} (${r.version.reason})\n`);
  return r;
}

// ── train ───────────────────────────────────────────────────────────────────────────────────────

interface TrainFlags extends ModelFlags {
  ifDue?: boolean;
  epochs?: number;
  seed?: number;
  baseFingerprint?: string;
}

/** The fingerprint of the base model: given, or read by loading it. */
async function fingerprintOf(flags: { model?: string; baseFingerprint?: string }): Promise<string> {
  if (flags.baseFingerprint !== undefined) {
    if (!/^[0-9a-f]{8,128}$/i.test(flags.baseFingerprint)) throw new InvalidOptionError(`--base-fingerprint must be hexadecimal, not "${flags.baseFingerprint}"`, 'INVALID_ARGUMENT');
    return flags.baseFingerprint;
  }
  const model = await loadModel(flags.model ?? defaultModelPath());
  try {
    return model.info.fingerprint;
  } finally {
    await model.dispose();
  }
}

async function runTrain(flags: TrainFlags): Promise<void> {
  const vks = flags.vks ?? defaultVksPath();
  const path = feedbackPathBeside(vks);
  if (!fs.existsSync(path)) throw new NotFoundError(`${path}: no feedback buffer to train from (cogito ask or cogito meta bootstrap fills it)`);
  const fingerprint = await fingerprintOf(flags);
  const buffer = FeedbackBuffer.open(path);
  try {
    const result = await retrainHere(buffer, new LearnerStore(metaDirBeside(vks)), fingerprint, { force: !flags.ifDue, epochs: flags.epochs, seed: flags.seed });
    if (flags.json) printJson(result);
    else process.stdout.write(`${trainText(result)}\n`);
  } finally {
    buffer.close();
  }
}

function trainText(r: RetrainResult): string {
  switch (r.status) {
    case 'trained':
      return `meta-learner v${r.version.version}: ${r.version.accepted ? 'installed as current' : 'kept, not installed'} — ${r.version.reason}; ${r.version.rows} labelled answers (${r.version.trainingRows} train, ${r.version.validationRows} validation)`;
    case 'busy':
      return 'another process is training the meta-learner; nothing done';
    case 'not-due':
      return `not due: ${r.labelled} labelled answers, ${r.lastTrainedAt === null ? 'the first training comes at 32' : `the latest version was trained at ${r.lastTrainedAt} (every 8 more)`}`;
    case 'too-few':
      return `${r.labelled} labelled answers, none outside the validation slice: nothing to train on`;
  }
}

// ── eval ────────────────────────────────────────────────────────────────────────────────────────

interface EvalFlags extends ModelFlags {
  questions?: string;
}

async function runEval(flags: EvalFlags): Promise<void> {
  const vks = flags.vks ?? defaultVksPath();
  const store = new LearnerStore(metaDirBeside(vks));
  const current = store.current();
  if (!current) throw new NotFoundError(`${store.dir}: no current meta-learner (cogito meta train makes one)`);
  const questions = flags.questions !== undefined ? readQuestionFile(flags.questions) : null;
  const { rows, on } = questions ? await labelledNow(flags, questions.map((q) => q.question)) : { rows: validationSlice(vks, current.baseFingerprint), on: 'the validation slice of the feedback buffer' };
  const learner = await loadMetaLearner(store.pathOf(current), { baseFingerprint: current.baseFingerprint });
  let score: SliceScore;
  try {
    score = scoreOnSlice(learner, rows);
  } finally {
    learner.dispose();
  }
  if (flags.json) printJson({ version: current.version, on, ...score });
  else process.stdout.write(`meta-learner v${current.version} on ${on}: ${score.rows} answer(s) · loss ${fixed(score.loss, 4)} · Brier ${fixed(score.brier)} · AUROC ${fixed(score.auroc)} · route accuracy ${fixed(score.routeAccuracy)} · error-type accuracy ${fixed(score.errorTypeAccuracy)}\n`);
}

function validationSlice(vks: string, baseFingerprint: string): TrainingRow[] {
  const path = feedbackPathBeside(vks);
  if (!fs.existsSync(path)) return [];
  const buffer = FeedbackBuffer.open(path, { readonly: true });
  try {
    return splitRows(trainingRowsFor(buffer, baseFingerprint)).validation;
  } finally {
    buffer.close();
  }
}

/** Each question answered now (a fresh in-memory VKS and buffer, no oracle), labelled as cogito ask labels it. */
async function labelledNow(flags: EvalFlags, questions: string[]): Promise<{ rows: TrainingRow[]; on: string }> {
  const cascade = await Cascade.open({ model: flags.model, vks: ':memory:', threads: flags.threads });
  const buffer = FeedbackBuffer.open(':memory:');
  try {
    const recorder = new FeedbackRecorder(cascade, buffer);
    const bar = progressBar('eval');
    for (const [i, q] of questions.entries()) {
      await recorder.ask(q);
      bar(i + 1, questions.length);
    }
    return { rows: buffer.trainingRows(), on: `${questions.length} question(s) of ${flags.questions} (${buffer.trainingRows().length} labelled)` };
  } finally {
    buffer.close();
    await cascade.close();
  }
}
