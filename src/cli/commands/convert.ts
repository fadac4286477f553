/** `cogito convert`: a llama2.c checkpoint or a Hugging Face folder → GGUF. */
import type { Command } from 'commander';
import { convertModel, CONVERT_TYPES, type ConvertType } from '../../convert';
import { InvalidOptionError } from '../../engine';
import { printJson } from '../output';
import { parseInteger } from '../parse';

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert a llama2.c checkpoint (.bin + --tokenizer) or a Hugging Face folder (config.json, *.safetensors, tokenizer.json) to GGUF')
    .argument('<input>', 'llama2.c checkpoint file or Hugging Face model folder')
    .requiredOption('-o, --out <path>', 'output GGUF (written beside itself and renamed once complete)')
    .option('--type <type>', `weight type: ${CONVERT_TYPES.join(', ')}`, 'f32')
    .option('--tokenizer <path>', 'a llama2.c checkpoint\'s tokenizer.bin')
    .option('--threads <n>', 'threads for quantizing', (v) => parseInteger(v, '--threads'))
    .option('--json', 'print the result as JSON')
    .action(async (input: string, f: { out: string; type: string; tokenizer?: string; threads?: number; json?: boolean }) => {
      const type = f.type.toLowerCase();
      if (!(CONVERT_TYPES as readonly string[]).includes(type)) throw new InvalidOptionError(`--type must be one of ${CONVERT_TYPES.join(', ')} (got "${f.type}")`);
      const started = Date.now();
      const r = await convertModel({ input, output: f.out, type: type as ConvertType, tokenizer: f.tokenizer, threads: f.threads });
      if (f.json) return printJson({ ...r, seconds: (Date.now() - started) / 1000 });
      const p = r.provenance;
      process.stdout.write(`wrote ${r.output} (${r.type}, ${r.tensors} tensors) from ${p.sourceFormat} ${p.architecture}, tokenizer ${p.tokenizer}\n`);
    });
}
