/** `cogito ask`: the verified answer to a question, or to each question of a batch file. */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cascade, type AskResult, type CascadeOptions, type RouteAdvice } from '../../cascade';
import { readQuestionFile, summarise, type BatchQuestion, type BatchSummary } from '../../cascade/batch';
import { fixedRouter } from '../../cascade/route';
import { writeAtomicallySync } from '../../engine';
import { FeedbackBuffer, FeedbackRecorder, feedbackPathBeside, LearnerStore, metaDirBeside, type OnlineTrainer } from '../../meta';
import { InvalidOptionError } from '../../util/errors';
import { about } from '../errors';
import { CurrentLearnerRouting, onlineTrainer, retrainInChild } from '../online';
import { addOracleOptions, oracleOf, type OracleFlags } from '../oracle-options';
import { printJson, progressBar } from '../output';
import { parseChoice, parseInteger } from '../parse';
import { defaultVksPath } from './vks';

interface AskFlags extends OracleFlags {
  model?: string;
  sidecar?: string | false;
  vks?: string;
  corpus?: string;
  domain?: string;
  repair: boolean;
  /** false with --no-route; a fixed advice with --route <advice>. */
  route?: boolean | RouteAdvice;
  json?: boolean;
  batch?: string;
  out?: string;
  threads?: number;
  /** undefined: on (the VKS is always a file here); false with --no-feedback. */
  feedback?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('ask')
    .description('answer a question and check it: draft with the sidecar, claims checked against the VKS, the solvers and the corpus, self-repair, the oracle last; each claim marked [VERIFIED], [CORRECTED] or [UNVERIFIED]')
    .argument('[question]', 'the question (or --batch)')
    .option('-m, --model <path>', 'GGUF model file (default: the default model)')
    .option('--sidecar <path>', "sidecar GGUF for the draft (default: the default model's, when it ships)")
    .option('--no-sidecar', 'draft without a sidecar')
    .option('--vks <path>', 'Verified Knowledge Store (default $COGITO_VKS or ~/.cogito/vks.db)')
    .option('--corpus <path>', 'reference corpus, JSON Lines of passages (default: <model>.corpus.jsonl beside the model)')
    .option('--domain <path>', 'domain pack (default: <model>.domain.json beside the model)')
    .option('--no-repair', 'no self-repair before the oracle')
    .option('--route <advice>', 'follow this route for every question instead of the meta-learner\'s: SELF, HYBRID or ORACLE', (v) => parseChoice(v, '--route', ['SELF', 'HYBRID', 'ORACLE'] as const))
    .option('--no-route', 'do not route with the meta-learner beside the VKS (meta/current): every question takes the full order')
    .option('--json', 'print the whole result as JSON (with --batch: the summary)')
    .option('--batch <file>', 'JSON Lines of {"question": …} (or suite lines with "expect"): answer each')
    .option('--out <file>', 'with --batch: write one result per line here (written whole at the end, never in part)')
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--feedback', 'register each answer and its verdicts as labels in the feedback buffer beside the VKS (feedback.db; the default)')
    .option('--no-feedback', 'record nothing in the feedback buffer');
  addOracleOptions(command).action(async (question: string | undefined, flags: AskFlags) => {
      if ((question === undefined) === (flags.batch === undefined)) throw new InvalidOptionError('give either a question or --batch <file>', 'INVALID_ARGUMENT');
      if (flags.out !== undefined && flags.batch === undefined) throw new InvalidOptionError('--out goes with --batch', 'INVALID_ARGUMENT');
      if (flags.out !== undefined && !fs.existsSync(path.dirname(path.resolve(flags.out)))) throw new InvalidOptionError(`--out ${flags.out}: its folder does not exist`, 'INVALID_ARGUMENT');
      // the whole file is read and checked before anything loads: a bad line costs no model load
      const batch = flags.batch !== undefined ? readQuestionFile(flags.batch) : null;
      const vksPath = flags.vks ?? defaultVksPath();
      if (flags.feedback === true && vksPath === ':memory:') throw new InvalidOptionError('--feedback needs a VKS file: the buffer is written beside it', 'INVALID_ARGUMENT');
      const cascade = await Cascade.open(cascadeOptions(flags));
      let buffer: FeedbackBuffer | null = null;
      let routing: CurrentLearnerRouting | null = null;
      let trainer: OnlineTrainer | null = null;
      try {
        let store = vksPath !== ':memory:' ? new LearnerStore(metaDirBeside(vksPath)) : null;
        if (typeof flags.route === 'string') cascade.useRouter(fixedRouter(flags.route, '--route'));
        else if (flags.route !== false && store) {
          routing = new CurrentLearnerRouting(cascade, store, cascade.modelFingerprint);
          const note = await routing.update();
          if (note) process.stderr.write(`cogito: ${note}\n`);
          // learners for another model are in this folder: no online training here for this one
          if (note) store = null;
        }
        buffer = flags.feedback !== false && vksPath !== ':memory:' ? FeedbackBuffer.open(feedbackPathBeside(vksPath)) : null;
        // every recorded answer may make a training step due: it runs in a child process that outlives this one
        trainer = buffer && store ? onlineTrainer(buffer, store, cascade.modelFingerprint, () => retrainInChild(vksPath, store, cascade.modelFingerprint), (err) => process.stderr.write(`cogito: online training: ${String(err)}\n`)) : null;
        const answer = answerer(cascade, buffer, trainer, routing);
        if (batch) await runBatch(cascade, answer, batch, flags);
        else await askOne(answer, question as string, !!flags.json, buffer !== null);
      } finally {
        trainer?.close();
        buffer?.close();
        routing?.dispose();
        await cascade.close();
      }
    });
}

