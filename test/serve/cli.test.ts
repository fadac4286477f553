// The real `cogito serve` process (bin/cogito.js over dist/): SIGTERM lets a streaming request
// finish, then the process exits 0; a model that cannot load exits with its error.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Ollama } from 'ollama';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'cogito.js');

/** Resolves with the URL once the server says it is ready; collects its stderr. */
function ready(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let url = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log.push(chunk);
      url ||= /listening on (http:\/\/\S+),/.exec(log.join(''))?.[1] ?? '';
      if (url && log.join('').includes('cogito serve: ready')) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`cogito serve exited (${code}) before it was ready:\n${log.join('')}`)));
  });
}

test('SIGTERM during a streamed generation: the request completes, then the process exits 0; requests are logged as JSON lines', async () => {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--no-sidecar', '--context-size', '1024'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await ready(child, log);
    const ollama = new Ollama({ host: url });
    const stream = await ollama.generate({
      model: 'default:latest',
      prompt: 'There is a person called',
      // a JSON array the grammar holds open: 400 tokens, a good part of a second
      format: { type: 'array', items: { type: 'integer' }, minItems: 100 },
      options: { num_predict: 400 },
      stream: true,
    });
    const parts = [];
    for await (const part of stream) {
      parts.push(part);
      if (parts.length === 2) child.kill('SIGTERM');
    }
    const last = parts[parts.length - 1];
    expect(last).toMatchObject({ done: true, done_reason: 'length', eval_count: 400 });
    expect(parts.length).toBeGreaterThan(100);
    expect(await exited).toBe(0);
    const stderr = log.join('');
    expect(stderr).toContain('cogito serve: SIGTERM: finishing the requests in flight, then exiting');
    // pino's request logs: the request and its completion, as JSON lines
    const entries = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; req?: { url: string }; res?: { statusCode: number } });
    expect(entries.find((e) => e.msg === 'incoming request')?.req?.url).toBe('/api/generate');
    expect(entries.find((e) => e.msg === 'request completed')?.res?.statusCode).toBe(200);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a model that cannot be loaded: one line naming it, exit 1', () => {
  const r = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--model', '/nonexistent/m.gguf', '--quiet'], { cwd: REPO, encoding: 'utf8', timeout: 60000 });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^cogito: model file not found: \/nonexistent\/m\.gguf \[ENOENT\]$/m);
});
