import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './http-send';

/**
 * The registry client's HTTP transport against real servers on loopback: two origins (a registry and
 * the storage host its blob redirects go to), each recording what it received.
 */
interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  contentLength?: string;
  body: string;
}

function server(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: Seen[] = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        contentLength: req.headers['content-length'],
        body,
      });
      handle(req, res, body);
    });
  });
  return { s, seen, url: () => `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
}

const storage = server((req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.end(`blob at ${req.url}`);
});
const registry = server((req, res) => {
  if (req.url === '/blob') {
    res.writeHead(307, { location: `${storage.url()}/signed?x=1` });
    return res.end();
  }
  if (req.url === '/moved') {
    res.writeHead(301, { location: '/here' });
    return res.end();
  }
  if (req.url === '/token') {
    res.writeHead(303, { location: '/here' });
    return res.end();
  }
  if (req.url === '/loop') {
    res.writeHead(302, { location: '/loop' });
    return res.end();
  }
  if (req.url === '/hang') return; // never answers
  res.writeHead(req.url === '/missing' ? 404 : 200, { 'docker-content-digest': 'sha256:abc', 'x-two': ['a', 'b'] });
  res.end(JSON.stringify({ path: req.url }));
});
const servers: Server[] = [storage.s, registry.s];

beforeAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe('send', () => {
  it('answers status, headers and body as fetch does', async () => {
    const res = await send(`${registry.url()}/v2/x/manifests/a`, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.statusText).toBe('OK');
    expect(res.headers.get('Docker-Content-Digest')).toBe('sha256:abc');
    expect(res.headers.get('x-two')).toBe('a, b');
    expect(res.headers.get('absent')).toBeNull();
    expect(await res.json()).toEqual({ path: '/v2/x/manifests/a' });
    const missing = await send(`${registry.url()}/missing`, { method: 'GET' });
    expect([missing.status, missing.ok]).toEqual([404, false]);
    expect(await missing.text()).toContain('/missing');
  });

  it('sends a body with its length, and a form as a form', async () => {
    await send(`${registry.url()}/put`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
      body: new Uint8Array(Buffer.from('{"schemaVersion":2}')),
    });
    await send(`${registry.url()}/form`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token' }),
    });
    const [put, form] = registry.seen.filter((s) => s.url === '/put' || s.url === '/form');
    expect(put).toMatchObject({
      method: 'PUT',
      contentType: 'application/vnd.oci.image.index.v1+json',
      contentLength: '19',
      body: '{"schemaVersion":2}',
    });
    expect(form).toMatchObject({
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
      body: 'grant_type=refresh_token',
    });
  });

  it('frees the connection of an answer nobody reads: the next request reuses it', async () => {
    const ports: number[] = [];
    const counted = server((req, res) => {
      ports.push(req.socket.remotePort ?? 0);
      res.writeHead(201, { 'content-length': '0' });
      res.end();
    });
    await new Promise<void>((r) => counted.s.listen(0, '127.0.0.1', r));
    try {
      await send(`${counted.url()}/v2/x/manifests/a`, { method: 'PUT', body: new Uint8Array(Buffer.from('{}')) });
      await send(`${counted.url()}/v2/x/manifests/b`, { method: 'PUT', body: new Uint8Array(Buffer.from('{}')) });
      expect(ports).toHaveLength(2);
      expect(ports[1]).toBe(ports[0]);
    } finally {
      counted.s.closeAllConnections();
      await new Promise<void>((r) => counted.s.close(() => r()));
    }
  });

  it('follows a redirect to another origin without the Authorization header, and keeps it on the same origin', async () => {
    const blob = await send(`${registry.url()}/blob`, { method: 'GET', headers: { Authorization: 'Basic c2VjcmV0' } });
    expect(await blob.text()).toBe('blob at /signed?x=1');
    expect(storage.seen.at(-1)).toMatchObject({ url: '/signed?x=1', authorization: undefined });

    const moved = await send(`${registry.url()}/moved`, {
      method: 'GET',
      headers: { Authorization: 'Basic c2VjcmV0' },
    });
    expect(await moved.json()).toEqual({ path: '/here' });
    expect(registry.seen.at(-1)).toMatchObject({ url: '/here', authorization: 'Basic c2VjcmV0' });
  });

  it('continues a 303 after a POST as a GET without the body', async () => {
    const res = await send(`${registry.url()}/token`, { method: 'POST', body: new URLSearchParams({ a: 'b' }) });
    expect(res.status).toBe(200);
    expect(registry.seen.at(-1)).toMatchObject({ method: 'GET', url: '/here', body: '', contentType: undefined });
  });

  it('stops after 20 redirects', async () => {
    await expect(send(`${registry.url()}/loop`, { method: 'GET' })).rejects.toThrow('more than 20 redirects');
  });

  it("rejects with the signal's reason when the time is up", async () => {
    const error = await send(`${registry.url()}/hang`, { method: 'GET', signal: AbortSignal.timeout(200) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
  });

  it('rejects with the network error when nothing listens', async () => {
    const closed = server(() => undefined);
    await new Promise<void>((r) => closed.s.listen(0, '127.0.0.1', r));
    const url = closed.url();
    await new Promise<void>((r) => closed.s.close(() => r()));
    const error = await send(`${url}/v2/`, { method: 'GET' }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
