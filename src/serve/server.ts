/**
 * The HTTP server of `cogito serve`: a fastify app around one ModelService, with what every API
 * shares — authentication, health, metrics, request logs, body limits, and one error handler
 * that turns every failure into a status (./errors.ts) and the API's own error shape (./http.ts).
 * The APIs themselves are route modules registered here (./ollama.ts, ./openai.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { InvalidOptionError, NotFoundError } from '../util/errors';
import { errorMessage, httpStatus, QueueFullError, UnauthorizedError } from './errors';
import { errorShapeFor } from './http';
import { ServerMetrics } from './metrics';
import { registerOllamaRoutes } from './ollama';
import { registerOpenAIRoutes } from './openai';
import { ModelService, type ServiceOptions } from './service';

export interface ServerOptions extends ServiceOptions {
  /** Interface to bind (default 127.0.0.1: loopback only). */
  host?: string;
  /** Port (default 11435; 0 picks a free one). */
  port?: number;
  /** Every route but /health then needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Largest request body in bytes (default 1 MiB); a larger one is refused with 413. */
  bodyLimit?: number;
  /** Request logs (pino JSON lines) on stderr at this level, or false for none (default "info"). */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | false;
}

export const DEFAULT_PORT = 11435;
export const DEFAULT_HOST = '127.0.0.1';

export interface CogitoServer {
  readonly app: FastifyInstance;
  readonly service: ModelService;
  readonly metrics: ServerMetrics;
  /** Starts listening (the model keeps loading meanwhile); resolves to the base URL. */
  listen(): Promise<string>;
  /** The base URL once listening (http://host:port). */
  readonly url: string;
  /** Stops taking connections, lets requests in flight finish, then frees the model. */
  close(): Promise<void>;
}

/** Builds the server and starts loading the model; call listen() to serve. */
export function createServer(options: ServerOptions): CogitoServer {
  // before anything loads: a bad option must not leave a model loading behind the error
  if (options.apiKey !== undefined && options.apiKey.length === 0) throw new InvalidOptionError('the API key must not be empty', 'INVALID_ARGUMENT');
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new InvalidOptionError(`the port must be an integer from 0 to 65535 (got ${options.port})`, 'INVALID_ARGUMENT');
  }
  if (options.bodyLimit !== undefined && (!Number.isInteger(options.bodyLimit) || options.bodyLimit < 1)) {
    throw new InvalidOptionError(`the body limit must be a positive number of bytes (got ${options.bodyLimit})`, 'INVALID_ARGUMENT');
  }
  let metrics: ServerMetrics | null = null;
  const service = ModelService.start({ ...options, observer: { completion: (c) => metrics?.completion(c), embedding: (n) => metrics?.embedding(n) } });
  metrics = new ServerMetrics(() => service.occupancy);
  const app = buildApp(options, service, metrics);
  let url = '';
  return {
    app,
    service,
    metrics,
    get url() {
      return url;
    },
    async listen() {
      await app.listen({ host: options.host ?? DEFAULT_HOST, port: options.port ?? DEFAULT_PORT });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error(`unexpected server address ${String(address)}`);
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}`;
      return url;
    },
    async close() {
      const closing = app.close();
      // a keep-alive connection whose request was in flight when close() began goes idle only
      // afterwards, and would hold the server open for its keep-alive timeout: close each as it does
      const sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await closing;
      } finally {
        clearInterval(sweeper);
      }
      await service.close();
    },
  };
}

function buildApp(options: ServerOptions, service: ModelService, metrics: ServerMetrics): FastifyInstance {
  const logLevel = options.logLevel ?? 'info';
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const fastifyOptions: FastifyServerOptions = {
    logger: logLevel === false ? false : { level: logLevel, stream: process.stderr },
    bodyLimit,
    // a wrong type is a 400, not silently coerced ("5" is not a number); unknown fields are kept for the handlers to judge
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, allowUnionTypes: true } },
    // idle keep-alive connections must not hold a draining server open
    forceCloseConnections: 'idle',
  };
  const app = Fastify(fastifyOptions);

  // clients that post JSON without saying so (curl -d sends a form content type, fetch text/plain) are read as JSON, as Ollama does
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  const expected = options.apiKey === undefined ? null : digest(options.apiKey);
  app.addHook('onRequest', async (request) => {
    if (expected === null || request.url === '/health') return;
    const header = request.headers.authorization;
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : null;
    if (given === null) throw new UnauthorizedError('this server needs an API key: send "Authorization: Bearer <key>"');
    if (!timingSafeEqual(digest(given), expected)) throw new UnauthorizedError('the API key is not valid for this server');
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode);
  });

  app.setErrorHandler((err, request, reply) => {
    const status = httpStatus(err);
    const message = status === 413 ? `the request body is larger than this server's limit of ${bodyLimit} bytes (--body-limit)` : errorMessage(err, status);
    if (status >= 500 && status !== 503) request.log.error({ err }, 'request failed');
    else request.log.info({ status, message }, 'request refused');
    if (err instanceof QueueFullError) void reply.header('retry-after', String(err.retryAfterSeconds));
    if (err instanceof UnauthorizedError) void reply.header('www-authenticate', 'Bearer');
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : null;
    return reply.status(status).send(errorShapeFor(app, request.url)(status, message, code, err));
  });

  app.setNotFoundHandler((request) => {
    throw new NotFoundError(`no such endpoint: ${request.method} ${request.url.split('?')[0]} (see docs/serve.md for the routes cogito serve answers)`);
  });

  app.get('/health', async (_request, reply) => {
    const state = service.state;
    return reply.status(state === 'ready' ? 200 : 503).send({ status: state === 'ready' ? 'ok' : state });
  });

  app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.contentType).send(await metrics.text()));

  registerOllamaRoutes(app, service);
  registerOpenAIRoutes(app, service);
  return app;
}

/** Keys are compared as hashes: equal lengths for timingSafeEqual, whatever was sent. */
function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
