/**
 * OpenAI's API (`/v1/...`; docs/serve.md lists every field supported and every one left out): the
 * wire format over ModelService, as ./ollama.ts is for Ollama's. Requests are checked by their
 * schemas (./openai-schemas.ts), fields cogito cannot honour are refused with a 400 naming them,
 * and errors take OpenAI's shape (./openai-errors.ts). `stream: true` answers with server-sent
 * events ending in `data: [DONE]`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ChatMessage } from '../engine/model';
import { errorMessage, httpStatus } from './errors';
import { clientGone, registerErrorShape, ResponseStream } from './http';
import { openAIErrorShape, OpenAIRequestError, openAISchemaError, withParam } from './openai-errors';
import { alignTokens, chatLogprob, completionLogprobs, type AlignedToken } from './openai-logprobs';
import {
  chatCompletionBody,
  completionBody,
  embeddingBody,
  type ChatCompletionBody,
  type ChatMessageBody,
  type CompletionBody,
  type EmbeddingBody,
  type GenerationBody,
  type ResponseFormat,
} from './openai-schemas';
import type { Completion, CompletionOptions, CompletionToken, ModelService } from './service';

/** OpenAI's default for /v1/completions when `max_tokens` is absent (chat has none: the context is the limit). */
const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;
/** OpenAI's limit on inputs in one embeddings request. */
const MAX_EMBEDDING_INPUTS = 2048;

type OnText = NonNullable<CompletionOptions['onText']>;

function refuse(param: string, what: string): never {
  throw new OpenAIRequestError(`${what} (see docs/serve.md)`, param);
}

function checkModel(service: ModelService, name: string): void {
  if (!service.serves(name)) {
    throw new OpenAIRequestError(`The model '${name}' does not exist: this server serves '${service.name}'`, 'model', 'model_not_found', 'NOT_FOUND');
  }
}

