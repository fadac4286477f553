/**
 * From sampled tokens to what a generation yields: UTF-8 pieces decoded across token boundaries,
 * stop strings never emitted (held back while they might still be forming), the most likely
 * alternatives as text. One definition for Context.generate and Sequence.generate.
 */
import { InvalidOptionError } from './errors';
import type { NativeStep } from './native';
import { StopMatcher } from './stop';

/** One of the most likely tokens at a step of generation. */
export interface TopToken {
  id: number;
  /** The token's own text (U+FFFD where it holds only part of a UTF-8 character). */
  text: string;
  /** Log-probability under the model's full next-token distribution (log-softmax of the raw logits). */
  logprob: number;
}

export interface GeneratedToken {
  id: number;
  /** The text this token completes; empty while a UTF-8 character is still incomplete. */
  text: string;
  /** Log-probability of this token under the model's full next-token distribution. */
  logprob: number;
  /** Entropy (nats) of the full next-token distribution this token was drawn from. */
  entropy: number;
  /** With `topLogprobs`: the most likely tokens of that distribution, best first. */
  top?: TopToken[];
}

/** The most alternatives `topLogprobs` may ask for (OpenAI's limit; native/sampling.h MAX_TOP_LOGPROBS). */
export const MAX_TOP_LOGPROBS = 20;

/** Checks `topLogprobs` (an integer in [0, 20]; default 0). */
export function topLogprobsOption(value: number | undefined): number {
  const n = value ?? 0;
  if (!Number.isInteger(n) || n < 0 || n > MAX_TOP_LOGPROBS) {
    throw new InvalidOptionError(`topLogprobs must be an integer in [0, ${MAX_TOP_LOGPROBS}] (got ${value})`, 'INVALID_ARGUMENT');
  }
  return n;
}

const pieceDecoder = new TextDecoder('utf-8', { fatal: false });

export class TokenEmitter {
  /** Every token pushed, in order. */
  readonly tokens: GeneratedToken[] = [];
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private readonly stops: StopMatcher;
  private emitted = 0;
  private emittedLength = 0;

  constructor(stop: readonly string[]) {
    this.stops = new StopMatcher(stop);
  }

  /** Adds a sampled token (never an end of generation); returns whether a stop string is now complete. */
  push(step: NativeStep): boolean {
    const text = this.decoder.decode(step.piece, { stream: true });
    const token: GeneratedToken = { id: step.token, text, logprob: step.logprob, entropy: step.entropy };
    if (step.top) token.top = step.top.map((t) => ({ id: t.id, text: pieceDecoder.decode(t.piece), logprob: t.logprob }));
    this.tokens.push(token);
    return this.stops.push(text);
  }

  /** The tokens not yet emitted whose text can no longer turn out to be part of a stop string. */
  ready(): GeneratedToken[] {
    const safe = this.stops.safeLength();
    const out: GeneratedToken[] = [];
    while (this.emitted < this.tokens.length && this.emittedLength + this.tokens[this.emitted].text.length <= safe) {
      this.emittedLength += this.tokens[this.emitted].text.length;
      out.push(this.tokens[this.emitted++]);
    }
    return out;
  }

  /**
   * At the end of a generation: unless it ended on a stop string (whose held-back tokens are never
   * emitted), the bytes of an incomplete character join the last token and every token left is emitted.
   */
  finish(stopped: boolean): GeneratedToken[] {
    if (stopped) return [];
    const tail = this.decoder.decode();
    if (tail && this.tokens.length > 0) this.tokens[this.tokens.length - 1].text += tail;
    const out = this.tokens.slice(this.emitted);
    this.emitted = this.tokens.length;
    return out;
  }

  /** The generated text: before the stop string when one ended it. Call after finish(). */
  text(stopped: boolean): string {
    return stopped ? this.stops.truncated() : this.tokens.map((t) => t.text).join('');
  }
}
