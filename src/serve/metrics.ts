/**
 * GET /metrics in Prometheus's text format (prom-client), one registry per server so that two
 * servers in one process (tests) never share counters.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Completion } from './service';

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly tokensIn: Counter;
  private readonly tokensOut: Counter;
  private readonly tokensPerSecond: Gauge;
  private readonly refusals: Counter;

  constructor(occupancy: () => { slots: number; busy: number; queued: number }) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'cogito_requests_total', help: 'HTTP requests answered, by route, method and status', labelNames: ['route', 'method', 'status'], registers });
    this.tokensIn = new Counter({ name: 'cogito_prompt_tokens_total', help: 'Prompt tokens read (tokens in)', registers });
    this.tokensOut = new Counter({ name: 'cogito_generated_tokens_total', help: 'Tokens generated (tokens out)', registers });
    this.tokensPerSecond = new Gauge({ name: 'cogito_generation_tokens_per_second', help: 'Generation speed of the last completed request (tokens/s)', registers });
    this.refusals = new Counter({ name: 'cogito_refusals_total', help: "Requests answered with the sidecar's refusal", registers });
    new Gauge({ name: 'cogito_queue_depth', help: 'Requests waiting for a generation slot', registers, collect() { this.set(occupancy().queued); } });
    new Gauge({ name: 'cogito_slots_busy', help: 'Generation slots in use', registers, collect() { this.set(occupancy().busy); } });
    new Gauge({ name: 'cogito_slots', help: 'Generation slots (--parallel)', registers, collect() { this.set(occupancy().slots); } });
    collectDefaultMetrics({ register: this.registry, prefix: 'cogito_process_' });
  }

  request(route: string, method: string, status: number): void {
    this.requests.inc({ route, method, status: String(status) });
  }

  completion(c: Completion): void {
    this.tokensIn.inc(c.promptTokens);
    this.tokensOut.inc(c.generatedTokens);
    if (c.generatedTokens > 0 && c.timings.generationNs > 0) this.tokensPerSecond.set(c.generatedTokens / (c.timings.generationNs / 1e9));
    if (c.finish === 'refused') this.refusals.inc();
  }

  embedding(promptTokens: number): void {
    this.tokensIn.inc(promptTokens);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