const seconds = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}-${randomUUID().replace(/-/g, '')}`;
/** OpenAI's `finish_reason`: the sidecar's refusal is a normal end ("stop"; cogito.refused says which). */
const finishReason = (c: Completion) => (c.finish === 'length' ? 'length' : 'stop');
const usageOf = (c: Completion) => ({
  prompt_tokens: c.promptTokens,
  completion_tokens: c.tokens.length,
  total_tokens: c.promptTokens + c.tokens.length,
  // prompt tokens the slot had cached, once the engine reports them
  ...(c.cachedPromptTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: c.cachedPromptTokens } }),
});
const signalOf = (c: Completion) => (c.cogito ? { cogito: c.cogito } : {});

/** What both generation routes take: n, penalties, logit bias, sampling, the seed, stop strings. */
function generationOptions(body: GenerationBody, maxTokens: number): CompletionOptions {
  if (body.n != null && body.n !== 1) refuse('n', `n must be 1: cogito serve generates one choice per request (got ${body.n}); send ${body.n} requests instead`);
  if (body.frequency_penalty) refuse('frequency_penalty', 'frequency_penalty is not supported (only 0); repeat_penalty is the penalty cogito applies');
  if (body.presence_penalty) refuse('presence_penalty', 'presence_penalty is not supported (only 0); repeat_penalty is the penalty cogito applies');
  if (body.logit_bias && Object.keys(body.logit_bias).length > 0) refuse('logit_bias', 'logit_bias is not supported');
  return {
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    topK: body.top_k ?? undefined,
    minP: body.min_p ?? undefined,
    repeatPenalty: body.repeat_penalty ?? undefined,
    // OpenAI's seed is any integer; the sampler's is 32-bit: the same seed still repeats the same sample
    seed: body.seed == null ? undefined : Number(BigInt.asUintN(32, BigInt(body.seed))),
    ignoreEos: body.ignore_eos ?? undefined,
    maxTokens,
    stop: body.stop == null ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop,
  };
}

/** The service's JSON constraint for `response_format`: any JSON object, or the schema given. */
function jsonConstraint(format: ResponseFormat | null | undefined): CompletionOptions['json'] {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'object' };
  if (!format.json_schema) refuse('response_format.json_schema', "response_format of type 'json_schema' needs 'json_schema': {name, schema}");
  return format.json_schema.schema ?? { type: 'object' };
}

/** The conversation as the service renders it: text content only, no tool turns. */
function conversation(messages: readonly ChatMessageBody[]): ChatMessage[] {
  return messages.map((m, i) => {
    const at = `messages[${i}]`;
    if (m.role === 'tool' || m.role === 'function') refuse(`${at}.role`, `${at} is a ${m.role} message: tool calling is not supported yet`);
    if (m.tool_calls?.length || m.function_call) refuse(`${at}.tool_calls`, `${at} holds tool calls: tool calling is not supported yet`);
    let content: string;
    if (typeof m.content === 'string') content = m.content;
    else if (Array.isArray(m.content)) {
      content = m.content
        .map((part, j) => {
          if (part.type !== 'text') refuse(`${at}.content[${j}].type`, `${at}.content[${j}] is of type '${part.type}': this model reads text only`);
          if (typeof part.text !== 'string') refuse(`${at}.content[${j}].text`, `${at}.content[${j}] has no 'text'`);
          return part.text;
        })
        .join('\n');
    } else if (m.role === 'assistant') content = '';
    else refuse(`${at}.content`, `'${at}.content' is required`);
    // developer messages are OpenAI's newer name for system messages
    return { role: m.role === 'developer' ? 'system' : m.role, content };
  });
}

/** Refuses the chat fields that ask for tools, other modalities or reasoning, which this server cannot give. */
function checkChatFields(body: ChatCompletionBody): void {
  if (body.tools?.length) refuse('tools', 'tool calling is not supported yet');
  if (body.functions?.length) refuse('functions', 'tool calling (functions) is not supported yet');
  if (body.tool_choice != null && body.tool_choice !== 'none' && body.tool_choice !== 'auto') refuse('tool_choice', 'tool calling is not supported yet');
  if (body.function_call != null && body.function_call !== 'none' && body.function_call !== 'auto') refuse('function_call', 'tool calling is not supported yet');
  if (body.modalities?.some((m) => m !== 'text')) refuse('modalities', 'only text output is supported');
  if (body.audio) refuse('audio', 'audio output is not supported');
  if (body.prediction) refuse('prediction', 'predicted outputs are not supported');
  if (body.web_search_options) refuse('web_search_options', 'web search is not supported');
  if (body.reasoning_effort != null) refuse('reasoning_effort', 'reasoning_effort is not supported: the model served is not a reasoning model');
  if (body.top_logprobs && !body.logprobs) refuse('top_logprobs', 'top_logprobs needs logprobs: true');
}

/**
 * Answers a streamed completion with server-sent events. Nothing is written before the first
 * piece of the answer, so a request refused before it (a full queue, a prompt too long) still gets
 * its status and OpenAI's error body; a failure after it ends the stream with an error event.
 */
async function streamEvents(
  reply: FastifyReply,
  signal: AbortSignal,
  promptParam: string,
  run: (onText: OnText) => Promise<Completion>,
  events: { piece: (text: string, token: CompletionToken | null) => object[]; end: (c: Completion) => object[] },
): Promise<FastifyReply> {
  const out = new ResponseStream(reply, 'text/event-stream');
  const send = (event: object) => out.write(`data: ${JSON.stringify(event)}\n\n`);
  try {
    const c = await run((text, token) => events.piece(text, token).forEach(send));
    events.end(c).forEach(send);
    out.write('data: [DONE]\n\n');
  } catch (err) {
    if (!out.started) throw withParam(err, promptParam);
    const status = httpStatus(err);
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : null;
    if (!signal.aborted) send(openAIErrorShape(status, errorMessage(err, status), code, err) as object);
  } finally {
    out.end();
  }
  return reply;
}

/** Runs a non-streamed completion, naming the prompt's field if it is refused. */
async function whole(promptParam: string, run: () => Promise<Completion>): Promise<Completion> {
  try {
    return await run();
  } catch (err) {
    throw withParam(err, promptParam);
  }
}

/**
 * Tracks what a stream has sent of the answer, so that its end can send what the engine held back
 * (text before a stop string inside the last token): streamed content always equals the whole answer.
 */
class Streamed {
  text = '';
  tokens = 0;

  add(text: string, token: CompletionToken | null): void {
    this.text += text;
    if (token) this.tokens++;
  }

  /** The rest of `c`'s text, and the tokens it holds, not yet sent. */
  rest(c: Completion): { text: string; tokens: AlignedToken[] } {
    const text = c.text.startsWith(this.text) ? c.text.slice(this.text.length) : '';
    return { text, tokens: text ? alignTokens(c.tokens, c.text).slice(this.tokens) : [] };
  }
}

export function registerOpenAIRoutes(app: FastifyInstance, service: ModelService): void {
  registerErrorShape(app, '/v1/', openAIErrorShape);
  const schemaErrorFormatter = openAISchemaError;
  const fingerprint = () => `fp_${service.describe().digest.slice(0, 16)}`;
  const modelObject = () => {
    const d = service.describe();
    return { id: d.name, object: 'model', created: Math.floor(d.modifiedAt.getTime() / 1000), owned_by: 'cogito' };
  };

  app.get('/v1/models', async () => ({ object: 'list', data: [modelObject()] }));

  // model names may hold slashes ("org/model"): the rest of the path (decoded by fastify) is the id
  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request) => {
    checkModel(service, request.params['*']);
    return modelObject();
  });

  app.post<{ Body: ChatCompletionBody }>('/v1/chat/completions', { schema: { body: chatCompletionBody }, schemaErrorFormatter }, async (request, reply) => {
    const body = request.body;
    checkModel(service, body.model);
    checkChatFields(body);
    const messages = conversation(body.messages);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? service.describe().contextSize;
    const options: CompletionOptions = { ...generationOptions(body, maxTokens), json: jsonConstraint(body.response_format) };
    const wantLogprobs = body.logprobs === true;
    const top = body.top_logprobs ?? 0;
    if (wantLogprobs && top > 0) options.topLogprobs = top;
    const signal = clientGone(reply);
    const head = { id: newId('chatcmpl'), created: seconds(), model: body.model, system_fingerprint: fingerprint() };
    const logprobsOf = (tokens: AlignedToken[]) => (wantLogprobs ? { content: tokens.map((t) => chatLogprob(t, top)), refusal: null } : null);

    if (body.stream !== true) {
      const c = await whole('messages', () => service.chat(messages, { ...options, signal }));
      return {
        ...head,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: c.text, refusal: null }, logprobs: logprobsOf(alignTokens(c.tokens, c.text)), finish_reason: finishReason(c) }],
        usage: usageOf(c),
        ...signalOf(c),
      };
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: object, logprobs: object | null, finish: string | null) => ({
      ...head,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
    const streamed = new Streamed();
    let began = false;
    // OpenAI's first chunk names the role, with empty content
    const opening = () => {
      if (began) return [];
      began = true;
      return [chunk({ role: 'assistant', content: '' }, null, null)];
    };
    return streamEvents(reply, signal, 'messages', (onText) => service.chat(messages, { ...options, signal, onText }), {
      piece: (text, token) => {
        streamed.add(text, token);
        // a token that completes no character yet is sent only for its logprob
        if (text === '' && !(wantLogprobs && token)) return [];
        return [...opening(), chunk({ content: text }, logprobsOf(token ? [{ token, text }] : []), null)];
      },
      end: (c) => {
        const rest = streamed.rest(c);
        return [
          ...opening(),
          ...(rest.text ? [chunk({ content: rest.text }, logprobsOf(rest.tokens), null)] : []),
          { ...chunk({}, null, finishReason(c)), ...signalOf(c) },
          ...(includeUsage ? [{ ...head, object: 'chat.completion.chunk', choices: [], usage: usageOf(c), ...signalOf(c) }] : []),
        ];
      },
    });
  });

  app.post<{ Body: CompletionBody }>('/v1/completions', { schema: { body: completionBody }, schemaErrorFormatter }, async (request, reply) => {
    const body = request.body;
    checkModel(service, body.model);
    const prompt = promptOf(body.prompt);
    if (body.echo) refuse('echo', 'echo is not supported');
    if (body.suffix) refuse('suffix', 'suffix (fill-in-the-middle) is not supported');
    if (body.best_of != null && body.best_of !== 1) refuse('best_of', `best_of must be 1 (got ${body.best_of})`);
    const options: CompletionOptions = { ...generationOptions(body, body.max_tokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS), json: jsonConstraint(body.response_format) };
    const top = body.logprobs ?? null;
    if (top) options.topLogprobs = top;
    const signal = clientGone(reply);
    const head = { id: newId('cmpl'), object: 'text_completion', created: seconds(), model: body.model, system_fingerprint: fingerprint() };
    const logprobsOf = (tokens: AlignedToken[], offset: number) => (top === null ? null : completionLogprobs(tokens, top, offset));

    if (body.stream !== true) {
      const c = await whole('prompt', () => service.complete(prompt, { ...options, signal }));
      return { ...head, choices: [{ text: c.text, index: 0, logprobs: logprobsOf(alignTokens(c.tokens, c.text), 0), finish_reason: finishReason(c) }], usage: usageOf(c), ...signalOf(c) };
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (text: string, logprobs: object | null, finish: string | null) => ({
      ...head,
      choices: [{ text, index: 0, logprobs, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
    const streamed = new Streamed();
    return streamEvents(reply, signal, 'prompt', (onText) => service.complete(prompt, { ...options, signal, onText }), {
      piece: (text, token) => {
        const offset = streamed.text.length;
        streamed.add(text, token);
        if (text === '' && !(top !== null && token)) return [];
        return [chunk(text, logprobsOf(token ? [{ token, text }] : [], offset), null)];
      },
      end: (c) => {
        const offset = streamed.text.length;
        const rest = streamed.rest(c);
        return [
          ...(rest.text ? [chunk(rest.text, logprobsOf(rest.tokens, offset), null)] : []),
          { ...chunk('', null, finishReason(c)), ...signalOf(c) },
          ...(includeUsage ? [{ ...head, choices: [], usage: usageOf(c), ...signalOf(c) }] : []),
        ];
      },
    });
  });

  app.post<{ Body: EmbeddingBody }>('/v1/embeddings', { schema: { body: embeddingBody }, schemaErrorFormatter }, async (request, reply) => {
    const body = request.body;
    checkModel(service, body.model);
    const inputs = embeddingInputs(body.input);
    const width = service.describe().embeddingSize;
    if (body.dimensions !== undefined && body.dimensions !== width) refuse('dimensions', `dimensions must be ${width}, this model's embedding width (the pooled vector cannot be shortened)`);
    let result;
    try {
      // OpenAI's embeddings have unit length, and an input longer than the context is refused
      result = await service.embed(inputs, { normalize: true, truncate: false, signal: clientGone(reply) });
    } catch (err) {
      throw withParam(err, 'input');
    }
    const base64 = body.encoding_format === 'base64';
    return {
      object: 'list',
      data: result.vectors.map((v, index) => ({
        object: 'embedding',
        index,
        // base64: the float32 values' little-endian bytes, as OpenAI sends them
        embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
      })),
      model: body.model,
      usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
    };
  });
}

