/**
 * How the server turns a conversation into the tokens the model continues: the engine's chat
 * template resolution (src/engine/chat-template.ts) — `--chat-template`, else the model's own
 * plain declaration (cogito.chat_template, the default model's `Question: …\nAnswer:`), else its
 * tokenizer.chat_template — resolved once when the model loads.
 */
import type { ChatMessageInput, ChatTemplate } from '../engine/chat-template';
import { CogitoError } from '../engine/errors';
import type { Model } from '../engine/model';

/** The server's chat template: resolved, or the reason chat cannot be served (the model has none). */
export type ServedChatTemplate = { template: ChatTemplate; text: string } | { error: CogitoError };

/**
 * Resolves the template at load. A `--chat-template` that cannot be used fails the load (the server
 * must not start misconfigured); a model without any template still serves completions and
 * embeddings, and answers chat with the reason.
 */
export function resolveChatTemplate(model: Model, spec: string | undefined): ServedChatTemplate {
  try {
    const template = model.chatTemplate(spec);
    const text = template.plain ? JSON.stringify(template.plain) : (spec ?? model.info.chatTemplate ?? template.name);
    return { template, text };
  } catch (err) {
    if (spec === undefined && err instanceof CogitoError && err.code === 'NO_CHAT_TEMPLATE') return { error: err };
    throw err;
  }
}

export interface ChatPrompt {
  text: string;
  tokens: number[];
  /** Strings that end the model's turn in this template (a plain template's `stop`). */
  stop: readonly string[];
}

/** The prompt a conversation becomes, ending where the model's turn begins. */
export function renderChat(served: ServedChatTemplate, messages: readonly ChatMessageInput[]): ChatPrompt {
  if ('error' in served) throw served.error;
  const { template } = served;
  return { text: template.render(messages), tokens: template.tokenize(messages), stop: template.stop };
}
