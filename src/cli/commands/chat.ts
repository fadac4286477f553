import type { Command } from 'commander';
import * as readline from 'node:readline';
import { defaultModelPath, loadModel, type ChatSession, type ChatSendOptions } from '../../engine';
import { addSamplingOptions, parseInteger, samplingOptions, type SamplingFlags } from '../parse';

interface ChatFlags extends SamplingFlags {
  model?: string;
  chatTemplate?: string;
  system?: string;
  maxTokens: number;
  contextSize?: number;
  threads?: number;
  dropOldest?: boolean;
  maxTurns?: number;
  stats?: boolean;
}

export function register(program: Command): void {
  addSamplingOptions(
    program
      .command('chat')
      .description("a conversation with the model: one user message per line of stdin, each reply printed as it is generated, in the model's own chat template (the default model's is its Question/Answer format)")
      .option('-m, --model <path>', 'GGUF model file')
      .option('--chat-template <template>', "instead of the model's own: a llama.cpp built-in name (chatml, llama3, …), a Jinja template llama.cpp recognises, or a plain template as JSON")
      .option('--system <text>', 'a system message before the conversation')
      .option('-n, --max-tokens <n>', 'tokens per reply at most', (v) => parseInteger(v, '--max-tokens'), 128)
  )
    .option('-c, --context-size <n>', 'context size (default: what the model was trained on, at most 2048)', (v) => parseInteger(v, '--context-size'))
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--drop-oldest', 'when the conversation outgrows the context, forget its oldest turns instead of stopping')
    .option('--max-turns <n>', 'earlier exchanges kept in each prompt at most (0: every message alone, as the default model was trained)', (v) => parseInteger(v, '--max-turns'))
    .option('--stats', 'after each reply, print on stderr how many prompt tokens came from the cache and how many were evaluated')
    .action(async (flags: ChatFlags) => {
      const model = await loadModel(flags.model ?? defaultModelPath());
      try {
        const context = await model.createContext({ contextSize: flags.contextSize, threads: flags.threads, onWarning: (w) => process.stderr.write(`warning: ${w}\n`) });
        const session = model.createChatSession(context, { template: flags.chatTemplate, system: flags.system, overflow: flags.dropOldest ? 'drop-oldest' : 'error', maxTurns: flags.maxTurns });
        const options: ChatSendOptions = {
          maxTokens: flags.maxTokens, ...samplingOptions(flags),
        };
        await converse(session, options, !!flags.stats);
      } finally {
        await model.dispose();
      }
    });
}

/** One turn per non-empty line of stdin, until it ends. */
async function converse(session: ChatSession, options: ChatSendOptions, stats: boolean): Promise<void> {
  const interactive = process.stdin.isTTY === true;
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const prompt = () => {
    if (interactive) process.stderr.write('> ');
  };
  prompt();
  for await (const line of lines) {
    if (line.trim() !== '') {
      const turn = session.send(line, options);
      // the reply's leading space belongs to the model's text, not to the screen
      let started = false;
      let r = await turn.next();
      for (; !r.done; r = await turn.next()) {
        const text = started ? r.value.text : r.value.text.trimStart();
        if (text !== '') started = true;
        process.stdout.write(text);
      }
      process.stdout.write('\n');
      const result = r.value;
      if (stats) {
        const dropped = result.droppedMessages > 0 ? `, ${result.droppedMessages} oldest messages dropped` : '';
        process.stderr.write(`[prompt ${result.promptTokens} tokens: ${result.cachedPromptTokens} cached, ${result.promptTokens - result.cachedPromptTokens} evaluated; reply ${result.tokens.length} tokens (${result.stopReason})${dropped}]\n`);
      }
    }
    prompt();
  }
}
