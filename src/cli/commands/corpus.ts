/** `cogito corpus add|search`: the passage index used for factual verification. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CorpusIndex, DESCARTES_PASSAGES, InvalidPassageError, formatRef, validatePassage, type Passage } from '../../corpus';
import { InvalidOptionError } from '../../util/errors';
import { printJson } from '../output';

export function defaultCorpusPath(): string {
  return process.env.COGITO_CORPUS ?? join(process.env.COGITO_HOME ?? join(homedir(), '.cogito'), 'corpus.db');
}

/** Reads passages from a JSON array or JSON Lines file, naming the line of any bad entry. */
export function readPassages(file: string): Passage[] {
  const text = readFileSync(file, 'utf8');
  if (text.trimStart().startsWith('[')) {
    const arr = JSON.parse(text) as unknown[];
    return arr.map((p, i) => validatePassage(p, `${file}: entry ${i}`));
  }
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter((l) => l.line)
    .map(({ line, n }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new InvalidPassageError(`${file}:${n}: ${(err as Error).message}`);
      }
      return validatePassage(value, `${file}:${n}`);
    });
}

/** Opens the index, filling an empty one with the built-in Descartes corpus. */
function open(path: string): CorpusIndex {
  const index = new CorpusIndex(path);
  if (index.size === 0) index.add(DESCARTES_PASSAGES);
  return index;
}

export function register(program: Command): void {
  const corpus = program.command('corpus').description('the passage index for factual verification');
  const dbOption = ['--db <path>', 'index file (default $COGITO_CORPUS or ~/.cogito/corpus.db)'] as const;

  corpus
    .command('add')
    .description('add or replace passages from a JSON array or JSONL file ({id, work, section, atVolume, atPage, kind, text})')
    .argument('<file>', 'passages file')
    .option(...dbOption)
    .action((file: string, f: { db?: string }) => {
      const passages = readPassages(file);
      const index = open(f.db ?? defaultCorpusPath());
      try {
        const r = index.add(passages);
        process.stdout.write(`added ${r.added}, replaced ${r.replaced}; ${index.size} passages in ${index.path}\n`);
      } finally {
        index.close();
      }
    });

  corpus
    .command('search')
    .description('BM25 search; prints passages with their references')
    .argument('<query...>', 'search words')
    .option(...dbOption)
    .option('-k, --limit <n>', 'how many passages', '5')
    .option('--json', 'print JSON')
    .action((words: string[], f: { db?: string; limit: string; json?: boolean }) => {
      const limit = Number(f.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new InvalidOptionError(`--limit must be a positive integer (got "${f.limit}")`);
      const index = open(f.db ?? defaultCorpusPath());
      try {
        const hits = index.search(words.join(' '), limit);
        if (f.json) printJson(hits.map((h) => ({ ...h.passage, reference: formatRef(h.passage), score: h.score })));
        else if (!hits.length) process.stdout.write('no passage matches\n');
        else for (const h of hits) process.stdout.write(`[${formatRef(h.passage)}] (${h.score.toFixed(2)})\n  ${h.passage.text}\n`);
      } finally {
        index.close();
      }
    });
}
