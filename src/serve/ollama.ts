/**
 * Ollama's API (docs/serve.md lists every field supported and every one left out): the wire
 * format only — requests are checked by their JSON schemas and translated to ModelService calls,
 * results to Ollama's responses. NDJSON streaming unless `"stream": false`; errors as `{"error": "..."}`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { InvalidOptionError, NotFoundError } from '../util/errors';
import { errorMessage, httpStatus } from './errors';
import { clientGone, ResponseStream } from './http';
import type { Completion, CompletionOptions, CompletionToken, ModelDescription, ModelService } from './service';

/** The Ollama release whose API this follows (GET /api/version); clients gate features on it. */
export const OLLAMA_API_VERSION = '0.13.0';

const COGITO_VERSION: string = (() => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

// ---- request schemas (fastify validates before a handler runs: a wrong type is a 400) ----

const keepAlive = { type: ['string', 'number'] };
const modelName = { type: 'string', minLength: 1 };

/** Ollama's runtime options: the ones cogito applies are typed strictly; the others are accepted and ignored. */
const optionsSchema = {
  type: 'object',
  properties: {
    temperature: { type: 'number', minimum: 0 },
    top_k: { type: 'integer', minimum: 0 },
    top_p: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    min_p: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    seed: { type: 'integer', minimum: -1, maximum: 0xffffffff },
    // -1: until the model stops or the context is full; -2: fill the context (Ollama's meanings)
    num_predict: { type: 'integer', minimum: -2 },
    stop: { type: 'array', items: { type: 'string' } },
    repeat_penalty: { type: 'number', exclusiveMinimum: 0 },
    repeat_last_n: { type: 'integer', minimum: -1 },
  },
  additionalProperties: true,
};

const format = {
  anyOf: [{ type: 'string', enum: ['', 'json'] }, { type: 'object' }],
};

const generateBody = {
  type: 'object',
  required: ['model'],
  properties: {
    model: modelName,
    prompt: { type: 'string' },
    suffix: { type: 'string' },
    system: { type: 'string' },
    template: { type: 'string' },
    context: { type: 'array', items: { type: 'integer' } },
    stream: { type: 'boolean' },
    raw: { type: 'boolean' },
    format,
    images: { type: 'array' },
    keep_alive: keepAlive,
    think: { type: ['boolean', 'string'] },
    logprobs: { type: 'boolean' },
    top_logprobs: { type: 'integer', minimum: 0, maximum: 20 },
    options: optionsSchema,
  },
};

const message = {
  type: 'object',
  required: ['role'],
  properties: {
    role: { type: 'string', enum: ['system', 'user', 'assistant', 'tool'] },
    content: { type: 'string' },
    thinking: { type: 'string' },
    images: { type: 'array' },
    tool_calls: { type: 'array' },
    tool_name: { type: 'string' },
  },
};

const chatBody = {
  type: 'object',
  required: ['model'],
  properties: {
    model: modelName,
    messages: { type: 'array', items: message },
    stream: { type: 'boolean' },
    format,
    keep_alive: keepAlive,
    tools: { type: 'array' },
    think: { type: ['boolean', 'string'] },
    logprobs: { type: 'boolean' },
    top_logprobs: { type: 'integer', minimum: 0, maximum: 20 },
    options: optionsSchema,
  },
};

const embedBody = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: modelName,
    input: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    truncate: { type: 'boolean' },
    keep_alive: keepAlive,
    dimensions: { type: 'integer', minimum: 1 },
    options: optionsSchema,
  },
};

const embeddingsBody = {
  type: 'object',
  required: ['model', 'prompt'],
  properties: { model: modelName, prompt: { type: 'string' }, keep_alive: keepAlive, options: optionsSchema },
};

// `name` is the older spelling of `model` in /api/show
const showBody = {
  type: 'object',
  anyOf: [{ required: ['model'] }, { required: ['name'] }],
  properties: { model: modelName, name: modelName, verbose: { type: 'boolean' } },
};

// ---- request types (as the schemas above admit them) ----

interface OllamaOptions {
  temperature?: number;
  top_k?: number;
  top_p?: number;
  min_p?: number;
  seed?: number;
  num_predict?: number;
  stop?: string[];
  repeat_penalty?: number;
  repeat_last_n?: number;
}

interface Common {
  model: string;
  stream?: boolean;
  format?: string | Record<string, unknown>;
  keep_alive?: string | number;
  think?: boolean | string;
  logprobs?: boolean;
  top_logprobs?: number;
  options?: OllamaOptions;
}

interface GenerateBody extends Common {
  prompt?: string;
  suffix?: string;
  system?: string;
  template?: string;
  context?: number[];
  raw?: boolean;
  images?: unknown[];
}

interface ChatMessageBody {
  role: string;
  content?: string;
  images?: unknown[];
  tool_calls?: unknown[];
}

interface ChatBody extends Common {
  messages?: ChatMessageBody[];
  tools?: unknown[];
}

// ---- translation ----

function checkModel(service: ModelService, name: string): void {
  if (!service.serves(name)) throw new NotFoundError(`model "${name}" not found: this server serves "${service.name}"`);
}

