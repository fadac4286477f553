/**
 * Log probabilities in OpenAI's two shapes: chat's `{content: [{token, logprob, bytes, top_logprobs}]}`
 * and the legacy completions' `{tokens, token_logprobs, top_logprobs, text_offset}`. The tokens
 * reported always concatenate exactly to the text returned: a stop string can end the text inside
 * a token, and that token is then reported with the part of its text before the stop.
 */
import type { CompletionToken, TopLogprob } from './service';

/** A generated token and the part of its text that is in the returned content. */
export interface AlignedToken {
  token: CompletionToken;
  text: string;
}

/**
 * The tokens that make up `content`, in order: those wholly inside it, then the one a stop string
 * cut (its text shortened), none after. Tokens that complete no character yet (text "") count.
 */
export function alignTokens(tokens: readonly CompletionToken[], content: string): AlignedToken[] {
  const aligned: AlignedToken[] = [];
  let at = 0;
  for (const token of tokens) {
    if (at >= content.length) break;
    const text = token.text.slice(0, content.length - at);
    aligned.push({ token, text });
    at += text.length;
  }
  return aligned;
}

const utf8 = (text: string): number[] => Array.from(Buffer.from(text, 'utf8'));

export interface ChatLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

/** Chat's entry for one token, with up to `top` alternatives when the engine reported them. */
export function chatLogprob(t: AlignedToken, top: number): ChatLogprob {
  return {
    token: t.text,
    logprob: t.token.logprob,
    bytes: utf8(t.text),
    top_logprobs: (t.token.top ?? []).slice(0, top).map((a: TopLogprob) => ({ token: a.text, logprob: a.logprob, bytes: utf8(a.text) })),
  };
}

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: number[];
  /** Per token: the chosen token and the engine's alternatives, text → logprob; null when 0 were asked. */
  top_logprobs: Record<string, number>[] | null;
  /** Where each token starts in the returned text (in UTF-16 code units, as JavaScript indexes strings). */
  text_offset: number[];
}

/** The completions shape for `tokens`, the first starting at `offset` characters into the text. */
export function completionLogprobs(tokens: readonly AlignedToken[], top: number, offset: number): CompletionLogprobs {
  const text_offset: number[] = [];
  let at = offset;
  for (const t of tokens) {
    text_offset.push(at);
    at += t.text.length;
  }
  return {
    tokens: tokens.map((t) => t.text),
    token_logprobs: tokens.map((t) => t.token.logprob),
    top_logprobs: top === 0 ? null : tokens.map((t) => topOf(t, top)),
    text_offset,
  };
}

/** As OpenAI's completions do: the chosen token is always among its position's top logprobs. */
function topOf(t: AlignedToken, top: number): Record<string, number> {
  const entries: Record<string, number> = {};
  for (const a of (t.token.top ?? []).slice(0, top)) entries[a.text] = a.logprob;
  entries[t.text] = t.token.logprob;
  return entries;
}
