import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_AUTH, TARGET_PASSWORD, TARGET_REGISTRY, TARGET_USER } from '../../../test-env/env';
import { manifestDigest } from '../../../test-env/registry-api';
import { isImageError } from '../core/errors';
import { FaultyRegistry } from '../../test/faults/registry-proxy';
import { forward, serveLoopback } from '../../test/loopback';
import { JsonCache } from './json-cache';
import { RegistryClient } from './registry';

/**
 * The in-process registry client against the real password registry on 127.0.0.1:5000 (Basic
 * challenge), through a token-issuing proxy in front of it (the Bearer flow GHCR uses), with the
 * docker CLI's config and a real credential helper process. Images are pushed by buildx first.
 */
const NAMESPACE = `registry-${randomBytes(4).toString('hex')}`;
const REPO = `${TARGET_REGISTRY}/${NAMESPACE}/x`;
const work = mkdtempSync(join(tmpdir(), 'registry-test-'));
/** A config dir with the password registry's login (as `docker login` writes it). */
const dockerConfig = (auths: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const dir = mkdtempSync(join(work, 'docker-config-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths, ...extra }));
  return dir;
};
const basicAuth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });
const GOOD = () => dockerConfig({ [TARGET_REGISTRY]: basicAuth(TARGET_USER, TARGET_PASSWORD) });

const imagetools = async (...args: string[]) => (await execa('docker', ['buildx', 'imagetools', ...args])).stdout;

/** Pushes a tiny image FROM debian:trixie-slim (no RUN: no emulation needed) and returns its digest. */
async function push(tag: string, platforms: string, extra: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(work, 'ctx-'));
  writeFileSync(join(dir, 'Dockerfile'), `FROM debian:trixie-slim\nLABEL test=${tag}\n`);
  const meta = join(dir, 'meta.json');
  // The test registry (Distribution 2.8, filesystem storage) now and then answers 500 while tags of a
  // repository are written: push again, as a re-run would.
  for (let attempt = 1; ; attempt++) {
    const r = await execa(
      'docker',
      ['buildx', 'build', '--platform', platforms, '--sbom=false', '--metadata-file', meta, ...extra, dir],
      { reject: false, all: true },
    );
    if (r.exitCode === 0) break;
    if (attempt === 3 || !/500 Internal Server Error/.test(String(r.all)))
      throw new Error(`pushing ${tag} failed:\n${r.all}`);
  }
  return (JSON.parse((await execa('cat', [meta])).stdout) as Record<string, string>)['containerimage.digest'];
}

let docker: string;
let oci: string;
let index: string;

beforeAll(async () => {
  docker = await push('docker', 'linux/arm64', ['--provenance=false', '--push', '-t', `${REPO}:docker`]);
  oci = await push('oci', 'linux/amd64', [
    '--provenance=false',
    '--output',
    `type=image,name=${REPO}:oci,push=true,oci-mediatypes=true`,
  ]);
  index = await push('index', 'linux/amd64,linux/arm64', ['--provenance=mode=min', '--push', '-t', `${REPO}:index`]);
}, 300_000);

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  // buildx with the docker driver also keeps what it pushed in the engine's image store.
  const ls = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', REPO], { reject: false });
  const refs = ls.stdout.split('\n').filter((l) => l.startsWith(REPO));
  if (refs.length) await execa('docker', ['image', 'rm', '-f', ...refs], { reject: false });
}, 120_000);

