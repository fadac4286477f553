/**
 * The oracle client: a remote model consulted last, over Ollama's `/api/chat` or OpenAI's
 * `/v1/chat/completions` (a `cogito serve`, Ollama, llama-server, a hosted API). Plain `fetch`,
 * one non-streamed request per query, temperature 0. Every failure is an OracleError with its own
 * code, so the cascade can degrade a claim to [UNVERIFIED] and say why.
 */
import { AbortError } from '../engine/errors';
import { CogitoError, InvalidOptionError, type ErrorCode } from '../util/errors';
import type { Oracle, OracleErrorType, OracleQuery, OracleReply } from './types';

export type OracleApi = 'ollama' | 'openai';

/**
 * How the query is worded. 'question': only the user's question, as the user turn (small models
 * trained on Question/Answer, whose chat template renders it as `Question: …\nAnswer:`).
 * 'review': a system turn and the claim, the evidence and what failed (capable chat models).
 */
export type OracleStyle = 'question' | 'review';

export interface OracleOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:11434` (for OpenAI, with or without `/v1`). */
  url: string;
  api: OracleApi;
  model: string;
  /** Limit for the whole request, reply included; default 30 000 ms. */
  timeoutMs?: number;
  /** Default 'question'. */
  style?: OracleStyle;
  /** Sent as `Authorization: Bearer …`. */
  apiKey?: string;
  /** Most tokens the oracle may answer with; default 64 ('question') or 256 ('review'). */
  maxTokens?: number;
  /** Not injectable: the client uses the platform's fetch, so tests run it against real servers. */
  fetch?: never;
}

/** The oracle failed: unreachable, too slow, an HTTP error status, or a reply that is not a chat answer. */
export class OracleError extends CogitoError {
  constructor(
    message: string,
    code: Extract<ErrorCode, 'ORACLE_UNREACHABLE' | 'ORACLE_TIMEOUT' | 'ORACLE_HTTP' | 'ORACLE_MALFORMED'>,
    /** The HTTP status (ORACLE_HTTP), else null. */
    readonly status: number | null = null,
  ) {
    super(message, code);
  }
}

const APIS: readonly OracleApi[] = ['ollama', 'openai'];
const STYLES: readonly OracleStyle[] = ['question', 'review'];
const DEFAULT_TIMEOUT_MS = 30_000;
/** Longest stretch of a server's error body quoted in a message. */
const QUOTED_CHARS = 300;

/** Answers that say the oracle does not know: lower case, compared after trimming end punctuation. */
const REFUSAL_OPENINGS = [
  "i don't know",
  'i do not know',
  'i dont know',
  "i'm not sure",
  'i am not sure',
  'not sure',
  'unknown',
  'no idea',
  "i can't answer",
  'i cannot answer',
  "i can't say",
  'i cannot say',
  "i don't have",
  'i do not have',
  "i'm unable",
  'i am unable',
  'cannot be determined',
  'n/a',
];

/** True when the oracle's text is no answer: empty, or it says it does not know. */
export function isOracleRefusal(text: string): boolean {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/^[\s"'.,:;!?-]+|[\s"'.,:;!?-]+$/g, '');
  if (t === '') return true;
  return REFUSAL_OPENINGS.some((opening) => t === opening || (t.startsWith(opening) && !/[a-z0-9]/.test(t[opening.length])));
}

const SYSTEM_PROMPT =
  'You check claims for a verification system. Answer with the correct fact in one short sentence, without explanation. ' +
  'If you do not know, answer exactly "I don\'t know".';

/** The opening of the review, by why the oracle is consulted. */
const REVIEW_OPENINGS: Record<OracleErrorType, string> = {
  'wrong-fact': 'A claim made in answer to the question contradicts the evidence found. State the correct fact.',
  'unsupported-inference': 'A claim was inferred in answer to the question, but no proof from the premises was found. Say whether it follows, and state what is true.',
  'unresolved-reference': 'A claim made in answer to the question refers to something that could not be resolved. State the fact with every name spelled out.',
  refusal: 'The assistant could not answer the question. Answer it.',
  unverified: 'A claim made in answer to the question could not be checked against any source. State the correct fact.',
};

/** The chat messages for one query. */
export function oracleMessages(query: OracleQuery, style: OracleStyle): { role: 'system' | 'user'; content: string }[] {
  if (style === 'question') return [{ role: 'user', content: query.question }];
  const lines = [REVIEW_OPENINGS[query.errorType], `Question: ${query.question}`];
  if (query.claim) lines.push(`Claim: ${query.claim}`);
  if (query.evidence) lines.push(`Evidence found: ${query.evidence}`);
  if (query.failure) lines.push(`What failed: ${query.failure}`);
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: lines.join('\n') },
  ];
}

function validate(options: OracleOptions): { endpoint: string; style: OracleStyle; timeoutMs: number; maxTokens: number } {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('oracle: options must be an object');
  const { url, api, model } = options;
  if (!APIS.includes(api)) throw new InvalidOptionError(`oracle: api must be one of ${APIS.join(', ')} (got ${JSON.stringify(api)})`);
  if (typeof model !== 'string' || model.trim() === '') throw new InvalidOptionError('oracle: model must be a non-empty name');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError(`oracle: url ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidOptionError(`oracle: url must be http or https (got ${parsed.protocol.replace(':', '')})`);
  if (parsed.search || parsed.hash) throw new InvalidOptionError('oracle: url must be the server\'s base URL, without a query or fragment');
  const style = options.style ?? 'question';
  if (!STYLES.includes(style)) throw new InvalidOptionError(`oracle: style must be one of ${STYLES.join(', ')} (got ${JSON.stringify(style)})`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new InvalidOptionError(`oracle: timeoutMs must be a positive integer (got ${timeoutMs})`);
  const maxTokens = options.maxTokens ?? (style === 'question' ? 64 : 256);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new InvalidOptionError(`oracle: maxTokens must be a positive integer (got ${maxTokens})`);
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === '' || /[\r\n]/.test(options.apiKey))) {
    throw new InvalidOptionError('oracle: apiKey must be a non-empty string on one line');
  }
  const base = parsed.href.replace(/\/+$/, '');
  const endpoint = api === 'ollama' ? `${base}/api/chat` : /\/v1$/.test(base) ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
  return { endpoint, style, timeoutMs, maxTokens };
}

