/** Shared CLI output helpers: how JSON and progress are printed (failures: ./errors.ts). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `cogito … | head`: when the reader goes away, stop quietly as other command-line tools do. */
export function exitQuietlyOnBrokenPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/**
 * Ends the process once a command has finished and its output is written: a solver's worker thread,
 * a native worker or a socket left open must not keep a finished `cogito` alive (a script waiting
 * on it would hang). The exit status is the one the command set, 0 otherwise.
 */
export async function exitWhenWritten(): Promise<never> {
  const written = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(process.exitCode ?? 0);
}

/**
 * A one-line progress bar on stderr (redrawn in place on a terminal, a line every 10% otherwise),
 * so long stages show where they are without flooding logs.
 */
export function progressBar(label: string): (done: number, total: number, extra?: string) => void {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastDecile = -1;
  return (done, total, extra = '') => {
    const frac = total > 0 ? done / total : 1;
    const elapsed = (Date.now() - started) / 1000;
    const eta = frac > 0 ? elapsed * (1 / frac - 1) : 0;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const line = `${label} [${bar}] ${done}/${total} ${extra} eta ${eta.toFixed(0)}s`;
    if (tty) {
      process.stderr.write(`\r${line}\x1b[K${done >= total ? '\n' : ''}`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== lastDecile || done >= total) process.stderr.write(`${line}\n`);
      lastDecile = decile;
    }
  };
}
