/**
 * A chat model splits its own answer into claims: asked in its chat template for JSON that a JSON
 * Schema constrains (llama.cpp's grammar sampler), so the reply always parses when the model ends
 * it. Anything else (cut short, empty, a claim not in the answer's words) → null, and the
 * rule-based splitter takes over.
 */
import type { ChatTemplate } from '../engine/chat-template';
import type { Context } from '../engine/context';
import type { JsonSchema } from '../engine/grammar';
import { CLAIM_KINDS } from '../claims/types';
import type { ClaimExtractor } from './plan';
import type { ClaimKindName } from './types';

export const CLAIMS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    claims: {
      type: 'array',
      minItems: 1,
      maxItems: 12,
      items: {
        type: 'object',
        properties: { text: { type: 'string', minLength: 3, maxLength: 300 }, kind: { enum: [...CLAIM_KINDS] } },
        required: ['text', 'kind'],
        additionalProperties: false,
      },
    },
  },
  required: ['claims'],
  additionalProperties: false,
};

const INSTRUCTION = `Split the answer below into atomic claims: each one complete sentence that states one thing, with the subject the question names.
Classify each: FORMAL (logic, validity, an inference), FACTUAL (a checkable fact: who, what, when, where), INTERPRETIVE (a reading or evaluation), META (about the answer itself).
Reply with JSON only: {"claims":[{"text":"...","kind":"FACTUAL"}]}`;

export function modelClaimExtractor(context: Context, template: ChatTemplate, maxTokens = 384): ClaimExtractor {
  return async (question, draft) => {
    const content = `${INSTRUCTION}\n\nQuestion: ${question}\nAnswer: ${draft}`;
    const prompt = template.tokenize([{ role: 'user', content }]);
    if (prompt.length + maxTokens > context.size) return null;
    const r = await context.complete(prompt, { maxTokens, temperature: 0, jsonSchema: CLAIMS_SCHEMA });
    if (r.stopReason !== 'eog') return null;
    let parsed: { claims: Array<{ text: string; kind: ClaimKindName }> };
    try {
      parsed = JSON.parse(r.text) as typeof parsed;
    } catch {
      return null;
    }
    const claims = parsed.claims.map((c) => ({ text: c.text.trim(), kind: c.kind })).filter((c) => c.text.length > 0);
    return claims.length > 0 && claims.every((c) => sharesWords(c.text, draft)) ? claims : null;
  };
}

/** A claim that shares no content word with the answer was invented, not extracted. */
function sharesWords(claim: string, draft: string): boolean {
  const words = (s: string) => new Set(s.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);
  const d = words(draft);
  return [...words(claim)].some((w) => d.has(w));
}
