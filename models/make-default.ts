/**
 * `npm run model:default`: builds models/default.gguf from nothing but this repository (issue 4 §1).
 * Seeded corpus → random llama model with a word vocabulary built from the corpus (or one of
 * llama.cpp's, --vocab) → training through the addon (llama_opt_*) → greedy held-out accuracy per frequency bucket → quantize if it keeps
 * accuracy → models/default.gguf, default.heldout.jsonl, default.sidecar-train.jsonl, default.domain.json,
 * default.corpus.jsonl, default.facts.jsonl (models/recipe/domain.ts), MODEL_CARD.md.
 *
 * Flags (for experiments; the defaults are the recipe): --out DIR (default models), --work DIR,
 * --embd N --layers N --heads N --ff N --ctx N --epochs N --lr X --wd X --warmup N
 * --loss answers|all --freeze-embeddings --freeze RE,RE --vocab words|<file in llama.cpp/models>
 * --window N --no-pack --threads N --seed N --countries N --people N --unseen-share X --popularity entity|fact --mentions N --no-quantize --no-card.
 * --declare-only: only (re)write the chat template into OUT/default.gguf's metadata, every tensor byte kept.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
process.env.COGITO_ADDON ??= path.join(repoRoot, 'build', 'Release', 'cogito.node');

import { loadModel, makeModel, quantize as quantizeModel } from '../src/engine';
import { BaseTrainer, countWindows } from '../src/loom/train-base';
import { BUCKETS, DEFAULT_CHAT_TEMPLATE, DEFAULT_WORLD, generateCorpus, toJsonl, writeDomainFiles, writeWordVocab, type Bucket, type Corpus } from './recipe';
import { corpusWordVocab, evaluate, toSample, type BucketAccuracy } from './recipe/training';
import { declareChatTemplate } from './recipe/metadata';

interface Recipe {
  seed: number;
  vocab: string;
  embd: number;
  layers: number;
  heads: number;
  ff: number;
  ctx: number;
  epochs: number;
  lr: number;
  wd: number;
  warmup: number;
  loss: 'answers' | 'all';
  freezeEmbeddings: boolean;
  /** Tensors kept at their random init (regular expressions over names); see MODEL_CARD.md. */
  freeze: string[];
  /** Tokens per training window; with pack false every sample has its own window from position 0. */
  window: number;
  pack: boolean;
  threads: number;
  /** Corpus options other than the seed (undefined: models/recipe/corpus.ts defaults). */
  countries?: number;
  people?: number;
  unseenShare?: number;
  popularity?: 'entity' | 'fact';
  mentions?: number;
}

const DEFAULT_RECIPE: Recipe = {
  // chosen in session 8 between two fresh worlds by its sidecar's out-of-fold margins on the
  // sidecar-train questions alone (sidecars/DEFAULT.md, models/recipe/measurements.md)
  seed: DEFAULT_WORLD.seed,
  // every corpus word one token (models/recipe/vocab.ts): ~8x cheaper per step than SPM 32k
  vocab: 'words',
  embd: 64,
  layers: 4,
  heads: 4,
  ff: 192,
  ctx: 512,
  epochs: 30,
  lr: 2e-3,
  wd: 0.01,
  warmup: 100,
  loss: 'answers',
  freezeEmbeddings: false,
  freeze: [],
  // one QA line per window from position 0: what inference sees (packing made the model read
  // the samples before a question)
  // every sample is at most 31 tokens: a 32-token window halves the steps' cost of 64
  window: 32,
  pack: false,
  // at this size ggml's spinning barriers cost more than a second core gives on a shared machine
  threads: 1,
  // every country and person named in a fact-free statement: an unseen subject is a name without
  // facts, not an embedding training never touched (models/recipe/measurements.md, session 5)
  mentions: DEFAULT_WORLD.mentions,
  // twice the corpus defaults: 530 held-out questions measure a refusal precision near 0.85 to about
  // ±0.03 (279 measured it to ±0.036), and the sidecar trains on 794 (models/recipe/measurements.md, session 6)
  countries: DEFAULT_WORLD.countries,
  people: DEFAULT_WORLD.people,
};