describe('lookups', () => {
  const client = () => new RegistryClient({ ...process.env, DOCKER_CONFIG: GOOD() });

  it('an index: its digest (as the registry computes it) and its image platforms, attestations left out', async () => {
    const image = await client().inspect(`${REPO}:index`);
    expect(image?.isIndex).toBe(true);
    expect(image?.digest).toBe(await manifestDigest(`${NAMESPACE}/x`, 'index'));
    expect(image?.digest).toBe(index);
    expect(image?.platforms.sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(
      image?.manifest.manifests?.some((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'),
    ).toBe(true);
  });

  it.each([
    { tag: 'docker', platform: 'linux/arm64', mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
    { tag: 'oci', platform: 'linux/amd64', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
  ])('a plain $tag manifest: its platform from its config', async ({ tag, platform, mediaType }) => {
    const image = await client().inspect(`${REPO}:${tag}`);
    expect(image?.isIndex).toBe(false);
    expect(image?.mediaType).toBe(mediaType);
    expect(image?.platforms).toEqual([platform]);
    expect(image?.digest).toBe(await manifestDigest(`${NAMESPACE}/x`, tag));
  });

  it('by digest, and the digest alone (HEAD)', async () => {
    const c = client();
    expect((await c.inspect(`${REPO}@${index}`))?.digest).toBe(index);
    expect(await c.digestOf(`${REPO}:index`)).toBe(index);
  });

  it('a tag or a repository the registry lacks is null, not an error', async () => {
    const c = client();
    expect(await c.inspect(`${REPO}:nothing-here`)).toBeNull();
    expect(await c.inspect(`${TARGET_REGISTRY}/${NAMESPACE}/no-such-repo:x`)).toBeNull();
    expect(await c.digestOf(`${REPO}:nothing-here`)).toBeNull();
  });

  it('the login is asked once per registry: one challenge, then every request authenticated', async () => {
    const c = client();
    await Promise.all([c.inspect(`${REPO}:index`), c.inspect(`${REPO}:oci`), c.digestOf(`${REPO}:docker`)]);
    // GET /v2/ once, three manifests, one config blob (the OCI manifest's platform).
    expect(c.requests).toBe(5);
  });
});

describe('layers (what the size budget measures)', () => {
  const client = () => new RegistryClient({ ...process.env, DOCKER_CONFIG: GOOD() });

  it("an index: each image platform's layers with their compressed sizes and its config; attestations left out; read once; the history on demand", async () => {
    const c = client();
    const platforms = await c.platformLayers(REPO, index);
    expect(platforms.map((p) => p.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    for (const p of platforms) {
      const [os, architecture] = p.platform.split('/');
      const raw = JSON.parse(await imagetools('inspect', '--raw', `${REPO}@${index}`)) as {
        manifests: Array<{ digest: string; platform: { os: string; architecture: string } }>;
      };
      const entry = raw.manifests.find((m) => m.platform.os === os && m.platform.architecture === architecture);
      const manifest = JSON.parse(await imagetools('inspect', '--raw', `${REPO}@${entry?.digest}`)) as {
        layers: Array<{ digest: string; size: number; mediaType: string }>;
      };
      expect(p.layers).toEqual(
        manifest.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType })),
      );
      expect(p.layers.every((l) => l.size > 0)).toBe(true);
      expect(p.config).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    // One request per platform and the index; read once.
    const requests = c.requests;
    expect(await c.platformLayers(REPO, index)).toEqual(platforms);
    expect(c.requests).toBe(requests);
    // The history, read only for an image over its budget: the LABEL made no layer, every other entry one.
    const history = await c.historyOf(REPO, platforms[0].config);
    expect(history.some((h) => h.created_by?.includes('LABEL test=index') && h.empty_layer)).toBe(true);
    expect(history.filter((h) => !h.empty_layer)).toHaveLength(platforms[0].layers.length);
  });

  it('a plain manifest: its one platform, from its config', async () => {
    const [p] = await client().platformLayers(REPO, docker);
    expect(p.platform).toBe('linux/arm64');
    expect(p.layers.length).toBeGreaterThan(0);
  });

  it('kept between runs by repository@digest: the next run asks the registry nothing for them', async () => {
    const file = join(work, 'kept-layers.json');
    const first = new JsonCache(file);
    const read = await new RegistryClient({ ...process.env, DOCKER_CONFIG: GOOD() }, first).platformLayers(REPO, index);
    first.save();
    const next = new RegistryClient({ ...process.env, DOCKER_CONFIG: GOOD() }, new JsonCache(file));
    expect(await next.platformLayers(REPO, index)).toEqual(read);
    expect(next.requests).toBe(0);
    // Another repository's image of the same digest is its own entry: read from the registry.
    const elsewhere = `${TARGET_REGISTRY}/${NAMESPACE}/elsewhere`;
    const error = await next.platformLayers(elsewhere, index).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`${elsewhere}@${index} is not in the registry`);
    expect(next.requests).toBeGreaterThan(0);
  });

  it('a digest the registry lacks is a RegistryError naming it', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const error = await client()
      .platformLayers(REPO, missing)
      .catch((e: unknown) => e);
    expect(isImageError(error) && error.kind).toBe('registry');
    expect((error as Error).message).toContain(`${REPO}@${missing} is not in the registry`);
  });
});

describe('tags', () => {
  const client = () => new RegistryClient({ ...process.env, DOCKER_CONFIG: GOOD() });

  it('an index is tagged as it is: same digest', async () => {
    const c = client();
    expect(await c.tag([`${REPO}:index-copy-1`, `${REPO}:index-copy-2`], REPO, index)).toBe(index);
    expect(await manifestDigest(`${NAMESPACE}/x`, 'index-copy-1')).toBe(index);
    expect(await manifestDigest(`${NAMESPACE}/x`, 'index-copy-2')).toBe(index);
  });

  it.each(['docker', 'oci'])(
    'a plain %s manifest is wrapped in an index byte for byte as imagetools create wraps it',
    async (tag) => {
      const source = tag === 'docker' ? docker : oci;
      await imagetools('create', '-t', `${REPO}:${tag}-by-imagetools`, `${REPO}@${source}`);
      const theirs = await manifestDigest(`${NAMESPACE}/x`, `${tag}-by-imagetools`);
      const ours = await client().tag([`${REPO}:${tag}-by-us`], REPO, source);
      expect(ours).toBe(theirs);
      expect(await manifestDigest(`${NAMESPACE}/x`, `${tag}-by-us`)).toBe(theirs);
      expect(await imagetools('inspect', '--raw', `${REPO}:${tag}-by-us`)).toBe(
        await imagetools('inspect', '--raw', `${REPO}:${tag}-by-imagetools`),
      );
    },
  );

  it('every tag, page after page, as GHCR answers: the Link to the next page is followed to the last', async () => {
    // One copy into a new repository (several at once race in this registry), then tags of what is there.
    const paged = `${TARGET_REGISTRY}/${NAMESPACE}/paged`;
    const names = ['t1', 't2', 't3', 't4', 't5'];
    await imagetools('create', '-t', `${paged}:t1`, `${REPO}@${index}`);
    await client().tag(
      names.slice(1).map((t) => `${paged}:${t}`),
      paged,
      index,
    );
    // The test registry answers every tag at once; the proxy pages them as GHCR does.
    const proxy = (await FaultyRegistry.start()).pageTagLists();
    try {
      const through = new RegistryClient({
        ...process.env,
        DOCKER_CONFIG: dockerConfig({ [proxy.host]: basicAuth(TARGET_USER, TARGET_PASSWORD) }),
      });
      expect(await through.tagsOf(`${proxy.host}/${NAMESPACE}/paged`, 2)).toEqual(names);
      const pages = proxy.requests.filter((r) => r.path.endsWith('/tags/list'));
      expect(pages.length, 'three pages of two').toBe(3);
      expect(await through.tagsOf(`${proxy.host}/${NAMESPACE}/never-pushed`, 2)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a digest the registry lacks: a registry error naming it', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    await expect(client().tag([`${REPO}:never`], REPO, missing)).rejects.toThrow(
      new RegExp(`${missing} is not in the registry`),
    );
  });
});

describe('credentials', () => {
  const errorOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e;
    }
    throw new Error('expected an error');
  };

  it('wrong credentials: a registry error naming the registry and docker login', async () => {
    const c = new RegistryClient({
      ...process.env,
      DOCKER_CONFIG: dockerConfig({ [TARGET_REGISTRY]: basicAuth(TARGET_USER, 'wrong') }),
    });
    const e = await errorOf(c.inspect(`${REPO}:index`));
    expect(isImageError(e) && e.kind).toBe('registry');
    expect((e as Error).message).toContain(`the registry ${TARGET_REGISTRY} refused the credentials for ${REPO}:index`);
    expect((e as Error).message).toContain(`fix: log in with \`docker login ${TARGET_REGISTRY}\``);
  });

  it('no credentials at all: refused the same way', async () => {
    const c = new RegistryClient({ ...process.env, DOCKER_CONFIG: dockerConfig({}) });
    await expect(c.inspect(`${REPO}:index`)).rejects.toThrow(/refused the credentials/);
  });

  it('a registry that is down: cannot be reached, naming it', async () => {
    const c = new RegistryClient({ ...process.env, DOCKER_CONFIG: GOOD() });
    const e = await errorOf(c.inspect('127.0.0.1:5999/nobody/images:x'));
    expect((e as Error).message).toMatch(/the registry 127\.0\.0\.1:5999 cannot be reached \(.*ECONNREFUSED/);
  });

  it('a registry that takes the connection and never answers: a timeout naming it and IMAGE_REGISTRY_TIMEOUT', async () => {
    const held: IncomingMessage[] = [];
    const silent = createServer((req) => void held.push(req)); // never answers
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const c = new RegistryClient({ ...process.env, DOCKER_CONFIG: GOOD(), IMAGE_REGISTRY_TIMEOUT: '1' });
      const started = Date.now();
      const e = await errorOf(c.inspect(`${host}/nobody/images:x`));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(isImageError(e)).toBe(true);
      expect((e as Error).message).toMatch(
        new RegExp(
          `^${host}: the registry did not answer in 1 s .*\\n {2}fix: check that ${host} is up.*IMAGE_REGISTRY_TIMEOUT`,
        ),
      );
    } finally {
      for (const req of held) req.socket.destroy();
      silent.close();
    }
  });

  it('IMAGE_REGISTRY_TIMEOUT that is not a number of seconds is refused, naming it', () => {
    expect(() => new RegistryClient({ ...process.env, IMAGE_REGISTRY_TIMEOUT: 'soon' })).toThrow(
      /^IMAGE_REGISTRY_TIMEOUT: "soon" is not a number of seconds above 0/,
    );
  });

  it('a credential helper (credHelpers, then credsStore): the docker-credential-<name> process answers', async () => {
    const bin = mkdtempSync(join(work, 'bin-'));
    const asked = join(bin, 'asked.txt');
    const helper = (name: string, body: string) => {
      writeFileSync(
        join(bin, `docker-credential-${name}`),
        `#!/bin/sh\n[ "$1" = get ] || exit 3\nread -r host\necho "$host" >> ${asked}\n${body}\n`,
      );
      chmodSync(join(bin, `docker-credential-${name}`), 0o755);
    };
    helper('good', `printf '{"ServerURL":"%s","Username":"${TARGET_USER}","Secret":"${TARGET_PASSWORD}"}' "$host"`);
    helper('empty', 'echo "credentials not found in native keychain"; exit 1');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const viaHelper = new RegistryClient({
      ...env,
      DOCKER_CONFIG: dockerConfig({}, { credHelpers: { [TARGET_REGISTRY]: 'good' } }),
    });
    expect((await viaHelper.inspect(`${REPO}:index`))?.digest).toBe(index);
    const viaStore = new RegistryClient({ ...env, DOCKER_CONFIG: dockerConfig({}, { credsStore: 'good' }) });
    expect((await viaStore.inspect(`${REPO}:oci`))?.digest).toBe(oci);
    const none = new RegistryClient({ ...env, DOCKER_CONFIG: dockerConfig({}, { credsStore: 'empty' }) });
    await expect(none.inspect(`${REPO}:oci`)).rejects.toThrow(/refused the credentials/);
    expect((await execa('cat', [asked])).stdout.split('\n')).toEqual([
      TARGET_REGISTRY,
      TARGET_REGISTRY,
      TARGET_REGISTRY,
    ]);
  });
});

/**
 * A token service and registry proxy in front of the password registry, the way GHCR works: a request
 * without a token gets 401 with a Bearer challenge naming the scope; the token service wants the
 * user's password (Basic) and hands out a token for that scope; requests with a token go through
 * (with the real registry's password added). `fail` makes the next requests answer 503.
 */
interface TokenProxy {
  host: string;
  tokenRequests: Array<{ scope: string; user: string }>;
  fail: number;
  close: () => Promise<void>;
}
async function tokenProxy(): Promise<TokenProxy> {
  const tokens = new Map<string, string>();
  const state: TokenProxy = { host: '', tokenRequests: [], fail: 0, close: async () => undefined };
  const server = await serveLoopback((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      const scope = url.searchParams.get('scope') ?? '';
      state.tokenRequests.push({ scope, user });
      if (user !== TARGET_USER || password !== TARGET_PASSWORD || url.searchParams.get('service') !== 'test-registry') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      }
      const token = randomBytes(8).toString('hex');
      tokens.set(token, scope);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token }));
    }
    if (state.fail > 0) {
      state.fail--;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
    }
    const name = /^\/v2\/(.+)\/(manifests|blobs)\//.exec(url.pathname)?.[1];
    const wanted = `repository:${name}:${req.method === 'PUT' ? 'pull,push' : 'pull'}`;
    const granted = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const enough =
      url.pathname === '/v2/'
        ? granted !== undefined
        : granted !== undefined &&
          granted.startsWith(`repository:${name}:`) &&
          (req.method !== 'PUT' || granted.endsWith('push'));
    if (!enough) {
      req.resume();
      const scope = url.pathname === '/v2/' ? '' : `,scope="${wanted}"`;
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${state.host}/token",service="test-registry"${scope}`,
        'content-type': 'application/json',
      });
      return res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    forward(req, res, TARGET_REGISTRY, { ...req.headers, authorization: TARGET_AUTH, host: TARGET_REGISTRY });
  });
  state.host = server.host;
  state.close = () => server.close();
  return state;
}

