import type { Command } from 'commander';
import { defaultModelPath, l2norm, loadModel, type LayerSelection } from '../../engine';
import { printJson } from '../output';
import { parseInteger, parseNumber } from '../parse';

interface GenerateFlags {
  model?: string;
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  minP?: number;
  repeatPenalty?: number;
  seed?: number;
  stop?: string[];
  contextSize?: number;
  threads?: number;
  json?: boolean;
  taps?: string;
}

export function parseLayerSelection(value: string): LayerSelection {
  if (value === 'all' || value === 'late') return value;
  return value.split(',').map((v) => parseInteger(v.trim(), '--taps'));
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('continue a prompt with the model (the default model in models/ unless --model is given)')
    .argument('<prompt>', 'the text to continue')
    .option('-m, --model <path>', 'GGUF model file')
    .option('-n, --max-tokens <n>', 'tokens to generate', (v) => parseInteger(v, '--max-tokens'), 64)
    .option('--temperature <t>', '0 is greedy', (v) => parseNumber(v, '--temperature'), 0)
    .option('--top-k <k>', 'top-k sampling', (v) => parseInteger(v, '--top-k'))
    .option('--top-p <p>', 'nucleus sampling', (v) => parseNumber(v, '--top-p'))
    .option('--min-p <p>', 'min-p sampling', (v) => parseNumber(v, '--min-p'))
    .option('--repeat-penalty <r>', 'repetition penalty', (v) => parseNumber(v, '--repeat-penalty'))
    .option('--seed <n>', 'sampling seed', (v) => parseInteger(v, '--seed'))
    .option('--stop <text...>', 'stop sequences')
    .option('-c, --context-size <n>', 'context size', (v) => parseInteger(v, '--context-size'))
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--taps <layers>', 'tap the residual stream: all, late, or a comma-separated list of layers')
    .option('--json', 'print {text, tokens, taps?} as JSON')
    .action(async (prompt: string, flags: GenerateFlags) => {
      const model = await loadModel(flags.model ?? defaultModelPath());
      try {
        const ctx = await model.createContext({ contextSize: flags.contextSize, threads: flags.threads });
        const options = {
          maxTokens: flags.maxTokens, temperature: flags.temperature, topK: flags.topK, topP: flags.topP, minP: flags.minP,
          repeatPenalty: flags.repeatPenalty, seed: flags.seed, stop: flags.stop,
          taps: flags.taps ? { layers: parseLayerSelection(flags.taps), mode: 'last' as const } : undefined,
        };
        if (flags.json) {
          const r = await ctx.complete(prompt, options);
          printJson({
            text: r.text,
            stopReason: r.stopReason,
            tokens: r.tokens.map((t) => ({ id: t.id, text: t.text, logprob: t.logprob, entropy: t.entropy })),
            ...(r.taps ? { taps: r.taps.map((t) => ({ layer: t.layer, shape: t.shape, norm: l2norm(t.data) })) } : {}),
          });
        } else {
          const it = ctx.generate(prompt, options);
          process.stdout.write(prompt);
          for (;;) {
            const r = await it.next();
            if (r.done) {
              process.stdout.write('\n');
              for (const t of r.value.taps ?? []) process.stdout.write(`tap l_out-${t.layer} [${t.shape.join('x')}] norm ${l2norm(t.data).toFixed(4)}\n`);
              break;
            }
            process.stdout.write(r.value.text);
          }
        }
      } finally {
        await model.dispose();
      }
    });
}
