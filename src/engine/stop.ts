/**
 * Holds back generated text that might be the start of a stop sequence, so a stop
 * sequence is never emitted, even when it spans several tokens.
 */
export class StopMatcher {
  private text = '';

  constructor(private readonly stops: readonly string[]) {}

  /** Adds text; returns whether a stop sequence is now complete. */
  push(piece: string): boolean {
    this.text += piece;
    return this.stops.some((s) => s.length > 0 && this.text.includes(s));
  }

  /** Length of the text that is safe to emit (cannot be part of a stop sequence). */
  safeLength(): number {
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, this.text.length); k > hold; k--) {
        if (this.text.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    return this.text.length - hold;
  }

  /** The text before the first stop sequence. */
  truncated(): string {
    let cut = this.text.length;
    for (const s of this.stops) {
      const i = s.length > 0 ? this.text.indexOf(s) : -1;
      if (i >= 0 && i < cut) cut = i;
    }
    return this.text.slice(0, cut);
  }
}
