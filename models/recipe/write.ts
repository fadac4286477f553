/** Writes the corpus files the model recipe and the sidecar pipeline read. */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { generateCorpus, toJsonl, trainingText, type Corpus, type CorpusOptions, type CorpusStats } from './corpus';
import { domainFiles } from './domain';

export interface CorpusFiles {
  /** Training text for the base model. */
  text: string;
  heldout: string;
  sidecarTrain: string;
  /** Options and counts, for the model card. */
  stats: string;
}

export function corpusFiles(outDir: string, prefix = 'default'): CorpusFiles {
  return {
    text: path.join(outDir, `${prefix}.corpus.txt`),
    heldout: path.join(outDir, `${prefix}.heldout.jsonl`),
    sidecarTrain: path.join(outDir, `${prefix}.sidecar-train.jsonl`),
    stats: path.join(outDir, `${prefix}.corpus.json`),
  };
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

export async function writeCorpus(outDir: string, options: CorpusOptions, prefix = 'default'): Promise<{ files: CorpusFiles; stats: CorpusStats }> {
  const corpus = generateCorpus(options);
  const files = corpusFiles(outDir, prefix);
  await fsp.mkdir(outDir, { recursive: true });
  await writeAtomic(files.text, trainingText(corpus));
  await writeAtomic(files.heldout, toJsonl(corpus.heldout));
  await writeAtomic(files.sidecarTrain, toJsonl(corpus.sidecarTrain));
  await writeAtomic(files.stats, `${JSON.stringify({ options: corpus.options, stats: corpus.stats }, null, 2)}\n`);
  return { files, stats: corpus.stats };
}

/** The domain pack, reference corpus and facts list of a world (models/recipe/domain.ts). */
export async function writeDomainFiles(outDir: string, corpus: Corpus, prefix = 'default'): Promise<{ domain: string; corpus: string; facts: string }> {
  const data = domainFiles(corpus);
  const files = {
    domain: path.join(outDir, `${prefix}.domain.json`),
    corpus: path.join(outDir, `${prefix}.corpus.jsonl`),
    facts: path.join(outDir, `${prefix}.facts.jsonl`),
  };
  await fsp.mkdir(outDir, { recursive: true });
  await writeAtomic(files.domain, data.domain);
  await writeAtomic(files.corpus, data.corpus);
  await writeAtomic(files.facts, data.facts);
  return files;
}
