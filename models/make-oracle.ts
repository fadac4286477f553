/**
 * `npm run model:oracle`: builds models/oracle.gguf, the cascade's oracle for the default world
 * (issue 17): the same world (models/recipe/default-world.ts), vocabulary, prompt and chat
 * template as models/default.gguf, trained by the same recipe on a text that reads every
 * written-about fact at least 4 times per epoch (models/recipe/oracle.ts) and answers "I don't
 * know." to the sidecar-train questions about facts nobody wrote about. Held-out questions are never
 * trained on; they measure it: accuracy and refusals per bucket, written to models/oracle.result.json
 * and the "Oracle model" section of models/MODEL_CARD.md (kept in models/recipe/oracle-card.md, which
 * make-default appends to the card it writes).
 *
 * Flags: --out DIR (default models), --work DIR, --epochs N, --threads N, --min-repetitions N,
 * --max-repetitions N, --mentions N, --embd N, --layers N, --ff N, --no-card;
 * --card-only: only rewrite the card's section from OUT/oracle.result.json and OUT/oracle.gguf.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
process.env.COGITO_ADDON ??= path.join(repoRoot, 'build', 'Release', 'cogito.node');

import { makeModel, quantize as quantizeModel, loadModel } from '../src/engine';
import { BaseTrainer, countWindows } from '../src/loom/train-base';
import { DEFAULT_CHAT_TEMPLATE, DEFAULT_ORACLE_CORPUS, DEFAULT_WORLD, generateCorpus, generateOracleCorpus, writeWordVocab, type OracleCorpus } from './recipe';
import { declareChatTemplate } from './recipe/metadata';
import { corpusWordVocab, evaluate, toSample, type BucketAccuracy } from './recipe/training';

interface OracleRecipe {
  seed: number;
  embd: number;
  layers: number;
  heads: number;
  ff: number;
  ctx: number;
  epochs: number;
  lr: number;
  wd: number;
  warmup: number;
  window: number;
  threads: number;
  minRepetitions: number;
  maxRepetitions: number;
  mentions: number;
}

const ORACLE_RECIPE: OracleRecipe = {
  // the default model's world and its training settings (models/make-default.ts), read more
  seed: DEFAULT_WORLD.seed,
  embd: 64,
  layers: 4,
  heads: 4,
  ff: 192,
  ctx: 512,
  // fewer epochs than the default's 30, each fact read more often in each: the run must stay inside
  // 45 min on one thread of a shared 2-core machine (the default took 36 min for 30 epochs of 7227 samples)
  epochs: 20,
  lr: 2e-3,
  wd: 0.01,
  warmup: 100,
  window: 32,
  threads: 1,
  minRepetitions: DEFAULT_ORACLE_CORPUS.minRepetitions,
  maxRepetitions: DEFAULT_ORACLE_CORPUS.maxRepetitions,
  mentions: DEFAULT_ORACLE_CORPUS.mentions,
};

function parseArgs(argv: string[]): { recipe: OracleRecipe; out: string; work: string; card: boolean; cardOnly: boolean } {
  const r: OracleRecipe = { ...ORACLE_RECIPE };
  let out = path.join(repoRoot, 'models');
  let work = path.join(repoRoot, 'build', 'oracle-model');
  let card = true;
  let cardOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = (): string => argv[++i];
    const n = (): number => {
      const x = Number(v());
      if (!Number.isFinite(x)) throw new Error(`${a} needs a number`);
      return x;
    };
    switch (a) {
      case '--out': out = path.resolve(v()); break;
      case '--work': work = path.resolve(v()); break;
      case '--epochs': r.epochs = n(); break;
      case '--threads': r.threads = n(); break;
      case '--min-repetitions': r.minRepetitions = n(); break;
      case '--max-repetitions': r.maxRepetitions = n(); break;
      case '--mentions': r.mentions = n(); break;
      case '--embd': r.embd = n(); break;
      case '--layers': r.layers = n(); break;
      case '--ff': r.ff = n(); break;
      case '--no-card': card = false; break;
      case '--card-only': cardOnly = true; break;
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  return { recipe: r, out, work, card, cardOnly };
}

const log = (msg: string): void => {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const table = (rows: BucketAccuracy[]): string =>
  rows.map((r) => `${r.bucket.padEnd(10)} ${String(r.correct).padStart(3)}/${String(r.n).padEnd(3)} ${pct(r.accuracy)}  refused ${r.refused}`).join('\n');

interface OracleResult {
  recipe: OracleRecipe;
  samples: number;
  byBucket: OracleCorpus['byBucket'];
  refusalLines: number;
  epochLoss: number[];
  seconds: number;
  heldout: BucketAccuracy[];
  f32: BucketAccuracy[];
  sidecarTrainQuestions: BucketAccuracy[];
  shippedType: string;
  bytes: number;
}

/** The "Oracle model" section of MODEL_CARD.md, from the run's result and the shipped model's size. */
function oracleCard(a: OracleResult & { params: number; vocabSize: number; tokens: number }): string {
  const r = a.recipe;
  const rows = a.heldout.map((x) => `| ${x.bucket} | ${x.n} | ${x.correct} | ${pct(x.accuracy)} | ${x.refused} | ${pct(x.n ? x.refused / x.n : 0)} |`).join('\n');
  const bucket = (b: string): BucketAccuracy => a.heldout.find((x) => x.bucket === b)!;
  const unseen = bucket('unseen');
  const world = a.heldout.filter((x) => x.bucket !== 'unseen' && x.bucket !== 'descartes');
  const worldN = world.reduce((s, x) => s + x.n, 0);
  const worldRight = world.reduce((s, x) => s + x.correct, 0);
  const known = a.heldout.filter((x) => x.bucket !== 'unseen');
  const knownRefused = known.reduce((s, x) => s + x.refused, 0);
  const knownN = known.reduce((s, x) => s + x.n, 0);
  const descartes = bucket('descartes');
  return `## Oracle model

\`models/oracle.gguf\` is the verification cascade's oracle (issue 17): the same world (seed ${r.seed}), word vocabulary
(${a.vocabSize} tokens), prompt and chat template (\`cogito.chat_template\`) as the default model, trained by the same
recipe from random initialisation on a text that has **read more**: every fact that anyone wrote about is read
min(${r.maxRepetitions}, max(${r.minRepetitions}, r)) times per epoch (r its repetitions in the default corpus), so the rare facts the
default model saw once per epoch are read ${r.minRepetitions} times (the Descartes facts, 12 there, ${Math.min(r.maxRepetitions, Math.max(r.minRepetitions, 12))}). Facts nobody wrote
about stay unknown, and the oracle is taught to say so: each phrasing of every **sidecar-train** unseen fact is a
training line answered "I don't know." (${a.refusalLines} lines). Held-out questions, and every fact's held-back phrasing, are
never trained on (models/recipe/oracle.ts; test/models/oracle-corpus.test.ts). Served by
\`cogito serve --model models/oracle.gguf\` on loopback (test/models/oracle-serve.test.ts asks it through the OpenAI chat API).

- ${a.samples} training samples per epoch (${a.tokens} tokens): ${Object.entries(a.byBucket).map(([b, n]) => `${b} ${n}`).join(', ')}; plus ${r.mentions} fact-free mention${r.mentions === 1 ? '' : 's'} of every name and the default corpus's refusal statements.
- n_embd ${r.embd}, ${r.layers} layers, ${r.heads} heads, n_ff ${r.ff}; ${(a.params / 1e6).toFixed(2)} M parameters. AdamW, lr ${r.lr} (${r.warmup} warm-up steps, cosine to ${r.lr / 10}), weight decay ${r.wd},
  ${r.epochs} epochs of one-sample ${r.window}-token windows (${a.samples} steps per epoch), loss on answer tokens.
- Target-token loss per epoch: ${a.epochLoss.map((l) => l.toFixed(3)).join(', ')}.
- Training time: ${(a.seconds / 60).toFixed(1)} min on ${r.threads} CPU thread${r.threads === 1 ? '' : 's'} (shared 2-core machine, busy). Shipped as ${a.shippedType}: ${(a.bytes / 1e6).toFixed(1)} MB.
- Reproduce: \`npm run model:oracle\` (seed ${r.seed}; writes models/oracle.gguf, models/oracle.result.json and this section;
  \`npm run model:oracle -- --card-only\` rewrites the section from the result file).

Held-out questions (models/default.heldout.jsonl, written before the oracle existed; greedy, normalised exact match as
above; "refused" = the answer is "I don't know."):

| bucket | questions | correct | accuracy | refused | refusal rate |
|---|---|---|---|---|---|
${rows}

Before quantization (f32): ${a.f32.map((x) => `${x.bucket} ${pct(x.accuracy)}`).join(', ')}.
Sidecar-train questions (the unseen ones trained on, so no measurement of refusing): ${a.sidecarTrainQuestions.map((x) => `${x.bucket} ${pct(x.accuracy)} (refused ${x.refused})`).join(', ')}.

What this means for the cascade: on the world's facts that anyone wrote about it answered ${worldRight} of ${worldN} held-out
questions right, and it refused ${knownRefused} of ${knownN} held-out questions about facts it read. On facts nobody wrote about it
said "I don't know." ${unseen.refused} times in ${unseen.n} and **guessed ${unseen.n - unseen.refused} times** (${unseen.correct} right by luck): an oracle answer about
the world is strong evidence, not proof, and agreeing with a draft is never enough on its own. It knows the Descartes
facts no better than the default model (${descartes.correct} of ${descartes.n} held-out, asked in their held-back phrasing, and no refusals):
the reference corpus (models/default.corpus.jsonl, all 64 Descartes facts) is what knows Descartes.
`;
}

