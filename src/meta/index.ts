// The meta layer (issue 18; docs/meta.md): the signals of a generation, the out-of-distribution
// score of its hidden state, the feedback buffer that turns verdicts into training labels, and the
// meta-learner trained on them.
export * from './errors';
export * from './signals';
export { DEFAULT_HEDGES, countHedges, repetitionRate, words } from './text-signals';
export { fitHiddenDistribution, mahalanobis, parseHiddenDistribution, type CovarianceKind, type FitOptions, type HiddenDistribution } from './hidden-distribution';
export * from './labels';
export { FeedbackBuffer, NO_SIGNALS_VERSION, type AnswerInput, type RegisteredAnswer, type Outcome, type OutcomeInput, type SignalsVectorInput, type TrainingRow, type TrainingRowOptions } from './feedback';
export { FEEDBACK_SCHEMA_VERSION, feedbackPathBeside, type FeedbackOpenOptions } from './feedback-file';
// the error root (docs/errors.md), so `instanceof CogitoError` needs no other import
export { CogitoError, ERROR_CATEGORIES, errorCategory, type ErrorCategory, type ErrorCode } from '../util/errors';
export { FeedbackRecorder, isJudgement, JUDGEMENTS, outcomeSourceOf, outcomesOfAnswer, recordJudgement, type Judgement, type RecordedAnswer, type VksMethodOf } from './recorder';
export { feedbackStatus, type FeedbackStatus } from './status';
export * from './learner-types';
export { acceptRule, inValidationSlice, scoreOnSlice, splitRows, VALIDATION_MODULUS, type AcceptDecision, type SliceScore } from './accept';
export { LearnerStore, metaDirBeside, versionFileName, type LearnerVersion } from './learner-store';
export { FIRST_TRAINING_AT, OnlineTrainer, RETRAIN_EVERY, retrain, TRAINING_BATCH, trainingDue, trainingRowsFor, type LoadMetaLearner, type OnlineTrainerOptions, type RetrainDeps, type RetrainResult } from './online';
export { MetaRouter } from './router';
export { domainQuestions, drawBootstrapQuestions, heldOutOf, runBootstrap, type BootstrapSummary, type DomainQuestion, type HeldOut } from './bootstrap';
export { loadMetaLearner, MetaLearner, META_TRAIN_DEFAULTS, META_TRAIN_PATIENCE, trainMetaLearner, type LoadMetaLearnerOptions } from './learner';
export { META_LEARNER_FORMAT_VERSION, metaTensorShapes } from './learner-file';
export { brierScore, ECE_BINS, expectedCalibrationError, scoreMetaPredictions } from './learner-metrics';
export { collectFromFeedback, PROOF_LABEL_RULE, PROOF_LABEL_THRESHOLD, PROOF_SKIP_REASONS, proofLabel, sameAnswer, type CollectFromFeedbackOptions, type FeedbackCollectSummary } from './collect-from-feedback';
export * from './evaluation';
export * from './baselines';