describe('the Bearer token flow (as GHCR asks for it)', () => {
  let proxy: TokenProxy;
  beforeAll(async () => {
    proxy = await tokenProxy();
  });
  afterAll(() => proxy?.close());

  it('a token per scope: pull to look up, pull,push to tag; each asked once', async () => {
    proxy.tokenRequests.length = 0;
    const repo = `${proxy.host}/${NAMESPACE}/x`;
    const c = new RegistryClient({
      ...process.env,
      DOCKER_CONFIG: dockerConfig({ [proxy.host]: basicAuth(TARGET_USER, TARGET_PASSWORD) }),
    });
    expect((await c.inspect(`${repo}:index`))?.digest).toBe(index);
    expect((await c.inspect(`${repo}:oci`))?.platforms).toEqual(['linux/amd64']);
    expect(await c.tag([`${repo}:through-tokens`], repo, index)).toBe(index);
    expect(await c.tag([`${repo}:through-tokens-2`], repo, index)).toBe(index);
    expect(await manifestDigest(`${NAMESPACE}/x`, 'through-tokens')).toBe(index);
    expect(proxy.tokenRequests.map((t) => t.scope)).toEqual([
      `repository:${NAMESPACE}/x:pull`,
      `repository:${NAMESPACE}/x:pull,push`,
    ]);
    expect(proxy.tokenRequests.every((t) => t.user === TARGET_USER)).toBe(true);
  });

  it('a token service that refuses the password: refused the credentials, naming the registry', async () => {
    const c = new RegistryClient({
      ...process.env,
      DOCKER_CONFIG: dockerConfig({ [proxy.host]: basicAuth(TARGET_USER, 'wrong') }),
    });
    await expect(c.inspect(`${proxy.host}/${NAMESPACE}/x:index`)).rejects.toThrow(
      `the registry ${proxy.host} refused the credentials`,
    );
  });

  it('503 twice, then an answer: tried again; 503 every time: one error saying it failed also when tried again', async () => {
    const c = new RegistryClient({
      ...process.env,
      DOCKER_CONFIG: dockerConfig({ [proxy.host]: basicAuth(TARGET_USER, TARGET_PASSWORD) }),
    });
    const ref = `${proxy.host}/${NAMESPACE}/x:index`;
    expect((await c.inspect(ref))?.digest).toBe(index); // logged in and holding a token
    proxy.fail = 2;
    expect((await c.inspect(ref))?.digest).toBe(index);
    proxy.fail = 3;
    await expect(c.inspect(ref)).rejects.toThrow(
      /failed while handling .*503 Service Unavailable: UNAVAILABLE try later\), also when tried again/,
    );
    proxy.fail = 0;
  });
});

