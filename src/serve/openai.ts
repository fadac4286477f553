/**
 * OpenAI's API (`/v1/...`): the wire format over ModelService, as ./ollama.ts is for Ollama's.
 * Routes are added here; errors under /v1/ take OpenAI's shape through registerErrorShape (./http.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ModelService } from './service';

export function registerOpenAIRoutes(_app: FastifyInstance, _service: ModelService): void {
  // no routes yet: GET /v1/models, POST /v1/chat/completions, /v1/completions, /v1/embeddings come here
}