function unsupported(what: string): never {
  throw new InvalidOptionError(`${what} is not supported by cogito serve (see docs/serve.md)`, 'INVALID_ARGUMENT');
}

/** The ModelService options for an Ollama request's `options`, `format` and logprob fields. */
function completionOptions(body: Common, contextSize: number): CompletionOptions {
  const o = body.options ?? {};
  if (body.think) unsupported('"think" (this model has no thinking mode)');
  const numPredict = o.num_predict;
  // the schema admits "", "json" or an object (a JSON Schema)
  const json = typeof body.format === 'object' ? body.format : body.format === 'json' ? true : undefined;
  return {
    temperature: o.temperature,
    topK: o.top_k,
    topP: o.top_p,
    minP: o.min_p,
    // Ollama's -1 is a random seed
    seed: o.seed === -1 ? Math.floor(Math.random() * 0x100000000) : o.seed,
    repeatPenalty: o.repeat_penalty,
    repeatLastN: o.repeat_last_n === -1 ? contextSize : o.repeat_last_n,
    // negative (Ollama's "no limit"/"fill the context"), or absent: the context is the limit
    maxTokens: numPredict === undefined || numPredict < 0 ? contextSize : numPredict,
    stop: o.stop,
    json,
    topLogprobs: body.logprobs ? body.top_logprobs : undefined,
  };
}

/** Ollama's done_reason: "stop" when the model ended (or the sidecar answered its refusal, see cogito.refused), "length" when cut short. */
function doneReason(c: Completion): string {
  return c.finish === 'length' ? 'length' : 'stop';
}

function logprobsOf(tokens: readonly CompletionToken[]) {
  return tokens.map((t) => ({
    token: t.text,
    logprob: t.logprob,
    ...(t.top ? { top_logprobs: t.top.map((a) => ({ token: a.text, logprob: a.logprob })) } : {}),
  }));
}

function finalFields(c: Completion) {
  return {
    done: true,
    done_reason: doneReason(c),
    total_duration: c.timings.totalNs,
    // the model is loaded when the server starts: no request pays for it
    load_duration: 0,
    prompt_eval_count: c.promptTokens,
    prompt_eval_duration: c.timings.promptNs,
    eval_count: c.generatedTokens,
    eval_duration: c.timings.generationNs,
    ...(c.cogito ? { cogito: c.cogito } : {}),
  };
}

function details(d: ModelDescription) {
  return {
    parent_model: '',
    format: 'gguf',
    family: d.architecture,
    families: [d.architecture],
    parameter_size: parameterSize(d.parameterCount),
    quantization_level: d.quantization,
  };
}

/** Ollama's parameter size label: "806.8K", "1.2B". */
function parameterSize(n: number): string {
  for (const [unit, size] of [['B', 1e9], ['M', 1e6], ['K', 1e3]] as const) if (n >= size) return `${(n / size).toFixed(1).replace(/\.0$/, '')}${unit}`;
  return String(n);
}

/**
 * Answers a completion: one JSON object with `stream: false`, else NDJSON lines, a chunk per piece
 * of text and a final one with the counts. An error before the first line gets its status; one
 * after it (the status is sent) ends the stream with an `{"error": …}` line, as Ollama does.
 */
async function answer(
  reply: FastifyReply,
  stream: boolean,
  run: (extra: Pick<CompletionOptions, 'signal' | 'onText'>) => Promise<Completion>,
  chunk: (text: string, token: CompletionToken | null) => object,
  final: (c: Completion, streamed: boolean) => object,
): Promise<FastifyReply | object> {
  const signal = clientGone(reply);
  if (!stream) return final(await run({ signal }), false);
  const out = new ResponseStream(reply, 'application/x-ndjson');
  try {
    const c = await run({ signal, onText: (text, token) => out.write(`${JSON.stringify(chunk(text, token))}\n`) });
    out.write(`${JSON.stringify(final(c, true))}\n`);
  } catch (err) {
    if (!out.started) throw err;
    if (!signal.aborted) out.write(`${JSON.stringify({ error: errorMessage(err, httpStatus(err)) })}\n`);
  } finally {
    out.end();
  }
  return reply;
}