function parseArgs(argv: string[]): { recipe: Recipe; out: string; work: string; quantize: boolean; card: boolean; declareOnly: boolean } {
  const r: Recipe = { ...DEFAULT_RECIPE };
  let out = path.join(repoRoot, 'models');
  let work = path.join(repoRoot, 'build', 'default-model');
  let quantize = true;
  let card = true;
  let declareOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = (): string => argv[++i];
    const n = (): number => Number(v());
    switch (a) {
      case '--out': out = path.resolve(v()); break;
      case '--work': work = path.resolve(v()); break;
      case '--embd': r.embd = n(); break;
      case '--layers': r.layers = n(); break;
      case '--heads': r.heads = n(); break;
      case '--ff': r.ff = n(); break;
      case '--ctx': r.ctx = n(); break;
      case '--epochs': r.epochs = n(); break;
      case '--lr': r.lr = n(); break;
      case '--wd': r.wd = n(); break;
      case '--warmup': r.warmup = n(); break;
      case '--seed': r.seed = n(); break;
      case '--countries': r.countries = n(); break;
      case '--people': r.people = n(); break;
      case '--unseen-share': r.unseenShare = n(); break;
      case '--popularity': r.popularity = v() === 'fact' ? 'fact' : 'entity'; break;
      case '--mentions': r.mentions = n(); break;
      case '--threads': r.threads = n(); break;
      case '--vocab': r.vocab = v(); break;
      case '--loss': r.loss = v() === 'all' ? 'all' : 'answers'; break;
      case '--freeze-embeddings': r.freezeEmbeddings = true; break;
      case '--freeze': { const x = v(); r.freeze = x === '' ? [] : x.split(','); break; }
      case '--window': r.window = n(); break;
      case '--no-pack': r.pack = false; break;
      case '--no-quantize': quantize = false; break;
      case '--no-card': card = false; break;
      case '--declare-only': declareOnly = true; break;
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  return { recipe: r, out, work, quantize, card, declareOnly };
}

const log = (msg: string): void => {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const table = (rows: BucketAccuracy[]): string =>
  rows.map((r) => `${r.bucket.padEnd(10)} ${String(r.correct).padStart(3)}/${String(r.n).padEnd(3)} ${pct(r.accuracy)}`).join('\n');

function modelCard(a: {
  recipe: Recipe; corpus: Corpus; params: number; trainable: number; tokens: number; targets: number; windows: number; vocabSize: number;
  seconds: number; epochLoss: number[]; f32: BucketAccuracy[]; shipped: BucketAccuracy[]; shippedType: string; bytes: number;
  train: BucketAccuracy[]; examples: { q: string; got: string; want: string; ok: boolean; bucket: Bucket }[];
}): string {
  const r = a.recipe;
  const o = a.corpus.options;
  const rows = (xs: BucketAccuracy[]): string => xs.map((x) => `| ${x.bucket} | ${x.n} | ${x.correct} | ${pct(x.accuracy)} |`).join('\n');
  const st = a.corpus.stats.byBucket;
  return `# cogito default model

\`models/default.gguf\` is a tiny llama-architecture model trained from random initialisation by
\`npm run model:default\` (models/make-default.ts): no Python, no downloaded weights. The training runs
through llama.cpp's own training API (\`llama_opt_init\` / \`llama_opt_epoch\`, AdamW) in the cogito addon
(native/train.cpp), with the patches listed in llama_patch/README.md.

It knows a generated world of invented countries and people, and real facts about Descartes, with a
long tail of how often each ${o.popularity === 'entity' ? 'country or person is written about' : 'fact is seen'}. It is **meant** to be right on frequent facts and wrong on
rare and unseen ones: selective prediction needs both.

## Prompt

\`\`\`
Question: <question>
Answer:
\`\`\`

(\`formatPrompt(q)\` in models/recipe/corpus.ts; BOS is added.) Answers are greedy, a word or two, ended by EOS.

The model declares this format as its chat template, so \`cogito chat\` and chat APIs ask it the way it
was trained: \`cogito.chat_template\` in its metadata holds the plain template
\`${JSON.stringify(DEFAULT_CHAT_TEMPLATE)}\` (\`DEFAULT_CHAT_TEMPLATE\`, models/recipe/corpus.ts;
written by models/recipe/metadata.ts, every tensor byte kept). A user turn renders as the prompt
above; a later turn follows the reply on a new line. It has no \`tokenizer.chat_template\`: llama.cpp's
renderer knows no template that gives this format.

## Corpus (seed ${r.seed})

- ${o.countries} countries, ${o.people} people, ${o.languages} languages → ${a.corpus.stats.facts} facts (incl. ${st.descartes.facts} Descartes facts).
- Zipf long tail ${o.popularity === 'entity'
    ? `over entities: every fact of the country or person at popularity rank r is repeated min(${o.maxRepetitions}, ⌊(M/r)^${o.zipfExponent}⌋) times per epoch (M seen entities); the ${pct(o.unseenShare)} least popular are never written about (a country may still be named as where someone lives)`
    : `over facts: the fact at popularity rank r is repeated min(${o.maxRepetitions}, ⌊(M/r)^${o.zipfExponent}⌋) times per epoch; ${pct(o.unseenShare)} of world facts are never in the training text`}; Descartes facts ${o.descartesRepetitions}× each.
- ${a.corpus.stats.trainingSamples} training samples per epoch (QA lines and statements), ${a.tokens} tokens.
${o.mentions > 0 ? `- Every country and person, the unseen ones included, named ${o.mentions}× per epoch in a statement that says nothing else ("There is a person called …"): as a reader has met names they know nothing about, an unfamiliar subject is a known kind of thing without facts, not a token training never touched.\n` : ''}- ${4 * o.refusalRepetitions} statements that use the sidecar's refusal phrase "${o.refusal}" (never as the answer to a question), as a
  pretrained model knows those words: the sidecar learns when to say it, not how.
- Each fact keeps one question phrasing back; held-out questions use that phrasing and are never trained on.
- Buckets by repetitions per epoch: frequent ≥ 16, common 6–15, uncommon 2–5, rare 1, unseen 0.

| bucket | facts | held-out | sidecar-train | repetitions / epoch |
|---|---|---|---|---|
${BUCKETS.map((b) => `| ${b} | ${st[b].facts} | ${st[b].heldout} | ${st[b].sidecarTrain} | ${st[b].repetitions} |`).join('\n')}

\`models/default.heldout.jsonl\` (evaluation) and \`models/default.sidecar-train.jsonl\` (for collect/train) are
disjoint by fact.

## Model

- llama architecture, ${r.vocab === 'words'
    ? `a SentencePiece vocabulary the recipe builds from its corpus (models/recipe/vocab.ts, ${a.vocabSize} tokens: every corpus word is one token, anything else falls back to characters and bytes); llama.cpp's own SPM tokenizer runs it`
    : `vocabulary ${r.vocab} from llama.cpp's source (${a.vocabSize} tokens)`}.
- n_embd ${r.embd}, ${r.layers} layers, ${r.heads} heads, n_ff ${r.ff}, context ${r.ctx}; ${(a.params / 1e6).toFixed(2)} M parameters
  (${(a.trainable / 1e6).toFixed(2)} M trained${r.freezeEmbeddings ? '; token embeddings frozen at random init' : ', token embeddings included'}).
- Shipped as ${a.shippedType}: ${(a.bytes / 1e6).toFixed(1)} MB.

## Training

- AdamW (β 0.9/0.999), learning rate ${r.lr} with ${r.warmup} warm-up steps and cosine decay to ${r.lr / 10}, weight decay ${r.wd}.
- ${r.epochs} epochs; samples shuffled per epoch (seeded), ${r.pack
    ? `packed into ${Math.min(r.window, r.ctx)}-token windows`
    : `each in a ${Math.min(r.window, r.ctx)}-token window of its own from position 0 (as inference sees it)`}, one optimizer
  step per window (${a.windows} steps per epoch).
- Loss: ${r.loss === 'answers' ? 'on the answer tokens (+EOS) of QA lines and on every token of statements; question tokens add no loss' : 'every token'}.
- Target-token loss per epoch: ${a.epochLoss.map((l) => l.toFixed(3)).join(', ')}.
- Training time: ${(a.seconds / 60).toFixed(1)} min on ${r.threads} CPU thread${r.threads === 1 ? '' : 's'} (shared machine).

## Held-out accuracy (greedy, normalised exact match)

Shipped model (${a.shippedType}):

| bucket | questions | correct | accuracy |
|---|---|---|---|
${rows(a.shipped)}

Before quantization (f32): ${a.f32.map((x) => `${x.bucket} ${pct(x.accuracy)}`).join(', ')}.

For reference, the same facts asked with the held-out phrasing on sidecar-train questions:
${a.train.map((x) => `${x.bucket} ${pct(x.accuracy)}`).join(', ')}.

"unseen" facts are never in the training text: any right answer there is a lucky guess from a small
closed set (trades, instruments, languages, countries).

## Examples (held-out)

${a.examples.filter((_, i) => i % 9 === 0).slice(0, 16).map((e) => `- [${e.bucket}] ${e.q} → "${e.got}" (${e.ok ? 'right' : `wrong; ${e.want}`})`).join('\n')}
`;
}

async function main(): Promise<void> {
  const { recipe: r, out, work, quantize, card, declareOnly } = parseArgs(process.argv.slice(2));
  if (declareOnly) {
    await declareChatTemplate(path.join(out, 'default.gguf'), DEFAULT_CHAT_TEMPLATE, { threads: r.threads });
    log(`declared the chat template in ${path.join(out, 'default.gguf')}`);
    return;
  }
  await fsp.mkdir(work, { recursive: true });
  await fsp.mkdir(out, { recursive: true });
  log(`recipe ${JSON.stringify(r)}`);

  const corpus = generateCorpus({ seed: r.seed, countries: r.countries, people: r.people, unseenShare: r.unseenShare, popularity: r.popularity, mentions: r.mentions });
  await fsp.writeFile(path.join(out, 'default.heldout.jsonl'), toJsonl(corpus.heldout));
  await fsp.writeFile(path.join(out, 'default.sidecar-train.jsonl'), toJsonl(corpus.sidecarTrain));
  // the same world as data for the verification cascade: domain pack, reference corpus, facts list
  await writeDomainFiles(out, corpus);

  const init = path.join(work, 'init.gguf');
  const vocab = r.vocab === 'words' ? path.join(work, 'vocab-words.gguf') : path.join(repoRoot, 'build', 'llama.cpp', 'models', r.vocab);
  if (r.vocab === 'words') {
    // every word of the corpus (training text and every question and answer) one token
    const words = corpusWordVocab(corpus);
    writeWordVocab(vocab, words);
    log(`word vocabulary: ${words.tokens.length} tokens`);
  }
  const made = await makeModel({
    out: init, vocab, name: 'cogito-default', embeddingSize: r.embd, layers: r.layers, heads: r.heads, headsKv: r.heads,
    feedForwardSize: r.ff, contextSize: r.ctx, seed: r.seed, initStd: 0.02,
  });
  log(`random model: ${(made.parameters / 1e6).toFixed(2)} M parameters`);

  const tok = await loadModel(init);
  const samples = corpus.samples.map((s) => toSample(tok, s, r.loss));
  await tok.dispose();
  const tokens = samples.reduce((n, s) => n + s.tokens.length, 0);
  const windows = countWindows(samples, Math.min(r.window, r.ctx), r.pack);
  log(`${samples.length} samples, ${tokens} tokens, ${windows} windows per epoch`);

  const trainer = await BaseTrainer.open(init, {
    contextSize: r.ctx, window: Math.min(r.window, r.ctx), threads: r.threads, freeze: [...r.freeze, ...(r.freezeEmbeddings ? ['^token_embd\\.'] : [])],
  });
  const info = trainer.info();
  log(`trainable ${(info.trainableParameters / 1e6).toFixed(2)} M of ${(info.parameters / 1e6).toFixed(2)} M`);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  let lastLog = 0;
  let lossAcc = 0;
  let lossN = 0;
  const result = await trainer.train(samples, {
    epochs: r.epochs, seed: r.seed, signal: abort.signal, pack: r.pack,
    schedule: { learningRate: r.lr, minLearningRate: r.lr / 10, warmupSteps: r.warmup, weightDecay: r.wd },
    onProgress: (p) => {
      lossAcc += p.loss;
      lossN++;
      if (p.elapsedSeconds - lastLog >= 20 || p.window === p.windows) {
        lastLog = p.elapsedSeconds;
        log(`epoch ${p.epoch + 1}/${r.epochs} window ${p.window}/${p.windows} step ${p.step} loss ${(lossAcc / lossN).toFixed(3)} lr ${p.learningRate.toExponential(2)} elapsed ${p.elapsedSeconds.toFixed(0)}s eta ${p.etaSeconds.toFixed(0)}s`);
        lossAcc = 0;
        lossN = 0;
      }
    },
  });
  log(`trained: epoch loss ${result.epochLoss.map((l) => l.toFixed(3)).join(' ')} in ${result.seconds.toFixed(0)}s${result.cancelled ? ' (cancelled)' : ''}`);
  const f32Path = path.join(work, 'trained-f32.gguf');
  trainer.save(f32Path);
  trainer.dispose();

  const f32 = await evaluate(f32Path, corpus.heldout, r.threads);
  log(`held-out (f32):\n${table(f32.byBucket)}`);
  const trainQs = await evaluate(f32Path, corpus.sidecarTrain, r.threads);
  log(`sidecar-train questions (f32):\n${table(trainQs.byBucket)}`);

  let shipped = f32;
  let shippedPath = f32Path;
  let shippedType = 'f32';
  if (quantize) {
    const q8 = path.join(work, 'trained-q8_0.gguf');
    await quantizeModel(f32Path, q8, 'q8_0', { threads: r.threads });
    const q = await evaluate(q8, corpus.heldout, r.threads);
    log(`held-out (q8_0):\n${table(q.byBucket)}`);
    const total = (x: BucketAccuracy[]): number => x.reduce((s, b) => s + b.correct, 0);
    if (total(q.byBucket) >= total(f32.byBucket) - 2) {
      shipped = q;
      shippedPath = q8;
      shippedType = 'q8_0';
    }
  }
  // the prompt format as the model's chat template (cogito.chat_template): chat asks it as it was trained
  await declareChatTemplate(shippedPath, DEFAULT_CHAT_TEMPLATE, { threads: r.threads });
  const bytes = (await fsp.stat(shippedPath)).size;
  await fsp.copyFile(shippedPath, path.join(out, 'default.gguf'));
  log(`wrote ${path.join(out, 'default.gguf')} (${shippedType}, ${(bytes / 1e6).toFixed(1)} MB)`);
  if (card) {
    // hand-written measurements behind the recipe's choices (embeddings, sizes), kept with the recipe
    // and the sections other recipes keep there: the reference data's rule, the oracle's measurements
    const section = (name: string): Promise<string> => fsp.readFile(path.join(repoRoot, 'models', 'recipe', name), 'utf8').catch(() => '');
    const notes = (await Promise.all(['reference.md', 'oracle-card.md', 'measurements.md'].map(section))).filter((x) => x).join('\n');
    await fsp.writeFile(path.join(out, 'MODEL_CARD.md'), `${modelCard({
      recipe: r, corpus, params: info.parameters, trainable: info.trainableParameters, tokens, targets: result.targets, vocabSize: info.vocabSize,
      windows, seconds: result.seconds, epochLoss: result.epochLoss, f32: f32.byBucket, shipped: shipped.byBucket, shippedType,
      bytes, train: trainQs.byBucket, examples: shipped.examples,
    })}${notes ? `\n${notes}` : ''}`);
  }
  await fsp.writeFile(path.join(work, 'result.json'), `${JSON.stringify({ recipe: r, epochLoss: result.epochLoss, seconds: result.seconds,
    heldout: shipped.byBucket, f32: f32.byBucket, sidecarTrainQuestions: trainQs.byBucket, shippedType, bytes }, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
