export { loadModel, Model, type ChatSessionCreateOptions, type LoadModelOptions, type ModelInfo, type TokenizeOptions } from './model';
export {
  BUILTIN_CHAT_TEMPLATES,
  CHAT_ROLES,
  ChatTemplate,
  PLAIN_CHAT_TEMPLATE_KEY,
  parsePlainChatTemplate,
  validateChatMessages,
  type ChatMessage,
  type ChatMessageInput,
  type ChatRole,
  type ChatTemplateSource,
  type ChatTemplateSpec,
  type PlainChatRole,
  type PlainChatTemplate,
} from './chat-template';
export { ChatSession, type ChatGenerator, type ChatOverflow, type ChatSendOptions, type ChatSessionOptions, type ChatTurnResult } from './chat';
export {
  Context,
  KV_CACHE_TYPES,
  type KvCacheType,
  type ContextOptions,
  type EvaluateOptions,
  type EvaluateResult,
  type GenerateOptions,
  type GeneratedToken,
  type GenerationResult,
  type StopReason,
  type TopToken,
} from './context';
export { MAX_SEQUENCES, Sequence, SequencePool, type SequencePoolOptions } from './sequences';
export { MAX_TOP_LOGPROBS } from './emission';
export type { SamplingOptions } from './sampling';
export type { EmbedOptions, EmbeddingInput, EmbeddingNormalization, EmbeddingPooling, ModelEmbedOptions } from './embeddings';
export { jsonSchemaToGrammar, type ConstraintOptions, type JsonSchema } from './grammar';
export { lastLayers, type AttentionEntropyOption, type LayerAttentionEntropy } from './attention';
export { resolveLayers, l2norm, type LayerSelection, type TapMode, type TapRequest, type TapTensor } from './taps';
export * from './errors';
export * from './gguf';
export { writeGgufStream, type GgufStreamTensor } from './gguf-stream';
export { validateModelFile, validateModelInfo, type ModelShape } from './validate-model';
export { SidecarHandle, checkSidecar, type SidecarHandleConfig, type SidecarHandleInfo } from './sidecar-handle';
export {
  ProbeTrainer,
  Trainer,
  type OpenTrainerOptions,
  type ProbeEpoch,
  type ProbeTrainerOptions,
  type SidecarExamples,
  type SidecarRunOptions,
  type SidecarRunResult,
  type SidecarTrainProgress,
  type TrainerData,
  type TrainerInfo,
  type TrainerProgress,
  type TrainerResult,
  type TrainerRunOptions,
} from './training';
export { META_NET_OUTPUTS, MetaNet, MetaNetTrainer, type MetaNetEpoch, type MetaNetRows, type MetaNetTensor, type MetaNetTrainerOptions } from './meta-net';
export { defaultModelPath, defaultSidecarPath } from './defaults';
export { writeAtomically, writeAtomicallySync } from './atomic-write';
export { systemInfo, type SystemInfo } from './system-info';
export type { GraphPlacement } from './native';
