/** Shared CLI output helpers: one place decides how JSON and errors are printed. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function fail(message: string): never {
  process.stderr.write(`cogito: ${message}\n`);
  process.exit(1);
}
