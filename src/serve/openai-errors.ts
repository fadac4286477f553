/**
 * Errors in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, for every route under
 * /v1/ (registered with registerErrorShape): the status comes from ./errors.ts as for any route;
 * this module names the error's `type`, the request field at fault (`param`) and OpenAI's own
 * `code` where OpenAI has one for the same failure, so SDKs and their users branch as they would.
 */
import type { FastifySchemaValidationError } from 'fastify';
import { CogitoError, InvalidOptionError, type ErrorCode } from '../util/errors';
import type { ErrorShape } from './http';

/** A request field cogito cannot take, naming it (OpenAI's `param`). */
export class OpenAIRequestError extends InvalidOptionError {
  constructor(
    message: string,
    /** The field at fault, as OpenAI names it: "messages[0].content", "response_format". */
    readonly param: string | null,
    /** OpenAI's code for this failure, when it has one ("model_not_found"). */
    readonly openaiCode: string | null = null,
    code: ErrorCode = 'INVALID_ARGUMENT',
  ) {
    super(message, code);
  }
}

/** OpenAI's error `type` for a status. */
function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'service_unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** OpenAI's codes for failures cogito reports under codes of its own. */
const OPENAI_CODES: Partial<Record<string, string>> = {
  CONTEXT_OVERFLOW: 'context_length_exceeded',
  UNAUTHORIZED: 'invalid_api_key',
  QUEUE_FULL: 'rate_limit_exceeded',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request_too_large',
};

/** Names the request field a failure of the service concerns (the prompt's for a context overflow). */
export function withParam(err: unknown, promptParam: string): unknown {
  if (err instanceof OpenAIRequestError || !(err instanceof CogitoError)) return err;
  if (err.code === 'CONTEXT_OVERFLOW') return new OpenAIRequestError(err.message, promptParam, 'context_length_exceeded', err.code);
  if (err.code === 'INVALID_JSON_SCHEMA' || err.code === 'INVALID_GRAMMAR') return new OpenAIRequestError(err.message, 'response_format', null, err.code);
  return err;
}

export const openAIErrorShape: ErrorShape = (status, message, code, err) => {
  const own = err instanceof OpenAIRequestError ? err : null;
  return {
    error: {
      message,
      type: errorType(status),
      param: own?.param ?? null,
      code: own?.openaiCode ?? (code === null ? null : (OPENAI_CODES[code] ?? code)),
    },
  };
};

/** "messages[0].content" from ajv's "/messages/0/content". */
function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (child !== undefined) parts.push(child);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * fastify's schemaErrorFormatter for /v1/ routes: the first failure, said of the field by its
 * OpenAI name, as an OpenAIRequestError carrying that name. Where a value fits none of several
 * types (ajv then reports each), the message lists them all.
 */
export function openAISchemaError(errors: FastifySchemaValidationError[]): Error {
  // the deepest failure says most: "messages[0].role", not "messages"
  const deepest = errors.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a), errors[0]);
  const at = errors.filter((e) => e.instancePath === deepest.instancePath);
  const required = at.find((e) => e.keyword === 'required');
  if (required) {
    const missing = (required.params as { missingProperty: string }).missingProperty;
    const field = fieldName(deepest.instancePath, missing);
    return new OpenAIRequestError(`'${field}' is required`, field);
  }
  const field = fieldName(deepest.instancePath) || 'body';
  const types = at.filter((e) => e.keyword === 'type').flatMap((e) => [(e.params as { type: string | string[] }).type].flat());
  if (types.length > 0) return new OpenAIRequestError(`'${field}' must be of type ${[...new Set(types)].join(' or ')}`, field === 'body' ? null : field);
  const first = at.find((e) => e.keyword !== 'anyOf') ?? deepest;
  const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues;
  const detail = allowed ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : (first.message ?? 'is invalid');
  return new OpenAIRequestError(`'${field}' ${detail}`, field === 'body' ? null : field);
}
