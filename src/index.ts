// The cogito library: the engine over the native addon, and the layers above it.
export * from './engine';
export * from './sidecar';
