import { InvalidArgumentError, type Command } from 'commander';
import { defaultModelPath, loadModel, type EmbeddingNormalization, type EmbeddingPooling } from '../../engine';
import { printJson } from '../output';
import { parseChoice, parseInteger, parseNumber } from '../parse';

interface EmbedFlags {
  model?: string;
  layer?: number;
  pooling: EmbeddingPooling;
  normalize?: EmbeddingNormalization;
  norm: boolean;
  threads?: number;
  json?: boolean;
}

const POOLINGS = ['mean', 'last', 'cls'] as const;

/** `--normalize` alone is l2; a value names the norm (l2, l1, max) or gives p for a p-norm. */
export function parseNormalization(value: string): EmbeddingNormalization {
  if (value === 'l2' || value === 'l1' || value === 'max') return value;
  const p = parseNumber(value, '--normalize');
  if (p < 1) throw new InvalidArgumentError(`--normalize expects l2, l1, max or a number p >= 1, got "${value}"`);
  return p;
}

export function register(program: Command): void {
  program
    .command('embed')
    .description('an embedding of each text: a pooled hidden state of one layer (by default the final layer after its norm, as llama.cpp\'s embeddings)')
    .argument('<text...>', 'the texts to embed, one vector each')
    .option('-m, --model <path>', 'GGUF model file')
    .option('--layer <n>', 'the layer read, 0 … layers − 1 (default the last)', (v) => parseInteger(v, '--layer'))
    .option('--pooling <kind>', 'mean, last or cls (the first token)', (v) => parseChoice(v, '--pooling', POOLINGS), 'mean')
    .option('--normalize [norm]', 'scale to unit norm: l2 (alone), l1, max or a number p', parseNormalization)
    .option('--no-norm', "skip the model's final norm (the raw residual stream of the last layer)")
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--json', 'print [{index, text, tokens, embedding}] as JSON')
    .action(async (texts: string[], flags: EmbedFlags) => {
      const model = await loadModel(flags.model ?? defaultModelPath());
      try {
        const layer = flags.layer ?? model.info.layerCount - 1;
        // the final norm belongs to the last layer unless --no-norm; elsewhere it is off
        const norm = flags.norm && layer === model.info.layerCount - 1;
        const normalize = flags.normalize === true ? 'l2' : flags.normalize ?? false;
        const vectors = await model.embedBatch(texts, { layer, pooling: flags.pooling, norm, normalize, threads: flags.threads });
        if (flags.json) {
          printJson(texts.map((text, index) => ({ index, text, tokens: model.tokenize(text).length, layer, pooling: flags.pooling, normalize, embedding: Array.from(vectors[index]) })));
          return;
        }
        for (const v of vectors) process.stdout.write(`${Array.from(v, (x) => x.toPrecision(7)).join(' ')}\n`);
      } finally {
        await model.dispose();
      }
    });
}
