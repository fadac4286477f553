/**
 * A conversation with a model: the history, rendered whole with the model's chat template each
 * turn and handed to the generator as tokens. The generator's cache keeps the prefix it shares
 * with the last turn (the earlier turns and the reply it generated), so each turn evaluates only
 * what is new; a template that rewrites history (trims a reply, moves a system message) only
 * shortens that shared prefix.
 */
import { ChatTemplate, checkContent, validateChatMessages, type ChatMessage, type ChatMessageInput } from './chat-template';
import type { GenerateOptions, GeneratedToken, GenerationResult } from './context';
import { BusyError, ContextOverflowError, InvalidOptionError } from './errors';

/** What a session generates with: a Context, or anything with its token-prompt `generate` (a sequence of a context). */
export interface ChatGenerator {
  generate(prompt: readonly number[], options?: GenerateOptions): AsyncGenerator<GeneratedToken, GenerationResult>;
  /** Positions its cache holds, where it says (Context.size): lets 'drop-oldest' leave room for the reply. */
  readonly size?: number;
}

/** What a turn does when the conversation no longer fits: fail (default), or drop the oldest turns. */
export type ChatOverflow = 'error' | 'drop-oldest';

export interface ChatSessionOptions {
  /** The resolved template (model.chatTemplate(spec?)). */
  template: ChatTemplate;
  /** A system message put before the conversation on every turn (kept by reset() and by drop-oldest). */
  system?: string;
  /** Earlier turns to continue from: user and assistant messages. */
  history?: readonly ChatMessageInput[];
  overflow?: ChatOverflow;
  /**
   * Earlier exchanges (a user message and its reply) kept in each turn's prompt at most; older ones
   * leave the history. 0 asks every message alone: for a model trained on single questions.
   */
  maxTurns?: number;
}

/** Generation options of one turn; the template's stop strings are added to `stop`. */
export interface ChatSendOptions extends Omit<GenerateOptions, 'injection' | 'addSpecial'> {
  /**
   * With overflow 'drop-oldest' and a generator that tells its size: positions kept free for the
   * reply when old turns are dropped (default maxTokens, at most half the context).
   */
  reserveTokens?: number;
}

export interface ChatTurnResult extends GenerationResult {
  /** Messages dropped from the start of the history for this turn: to fit (overflow 'drop-oldest') or beyond maxTurns. */
  droppedMessages: number;
}

export class ChatSession {
  readonly template: ChatTemplate;
  readonly system: string | undefined;
  private readonly overflow: ChatOverflow;
  private readonly maxTurns: number;
  private turns: ChatMessage[];
  private busy = false;

  constructor(
    private readonly generator: ChatGenerator,
    options: ChatSessionOptions,
  ) {
    if (!(options?.template instanceof ChatTemplate)) throw new InvalidOptionError('a ChatSession needs a ChatTemplate: model.chatTemplate(), or model.createChatSession()', 'INVALID_ARGUMENT');
    if (typeof generator?.generate !== 'function') throw new InvalidOptionError('a ChatSession needs a generator with generate(tokens, options): a Context', 'INVALID_ARGUMENT');
    const overflow = options.overflow ?? 'error';
    if (overflow !== 'error' && overflow !== 'drop-oldest') throw new InvalidOptionError(`overflow must be "error" or "drop-oldest" (got ${JSON.stringify(overflow)})`, 'INVALID_ARGUMENT');
    const maxTurns = options.maxTurns ?? Infinity;
    if (maxTurns !== Infinity && (!Number.isInteger(maxTurns) || maxTurns < 0)) throw new InvalidOptionError(`maxTurns must be an integer >= 0 (got ${String(maxTurns)})`, 'INVALID_ARGUMENT');
    this.template = options.template;
    this.overflow = overflow;
    this.maxTurns = maxTurns;
    this.system = options.system === undefined ? undefined : checkContent(options.system, 'the system message');
    this.turns = validateChatMessages(options.history ?? []);
    const system = this.turns.findIndex((m) => m.role === 'system');
    if (system >= 0) throw new InvalidOptionError(`history message ${system} is a system message: give it as the system option`, 'INVALID_CHAT_MESSAGE');
    // a role the template has no place for fails now, not at the first turn
    this.template.render(this.conversation(this.turns), { addGeneration: false });
  }

  /** The user and assistant messages so far (copies), oldest first. */
  get history(): ChatMessage[] {
    return this.turns.map((m) => ({ ...m }));
  }

