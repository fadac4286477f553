// cogito serve: an HTTP server speaking Ollama's (and OpenAI's) API over one model, with the
// sidecar's signal as an extra field (docs/serve.md).
export { createServer, DEFAULT_HOST, DEFAULT_PORT, type CogitoServer, type ServerOptions } from './server';
export { ModelService, modelNameOf, type CogitoSignal, type Completion, type CompletionOptions, type CompletionToken, type FinishReason, type ServiceOptions } from './service';
export { NotReadyError, QueueFullError, UnauthorizedError, httpStatus, HTTP_STATUS } from './errors';
export { renderChat } from './chat';
