/**
 * The request bodies of OpenAI's API as cogito serve accepts them: JSON schemas that fastify checks
 * before a handler runs (a wrong type is a 400 naming the field), and the types they admit.
 * Fields a client may send as `null` (OpenAI's SDKs and frameworks do) are nullable; fields cogito
 * cannot honour are typed here and refused by the handlers with a message that says why.
 * Unknown fields are accepted and ignored, as OpenAI's own clients add new ones over time.
 */

const nullable = (type: string) => ({ type: [type, 'null'] });
const modelName = { type: 'string', minLength: 1 };
const stop = { type: ['string', 'array', 'null'], items: { type: 'string' } };

/** What both generation routes take: sampling, limits, stop strings, streaming, penalties. */
const generationProperties = {
  model: modelName,
  stream: nullable('boolean'),
  stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' }, include_obfuscation: { type: 'boolean' } } },
  max_tokens: { type: ['integer', 'null'], minimum: 1 },
  temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
  top_p: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1 },
  // llama-server's extensions, which OpenAI-compatible clients send to local servers
  top_k: { type: ['integer', 'null'], minimum: 0 },
  min_p: { type: ['number', 'null'], minimum: 0, exclusiveMaximum: 1 },
  repeat_penalty: { type: ['number', 'null'], exclusiveMinimum: 0 },
  ignore_eos: nullable('boolean'),
  seed: nullable('integer'),
  stop,
  n: { type: ['integer', 'null'], minimum: 1 },
  frequency_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
  presence_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
  logit_bias: { type: ['object', 'null'] },
  user: nullable('string'),
};

const contentPart = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' }, text: { type: 'string' } },
};

const chatMessage = {
  type: 'object',
  required: ['role'],
  properties: {
    role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
    content: { type: ['string', 'array', 'null'], items: contentPart },
    name: { type: 'string' },
    refusal: nullable('string'),
    tool_calls: { type: ['array', 'null'] },
    function_call: { type: ['object', 'null'] },
    tool_call_id: { type: 'string' },
  },
};

const responseFormat = {
  type: ['object', 'null'],
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['text', 'json_object', 'json_schema'] },
    json_schema: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        description: { type: 'string' },
        schema: { type: 'object' },
        strict: nullable('boolean'),
      },
    },
  },
};

export const chatCompletionBody = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    ...generationProperties,
    messages: { type: 'array', minItems: 1, items: chatMessage },
    max_completion_tokens: { type: ['integer', 'null'], minimum: 1 },
    logprobs: nullable('boolean'),
    top_logprobs: { type: ['integer', 'null'], minimum: 0, maximum: 20 },
    response_format: responseFormat,
    tools: { type: ['array', 'null'] },
    tool_choice: { type: ['string', 'object', 'null'] },
    parallel_tool_calls: nullable('boolean'),
    functions: { type: ['array', 'null'] },
    function_call: { type: ['string', 'object', 'null'] },
    modalities: { type: ['array', 'null'], items: { type: 'string' } },
    audio: { type: ['object', 'null'] },
    prediction: { type: ['object', 'null'] },
    reasoning_effort: nullable('string'),
    web_search_options: { type: ['object', 'null'] },
    store: nullable('boolean'),
    metadata: { type: ['object', 'null'] },
    service_tier: nullable('string'),
  },
};

export const completionBody = {
  type: 'object',
  required: ['model', 'prompt'],
  properties: {
    ...generationProperties,
    // a string, a list of strings, a list of token ids or a list of those
    prompt: { type: ['string', 'array'] },
    logprobs: { type: ['integer', 'null'], minimum: 0, maximum: 20 },
    echo: nullable('boolean'),
    suffix: nullable('string'),
    best_of: { type: ['integer', 'null'], minimum: 1 },
    // not OpenAI's, but llama-server's and vLLM's: constrained output on completions too
    response_format: responseFormat,
  },
};

export const embeddingBody = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: modelName,
    // a string, a list of strings, a list of token ids or a list of those
    input: { type: ['string', 'array'] },
    encoding_format: { type: 'string', enum: ['float', 'base64'] },
    dimensions: { type: 'integer', minimum: 1 },
    user: nullable('string'),
  },
};

// ---- the types the schemas admit ----

export interface ContentPart {
  type: string;
  text?: string;
}

export interface ChatMessageBody {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | ContentPart[] | null;
  name?: string;
  refusal?: string | null;
  tool_calls?: unknown[] | null;
  function_call?: object | null;
  tool_call_id?: string;
}

export interface ResponseFormat {
  type: 'text' | 'json_object' | 'json_schema';
  json_schema?: { name?: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null };
}

export interface GenerationBody {
  model: string;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  min_p?: number | null;
  repeat_penalty?: number | null;
  ignore_eos?: boolean | null;
  seed?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  logit_bias?: Record<string, unknown> | null;
  user?: string | null;
}

export interface ChatCompletionBody extends GenerationBody {
  messages: ChatMessageBody[];
  max_completion_tokens?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  response_format?: ResponseFormat | null;
  tools?: unknown[] | null;
  tool_choice?: string | object | null;
  functions?: unknown[] | null;
  function_call?: string | object | null;
  modalities?: string[] | null;
  audio?: object | null;
  prediction?: object | null;
  reasoning_effort?: string | null;
  web_search_options?: object | null;
}

export interface CompletionBody extends GenerationBody {
  prompt: string | unknown[];
  logprobs?: number | null;
  echo?: boolean | null;
  suffix?: string | null;
  best_of?: number | null;
  response_format?: ResponseFormat | null;
}

export interface EmbeddingBody {
  model: string;
  input: string | unknown[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string | null;
}