  /** Forgets the history (the system message stays). */
  reset(): void {
    if (this.busy) throw new BusyError('this chat session is answering a message; reset it after the turn ends', 'BUSY');
    this.turns = [];
  }

  /**
   * Sends one user message and streams the reply's tokens; the iterator's return value is the
   * turn's result. The turn enters the history when the reply is complete (an error or an abort
   * leaves the history as it was); the assistant's message is exactly the generated text.
   */
  async *send(content: string, options: ChatSendOptions = {}): AsyncGenerator<GeneratedToken, ChatTurnResult> {
    const user: ChatMessage = { role: 'user', content: checkContent(content, 'the user message') };
    if (this.busy) throw new BusyError('this chat session is already answering a message: one turn at a time', 'BUSY');
    const { reserveTokens, ...rest } = options;
    if (reserveTokens !== undefined && (!Number.isInteger(reserveTokens) || reserveTokens < 0)) throw new InvalidOptionError('reserveTokens must be an integer >= 0', 'INVALID_ARGUMENT');
    if (options.stop !== undefined && !Array.isArray(options.stop)) throw new InvalidOptionError('stop must be an array of strings', 'INVALID_ARGUMENT');
    const generateOptions: GenerateOptions = { ...rest, stop: [...this.template.stop, ...(options.stop ?? [])] };
    this.busy = true;
    let stream: AsyncGenerator<GeneratedToken, GenerationResult> | null = null;
    let finished = false;
    try {
      let dropped = 0;
      while (exchanges(this.turns.slice(dropped)) > this.maxTurns) dropped += droppable(this.turns.slice(dropped));
      let step: IteratorResult<GeneratedToken, GenerationResult>;
      for (;;) {
        const kept = this.turns.slice(dropped);
        const prompt = this.template.tokenize([...this.conversation(kept), user]);
        if (this.overflow === 'drop-oldest' && kept.length > 0 && !this.leavesRoom(prompt.length, options)) {
          dropped += droppable(kept);
          continue;
        }
        stream = this.generator.generate(prompt, generateOptions);
        try {
          // the generator checks the prompt against its context before evaluating anything
          step = await stream.next();
        } catch (err) {
          stream = null;
          if (!(err instanceof ContextOverflowError)) throw err;
          if (this.overflow === 'drop-oldest' && kept.length > 0) {
            dropped += droppable(kept);
            continue;
          }
          throw new ContextOverflowError(
            `the conversation (${prompt.length} tokens with the new message) no longer fits the context${this.generator.size ? ` of ${this.generator.size}` : ''}: ` +
              `reset() the session, use a larger context, or let it drop its oldest turns (overflow: 'drop-oldest'; --drop-oldest on the command line)`,
            'CONTEXT_OVERFLOW',
          );
        }
        break;
      }
      while (!step.done) {
        yield step.value;
        step = await stream.next();
      }
      finished = true;
      const result = step.value;
      this.turns = [...this.turns.slice(dropped), user, { role: 'assistant', content: result.text }];
      return { ...result, droppedMessages: dropped };
    } finally {
      // a consumer that stopped early: end the generation, so the context is free for the next turn
      if (stream && !finished) await stream.return(undefined as unknown as GenerationResult).catch(() => undefined);
      this.busy = false;
    }
  }

  /** Sends one user message and waits for the whole reply. */
  async complete(content: string, options: ChatSendOptions = {}): Promise<ChatTurnResult> {
    const turn = this.send(content, options);
    for (;;) {
      const r = await turn.next();
      if (r.done) return r.value;
    }
  }

  private conversation(turns: readonly ChatMessage[]): ChatMessage[] {
    return this.system === undefined ? [...turns] : [{ role: 'system', content: this.system }, ...turns];
  }

  /** Whether a prompt leaves room for the reply in a generator that tells its size (one that does not refuses for itself). */
  private leavesRoom(promptLength: number, options: ChatSendOptions): boolean {
    const size = this.generator.size;
    if (size === undefined) return true;
    const reserve = options.reserveTokens ?? Math.min(options.maxTokens ?? 0, Math.floor(size / 2));
    return promptLength + reserve <= size;
  }
}

/** Exchanges in a history: user messages (each with the reply after it). */
function exchanges(turns: readonly ChatMessage[]): number {
  return turns.filter((m) => m.role === 'user').length;
}

/** How many messages the oldest turn takes: a user message and the reply after it. */
function droppable(turns: readonly ChatMessage[]): number {
  return turns.length > 1 && turns[0].role === 'user' && turns[1].role === 'assistant' ? 2 : 1;
}
