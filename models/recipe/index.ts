// The recipe for the default model's corpus (issue 4 §1).
export * from './prng';
export * from './names';
export * from './world';
export * from './descartes';
export * from './corpus';
export * from './write';
export * from './vocab';
export * from './oracle';
export * from './default-world';
export * from './domain';
