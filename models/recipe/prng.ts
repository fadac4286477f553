// The PRNG lives in src/util so the library (sidecar weights) and this recipe share one implementation.
export * from '../../src/util/prng';