function cascadeOptions(flags: AskFlags): CascadeOptions {
  return {
    model: flags.model,
    sidecar: flags.sidecar,
    vks: flags.vks ?? defaultVksPath(),
    corpus: flags.corpus,
    domain: flags.domain,
    oracle: oracleOf(flags),
    repair: flags.repair,
    threads: flags.threads,
  };
}

type Answerer = (question: string) => Promise<AskResult>;

/**
 * The cascade's answer, registered with its labels in the feedback buffer when there is one, and the
 * online schedule told; before each question the routing takes up a version trained since the last.
 */
function answerer(cascade: Cascade, buffer: FeedbackBuffer | null, trainer: OnlineTrainer | null, routing: CurrentLearnerRouting | null): Answerer {
  const recorder = buffer ? new FeedbackRecorder(cascade, buffer) : null;
  return async (question) => {
    await routing?.update();
    if (!recorder) return cascade.ask(question);
    const { result } = await recorder.ask(question);
    trainer?.notify();
    return result;
  };
}

async function askOne(answer: Answerer, question: string, json: boolean, recorded: boolean): Promise<void> {
  const r = await answer(question);
  if (json) {
    printJson(r);
    return;
  }
  process.stdout.write(`${r.annotated}\n`);
  process.stdout.write(`${r.status} · ${r.claims.length} claim(s) · oracle calls ${r.oracle_calls} · ${Math.round(r.timings_ms.total)} ms\n`);
  // on stderr, so stdout stays the answer: the id a judgement names
  if (recorded) process.stderr.write(`answer ${r.id}: cogito feedback ${r.id} accept|reject|correct "…"\n`);
}

async function runBatch(cascade: Cascade, answer: Answerer, questions: BatchQuestion[], flags: AskFlags): Promise<void> {
  // every question is checked against the context first: a too-long one fails the batch before any answer
  for (const q of questions) about(`${flags.batch}:${q.line}`, () => cascade.checkQuestion(q.question));
  const bar = progressBar('ask');
  const results: Array<{ q: BatchQuestion; result: AskResult }> = [];
  for (const q of questions) {
    results.push({ q, result: await answer(q.question) });
    bar(results.length, questions.length, results[results.length - 1].result.status);
  }
  const lines = results.map(({ q, result }) => JSON.stringify({ question_id: q.id, ...result, ...(q.expect ? { expect: q.expect } : {}) }));
  const summary = summarise(results);
  if (flags.out !== undefined) {
    writeAtomicallySync(flags.out, (tmp) => fs.writeFileSync(tmp, `${lines.join('\n')}\n`));
    if (flags.json) printJson(summary);
    else process.stdout.write(summaryText(summary));
  } else {
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stderr.write(summaryText(summary));
  }
}

function summaryText(s: BatchSummary): string {
  const statuses = Object.entries(s.byStatus).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [`${s.questions} question(s): ${statuses}; ${s.vksHits} of ${s.claims} claim(s) from the VKS; oracle calls ${s.oracleCalls}`];
  if (s.expectations.checked > 0) {
    lines.push(`expectations met: ${s.expectations.met}/${s.expectations.checked}`);
    for (const m of s.expectations.missed) lines.push(`  ${m.id}: ${m.misses.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}
