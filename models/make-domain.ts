/**
 * `npm run model:domain`: writes the default world's domain pack, reference corpus and facts list
 * (models/default.domain.json, default.corpus.jsonl, default.facts.jsonl; models/recipe/domain.ts)
 * from the recipe's own world (models/recipe/default-world.ts) without training anything. The same
 * files are written by `npm run model:default`; both give them byte for byte.
 *
 * Flags: --out DIR (default models).
 */
import * as path from 'node:path';
import { DEFAULT_WORLD, generateCorpus, writeDomainFiles } from './recipe';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let out = path.join(repoRoot, 'models');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && i + 1 < argv.length) out = path.resolve(argv[++i]);
    else throw new Error(`unknown flag ${argv[i]} (only --out DIR)`);
  }
  const files = await writeDomainFiles(out, generateCorpus(DEFAULT_WORLD));
  process.stdout.write(`wrote ${files.domain}, ${files.corpus}, ${files.facts}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
