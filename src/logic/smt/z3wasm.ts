/**
 * Z3 in-process through z3-solver (WebAssembly). Initialising it takes about a second, so it
 * happens once per process, on first use. The wasm build runs one async call at a time, so
 * every call into it (creating and deleting contexts included) goes through one queue. Its
 * worker threads keep Node alive: shutdownZ3() ends them (tests call it in afterAll).
 */
import { init, killThreads } from 'z3-solver';
import type { SmtSession } from './session';

type Api = Awaited<ReturnType<typeof init>>;
type Context = ReturnType<Api['Z3']['mk_context_rc']>;

/** The parts of the Emscripten module used to pass a script through the heap. */
interface Emscripten {
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
  ccall(name: string, ret: string, types: string[], args: unknown[]): unknown;
  async_call(f: () => unknown): Promise<string>;
}

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

/**
 * Z3.eval_smtlib2_string hands the worker thread a pointer into the main thread's wasm stack,
 * which the parser reads after the call has returned: any wasm call on the main thread in the
 * meantime overwrites the script (seen as "unknown attribute :na" on long scripts). The script
 * is put in heap memory instead and freed once the answer is back.
 */
async function evalInHeap(em: Emscripten, ctx: Context, text: string): Promise<string> {
  const bytes = Buffer.from(text, 'utf8');
  const ptr = em._malloc(bytes.length + 1);
  try {
    em.HEAPU8.set(bytes, ptr); // the view is re-read after malloc, which may grow memory
    em.HEAPU8[ptr + bytes.length] = 0;
    return await em.async_call(() => em.ccall('async_Z3_eval_smtlib2_string', 'void', ['number', 'number'], [ctx, ptr]));
  } finally {
    em._free(ptr);
  }
}

export async function shutdownZ3(): Promise<void> {
  if (!api) return;
  const a = await api;
  await tail;
  api = null;
  await killThreads(a.em);
}

export async function openZ3Session(timeoutMs: number): Promise<SmtSession> {
  const { Z3, em } = await z3Api();
  let ctx: Context | null = null;
  let closed = false;
  let running = false;
  let interrupted = false;
  // Z3 reads solver timeouts from the script; the same option names as the binary.
  const preamble = `(set-option :produce-models true)\n(set-option :produce-unsat-cores true)\n(set-option :timeout ${Math.max(1, Math.round(timeoutMs))})\n`;
  return {
    solver: 'z3',
    run(commands: string): Promise<string> {
      return enqueue(async () => {
        if (closed || interrupted) return 'unknown\n';
        let text = commands;
        if (ctx === null) {
          const cfg = Z3.mk_config();
          ctx = Z3.mk_context_rc(cfg);
          Z3.del_config(cfg);
          text = preamble + commands;
        }
        running = true;
        try {
          return await evalInHeap(em as Emscripten, ctx, text);
        } finally {
          running = false;
        }
      });
    },
    interrupt(): void {
      interrupted = true;
      if (running && ctx !== null) Z3.interrupt(ctx);
    },
    close(): void {
      if (closed) return;
      closed = true;
      // Deleting under a running call would free memory in use: wait for the queue.
      void enqueue(async () => {
        if (ctx !== null) Z3.del_context(ctx);
      });
    },
  };
}
