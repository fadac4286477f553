import { spawn } from 'node:child_process';

/**
 * Runs a writer child (a plain node script) that prints one line per write after its commit
 * returned, SIGKILLs it once it has acknowledged `acks` writes, and resolves with every line it
 * acknowledged. Rejects if the child exits on its own. The crash tests of the VKS and the feedback
 * buffer both kill their writers this way.
 */
export function killWriterAfter(script: string, args: readonly string[], acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
      if (lines.length >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${signal}): ${stderr}`));
      else resolve(lines);
    });
  });
}
