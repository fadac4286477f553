import type { Command } from 'commander';
import { systemInfo, type SystemInfo } from '../../engine';
import { printJson } from '../output';

/** `native (linked in)`, or a portable build's variant: `portable: zen4 (score 1016, libggml-cpu-zen4.so; of x64 1, ...)`. */
function describeVariant(info: SystemInfo): string {
  const v = info.cpu.loadedVariant;
  if (info.cpu.variant === 'native') return 'native (ggml-cpu built for the build host, linked in)';
  const file = v.file.split(/[\\/]/).pop() ?? v.file;
  const candidates = v.candidates.map((c) => `${c.name} ${c.score}`).join(', ');
  return `portable: ${v.name} (score ${v.score}, ${file}${candidates ? `; of ${candidates}` : ''})`;
}

/** The human-readable form of systemInfo(): one fact per line. */
export function formatSystemInfo(info: SystemInfo): string {
  const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  const lines = [`llama.cpp ${info.build.llamaTag} (ggml ${info.build.ggmlVersion}, commit ${info.build.ggmlCommit}), build: ${info.build.gpu}`];
  lines.push('backends:');
  for (const backend of info.backends) {
    for (const d of backend.devices) {
      const memory = d.memoryTotal > 0 ? `, ${gib(d.memoryFree)} free of ${gib(d.memoryTotal)}` : '';
      lines.push(`  ${backend.name}: ${d.name} (${d.type}) ${d.description}${memory}`);
    }
    if (backend.devices.length === 0) lines.push(`  ${backend.name}: no devices`);
  }
  const compiled = Object.entries(info.cpu.features).filter(([, on]) => on).map(([name]) => name);
  lines.push(`cpu: ${info.cpu.model}`);
  lines.push(`  variant: ${describeVariant(info)}`);
  lines.push(`  kernels: ${compiled.length > 0 ? compiled.join(' ') : 'none beyond the generic C code'}`);
  lines.push(`  extra buffers: ${info.cpu.extraBuffers.length > 0 ? info.cpu.extraBuffers.join(' ') : 'none'}`);
  lines.push(`  AMX: ${info.build.amx}; ${info.cpu.amxActive ? 'active' : 'not active'}`);
  lines.push(`threads: ${info.threads.available} available, ${info.threads.idle} idle`);
  lines.push(`GPU offload: ${info.supportsGpuOffload ? 'yes' : 'no'}`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('info')
    .description('print the backends, the CPU variant loaded and its kernels, the AMX decision and the threads cogito would use')
    .option('--json', 'print JSON')
    .action((f: { json?: boolean }) => {
      const info = systemInfo();
      if (f.json) return printJson(info);
      process.stdout.write(formatSystemInfo(info));
    });
}
