// gpuLayers and graphPlacement() on the build this suite runs (the CPU build): gpuLayers is refused
// where no GPU device exists instead of running on the CPU unasked, and the placement report counts
// the nodes of the last graph per scheduler backend (the GPU suite, test/vulkan, checks a device build).
import { loadModel, NoGpuError, systemInfo, type Model } from '../../src/engine';
import { smallModel } from '../support/engine';

const onCpuBuild = !systemInfo().supportsGpuOffload;
let model: Model;

beforeAll(async () => {
  model = await loadModel(await smallModel());
});
afterAll(async () => {
  await model.dispose();
});

(onCpuBuild ? test : test.skip)('gpuLayers > 0 on an addon without a GPU device: NO_GPU, naming the build', async () => {
  const err = await loadModel(await smallModel(), { gpuLayers: 1 }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(NoGpuError);
  expect((err as NoGpuError).code).toBe('NO_GPU');
  expect((err as NoGpuError).message).toContain('COGITO_GPU=cpu');
  // 0 is the default and always allowed
  const m = await loadModel(await smallModel(), { gpuLayers: 0 });
  await m.dispose();
});

test('gpuLayers must be a non-negative integer', async () => {
  for (const gpuLayers of [-1, 1.5, Number.NaN]) {
    await expect(loadModel(await smallModel(), { gpuLayers })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  }
});

test('graphPlacement: nothing before the first evaluation, then every node of the graph on the CPU backend', async () => {
  const ctx = await model.createContext({ contextSize: 64 });
  try {
    const before = ctx.graphPlacement();
    expect(before.splits).toBe(0);
    expect(before.backends.every((b) => b.nodes === 0)).toBe(true);
    await ctx.evaluate(model.tokenize('one two three'), { taps: { layers: 'all' } });
    const after = ctx.graphPlacement();
    expect(after.backends.map((b) => b.name)).toEqual(['CPU']);
    expect(after.backends[0].nodes).toBeGreaterThan(model.info.layerCount * 10);
    expect(after.splits).toBe(1);
  } finally {
    await ctx.dispose();
  }
});
