// cogito's signal on the server is the sidecar library's own decision, for the default sidecar
// (decision gating, served from the slots) and for one that injects in pass 2 (always gating,
// served by TwoPass on its own context); and the chat template the server renders with.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GenerateResponse } from 'ollama';
import { loadModel, type Model } from '../../src/engine';
import type { CogitoSignal } from '../../src/serve';
import { createSidecar, TwoPass, writeSidecar } from '../../src/sidecar';
import { tempDir } from '../support/engine';
import { createServer } from '../../src/serve';
import { defaultModel, defaultSidecar, post, startServer } from '../support/serve';

const PROMPTS = ['Question: What country is Tuten from?\nAnswer:', 'Question: What work does Stes do?\nAnswer:', 'Question: What is the capital of Rith?\nAnswer:'];
type WithCogito = GenerateResponse & { cogito?: CogitoSignal };

let model: Model;
let dir: string;
beforeAll(async () => {
  model = await loadModel(defaultModel);
  dir = tempDir('cogito-serve-sidecar-');
});
afterAll(async () => {
  await model?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The server's answer and signal beside TwoPass's for each prompt, on the same sidecar. */
async function compare(sidecarPath: string): Promise<void> {
  const s = await startServer({ sidecarPath, parallel: 2 });
  const pipe = await TwoPass.load(model, sidecarPath);
  try {
    // concurrently, as clients would send them
    const served = (await Promise.all(PROMPTS.map((prompt) => s.ollama.generate({ model: 'default', prompt, stream: false, options: { num_predict: 16 } })))) as WithCogito[];
    for (const [i, prompt] of PROMPTS.entries()) {
      const lib = await pipe.complete(prompt, { maxTokens: 16 });
      const d = lib.decision;
      expect({ prompt, text: served[i].response, cogito: served[i].cogito }).toEqual({
        prompt,
        text: lib.refused ? pipe.config.refusal : lib.text,
        cogito: { confidence: d.confidence, confidences: d.confidences, threshold: d.threshold, refused: lib.refused },
      });
    }
  } finally {
    await pipe.dispose();
    await s.close();
  }
}

test('the default sidecar (decision gating): the same answers, confidences and refusals as TwoPass', async () => {
  await compare(defaultSidecar);
});

test('a sidecar that injects in pass 2 (always gating): the same answers and signal as TwoPass', async () => {
  const file = path.join(dir, 'always.gguf');
  await writeSidecar(file, createSidecar(model.info, { targetLayers: [2, 3], injectLayers: [2, 3], bottleneck: 32, heads: 2, gateInit: 0.5, seed: 5, gating: 'always', threshold: 0.5 }));
  await compare(file);
});

test('--chat-template: a named llama.cpp template renders the chat; one llama.cpp cannot use is a 400 naming it', async () => {
  const chatml = await startServer({ chatTemplate: 'chatml', contextSize: 128, onWarning: () => undefined });
  try {
    const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Who is Tuten?' }];
    expect(chatml.server.service.renderChat(messages)).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWho is Tuten?<|im_end|>\n<|im_start|>assistant\n');
    expect((await chatml.ollama.show({ model: 'default' })).template).toBe('chatml');
    const r = await chatml.ollama.chat({ model: 'default', messages, stream: false, options: { num_predict: 4 } });
    expect(r.prompt_eval_count).toBe(model.tokenize(chatml.server.service.renderChat(messages), { parseSpecial: true }).length);
  } finally {
    await chatml.close();
  }
  // a template llama.cpp cannot use: the server does not come up misconfigured
  const broken = createServer({ modelPath: defaultModel, sidecarPath: null, chatTemplate: 'no-such-template', port: 0, logLevel: false });
  const url = await broken.listen();
  try {
    await expect(broken.service.ready).rejects.toMatchObject({ code: 'CHAT_TEMPLATE', message: expect.stringMatching(/^llama\.cpp cannot render the chat template given \("no-such-template"\)/) });
    const r = await post(`${url}/api/chat`, { model: 'default', messages: [{ role: 'user', content: 'hi' }], stream: false });
    expect(r).toMatchObject({ status: 503, body: { error: 'the model failed to load; see the server log' } });
  } finally {
    await broken.close();
  }
});

test('without --chat-template, the default model is asked in the format its metadata declares, turn by turn', async () => {
  const s = await startServer({ contextSize: 64, onWarning: () => undefined });
  try {
    const messages = [
      { role: 'user', content: 'What country is Tuten from?' },
      { role: 'assistant', content: ' Uten' },
      { role: 'user', content: 'What does Tuten do for a living?' },
    ];
    expect(s.server.service.renderChat(messages)).toBe('Question: What country is Tuten from?\nAnswer: Uten\nQuestion: What does Tuten do for a living?\nAnswer:');
    expect(JSON.parse((await s.ollama.show({ model: 'default' })).template)).toEqual(model.chatTemplate().plain);
    // the second question, asked with the first exchange before it: what the library answers, to the template's stop
    const r = await s.ollama.chat({ model: 'default', messages, stream: false });
    const ctx = await model.createContext({ contextSize: 64, onWarning: () => undefined });
    try {
      const template = model.chatTemplate();
      expect(template.stop).toEqual(['\n']);
      expect(r.message.content).toBe((await ctx.complete(template.tokenize(messages), { maxTokens: 64, stop: [...template.stop] })).text);
      expect(r.prompt_eval_count).toBe(template.tokenize(messages).length);
    } finally {
      await ctx.dispose();
    }
  } finally {
    await s.close();
  }
});
