'use strict';
// One streamed OpenAI `/v1/completions` request (SSE), timed per token as the client sees it.
// Plain node:http, no keep-alive pool: each concurrent client has its own connection, and nothing
// in the client (an SDK's retries, buffering) sits between the server and the clock.

const http = require('node:http');

/**
 * POSTs `body` (stream forced on) to 127.0.0.1:`port` and resolves with
 * { startedAt, tokenTimes (ms, performance.now() per non-empty text chunk), endedAt, text,
 *   usage (the final usage chunk, or null), finishReason }.
 */
function streamCompletion(port, body, { timeoutMs = 300_000 } = {}) {
  const payload = JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } });
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const result = { startedAt, tokenTimes: [], endedAt: null, text: '', usage: null, finishReason: null };
    const req = http.request({
      host: '127.0.0.1', port, path: '/v1/completions', method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), accept: 'text/event-stream' },
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from port ${port} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => reject(new Error(`HTTP ${res.statusCode} from port ${port}: ${text.slice(0, 500)}`)));
        return;
      }
      let pending = '';
      let done = false;
      const onEvent = (event) => {
        for (const line of event.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') { done = true; continue; }
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(`error event from port ${port}: ${JSON.stringify(chunk.error)}`);
          const choice = chunk.choices?.[0];
          if (choice?.text) {
            result.tokenTimes.push(performance.now());
            result.text += choice.text;
          }
          if (choice?.finish_reason) result.finishReason = choice.finish_reason;
          if (chunk.usage) result.usage = chunk.usage;
        }
      };
      res.on('data', (d) => {
        pending += d;
        let at;
        while ((at = pending.search(/\r?\n\r?\n/)) >= 0) {
          const event = pending.slice(0, at);
          pending = pending.slice(at).replace(/^\r?\n\r?\n/, '');
          try {
            onEvent(event);
          } catch (err) {
            req.destroy();
            reject(err);
            return;
          }
        }
      });
      res.on('end', () => {
        result.endedAt = performance.now();
        if (!done) reject(new Error(`the stream from port ${port} ended without data: [DONE]`));
        else resolve(result);
      });
      res.on('error', reject);
    });
    req.end(payload);
  });
}

/** GET/POST a small JSON endpoint on 127.0.0.1:`port`; resolves with { status, body }. */
function requestJson(port, method, urlPath, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: urlPath, method, agent: false,
      headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${urlPath} on port ${port} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let parsed = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON: keep the text for the error message */ }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.end(payload);
  });
}

module.exports = { streamCompletion, requestJson };
