/**
 * The draft: the model answers the question in its own prompt format (its chat template; the
 * default model's is `Question: …\nAnswer:`), through its sidecar when it has one, greedily and
 * briefly. A refusal is a result the cascade works with, not an error.
 */
import type { Context } from '../engine/context';
import { ChatTemplateError } from '../engine/errors';
import { PLAIN_CHAT_TEMPLATE_KEY, type ChatTemplate } from '../engine/chat-template';
import type { Model } from '../engine/model';
import { TwoPass, type CognitiveState, type TwoPassResult } from '../sidecar/twopass';
import { InvalidQuestionError, QuestionTooLongError } from './errors';
import type { DecisionReport } from './types';

export interface Draft {
  /** The answer, trimmed (empty when the model refused). */
  text: string;
  refused: boolean;
  decision: DecisionReport | null;
  /** The sidecar's generation and pass 1's state for its prompt, when asked for (for the meta layer's signals); null without a sidecar. */
  generation?: DraftGeneration | null;
}

/** What the sidecar's two passes produced for the draft: the generation and pass 1's state (a prompt-cache hit, no second pass). */
export interface DraftGeneration {
  result: TwoPassResult;
  state: CognitiveState;
}

/** The refusal the default sidecar and its model use; a model without a sidecar may say it too. */
const REFUSAL = /^\s*(i (do not|don't|cannot|can't) (know|say|answer)|unknown\b)/i;

/** The prompt a model without any chat template gets: the default model's own format. */
const FALLBACK_PROMPT = (q: string) => `Question: ${q}\nAnswer:`;

export class Drafter {
  private constructor(
    readonly model: Model,
    private readonly template: ChatTemplate | null,
    private readonly twoPass: TwoPass | null,
    private readonly context: Context,
    readonly maxTokens: number,
  ) {}

  static async open(model: Model, sidecar: string | null, options: { threads?: number; maxTokens?: number } = {}): Promise<Drafter> {
    let template: ChatTemplate | null = null;
    try {
      template = model.chatTemplate();
    } catch (err) {
      if (!(err instanceof ChatTemplateError && err.code === 'NO_CHAT_TEMPLATE')) throw err;
    }
    const twoPass = sidecar ? await TwoPass.load(model, sidecar, { threads: options.threads }) : null;
    try {
      // the plain context also serves re-state and the chat model's claim extraction
      const context = await model.createContext({ threads: options.threads });
      return new Drafter(model, template, twoPass, context, options.maxTokens ?? 32);
    } catch (err) {
      await twoPass?.dispose();
      throw err;
    }
  }

  /** A model with a real chat template (not a plain Question/Answer declaration): it can be asked to extract claims. */
  get isChatModel(): boolean {
    return this.template !== null && this.template.source !== PLAIN_CHAT_TEMPLATE_KEY;
  }

  get chatTemplate(): ChatTemplate | null {
    return this.template;
  }

  get plainContext(): Context {
    return this.context;
  }

  /** The question as the model reads it, checked against the context before anything runs. */
  prompt(question: string): string | number[] {
    checkQuestionText(question);
    const messages = [{ role: 'user' as const, content: question }];
    const tokens = this.template ? this.template.tokenize(messages) : this.model.tokenize(FALLBACK_PROMPT(question));
    const room = this.context.size - this.maxTokens;
    if (tokens.length > room) {
      throw new QuestionTooLongError(`the question takes ${tokens.length} tokens; the model's context of ${this.context.size} leaves room for ${room} beside a ${this.maxTokens}-token answer`);
    }
    return tokens;
  }

  private stops(): string[] {
    return this.template ? [...this.template.stop] : ['\n'];
  }

  async draft(question: string, signal?: AbortSignal, withGeneration = false): Promise<Draft> {
    const prompt = this.prompt(question);
    const options = { maxTokens: this.maxTokens, temperature: 0, stop: this.stops(), signal };
    if (this.twoPass) {
      const r = await this.twoPass.complete(prompt, options);
      const text = r.text.trim();
      const refused = r.refused || REFUSAL.test(text);
      const generation = withGeneration ? { result: r, state: await this.twoPass.encode(prompt) } : undefined;
      return { text: refused ? '' : text, refused, decision: { answered: !r.decision.refuse, confidence: r.decision.confidence }, ...(generation ? { generation } : {}) };
    }
    const r = await this.context.complete(prompt, options);
    const text = r.text.trim();
    const refused = REFUSAL.test(text) || text === '';
    return { text: refused ? '' : text, refused, decision: null, ...(withGeneration ? { generation: null } : {}) };
  }

  async dispose(): Promise<void> {
    await this.twoPass?.dispose();
    await this.context.dispose();
  }
}

/** An empty question, NUL characters or a non-string: refused before the model sees it. */
export function checkQuestionText(question: unknown): asserts question is string {
  if (typeof question !== 'string') throw new InvalidQuestionError(`a question is text (got ${question === null ? 'null' : typeof question})`);
  if (question.trim() === '') throw new InvalidQuestionError('the question is empty');
  if (question.includes('\0')) throw new InvalidQuestionError('the question contains NUL characters');
}

/** True for a reply that declines: "I don't know.", "Unknown". */
export function isRefusal(text: string): boolean {
  return REFUSAL.test(text);
}
