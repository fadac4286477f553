import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultModelPath, defaultSidecarPath } from '../../engine';
import { createServer, DEFAULT_HOST, DEFAULT_PORT, type CogitoServer } from '../../serve';
import { parseInteger } from '../parse';

interface ServeFlags {
  model?: string;
  sidecar?: string | false;
  force?: boolean;
  host: string;
  port: number;
  parallel: number;
  queue: number;
  apiKey?: string;
  chatTemplate?: string;
  threads?: number;
  contextSize?: number;
  bodyLimit?: number;
  quiet?: boolean;
}

/** An explicit --sidecar; else the shipped one when serving the default model, unless --no-sidecar. */
function chooseSidecar(flags: ServeFlags, modelPath: string): string | null {
  if (typeof flags.sidecar === 'string') return flags.sidecar;
  if (flags.sidecar === false) return null;
  const servesDefault = path.resolve(modelPath) === path.resolve(defaultModelPath());
  const shipped = defaultSidecarPath();
  return servesDefault && fs.existsSync(shipped) ? shipped : null;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve a model over HTTP with the Ollama API (docs/serve.md); loopback only unless --host says otherwise')
    .option('-m, --model <path>', 'GGUF model file (default: the default model in models/)')
    .option('--sidecar <path>', "report the sidecar's confidence with every answer, refusing when it is below its threshold (default: the default model's sidecar when serving it)")
    .option('--no-sidecar', 'plain generation, without a sidecar')
    .option('--force', 'run a sidecar made for other weights of the same shape')
    .option('--host <host>', 'interface to listen on', DEFAULT_HOST)
    .option('-p, --port <n>', 'port to listen on (0: any free port)', (v) => parseInteger(v, '--port'), DEFAULT_PORT)
    .option('--parallel <n>', 'requests generated at once (slots)', (v) => parseInteger(v, '--parallel'), 1)
    .option('--queue <n>', 'requests that may wait for a slot; more are answered 429', (v) => parseInteger(v, '--queue'), 16)
    .option('--api-key <key>', 'require "Authorization: Bearer <key>" on every route but /health (or set COGITO_API_KEY)')
    .option('--chat-template <template>', "chat template (Jinja, or a llama.cpp name such as chatml) instead of the model's own")
    .option('-t, --threads <n>', 'CPU threads per slot (default: what one context would take, shared among the slots)', (v) => parseInteger(v, '--threads'))
    .option('-c, --context-size <n>', "positions per slot (default: the model's training context, at most 2048)", (v) => parseInteger(v, '--context-size'))
    .option('--body-limit <bytes>', 'largest request body; larger ones are answered 413', (v) => parseInteger(v, '--body-limit'))
    .option('-q, --quiet', 'no request logs on stderr')
    .action(async (flags: ServeFlags) => {
      const modelPath = flags.model ?? defaultModelPath();
      const server = createServer({
        modelPath,
        sidecarPath: chooseSidecar(flags, modelPath),
        forceSidecar: flags.force,
        host: flags.host,
        port: flags.port,
        parallel: flags.parallel,
        queue: flags.queue,
        apiKey: flags.apiKey ?? process.env.COGITO_API_KEY,
        chatTemplate: flags.chatTemplate,
        threads: flags.threads,
        contextSize: flags.contextSize,
        bodyLimit: flags.bodyLimit,
        logLevel: flags.quiet ? 'warn' : 'info',
        onWarning: (w) => process.stderr.write(`warning: ${w}\n`),
      });
      await serveUntilSignalled(server);
    });
}

/**
 * Listens, loads, and on SIGTERM or SIGINT stops taking requests, lets those in flight finish,
 * then resolves (the process exits 0). A model that fails to load rejects (the CLI's exit status).
 */
async function serveUntilSignalled(server: CogitoServer): Promise<void> {
  let stopping: Promise<void> | null = null;
  const stopped = new Promise<void>((resolve, reject) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      process.stderr.write(`cogito serve: ${signal}: finishing the requests in flight, then exiting\n`);
      stopping = server.close().then(resolve, reject);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  const url = await server.listen();
  process.stderr.write(`cogito serve: listening on ${url}, loading ${server.service.name}\n`);
  try {
    await server.service.ready;
  } catch (err) {
    await server.app.close();
    throw err;
  }
  const d = server.service.describe();
  const load = server.service.occupancy;
  process.stderr.write(`cogito serve: ready: "${d.name}" (${d.contextSize} positions, ${load.slots} slot${load.slots === 1 ? '' : 's'}${d.sidecar ? `, sidecar ${path.basename(d.sidecar)}` : ''})\n`);
  await stopped;
}
