import { Ollama } from 'ollama';
import * as path from 'node:path';
import { createServer, type CogitoServer, type ServerOptions } from '../../src/serve';
import { repoRoot } from './engine';

export const defaultModel = path.join(repoRoot, 'models', 'default.gguf');
export const defaultSidecar = path.join(repoRoot, 'sidecars', 'default.gguf');

export interface RunningServer {
  server: CogitoServer;
  url: string;
  ollama: Ollama;
  close(): Promise<void>;
}

/** A real `cogito serve` on 127.0.0.1 at a free port, its model loaded, logs off. */
export async function startServer(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const server = createServer({ modelPath: defaultModel, sidecarPath: null, host: '127.0.0.1', port: 0, logLevel: false, ...options });
  const url = await server.listen();
  await server.service.ready;
  const headers: Record<string, string> = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {};
  return { server, url, ollama: new Ollama({ host: url, headers }), close: () => server.close() };
}

/** Posts JSON (or a raw string body) and returns the status, headers and parsed body. */
export async function post(url: string, body: unknown, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the text is the body
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}