describe('through a proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), as the docker CLI goes', () => {
  /** A registry name only a proxy could reach. */
  const REMOTE = 'registry.test:5000';
  /** What the proxy was asked: it records each CONNECT and refuses it (this machine reaches no registry but its own). */
  const tunnels: string[] = [];
  let proxy: Server;
  let proxyUrl = '';
  const withoutProxies = () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: GOOD() };
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) delete env[k];
    return env;
  };
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a failure');
  };

  beforeAll(async () => {
    proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: IncomingMessage, socket) => {
      tunnels.push(req.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => proxy.close(() => done())));

  it.each(['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY'])(
    '%s: a registry is asked through the proxy, and its refusal is said',
    async (name) => {
      tunnels.length = 0;
      const c = new RegistryClient({ ...withoutProxies(), [name]: proxyUrl });
      const message = await failure(c.inspect(`${REMOTE}/acme/images:base`));
      expect(tunnels).toEqual([REMOTE]);
      expect(message).toMatch(/the registry registry\.test:5000 cannot be reached \(.*403/);
    },
  );

  it('NO_PROXY naming the registry (a domain suffix): no proxy is asked', async () => {
    tunnels.length = 0;
    const c = new RegistryClient({ ...withoutProxies(), HTTPS_PROXY: proxyUrl, NO_PROXY: 'example.org, .test' });
    expect(await failure(c.inspect(`${REMOTE}/acme/images:base`))).toMatch(/registry\.test:5000 cannot be reached/);
    expect(tunnels).toEqual([]);
  });

  it('a loopback registry is never proxied (Go, under the docker CLI, does the same): the lookup works', async () => {
    tunnels.length = 0;
    const c = new RegistryClient({ ...withoutProxies(), HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl });
    expect((await c.inspect(`${REPO}:index`))?.digest).toBe(index);
    expect(tunnels).toEqual([]);
  });
});