export function registerOllamaRoutes(app: FastifyInstance, service: ModelService): void {
  const stamp = () => new Date().toISOString();

  app.get('/', async (_request, reply) => reply.type('text/plain').send('cogito is running (Ollama-compatible API)'));

  app.get('/api/version', async () => ({ version: OLLAMA_API_VERSION, cogito: COGITO_VERSION }));

  app.get('/api/tags', async () => {
    const d = service.describe();
    const name = `${d.name}:latest`;
    return { models: [{ name, model: name, modified_at: d.modifiedAt.toISOString(), size: d.size, digest: d.digest, details: details(d) }] };
  });

  app.get('/api/ps', async () => {
    const d = service.describe();
    const name = `${d.name}:latest`;
    // the model stays loaded while the server runs: no expiry
    const forever = new Date(Date.UTC(9999, 0, 1)).toISOString();
    return { models: [{ name, model: name, size: d.size, digest: d.digest, details: details(d), expires_at: forever, size_vram: 0, context_length: d.contextSize }] };
  });

  app.post<{ Body: { model?: string; name?: string } }>('/api/show', { schema: { body: showBody } }, async (request) => {
    checkModel(service, (request.body.model ?? request.body.name) as string);
    const d = service.describe();
    const a = d.architecture;
    return {
      license: '',
      modelfile: `# served by cogito\nFROM ${d.path}\n`,
      parameters: '',
      template: d.chatTemplate ?? '',
      details: details(d),
      model_info: {
        'general.architecture': a,
        'general.parameter_count': d.parameterCount,
        [`${a}.context_length`]: d.trainContextSize,
        [`${a}.embedding_length`]: d.embeddingSize,
        [`${a}.block_count`]: d.layerCount,
        [`${a}.vocab_size`]: d.vocabularySize,
      },
      capabilities: ['completion', 'embedding'],
      modified_at: d.modifiedAt.toISOString(),
      cogito: { context_size: d.contextSize, sidecar: d.sidecar },
    };
  });

  app.post<{ Body: GenerateBody }>('/api/generate', { schema: { body: generateBody } }, async (request, reply) => {
    const body = request.body;
    checkModel(service, body.model);
    if (body.images?.length) unsupported('"images" (this model reads text only)');
    if (body.suffix) unsupported('"suffix" (fill-in-the-middle)');
    if (body.system || body.template) unsupported('"system" and "template" in /api/generate (the prompt is completed as given; use /api/chat for messages)');
    if (body.context?.length) unsupported('"context" (send the conversation to /api/chat instead)');
    const base = { model: body.model };
    // an empty prompt loads the model (it is loaded already), as Ollama answers it
    if (!body.prompt) return { ...base, created_at: stamp(), response: '', done: true, done_reason: 'load' };
    const prompt = body.prompt;
    const options = completionOptions(body, service.describe().contextSize);
    const wantLogprobs = body.logprobs === true;
    return answer(
      reply,
      body.stream !== false,
      (extra) => service.complete(prompt, { ...options, ...extra }),
      (text, token) => ({ ...base, created_at: stamp(), response: text, done: false, ...(wantLogprobs && token ? { logprobs: logprobsOf([token]) } : {}) }),
      (c, streamed) => ({
        ...base,
        created_at: stamp(),
        response: streamed ? '' : c.text,
        ...finalFields(c),
        ...(wantLogprobs && !streamed ? { logprobs: logprobsOf(c.tokens) } : {}),
      }),
    );
  });

  app.post<{ Body: ChatBody }>('/api/chat', { schema: { body: chatBody } }, async (request, reply) => {
    const body = request.body;
    checkModel(service, body.model);
    if (body.tools?.length) unsupported('"tools" (tool calling)');
    const messages = body.messages ?? [];
    for (const [i, m] of messages.entries()) {
      if (m.images?.length) unsupported(`"images" (message ${i}: this model reads text only)`);
      if (m.tool_calls?.length || m.role === 'tool') unsupported(`tool messages (message ${i})`);
    }
    const base = { model: body.model };
    // no messages loads the model, as Ollama answers it
    if (messages.length === 0) return { ...base, created_at: stamp(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'load' };
    const options = completionOptions(body, service.describe().contextSize);
    const conversation = messages.map((m) => ({ role: m.role, content: m.content ?? '' }));
    const wantLogprobs = body.logprobs === true;
    return answer(
      reply,
      body.stream !== false,
      (extra) => service.chat(conversation, { ...options, ...extra }),
      (text, token) => ({ ...base, created_at: stamp(), message: { role: 'assistant', content: text }, done: false, ...(wantLogprobs && token ? { logprobs: logprobsOf([token]) } : {}) }),
      (c, streamed) => ({
        ...base,
        created_at: stamp(),
        message: { role: 'assistant', content: streamed ? '' : c.text },
        ...finalFields(c),
        ...(wantLogprobs && !streamed ? { logprobs: logprobsOf(c.tokens) } : {}),
      }),
    );
  });

  app.post<{ Body: { model: string; input: string | string[]; truncate?: boolean; dimensions?: number } }>('/api/embed', { schema: { body: embedBody } }, async (request, reply) => {
    const body = request.body;
    checkModel(service, body.model);
    if (body.dimensions !== undefined) unsupported('"dimensions" (the embedding has the model\'s width)');
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const result = await service.embed(inputs, { normalize: true, truncate: body.truncate ?? true, signal: clientGone(reply) });
    return { model: body.model, embeddings: result.vectors.map((v) => Array.from(v)), total_duration: result.totalNs, load_duration: 0, prompt_eval_count: result.promptTokens };
  });

  app.post<{ Body: { model: string; prompt: string } }>('/api/embeddings', { schema: { body: embeddingsBody } }, async (request, reply) => {
    const body = request.body;
    checkModel(service, body.model);
    // Ollama answers an empty prompt with an empty embedding
    if (body.prompt.length === 0) return { embedding: [] };
    const result = await service.embed([body.prompt], { normalize: false, truncate: false, signal: clientGone(reply) });
    return { embedding: Array.from(result.vectors[0]) };
  });
}
