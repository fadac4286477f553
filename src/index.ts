// The cogito library: the engine over the native addon, the layers above it, and the converter for models trained elsewhere.
export * from './engine';
export * from './sidecar';
export * from './convert';
