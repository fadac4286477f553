import type { Command } from 'commander';
import { InvalidOptionError, makeModel, quantize, QUANTIZATION_TYPES, readGguf, vocabPath, type QuantizationType } from '../../engine';
import { describeProvenance, provenanceOf } from '../../convert';
import { printJson } from '../output';
import { parseInteger, parseNumber } from '../parse';

export function register(program: Command): void {
  program
    .command('make-model')
    .description('write a randomly initialised llama-architecture GGUF with a real tokenizer from llama.cpp\'s vocab files')
    .requiredOption('-o, --out <path>', 'output GGUF')
    .option('--vocab <name-or-path>', 'a ggml-vocab-*.gguf name (e.g. llama-spm, qwen2) or path', 'llama-spm')
    .option('--embd <n>', 'embedding size', (v) => parseInteger(v, '--embd'), 256)
    .option('--layers <n>', 'layers', (v) => parseInteger(v, '--layers'), 4)
    .option('--heads <n>', 'attention heads', (v) => parseInteger(v, '--heads'), 4)
    .option('--heads-kv <n>', 'key/value heads', (v) => parseInteger(v, '--heads-kv'))
    .option('--ff <n>', 'feed-forward size', (v) => parseInteger(v, '--ff'), 768)
    .option('--ctx <n>', 'training context size', (v) => parseInteger(v, '--ctx'), 2048)
    .option('--seed <n>', 'random seed', (v) => parseInteger(v, '--seed'), 42)
    .option('--init-std <s>', 'weight standard deviation', (v) => parseNumber(v, '--init-std'))
    .option('--f16', 'store weights as F16')
    .action(async (f: { out: string; vocab: string; embd: number; layers: number; heads: number; headsKv?: number; ff: number; ctx: number; seed: number; initStd?: number; f16?: boolean }) => {
      const vocab = f.vocab.endsWith('.gguf') ? f.vocab : vocabPath(f.vocab);
      const r = await makeModel({
        out: f.out, vocab, embeddingSize: f.embd, layers: f.layers, heads: f.heads, headsKv: f.headsKv,
        feedForwardSize: f.ff, contextSize: f.ctx, seed: f.seed, f16: f.f16, initStd: f.initStd,
      });
      process.stdout.write(`wrote ${r.path} (${(r.parameters / 1e6).toFixed(2)}M parameters)\n`);
    });

  program
    .command('quantize')
    .description('quantize a model with llama.cpp\'s quantizer')
    .argument('<input>', 'input GGUF (F32 or F16)')
    .argument('<output>', 'output GGUF (may be the input: it is written beside it and renamed)')
    .option('--type <type>', QUANTIZATION_TYPES.join(', '), 'q8_0')
    .option('--allow-requantize', 'quantize an already quantized model (llama.cpp refuses by default: the roundings add up)')
    .action(async (input: string, output: string, f: { type: string; allowRequantize?: boolean }) => {
      const type = f.type.toLowerCase();
      if (!(QUANTIZATION_TYPES as readonly string[]).includes(type)) throw new InvalidOptionError(`--type must be one of ${QUANTIZATION_TYPES.join(', ')} (got "${f.type}")`, 'INVALID_ARGUMENT');
      await quantize(input, output, type as QuantizationType, { allowRequantize: f.allowRequantize });
      process.stdout.write(`wrote ${output} (${type})\n`);
    });

  program
    .command('gguf')
    .description('print a GGUF file\'s metadata and tensors')
    .argument('<file>', 'GGUF file')
    .option('--json', 'print JSON')
    .action(async (file: string, f: { json?: boolean }) => {
      const info = await readGguf(file, { maxArray: 8 });
      if (f.json) return printJson(info);
      process.stdout.write(`GGUF v${info.version}, ${info.tensors.length} tensors, ${info.fileSize} bytes\n`);
      const provenance = provenanceOf(info);
      if (provenance) process.stdout.write(`  ${describeProvenance(provenance)}\n`);
      for (const [k, v] of Object.entries(info.metadata)) {
        const shown = v.length !== undefined ? `[${v.length} values]` : JSON.stringify(v.value);
        process.stdout.write(`  ${k} (${v.type}) = ${shown.length > 120 ? `${shown.slice(0, 117)}...` : shown}\n`);
      }
      for (const t of info.tensors) process.stdout.write(`  ${t.name} ${t.type} [${t.shape.join(', ')}]\n`);
    });
}
