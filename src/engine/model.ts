import * as fs from 'node:fs';
import { ChatSession, type ChatGenerator, type ChatOverflow } from './chat';
import { ChatTemplate, PLAIN_CHAT_TEMPLATE_KEY, type ChatMessageInput, type ChatTemplateSpec } from './chat-template';
import { Context, type ContextOptions } from './context';
import { SequencePool, type SequencePoolOptions } from './sequences';
import { embedWithModel, type EmbeddingInput, type ModelEmbedOptions } from './embeddings';
import { DisposedError, InvalidOptionError, ModelNotFoundError, NoGpuError, native, nativeSync } from './errors';
import { readGguf, type GgufMetadataEntry } from './gguf';
import { addon, type NativeModel } from './native';
import { kvBytesPerPosition } from './resources';
import { LLAMA_MAX_LAYERS, validateModelInfo } from './validate-model';

export interface LoadModelOptions {
  /** Called with the load progress in [0, 1]. */
  onProgress?: (progress: number) => void;
  /**
   * Layers to offload to the GPU backend (default 0), counted from the top with the output layer as
   * one (llama.cpp's rule): 1 = the output layer, k = it and the last k − 1 layers; ≥ layers + 1, all.
   * NO_GPU when the addon has no GPU device (a CPU build, or no driver): never a silent CPU run.
   */
  gpuLayers?: number;
  /** Memory-map the file (default true). */
  useMmap?: boolean;
}

export interface ModelInfo {
  architecture: string;
  name?: string;
  description: string;
  layerCount: number;
  embeddingSize: number;
  headCount: number;
  headCountKv: number;
  trainContextSize: number;
  vocabularySize: number;
  parameterCount: number;
  chatTemplate: string | null;
  fileSize: number;
  /** Identifies the weights: a hash of the tensor layout and data. Sidecars are bound to it. */
  fingerprint: string;
  path: string;
  bosToken: number;
  eosToken: number;
}

export type { ChatMessage } from './chat-template';

export interface ChatSessionCreateOptions {
  /** A template instead of the model's own: a built-in name, a Jinja template, or a plain template (see ./chat-template.ts). */
  template?: ChatTemplateSpec;
  system?: string;
  history?: readonly ChatMessageInput[];
  overflow?: ChatOverflow;
  /** Earlier exchanges kept in each prompt at most (see ChatSessionOptions.maxTurns). */
  maxTurns?: number;
}

export interface TokenizeOptions {
  /** Add BOS/EOS as the model's vocabulary asks (default true). */
  addSpecial?: boolean;
  /** Recognise special-token text such as "<s>" (default false). */
  parseSpecial?: boolean;
}

export class Model {
  readonly info: ModelInfo;
  private handle: NativeModel | null;
  /** Contexts and sequence pools still open: disposed with the model. */
  private readonly contexts = new Set<Context | SequencePool>();
  /** @internal bytes of KV cache per context position, for the memory check before a context is made. */
  readonly kvBytesPerPosition: number;
  /** @internal the file's cogito.chat_template entry (a plain prompt format it declares), as load read it. */
  readonly declaredChatTemplate: GgufMetadataEntry | undefined;
  /** @internal the key and value head sizes, which a quantized KV cache must split into whole blocks. */
  readonly kvHeadSizes: { k: number; v: number };

  private constructor(handle: NativeModel, kvBytes: number, declaredChatTemplate: GgufMetadataEntry | undefined, kvHeadSizes: { k: number; v: number }) {
    this.handle = handle;
    this.kvBytesPerPosition = kvBytes;
    this.declaredChatTemplate = declaredChatTemplate;
    this.kvHeadSizes = kvHeadSizes;
    const i = handle.info();
    this.info = {
      architecture: i.architecture,
      name: i.name,
      description: i.description,
      layerCount: i.layers,
      embeddingSize: i.embeddingSize,
      headCount: i.heads,
      headCountKv: i.headsKv,
      trainContextSize: i.trainContextSize,
      vocabularySize: i.vocabSize,
      parameterCount: i.parameters,
      chatTemplate: i.chatTemplate,
      fileSize: i.fileSize,
      fingerprint: i.fingerprint,
      path: i.path,
      bosToken: i.bos,
      eosToken: i.eos,
    };
  }