/** The one text prompt of a /v1/completions request (a string, or a list holding one). */
function promptOf(prompt: string | unknown[]): string {
  const only = Array.isArray(prompt) && prompt.length === 1 ? prompt[0] : prompt;
  if (typeof only === 'string') {
    if (only.length === 0) refuse('prompt', "'prompt' is empty");
    return only;
  }
  const tokenIds = (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((t) => typeof t === 'number'));
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every(tokenIds)) refuse('prompt', 'a prompt of token ids is not supported: send the text');
  if (Array.isArray(prompt) && prompt.length > 1) refuse('prompt', `one prompt per request (got ${prompt.length}): send each in its own request`);
  return refuse('prompt', "'prompt' must be a string or a list of one string");
}

/** The texts of an embeddings request: a string or a list of non-empty strings. */
function embeddingInputs(input: string | unknown[]): string[] {
  const inputs = typeof input === 'string' ? [input] : input;
  if (inputs.length === 0) refuse('input', "'input' must hold at least one text");
  if (inputs.length > MAX_EMBEDDING_INPUTS) refuse('input', `'input' holds ${inputs.length} texts; at most ${MAX_EMBEDDING_INPUTS} per request`);
  return inputs.map((text, i) => {
    const at = typeof input === 'string' ? 'input' : `input[${i}]`;
    if (typeof text === 'number' || Array.isArray(text)) refuse('input', 'token-id input is not supported: send the text');
    if (typeof text !== 'string') refuse(at, `'${at}' must be a string`);
    if (text.length === 0) refuse(at, `'${at}' is empty`);
    return text;
  });
}
