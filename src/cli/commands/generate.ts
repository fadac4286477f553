import { InvalidArgumentError, type Command } from 'commander';
import * as fs from 'node:fs';
import {
  defaultModelPath, defaultSidecarPath, InvalidJsonSchemaError, InvalidOptionError, jsonSchemaToGrammar, l2norm, loadModel, NotFoundError,
  type GeneratedToken, type GenerationResult, type JsonSchema, type LayerSelection, type Model, type SamplingOptions,
} from '../../engine';
import { about } from '../errors';
import { TwoPass, type TwoPassResult } from '../../sidecar';
import { printJson } from '../output';
import { addSamplingOptions, parseInteger, parseNumber, samplingOptions, type SamplingFlags } from '../parse';

interface GenerateFlags extends SamplingFlags {
  model?: string;
  maxTokens: number;
  stop?: string[];
  contextSize?: number;
  threads?: number;
  json?: boolean;
  taps?: string;
  sidecar?: string | false;
  force?: boolean;
  agc?: boolean;
  dynamicRefresh?: number | true;
  reevaluate?: boolean;
  grammar?: string;
  jsonSchema?: string;
  chat?: boolean;
  chatTemplate?: string;
  promptTokens?: number[];
}

export function parseLayerSelection(value: string): LayerSelection {
  if (value === 'all' || value === 'late') return value;
  // an empty entry (",,", "3,") is a typo, not layer 0
  return value.split(',').map((v) => parseInteger(v.trim(), '--taps'));
}

/** A prompt given as token ids: "1,403,407" (each a non-negative integer; the model checks its range). */
export function parsePromptTokens(value: string): number[] {
  const ids = value.split(',').map((v) => v.trim());
  if (ids.some((v) => !/^\d+$/.test(v))) throw new InvalidArgumentError(`--prompt-tokens expects comma-separated token ids, got "${value}"`);
  return ids.map(Number);
}

/** A cosine similarity below which the sidecar re-encodes: within [0, 1]. */
export function parseRefreshThreshold(value: string): number {
  const t = parseNumber(value, '--dynamic-refresh');
  if (t < 0 || t > 1) throw new InvalidArgumentError(`--dynamic-refresh expects a cosine similarity from 0 to 1, got "${value}"`);
  return t;
}