/** The server's own words from an error body: Ollama's `{error}`, OpenAI's `{error:{message}}`, or the text. */
function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const e = parsed.error;
    if (typeof e === 'string') return e;
    if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: quote the text
  }
  const text = body.trim().replace(/\s+/g, ' ');
  return text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text || '(empty body)';
}

/** The answer text and model name in a chat reply, or null when the reply has no answer text. */
function answerOf(api: OracleApi, body: unknown): { text: string; model: unknown } | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as { model?: unknown; message?: { content?: unknown }; choices?: { message?: { content?: unknown } }[] };
  const content = api === 'ollama' ? b.message?.content : Array.isArray(b.choices) ? b.choices[0]?.message?.content : undefined;
  return typeof content === 'string' ? { text: content, model: b.model } : null;
}

/** A short name for a network failure: undici's `fetch failed` hides it in `cause`. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** An oracle over an Ollama- or OpenAI-compatible chat endpoint. Validates its options at once. */
export function createOracle(options: OracleOptions): Oracle {
  const { endpoint, style, timeoutMs, maxTokens } = validate(options);
  const { api, model, apiKey } = options;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const describe = `${api} oracle "${model}" at ${endpoint}`;

  async function ask(query: OracleQuery, signal?: AbortSignal): Promise<OracleReply> {
    if (typeof query?.question !== 'string' || query.question.trim() === '') throw new InvalidOptionError('oracle: the query needs a non-empty question');
    if (signal?.aborted) throw new AbortError('oracle: the query was aborted');
    const messages = oracleMessages(query, style);
    const body =
      api === 'ollama'
        ? { model, messages, stream: false, options: { temperature: 0, num_predict: maxTokens } }
        : { model, messages, stream: false, temperature: 0, max_tokens: maxTokens };
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const started = performance.now();
    /** The error for a failure while the request or its reply was in flight. */
    const inFlight = (err: unknown, during: string): CogitoError => {
      if (signal?.aborted) return new AbortError('oracle: the query was aborted');
      if (timeout.aborted) return new OracleError(`oracle ${endpoint}: no reply within ${timeoutMs} ms (${during})`, 'ORACLE_TIMEOUT');
      return new OracleError(`oracle ${endpoint} is unreachable: ${networkReason(err)}`, 'ORACLE_UNREACHABLE');
    };
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal: combined });
    } catch (err) {
      throw inFlight(err, 'waiting for the response');
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw inFlight(err, 'reading the reply');
    }
    if (!res.ok) throw new OracleError(`oracle ${endpoint} answered HTTP ${res.status}: ${serverMessage(text)}`, 'ORACLE_HTTP', res.status);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OracleError(`oracle ${endpoint}: the reply is not JSON: ${serverMessage(text)}`, 'ORACLE_MALFORMED');
    }
    const answer = answerOf(api, parsed);
    if (!answer) {
      const where = api === 'ollama' ? 'message.content' : 'choices[0].message.content';
      throw new OracleError(`oracle ${endpoint}: the reply has no ${where} string (is this an ${api === 'ollama' ? 'Ollama' : 'OpenAI'}-compatible server?)`, 'ORACLE_MALFORMED');
    }
    return {
      text: answer.text.trim(),
      model: typeof answer.model === 'string' && answer.model !== '' ? answer.model : model,
      elapsedMs: performance.now() - started,
    };
  }

  return { describe, ask };
}
