import * as os from 'node:os';
import type { ModelShape } from './validate-model';

/**
 * How many threads and how much memory cogito asks for: never more CPUs than the process may
 * run on, and never a KV cache larger than the memory there is.
 */

/** Below this many parameters a token costs about a millisecond on one thread (0.8M parameters: ~0.3 ms). */
export const SMALL_MODEL_PARAMETERS = 5_000_000;

/** The CPUs this process may run on (affinity and cgroup aware). */
export function availableCpus(): number {
  return Math.max(1, os.availableParallelism());
}

/** CPUs that other processes are not already keeping busy, from the 1-minute load average. */
export function idleCpus(): number {
  const cpus = availableCpus();
  // the load average counts the whole host's runnable threads; scale it to the CPUs we may use
  const loadPerCpu = os.loadavg()[0] / Math.max(1, os.cpus().length);
  return Math.max(1, Math.min(cpus, Math.round(cpus * (1 - loadPerCpu))));
}

/**
 * The default thread count. ggml's threads meet at a barrier after every graph node, so one
 * descheduled thread stalls all the others: on a busy host, or for a model whose token costs less
 * than a scheduler slice, one thread is faster. Measured on a 2-core host at load 14
 * (docs/measurements in the report: 8-token completions, median over 10-20 runs):
 * 0.8M parameters 4.6 ms (1 thread) vs 251 ms (2 threads); 20M 133 vs 1325 ms; 60M 318 vs 4625 ms;
 * 168M 1166 vs 7492 ms.
 */
export function defaultThreads(parameterCount: number): number {
  if (parameterCount < SMALL_MODEL_PARAMETERS) return 1;
  return idleCpus();
}

/** A requested thread count capped at the CPUs there are, with the warning to show when it was capped. */
export function capThreads(requested: number): { threads: number; warning?: string } {
  const cpus = availableCpus();
  if (requested <= cpus) return { threads: requested };
  return { threads: cpus, warning: `${requested} threads requested but this process may use ${cpus} CPUs; using ${cpus}` };
}

/** Memory the process can still take: what the system has free, within the cgroup's limit if there is one. */
export function availableMemoryBytes(): number {
  let available = os.freemem();
  const constrained = process.constrainedMemory?.() ?? 0;
  // Node reports "no limit" as a huge number
  if (constrained > 0 && constrained < os.totalmem()) available = Math.min(available, constrained - process.memoryUsage().rss);
  return Math.max(0, available);
}

/** Bytes of the F16 KV cache one position takes: every layer's keys and values (n_embd_k_gqa + n_embd_v_gqa). */
export function kvBytesPerPosition(shape: ModelShape): number {
  let bytes = 0;
  for (let il = 0; il < shape.layers; il++) bytes += (shape.headSizeK + shape.headSizeV) * shape.headsKv[il] * 2;
  return bytes;
}
