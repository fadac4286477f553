/**
 * HTTP plumbing the API modules share: a signal that fires when the client goes away, a streamed
 * response that begins only with its first piece (so a request that fails before producing
 * anything still gets a proper status), and each API's error shape.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Aborts when the connection closes before the response was fully written: a client that
 * disconnects (or aborts its fetch) stops its generation at the next token and frees its slot.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', onClose);
  return controller.signal;
}

/** A streamed response body: NDJSON lines or server-sent events, written as they are produced. */
export class ResponseStream {
  private body: PassThrough | null = null;

  constructor(
    private readonly reply: FastifyReply,
    private readonly contentType: string,
  ) {}

  /** Whether the response has begun (its status and headers are sent). */
  get started(): boolean {
    return this.body !== null;
  }

  write(chunk: string): void {
    if (!this.body) {
      this.body = new PassThrough();
      // fastify pipes the stream: its hooks, logs and metrics see the response as any other
      void this.reply.header('content-type', this.contentType).header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(this.body);
    }
    if (!this.body.destroyed) this.body.write(chunk);
  }

  end(): void {
    this.body?.end();
  }
}

/**
 * Builds the error body one API sends for a status and message (Ollama's `{"error": "..."}` by
 * default); `err` is the thrown value, for an API whose shape names more (OpenAI's `param`).
 */
export type ErrorShape = (status: number, message: string, code: string | null, err: unknown) => unknown;

const shapes = new WeakMap<FastifyInstance, { prefix: string; shape: ErrorShape }[]>();

export const ollamaErrorShape: ErrorShape = (_status, message) => ({ error: message });

/** Errors on routes under `prefix` (e.g. "/v1/") take this shape; the longest matching prefix wins. */
export function registerErrorShape(app: FastifyInstance, prefix: string, shape: ErrorShape): void {
  const list = shapes.get(app) ?? [];
  list.push({ prefix, shape });
  list.sort((a, b) => b.prefix.length - a.prefix.length);
  shapes.set(app, list);
}

export function errorShapeFor(app: FastifyInstance, url: string): ErrorShape {
  return shapes.get(app)?.find((s) => url.startsWith(s.prefix))?.shape ?? ollamaErrorShape;
}
