/**
 * How the server turns a conversation into the prompt text the model continues: the one place
 * that renders chat messages (swap it for the engine's chat-template resolution when that lands).
 */
import type { ChatMessage, Model } from '../engine/model';

/**
 * The prompt for `messages`: rendered by llama.cpp with `template` (a Jinja template or one of
 * llama.cpp's named templates, e.g. "chatml") or the model's own `tokenizer.chat_template`. A model
 * without one is asked in the plain format the default model was trained on, one
 * `Question: …\nAnswer: …` pair per turn, a system message first as plain text.
 */
export function renderChat(model: Model, messages: readonly ChatMessage[], template: string | undefined): string {
  if (template !== undefined || model.info.chatTemplate !== null) {
    return model.applyChatTemplate([...messages], { addAssistant: true, template });
  }
  return plainQuestionAnswer(messages);
}

function plainQuestionAnswer(messages: readonly ChatMessage[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    if (m.role === 'user') lines.push(`Question: ${m.content}`);
    else if (m.role === 'assistant') lines.push(`Answer: ${m.content}`);
    else lines.push(m.content);
  }
  lines.push('Answer:');
  return lines.join('\n');
}
