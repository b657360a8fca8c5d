import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What the registry client asks of a request: the part of fetch's RequestInit it uses. */
export interface SendInit {
  method: string;
  headers?: Record<string, string>;
  body?: Uint8Array | URLSearchParams;
  /** Aborts the request and the reading of its answer; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What the registry client reads of an answer: the part of fetch's Response it uses. */
export interface Answer {
  status: number;
  statusText: string;
  ok: boolean;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type Send = (url: string, init: SendInit) => Promise<Answer>;

const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** One keep-alive pool per scheme for the process; idle sockets do not keep it running. */
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/**
 * One HTTP(S) request with node:http, as fetch sends it for the registry client: redirects followed
 * (Authorization dropped when one leads to another origin, as a registry's blob redirect to a storage
 * host needs; a 303, or a 301/302 after a POST, continues as a GET), keep-alive connections, the whole
 * answer read before it is returned, as raw bytes (a manifest's digest is of its bytes). Node's fetch would load its HTTP stack
 * (undici) at the first request, 45 to 55 ms of every run that asks the registry anything.
 */
export const send: Send = async (url, init) => {
  let target = new URL(url);
  let method = init.method.toUpperCase();
  let headers: Record<string, string> = { ...init.headers };
  let body: Buffer | undefined;
  if (init.body instanceof URLSearchParams) {
    body = Buffer.from(init.body.toString());
    if (!hasHeader(headers, 'content-type'))
      headers['Content-Type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
  } else if (init.body) {
    body = Buffer.from(init.body.buffer, init.body.byteOffset, init.body.byteLength);
  }
  for (let redirects = 0; ; redirects++) {
    const res = await exchange(target, method, headers, body, init.signal);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return answerOf(res, await bodyOf(res, init.signal));
    res.resume();
    if (redirects === MAX_REDIRECTS) throw new Error(`${url}: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, target);
    if (next.origin !== target.origin) headers = withoutHeader(headers, 'authorization');
    if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      headers = withoutHeader(withoutHeader(headers, 'content-type'), 'content-length');
    }
    target = next;
  }
};

const hasHeader = (headers: Record<string, string>, name: string) =>
  Object.keys(headers).some((k) => k.toLowerCase() === name);
const withoutHeader = (headers: Record<string, string>, name: string) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name));

/** The reason an aborted signal gives (AbortSignal.timeout's is a TimeoutError), else the error itself. */
const abortedOr = (error: unknown, signal: AbortSignal | undefined): unknown =>
  signal?.aborted ? signal.reason : error;

function exchange(
  target: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.reject(new Error(`${target.href}: only http and https are supported`));
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      target,
      {
        method,
        headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers,
        agent: AGENTS[target.protocol as keyof typeof AGENTS],
        ...(signal ? { signal } : {}),
      },
      resolve,
    );
    req.on('error', (e) => reject(abortedOr(e, signal)));
    req.end(body);
  });
}

/**
 * The whole answer, read before the caller sees it: registry answers are small (manifests, configs,
 * errors), and a body nobody reads would hold its keep-alive connection, and with it the process, open.
 */
export function bodyOf(res: IncomingMessage, signal?: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (e) => reject(abortedOr(e, signal)));
    res.on('aborted', () =>
      reject(abortedOr(new Error('the connection closed before the answer was complete'), signal)),
    );
  });
}

function answerOf(res: IncomingMessage, body: Buffer): Answer {
  const status = res.statusCode ?? 0;
  return {
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    headers: {
      get: (name) => {
        const value = res.headers[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(', ') : value;
      },
    },
    arrayBuffer: () =>
      Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer),
    text: () => Promise.resolve(body.toString('utf8')),
    json: () => Promise.resolve().then(() => JSON.parse(body.toString('utf8')) as unknown),
  };
}
