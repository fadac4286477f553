/**
 * Z3 in-process through z3-solver (WebAssembly). Initialising it takes about a second, so it
 * happens once per process, on first use. The wasm build runs one async call at a time, so
 * calls from every session go through one queue. Its worker threads keep Node alive:
 * shutdownZ3() ends them (tests call it in afterAll).
 */
import { init, killThreads } from 'z3-solver';
import type { SmtSession } from './session';

type Api = Awaited<ReturnType<typeof init>>;

let api: Promise<Api> | null = null;
let tail: Promise<unknown> = Promise.resolve();

export function z3Api(): Promise<Api> {
  api ??= init();
  return api;
}

/** Runs tasks one after another; the wasm module refuses concurrent async calls. */
function enqueue<T>(task: () => Promise<T>): Promise<T> {
  const run = tail.then(task, task);
  tail = run.catch(() => undefined);
  return run;
}

export async function shutdownZ3(): Promise<void> {
  if (!api) return;
  const a = await api;
  await tail;
  api = null;
  await killThreads(a.em);
}

export async function openZ3Session(timeoutMs: number): Promise<SmtSession> {
  const { Z3 } = await z3Api();
  const cfg = Z3.mk_config();
  const ctx = Z3.mk_context_rc(cfg);
  Z3.del_config(cfg);
  let closed = false;
  let running = false;
  let interrupted = false;
  // Z3 reads solver timeouts from the script; the same option names as the binary.
  const preamble = `(set-option :produce-models true)\n(set-option :produce-unsat-cores true)\n(set-option :timeout ${Math.max(1, Math.round(timeoutMs))})\n`;
  let first = true;
  return {
    solver: 'z3',
    run(commands: string): Promise<string> {
      const text = first ? preamble + commands : commands;
      first = false;
      return enqueue(async () => {
        if (closed || interrupted) return 'unknown\n';
        running = true;
        try {
          return await Z3.eval_smtlib2_string(ctx, text);
        } finally {
          running = false;
        }
      });
    },
    interrupt(): void {
      interrupted = true;
      if (running) Z3.interrupt(ctx);
    },
    close(): void {
      if (closed) return;
      closed = true;
      // Deleting under a running call would free memory in use: wait for the queue.
      void enqueue(async () => Z3.del_context(ctx));
    },
  };
}
