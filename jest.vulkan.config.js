/**
 * The GPU parity suite (docs/gpu.md): the Vulkan build (build-vulkan/, COGITO_GPU=vulkan) against
 * the CPU build (build/) in one process. `npm run test:vulkan`; the plain `npm test` skips it.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/vulkan'],
  testPathIgnorePatterns: ['/node_modules/'],
  // lavapipe runs ggml's Vulkan shaders on the CPU: one file at a time, and slow
  maxWorkers: 1,
  testTimeout: 600000,
};