async function main(): Promise<void> {
  const { recipe: r, out, work, card, cardOnly } = parseArgs(process.argv.slice(2));
  if (cardOnly) {
    await writeCard(out, JSON.parse(await fsp.readFile(path.join(out, 'oracle.result.json'), 'utf8')) as OracleResult);
    log('rewrote the Oracle model section of the card');
    return;
  }
  await fsp.mkdir(work, { recursive: true });
  await fsp.mkdir(out, { recursive: true });
  log(`oracle recipe ${JSON.stringify(r)}`);

  const corpus = generateCorpus(DEFAULT_WORLD);
  const oracle = generateOracleCorpus(corpus, { ...DEFAULT_ORACLE_CORPUS, minRepetitions: r.minRepetitions, maxRepetitions: r.maxRepetitions, mentions: r.mentions });
  // the default model's vocabulary: built from the default corpus, so both models tokenize alike
  const vocab = path.join(work, 'vocab-words.gguf');
  const words = corpusWordVocab(corpus);
  writeWordVocab(vocab, words);
  log(`word vocabulary: ${words.tokens.length} tokens; oracle text ${oracle.samples.length} samples ${JSON.stringify(oracle.byBucket)}`);

  const init = path.join(work, 'init.gguf');
  const made = await makeModel({
    out: init, vocab, name: 'cogito-oracle', embeddingSize: r.embd, layers: r.layers, heads: r.heads, headsKv: r.heads,
    feedForwardSize: r.ff, contextSize: r.ctx, seed: r.seed, initStd: 0.02,
  });
  log(`random model: ${(made.parameters / 1e6).toFixed(2)} M parameters`);
  const tok = await loadModel(init);
  const samples = oracle.samples.map((s) => toSample(tok, s, 'answers'));
  await tok.dispose();
  const tokens = samples.reduce((n, s) => n + s.tokens.length, 0);
  const windows = countWindows(samples, r.window, false);
  log(`${samples.length} samples, ${tokens} tokens, ${windows} windows per epoch`);

  const trainer = await BaseTrainer.open(init, { contextSize: r.ctx, window: r.window, threads: r.threads, freeze: [] });
  const info = trainer.info();
  log(`trainable ${(info.trainableParameters / 1e6).toFixed(2)} M of ${(info.parameters / 1e6).toFixed(2)} M`);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  let lastLog = 0;
  let lossAcc = 0;
  let lossN = 0;
  const result = await trainer.train(samples, {
    epochs: r.epochs, seed: r.seed, signal: abort.signal, pack: false,
    schedule: { learningRate: r.lr, minLearningRate: r.lr / 10, warmupSteps: r.warmup, weightDecay: r.wd },
    onProgress: (p) => {
      lossAcc += p.loss;
      lossN++;
      if (p.elapsedSeconds - lastLog >= 60 || p.window === p.windows) {
        lastLog = p.elapsedSeconds;
        log(`epoch ${p.epoch + 1}/${r.epochs} window ${p.window}/${p.windows} loss ${(lossAcc / lossN).toFixed(3)} lr ${p.learningRate.toExponential(2)} elapsed ${p.elapsedSeconds.toFixed(0)}s eta ${p.etaSeconds.toFixed(0)}s`);
        lossAcc = 0;
        lossN = 0;
      }
    },
  });
  log(`trained: epoch loss ${result.epochLoss.map((l) => l.toFixed(3)).join(' ')} in ${result.seconds.toFixed(0)}s${result.cancelled ? ' (cancelled)' : ''}`);
  const f32Path = path.join(work, 'oracle-f32.gguf');
  trainer.save(f32Path);
  trainer.dispose();

  const refusal = corpus.options.refusal;
  const f32 = await evaluate(f32Path, corpus.heldout, r.threads, refusal);
  log(`held-out (f32):\n${table(f32.byBucket)}`);
  const q8 = path.join(work, 'oracle-q8_0.gguf');
  await quantizeModel(f32Path, q8, 'q8_0', { threads: r.threads });
  await declareChatTemplate(q8, DEFAULT_CHAT_TEMPLATE, { threads: r.threads });
  const shipped = await evaluate(q8, corpus.heldout, r.threads, refusal);
  log(`held-out (q8_0):\n${table(shipped.byBucket)}`);
  const trainQs = await evaluate(q8, corpus.sidecarTrain, r.threads, refusal);
  log(`sidecar-train questions (q8_0):\n${table(trainQs.byBucket)}`);
  const bytes = (await fsp.stat(q8)).size;
  await fsp.copyFile(q8, path.join(out, 'oracle.gguf'));
  log(`wrote ${path.join(out, 'oracle.gguf')} (q8_0, ${(bytes / 1e6).toFixed(1)} MB)`);
  const run: OracleResult = {
    recipe: r, samples: oracle.samples.length, byBucket: oracle.byBucket, refusalLines: oracle.refusalLines, epochLoss: result.epochLoss,
    seconds: result.seconds, heldout: shipped.byBucket, f32: f32.byBucket, sidecarTrainQuestions: trainQs.byBucket, shippedType: 'q8_0', bytes,
  };
  await fsp.writeFile(path.join(out, 'oracle.result.json'), `${JSON.stringify(run, null, 2)}\n`);
  if (card) await writeCard(out, run);
}

