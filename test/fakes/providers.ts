import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Gemini API and the OpenAI API, speaking their wire formats (model lists and
 * error bodies), reached through the official SDKs by base URL. Keys decide the answer: `valid-…`
 * lists models, `quota-…` is over quota (429), anything else is rejected. Every request is logged.
 */
export async function startFakeProviders() {
  const requests: Array<{ method: string; path: string; key: string }> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    const gemini = !bearer;
    const key = bearer ?? String(req.headers['x-goog-api-key'] ?? url.searchParams.get('key') ?? '');
    requests.push({ method: req.method ?? '', path: url.pathname, key });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!/^\/v1(beta)?\/models$/.test(url.pathname))
      return send(404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } });
    if (key.startsWith('quota-')) {
      return gemini
        ? send(429, {
            error: {
              code: 429,
              message: 'Resource has been exhausted (e.g. check quota).',
              status: 'RESOURCE_EXHAUSTED',
            },
          })
        : send(429, {
            error: {
              message: 'You exceeded your current quota.',
              type: 'insufficient_quota',
              code: 'insufficient_quota',
            },
          });
    }
    if (!key.startsWith('valid-')) {
      return gemini
        ? send(400, {
            error: {
              code: 400,
              message: 'API key not valid. Please pass a valid API key.',
              status: 'INVALID_ARGUMENT',
            },
          })
        : send(401, {
            error: {
              message: 'Incorrect API key provided.',
              type: 'invalid_request_error',
              code: 'invalid_api_key',
            },
          });
    }
    return gemini
      ? send(200, {
          models: [
            {
              name: 'models/gemini-2.5-flash',
              displayName: 'Gemini 2.5 Flash',
              supportedGenerationMethods: ['generateContent'],
            },
          ],
        })
      : send(200, {
          object: 'list',
          data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }],
        });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((r) => server.close(r)) };
}