  /** @internal */
  static async fromFile(path: string, options: LoadModelOptions = {}): Promise<Model> {
    if (typeof path !== 'string' || path.length === 0) throw new InvalidOptionError('loadModel: a model path is required', 'INVALID_ARGUMENT');
    if (!fs.existsSync(path)) throw new ModelNotFoundError(`model file not found: ${path}`, 'ENOENT');
    if (options.gpuLayers !== undefined && (!Number.isInteger(options.gpuLayers) || options.gpuLayers < 0)) {
      throw new InvalidOptionError('gpuLayers must be a non-negative integer', 'INVALID_ARGUMENT');
    }
    // llama.cpp quietly keeps every layer on the CPU when no GPU device is there: say so instead
    const system = options.gpuLayers ? nativeSync(() => addon().systemInfo()) : undefined;
    if (system && !system.supportsGpuOffload) {
      throw new NoGpuError(
        `gpuLayers: ${options.gpuLayers} asks for layers on a GPU, but this addon (COGITO_GPU=${system.build.gpu}) sees no GPU device; ` +
          'build with COGITO_GPU=vulkan, cuda or metal on a machine with its driver (docs/gpu.md), or leave gpuLayers at 0',
        'NO_GPU',
      );
    }
    // llama.cpp aborts the process on some bad metadata: refuse it with a typed error first
    // per-layer arrays hold at most LLAMA_MAX_LAYERS values; longer arrays (the vocabulary) only need their length
    const gguf = await readGguf(path, { maxArray: LLAMA_MAX_LAYERS });
    const shape = validateModelInfo(gguf, path);
    const handle = await native(() => addon().loadModel(path, { gpuLayers: options.gpuLayers, useMmap: options.useMmap }, options.onProgress));
    return new Model(handle, kvBytesPerPosition(shape), gguf.metadata[PLAIN_CHAT_TEMPLATE_KEY], { k: shape.headSizeK, v: shape.headSizeV });
  }

  /** @internal the addon handle, for contexts and sidecars. */
  get native(): NativeModel {
    if (!this.handle) throw new DisposedError('the model has been disposed', 'DISPOSED');
    return this.handle;
  }

  get disposed(): boolean {
    return this.handle === null;
  }

  async createContext(options: ContextOptions = {}): Promise<Context> {
    const ctx = await Context.create(this, options);
    this.contexts.add(ctx);
    ctx.onDispose(() => this.contexts.delete(ctx));
    return ctx;
  }

  /**
   * A pool of `sequences` sequences over one context, decoded together (continuous batching): each
   * `pool.acquire()` gives a Sequence with the generate/complete of a Context. `contextSize` is the
   * positions of each sequence (default min(2048, the training context)).
   */
  async createSequencePool(options: SequencePoolOptions): Promise<SequencePool> {
    const pool = await SequencePool.create(this, options);
    this.contexts.add(pool);
    pool.onDispose(() => this.contexts.delete(pool));
    return pool;
  }

  /** Embeds one input on a temporary context sized to it (see Context.embed). */
  async embed(input: EmbeddingInput, options: ModelEmbedOptions = {}): Promise<Float32Array> {
    const [vector] = await embedWithModel(this, [input], options);
    return vector;
  }

  /** Embeds several inputs on one temporary context sized to the longest. */
  embedBatch(inputs: readonly EmbeddingInput[], options: ModelEmbedOptions = {}): Promise<Float32Array[]> {
    return embedWithModel(this, inputs, options);
  }

  /** @internal throws unless every token is an integer id of this model's vocabulary. */
  checkTokens(tokens: readonly number[]): void {
    const n = this.info.vocabularySize;
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= n) throw new InvalidOptionError(`token ${String(t)} is not a token id of this model (integers from 0 to ${n - 1})`, 'INVALID_ARGUMENT');
    }
  }

  tokenize(text: string, options: TokenizeOptions = {}): number[] {
    const toks = nativeSync(() => this.native.tokenize(text, options.addSpecial ?? true, options.parseSpecial ?? false));
    return Array.from(toks);
  }

  /** Text of tokens; with `special`, special tokens are rendered as text instead of dropped. */
  detokenize(tokens: readonly number[], options: { special?: boolean } = {}): string {
    const special = options.special ?? false;
    this.checkTokens(tokens);
    return nativeSync(() => this.native.detokenize(Int32Array.from(tokens), !special, special));
  }

  /** The raw bytes of one token (a UTF-8 character may be split across tokens). */
  tokenBytes(token: number, special = false): Uint8Array {
    this.checkTokens([token]);
    return nativeSync(() => this.native.tokenPiece(token, special));
  }

  isEndOfGeneration(token: number): boolean {
    return this.native.isEog(token);
  }

  /**
   * The chat template `template` names, else the model's own: its plain `cogito.chat_template`
   * declaration, then its `tokenizer.chat_template` (see ./chat-template.ts).
   */
  chatTemplate(template?: ChatTemplateSpec): ChatTemplate {
    return ChatTemplate.forModel(this, template);
  }

  /** Formats a conversation with the model's own chat template (or the one given). */
  applyChatTemplate(messages: readonly ChatMessageInput[], options: { addAssistant?: boolean; template?: ChatTemplateSpec } = {}): string {
    return this.chatTemplate(options.template).render(messages, { addGeneration: options.addAssistant ?? true });
  }

  /** A conversation over `generator` (a context of this model) in the model's chat template or the one given. */
  createChatSession(generator: ChatGenerator, options: ChatSessionCreateOptions = {}): ChatSession {
    const { template, ...rest } = options;
    return new ChatSession(generator, { ...rest, template: this.chatTemplate(template) });
  }

  /** Frees the weights; contexts still open are disposed first. */
  async dispose(): Promise<void> {
    if (!this.handle) return;
    for (const ctx of [...this.contexts]) await ctx.dispose();
    this.handle.dispose();
    this.handle = null;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** Loads a GGUF model on a worker thread. */
export function loadModel(path: string, options: LoadModelOptions = {}): Promise<Model> {
  return Model.fromFile(path, options);
}
