'use strict';
// Starts a model server as a child process on a free loopback port, waits until /health says it
// is ready, keeps its output in a log file, and stops it.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { requestJson } = require('./sse-client');

/** A port free right now on 127.0.0.1 (the OS picks it; the server binds it moments later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * CPU time (user + system, all threads) a process has used so far, from /proc; null where there
 * is no /proc. Unlike wall time it hardly moves when other work shares the cores, as long as the
 * server's threads do not spin waiting for each other (one thread each).
 */
function cpuSeconds(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/**
 * Spawns `command args` (`args` may use the port: a function of it), logs to `logFile`, and
 * resolves once GET /health answers 200. Rejects with the log's tail if it exits or times out.
 */
async function startServer({ name, command, args, cwd, logFile, readyTimeoutMs = 300_000 }) {
  const port = await freePort();
  const argv = typeof args === 'function' ? args(port) : args;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'w');
  const child = spawn(command, argv, { cwd, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const tail = () => fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`${name} exited (${exited.code ?? exited.signal}) before it was ready:\n${tail()}`);
    const r = await requestJson(port, 'GET', '/health').catch(() => null);
    if (r?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready after ${readyTimeoutMs / 1000} s:\n${tail()}`);
    }
    await sleep(250);
  }
  return {
    name, port, logFile, command: [command, ...argv],
    log: () => fs.readFileSync(logFile, 'utf8'),
    cpuSeconds: () => cpuSeconds(child.pid),
    /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(killer);
    },
  };
}

/**
 * `cogito serve` on an oracle model, on loopback, and the cascade's oracle client for it (Ollama API,
 * style question): what bench/ask.js and bench/meta.js consult last.
 */
async function startOracleServer({ root, model, createOracle, logFile }) {
  const server = await startServer({
    name: 'oracle',
    command: process.execPath,
    args: (port) => [path.join(root, 'bin', 'cogito.js'), 'serve', '--model', model, '--no-sidecar', '--host', '127.0.0.1', '--port', String(port), '--threads', '1', '--quiet'],
    cwd: root,
    logFile,
  });
  const models = await requestJson(server.port, 'GET', '/v1/models');
  const id = models.body?.data?.[0]?.id;
  if (typeof id !== 'string') {
    await server.stop();
    throw new Error(`the oracle server's /v1/models names no model: ${JSON.stringify(models.body).slice(0, 200)}`);
  }
  const oracle = createOracle({ url: `http://127.0.0.1:${server.port}`, api: 'ollama', model: id, style: 'question', timeoutMs: 30_000 });
  return { server, oracle };
}

module.exports = { startServer, startOracleServer, freePort };
