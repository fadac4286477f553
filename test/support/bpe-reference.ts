/**
 * Hugging Face's BPE (tokenizers' `BPE` model with byte fallback) written from its definition, for
 * tokenizer.json files with the SentencePiece-style normalizer (Prepend ▁, spaces → ▁) and no
 * pre-tokenizer: the whole normalized string is one word; the adjacent pair of lowest merge rank is
 * merged first (the leftmost of equals), until no pair has a merge; characters outside the
 * vocabulary become their UTF-8 bytes' <0xXX> tokens. An oracle for tests, not used by the library.
 */
import * as fs from 'node:fs';

export class ReferenceBpe {
  private readonly vocab: Map<string, number>;
  private readonly ranks: Map<string, number>;

  constructor(tokenizerJson: string) {
    const json = JSON.parse(fs.readFileSync(tokenizerJson, 'utf8')) as { model: { vocab: Record<string, number>; merges: (string | [string, string])[] } };
    this.vocab = new Map(Object.entries(json.model.vocab));
    this.ranks = new Map(json.model.merges.map((m, i) => [typeof m === 'string' ? m : m.join(' '), i]));
  }

  encode(text: string): number[] {
    const normalized = `\u2581${text.replaceAll(' ', '\u2581')}`;
    let symbols = Array.from(normalized);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) [best, bestRank] = [i, rank];
      }
      if (best < 0) break;
      symbols = [...symbols.slice(0, best), symbols[best] + symbols[best + 1], ...symbols.slice(best + 2)];
    }
    return symbols.flatMap((s) => {
      const id = this.vocab.get(s);
      if (id !== undefined) return [id];
      return [...Buffer.from(s, 'utf8')].map((b) => this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? 0);
    });
  }
}
