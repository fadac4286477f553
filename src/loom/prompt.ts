/**
 * The prompt a QA question is asked with, shared by the default model's training corpus,
 * collect and eval: a model answers best in the format it was trained on.
 */
export const DEFAULT_PROMPT_TEMPLATE = 'Question: {question}\nAnswer:';

/** Fills `{question}` in a template. */
export function formatPrompt(template: string, question: string): string {
  if (!template.includes('{question}')) throw new RangeError('a prompt template must contain {question}');
  return template.split('{question}').join(question);
}
