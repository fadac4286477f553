/**
 * The GPU parity suite (docs/gpu.md): the Vulkan build (build-vulkan/, COGITO_GPU=vulkan) against
 * the CPU build (build/) in one process. `npm run test:vulkan`; the plain `npm test` skips it.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

// ggml-vulkan skips Vulkan devices of type CPU unless they are named: lavapipe, the device this suite
// runs on here, is one. Set here, in the process jest runs in (a test's process.env is a copy the
// addon never sees). On a machine with a real GPU, set GGML_VK_VISIBLE_DEVICES to its index instead.
process.env.GGML_VK_VISIBLE_DEVICES ??= '0';

module.exports = {
  ...base,
  roots: ['<rootDir>/test/vulkan'],
  testPathIgnorePatterns: ['/node_modules/'],
  // lavapipe runs ggml's Vulkan shaders on the CPU: one file at a time, and slow
  maxWorkers: 1,
  testTimeout: 600000,
};
