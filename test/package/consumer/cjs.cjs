// A user's CommonJS module: the installed package by name, every subpath through `require`.
// Prints one JSON line for test/package/pack.test.ts to check.
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { TwoPass, defaultModelPath, defaultSidecarPath, loadModel } = require('cogito');
const { libraryArgument, shutdownZ3, verifyArgument } = require('cogito/logic');
const { Vks } = require('cogito/vks');
const { splitSentences } = require('cogito/claims');
const { openDescartesCorpus } = require('cogito/corpus');
const { normaliseAnswer } = require('cogito/loom');
const { Cascade } = require('cogito/cascade');

const QUESTIONS = ['Question: What instrument does Lana play?\nAnswer:', 'Question: What instrument does Trulen play?\nAnswer:'];

async function main() {
  const model = await loadModel(defaultModelPath());
  const pipe = await TwoPass.load(model, defaultSidecarPath());
  const answers = [];
  for (const q of QUESTIONS) {
    const r = await pipe.complete(q, { maxTokens: 8, stop: ['\n'] });
    answers.push({ text: r.text, refused: r.refused, confidence: r.decision.confidence });
  }
  await pipe.dispose();
  await model.dispose();

  const cogito = await verifyArgument(libraryArgument('cogito'), { logic: 'S5' });
  await shutdownZ3();

  const dir = mkdtempSync(join(tmpdir(), 'cogito-cjs-vks-'));
  const store = Vks.open(join(dir, 'vks.db'));
  const added = store.add({
    tier: 'AXIOM', text: 'I think, therefore I am.', status: 'VERIFIED', method: 'Z3',
    artifact: { argument: 'cogito', logic: 'S5', verdict: cogito.verdict },
  });
  const chain = store.verifyChain();
  const hit = store.lookup('I think, therefore I am.');
  store.close();
  rmSync(dir, { recursive: true, force: true });

  const corpus = openDescartesCorpus();
  const corpusPassages = corpus.size;
  corpus.close();

  const cascade = await Cascade.open({});
  const asked = await cascade.ask('What instrument does Lana play?');
  await cascade.close();
  const ask = { status: asked.status, source: asked.claims[0] ? asked.claims[0].source : null, final: asked.final };

  process.stdout.write(`${JSON.stringify({
    answers,
    cogito: cogito.verdict,
    vks: { id: added.id, hash: added.hash, chainLength: chain.length, head: chain.head, hit: hit && { id: hit.record.id, via: hit.via } },
    version: require('cogito/package.json').version,
    sentences: splitSentences('I doubt. Therefore I think.').length,
    corpusPassages,
    normalisedAnswer: normaliseAnswer(answers[0].text),
    ask,
  })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
