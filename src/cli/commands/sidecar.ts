/** `cogito inspect`, `cogito export` and `cogito sidecar create`: look at, export and make sidecar GGUFs. */
import type { Command } from 'commander';
import { InvalidOptionError, loadModel, type ModelInfo } from '../../engine';
import {
  ENCODER_TYPES,
  createSidecar,
  inspectSidecar,
  writeSidecar,
  type EncoderType,
  type SidecarReport,
} from '../../sidecar';
import { exportSidecar, writeCheckpoint } from '../../loom/checkpoint';
import { describeProvenance, readProvenance } from '../../convert';
import { printJson } from '../output';
import { parseInteger, parseNumber } from '../parse';

/** Loads a model only for its info (shape and fingerprint), then frees it. */
async function modelInfo(file: string): Promise<ModelInfo> {
  const model = await loadModel(file);
  try {
    return model.info;
  } finally {
    await model.dispose();
  }
}

/** Metadata floats are stored as f32: print the value that was written, not its binary expansion. */
const f32 = (x: number): string => String(Number(x.toPrecision(7)));

function printReport(r: SidecarReport): void {
  const c = r.config;
  const out: string[] = [
    `${r.file}: cogito sidecar v${c.version} (${c.kind}), ${r.parameters.toLocaleString('en-US')} parameters, ${r.fileSize} bytes`,
    `  base: ${c.base.architecture}, n_embd ${c.base.nEmbd}, ${c.base.nLayer} layers, fingerprint ${c.base.fingerprint}`,
    `  encoder: ${c.encoder.type}, ${c.encoder.nTokens} cognitive tokens` +
      (c.encoder.type === 'transformer' ? `, ${c.encoder.heads} heads, ff ${c.encoder.ff}` : ''),
    `  target layers: ${c.targetLayers.join(', ')}; injection layers: ${c.injectLayers.join(', ')}`,
    `  cross-attention: bottleneck ${c.bottleneck}, ${c.heads} heads; gate init ${f32(c.gateInit)}; rms eps ${f32(c.rmsEps)}`,
    `  decision: refuse below confidence ${f32(c.threshold)} with ${JSON.stringify(c.refusal)}; AGC floor ${f32(c.agc.floor)}, tau ${f32(c.agc.tau)}`,
    `  tensors (all f32):`,
    ...r.tensors.map((t) => `    ${t.name} [${t.shape.join(', ')}] ${t.parameters}`),
  ];
  const b = r.binding;
  if (b) {
    out.push(b.binds ? `  binds to ${b.model}${b.warning ? ` with a warning: ${b.warning}` : ''}` : `  does NOT bind to ${b.model}: ${b.error}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

interface CreateFlags {
  model: string;
  out?: string;
  runDir?: string;
  encoder: string;
  seed: number;
  gateInit?: number;
  encoderGateInit?: number;
  targetLayers?: string;
  injectLayers?: string;
  bottleneck?: number;
  heads?: number;
  tokens?: number;
  initScale?: number;
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('print a sidecar\'s metadata, tensor shapes, parameter count and base binding (exit 1 if --model does not bind)')
    .argument('<sidecar>', 'sidecar GGUF')
    .option('--json', 'print JSON')
    .option('-m, --model <path>', 'also check whether the sidecar binds to this model')
    .option('--force', 'with --model: accept a fingerprint mismatch (as a warning)')
    .action(async (file: string, f: { json?: boolean; model?: string; force?: boolean }) => {
      const model = f.model ? await modelInfo(f.model) : undefined;
      const report = await inspectSidecar(file, { model, force: f.force });
      // a model cogito converted says where it came from
      const modelProvenance = f.model ? await readProvenance(f.model) : null;
      if (f.json) printJson(modelProvenance ? { ...report, modelProvenance } : report);
      else {
        printReport(report);
        if (modelProvenance) process.stdout.write(`  model ${describeProvenance(modelProvenance)}\n`);
      }
      if (report.binding && !report.binding.binds) process.exitCode = 1;
    });

  program
    .command('export')
    .description('write a sidecar GGUF from a run directory\'s checkpoint (checked against run.json\'s model)')
    .requiredOption('--run-dir <dir>', 'run directory (run.json + checkpoints/)')
    .option('-o, --out <path>', 'output sidecar (default <run-dir>/sidecar.gguf)')
    .action(async (f: { runDir: string; out?: string }) => {
      const r = await exportSidecar(f.runDir, f.out);
      process.stdout.write(`wrote ${r.path} from ${r.checkpoint}\n`);
    });

  const sidecar = program.command('sidecar').description('make sidecars by hand (random or neutral weights) for tests and demos');
  sidecar
    .command('create')
    .description('write a sidecar with seeded random weights for a model (or, with --run-dir, that run\'s checkpoint)')
    .requiredOption('-m, --model <path>', 'the base model it binds to')
    .option('-o, --out <path>', 'output sidecar GGUF')
    .option('--run-dir <dir>', 'write the checkpoint of this run directory instead (then `cogito export`)')
    .option('--encoder <type>', ENCODER_TYPES.join(', '), 'selective')
    .option('--seed <n>', 'random seed', (v) => parseInteger(v, '--seed'), 0)
    .option('--gate-init <g>', 'injection gates (0: exactly neutral)', (v) => parseNumber(v, '--gate-init'))
    .option('--encoder-gate-init <g>', 'encoder gates (default 1)', (v) => parseNumber(v, '--encoder-gate-init'))
    .option('--target-layers <spec>', 'early, mid, late, all, or indices like 2,5-7 (default late)')
    .option('--inject-layers <spec>', 'same forms (default late)')
    .option('--bottleneck <n>', 'cross-attention width (default min(256, n_embd))', (v) => parseInteger(v, '--bottleneck'))
    .option('--heads <n>', 'cross-attention heads', (v) => parseInteger(v, '--heads'))
    .option('--tokens <n>', 'cognitive tokens of a multi_token encoder (default 4)', (v) => parseInteger(v, '--tokens'))
    .option('--init-scale <s>', 'scale of the random weights (default 1)', (v) => parseNumber(v, '--init-scale'))
    .action(async (f: CreateFlags) => {
      if (!(ENCODER_TYPES as readonly string[]).includes(f.encoder)) throw new InvalidOptionError(`--encoder must be one of ${ENCODER_TYPES.join(', ')} (got "${f.encoder}")`);
      if (!f.out === !f.runDir) throw new InvalidOptionError('give exactly one of -o/--out and --run-dir');
      const info = await modelInfo(f.model);
      const made = createSidecar(info, {
        encoder: f.encoder as EncoderType, seed: f.seed, gateInit: f.gateInit, encoderGateInit: f.encoderGateInit,
        targetLayers: f.targetLayers, injectLayers: f.injectLayers, bottleneck: f.bottleneck, heads: f.heads,
        tokens: f.tokens, initScale: f.initScale,
      });
      const file = f.runDir ? await writeCheckpoint(f.runDir, made) : f.out!;
      if (!f.runDir) await writeSidecar(file, made);
      process.stdout.write(`wrote ${file} (${made.config.encoder.type}, layers ${made.config.targetLayers.join(',')} → ${made.config.injectLayers.join(',')})\n`);
    });
}