export function register(program: Command): void {
  addSamplingOptions(
    program
      .command('generate')
      .description('continue a prompt with the model (the default model in models/ unless --model is given)')
      .argument('[prompt]', 'the text to continue (or --prompt-tokens)')
      .option('--prompt-tokens <ids>', 'the prompt as comma-separated token ids, used as given (no BOS added): 1,403,407', parsePromptTokens)
      .option('-m, --model <path>', 'GGUF model file')
      .option('-n, --max-tokens <n>', 'tokens to generate', (v) => parseInteger(v, '--max-tokens'), 64)
  )
    .option('--stop <text...>', 'stop sequences')
    .option('-c, --context-size <n>', 'context size', (v) => parseInteger(v, '--context-size'))
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--taps <layers>', 'tap the residual stream: all, late, or a comma-separated list of layers')
    .option('--json', 'print {text, tokens, taps?, decision?} as JSON')
    .option('--sidecar <path>', 'two-pass inference with this sidecar GGUF: the answer, or an honest refusal (default: the default model\'s sidecar in sidecars/, when it ships)')
    .option('--no-sidecar', 'plain generation, without the default sidecar')
    .option('--force', 'run a sidecar made for other weights of the same shape (a warning instead of an error)')
    .option('--agc', "scale the sidecar's injection down over long generations (adaptive gate control)")
    .option('--dynamic-refresh [threshold]', 're-encode when the tapped state drifts below this cosine similarity (default 0.9)', parseRefreshThreshold)
    .option('--reevaluate', 're-read the whole prompt in pass 2 instead of reusing the cache (for comparison)')
    .option('--grammar <file>', 'constrain the output to this GBNF grammar (from its rule root)')
    .option('--json-schema <file>', 'constrain the output to JSON that satisfies this JSON Schema')
    .option('--chat', "ask the prompt as a user message in the model's chat template (the default model's: its Question/Answer format)")
    .option('--chat-template <template>', 'with --chat, this template: a llama.cpp built-in name, a Jinja template llama.cpp recognises, or a plain template as JSON')
    .action(async (text: string | undefined, flags: GenerateFlags) => {
      if ((text === undefined) === (flags.promptTokens === undefined)) throw new InvalidOptionError('give either a prompt or --prompt-tokens', 'INVALID_ARGUMENT');
      if (flags.promptTokens && flags.chat) throw new InvalidOptionError('--prompt-tokens are used as given: they cannot be combined with --chat', 'INVALID_ARGUMENT');
      // before the model loads: a bad grammar or schema file is reported at once
      const grammar = readConstraint(flags);
      if (flags.chatTemplate !== undefined && !flags.chat) throw new InvalidOptionError('--chat-template needs --chat', 'INVALID_ARGUMENT');
      const model = await loadModel(flags.model ?? defaultModelPath());
      try {
        let prompt: string;
        let input: Prompt;
        let stop = flags.stop;
        if (flags.promptTokens) {
          // checked before detokenizing: an id outside the vocabulary must not reach llama.cpp
          model.checkTokens(flags.promptTokens);
          input = flags.promptTokens;
          prompt = model.detokenize(input);
        } else {
          const message = text as string;
          // with --chat the model sees the message in its template, and the template's turn end stops it
          const template = flags.chat ? model.chatTemplate(flags.chatTemplate) : undefined;
          prompt = template ? template.render([{ role: 'user', content: message }]) : message;
          input = template ? template.tokenize([{ role: 'user', content: message }]) : message;
          if (template && template.stop.length > 0) stop = [...template.stop, ...(flags.stop ?? [])];
        }
        const sampling = {
          maxTokens: flags.maxTokens, ...samplingOptions(flags), stop, grammar,
        };
        const sidecar = chooseSidecar(flags);
        const stream = sidecar ? await twoPass(model, { ...flags, sidecar }, input, sampling) : await plain(model, flags, input, sampling);
        await print(prompt, stream, !!flags.json, grammar !== undefined);
      } finally {
        await model.dispose();
      }
    });
}

/** Text, or token ids used as they are. */
type Prompt = string | number[];

type Sampling = SamplingOptions & { maxTokens: number; stop?: string[]; grammar?: string };

function readFileText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`${file}: no such file`);
    throw new InvalidOptionError(`${file}: cannot be read (${code ?? (err as Error).message})`, 'INVALID_ARGUMENT');
  }
}

/** The GBNF of --grammar, or of --json-schema converted by llama.cpp's converter; undefined without either. */
export function readConstraint(flags: { grammar?: string; jsonSchema?: string }): string | undefined {
  if (flags.grammar !== undefined && flags.jsonSchema !== undefined) throw new InvalidOptionError('--grammar and --json-schema cannot be combined', 'INVALID_ARGUMENT');
  if (flags.grammar !== undefined) return readFileText(flags.grammar);
  if (flags.jsonSchema === undefined) return undefined;
  const file = flags.jsonSchema;
  return about(file, () => {
    let schema: unknown;
    try {
      schema = JSON.parse(readFileText(file));
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      throw new InvalidJsonSchemaError(`not JSON: ${err.message}`, 'INVALID_JSON_SCHEMA');
    }
    if (schema !== true && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
      throw new InvalidJsonSchemaError('a JSON Schema is an object (or true)', 'INVALID_JSON_SCHEMA');
    }
    return jsonSchemaToGrammar(schema as JsonSchema);
  });
}
type Stream = AsyncGenerator<GeneratedToken, GenerationResult | TwoPassResult>;

