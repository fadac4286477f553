// A user's ES module: the installed package by name, every subpath through `import`.
// Prints one JSON line for test/package/pack.test.ts to check.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TwoPass, defaultModelPath, defaultSidecarPath, loadModel } from 'cogito';
import { libraryArgument, shutdownZ3, verifyArgument } from 'cogito/logic';
import { Vks } from 'cogito/vks';
import * as root from 'cogito';
import * as logic from 'cogito/logic';
import * as vks from 'cogito/vks';
import * as claims from 'cogito/claims';
import * as corpus from 'cogito/corpus';
import * as loom from 'cogito/loom';
import * as cascade from 'cogito/cascade';
import * as meta from 'cogito/meta';

const QUESTIONS = ['Question: What instrument does Lana play?\nAnswer:', 'Question: What instrument does Trulen play?\nAnswer:'];

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

const dir = mkdtempSync(join(tmpdir(), 'cogito-esm-vks-'));
const store = Vks.open(join(dir, 'vks.db'));
const added = store.add({
  tier: 'AXIOM', text: 'I think, therefore I am.', status: 'VERIFIED', method: 'Z3',
  artifact: { argument: 'cogito', logic: 'S5', verdict: cogito.verdict },
});
const chain = store.verifyChain();
const hit = store.lookup('I think, therefore I am.');
store.close();
rmSync(dir, { recursive: true, force: true });

// what `import` sees of each subpath against what `require` gives: a name Node's CommonJS lexer missed shows here
const require = createRequire(import.meta.url);
const namespaces = { cogito: root, 'cogito/logic': logic, 'cogito/vks': vks, 'cogito/claims': claims, 'cogito/corpus': corpus, 'cogito/loom': loom, 'cogito/cascade': cascade, 'cogito/meta': meta };
const missingNames = {};
for (const [specifier, ns] of Object.entries(namespaces)) {
  missingNames[specifier] = Object.keys(require(specifier)).filter((name) => name !== '__esModule' && !(name in ns));
}

process.stdout.write(`${JSON.stringify({
  answers,
  cogito: cogito.verdict,
  vks: { id: added.id, hash: added.hash, chainLength: chain.length, head: chain.head, hit: hit && { id: hit.record.id, via: hit.via } },
  missingNames,
  exportCounts: Object.fromEntries(Object.entries(namespaces).map(([s, ns]) => [s, Object.keys(ns).length])),
})}\n`);