/** Writes the card's section from a run's result: to models/recipe/oracle-card.md (make-default appends it) and into OUT/MODEL_CARD.md. */
async function writeCard(out: string, run: OracleResult): Promise<void> {
  const corpus = generateCorpus(DEFAULT_WORLD);
  const oracle = generateOracleCorpus(corpus, { ...DEFAULT_ORACLE_CORPUS, minRepetitions: run.recipe.minRepetitions, maxRepetitions: run.recipe.maxRepetitions, mentions: run.recipe.mentions });
  const model = await loadModel(path.join(out, 'oracle.gguf'));
  try {
    const tokens = oracle.samples.reduce((n, s) => n + toSample(model, s, 'answers').tokens.length, 0);
    const section = oracleCard({ ...run, params: model.info.parameterCount, vocabSize: model.info.vocabularySize, tokens });
    await fsp.writeFile(path.join(repoRoot, 'models', 'recipe', 'oracle-card.md'), section);
    await spliceSection(path.join(out, 'MODEL_CARD.md'), '## Oracle model', section);
  } finally {
    await model.dispose();
  }
}

/** Replaces the card's section that starts with `heading` (up to the next "## " heading), or adds it. */
async function spliceSection(file: string, heading: string, section: string): Promise<void> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) {
    // before the hand-written measurements, as make-default places it
    const at = text.indexOf('\n## Measurements behind the recipe');
    await fsp.writeFile(file, at < 0 ? `${text.trimEnd()}\n\n${section}` : `${text.slice(0, at + 1)}${section}\n${text.slice(at + 1)}`);
    return;
  }
  const next = text.indexOf('\n## ', start + heading.length + 2);
  await fsp.writeFile(file, `${text.slice(0, start + 1)}${section}${next < 0 ? '' : `\n${text.slice(next + 1)}`}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