/** An explicit --sidecar; else the shipped one for the default model, unless --no-sidecar, --model, --taps, --grammar or --json-schema. */
function chooseSidecar(flags: GenerateFlags): string | undefined {
  if (typeof flags.sidecar === 'string') return flags.sidecar;
  // constrained output cannot take the form of the sidecar's refusal: plain generation unless asked
  if (flags.sidecar === false || flags.model || flags.taps || flags.grammar || flags.jsonSchema) return undefined;
  const shipped = defaultSidecarPath();
  return fs.existsSync(shipped) ? shipped : undefined;
}

async function plain(model: Model, flags: GenerateFlags, prompt: Prompt, sampling: Sampling): Promise<Stream> {
  const ctx = await model.createContext({ contextSize: flags.contextSize, threads: flags.threads, onWarning: (w) => process.stderr.write(`warning: ${w}\n`) });
  const taps = flags.taps ? { layers: parseLayerSelection(flags.taps), mode: 'last' as const } : undefined;
  return ctx.generate(prompt, { ...sampling, taps });
}

async function twoPass(model: Model, flags: GenerateFlags & { sidecar: string }, prompt: Prompt, sampling: Sampling): Promise<Stream> {
  if (flags.taps) throw new InvalidOptionError('--taps cannot be combined with --sidecar', 'INVALID_ARGUMENT');
  const pipe = await TwoPass.load(model, flags.sidecar, { force: flags.force, contextSize: flags.contextSize, threads: flags.threads });
  if (pipe.warning) process.stderr.write(`warning: ${pipe.warning}\n`);
  const dynamicRefresh = flags.dynamicRefresh === undefined ? undefined : flags.dynamicRefresh === true ? true : { threshold: flags.dynamicRefresh };
  return pipe.generate(prompt, { ...sampling, agc: flags.agc, dynamicRefresh, reevaluate: flags.reevaluate });
}

async function print(prompt: string, stream: Stream, json: boolean, constrained: boolean): Promise<void> {
  // the stream checks its options when first advanced: advance it before echoing the prompt, so a
  // bad option is an error alone on stderr, not one after a prompt that seemed to run
  let r = await stream.next();
  if (!json) process.stdout.write(prompt);
  for (;; r = await stream.next()) {
    if (!r.done) {
      if (!json) process.stdout.write(r.value.text);
      continue;
    }
    const result = r.value;
    const decision = 'decision' in result ? result.decision : undefined;
    // only a generation the model ended itself is known to match the grammar
    const incomplete = constrained && result.stopReason !== 'eog'
      ? `warning: generation stopped (${result.stopReason}) before the grammar was complete: the output may not parse\n` : '';
    if (json) {
      process.stderr.write(incomplete);
      printJson({
        text: result.text,
        stopReason: result.stopReason,
        tokens: result.tokens.map((t) => ({ id: t.id, text: t.text, logprob: t.logprob, entropy: t.entropy })),
        ...(result.taps ? { taps: result.taps.map((t) => ({ layer: t.layer, shape: t.shape, norm: l2norm(t.data) })) } : {}),
        ...(decision ? { decision, refused: (result as TwoPassResult).refused } : {}),
      });
      return;
    }
    process.stdout.write('\n');
    process.stderr.write(incomplete);
    for (const t of result.taps ?? []) process.stdout.write(`tap l_out-${t.layer} [${t.shape.join('x')}] norm ${l2norm(t.data).toFixed(4)}\n`);
    if (decision) {
      const layers = decision.confidences.map((c) => `${c.layer}:${c.confidence.toFixed(3)}`).join(' ');
      process.stdout.write(`sidecar: confidence ${decision.confidence.toFixed(3)} (threshold ${decision.threshold.toFixed(3)}; layers ${layers})${decision.refuse ? ' -> refuse' : ''}\n`);
    }
    return;
  }
}
