import { RegistryError } from '../core/errors';
import { digestOf, normalizedPlatform, wrapInIndex, type ManifestBlob } from '../core/image-index';
import { platformString, platformsOf, type ManifestJson, type PlatformJson } from '../core/platforms';
import type { HistoryEntry, PlatformLayers } from '../core/size-budget';
import { isLoopbackHost, parseReference, registryLocation } from '../core/references';
import {
  isTransientStatus,
  refusedCredentials,
  registryFailed,
  registryTimedOut,
  registryTimeout,
  registryUnreachable,
  retryAfterFailure,
} from '../core/registry-errors';
import { sendFor } from './http-proxy';
import type { Answer, Send, SendInit } from './http-send';
import { basicHeader, DockerCredentials, parseChallenge, type Challenge, type Credentials } from './registry-auth';

/**
 * The registry, in process, over the OCI distribution API (`/v2/<name>/manifests/<reference>`), with the
 * credentials the engine's clients use (adapters/registry-auth.ts) and the Basic or Bearer-token
 * challenge a registry answers with (GHCR: a token per repository and scope). Lookups and tag moves
 * are one or two HTTP requests each instead of one `docker buildx imagetools` process. Answers of 5xx
 * or 429 are tried again; refusals, failures and unreachable registries become RegistryErrors.
 */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RemoteImage {
  /** The repository it was read from, without tag. */
  repository: string;
  /** The sha256 of the manifest bytes, as the registry computes it. */
  digest: string;
  mediaType: string;
  bytes: Buffer;
  manifest: ManifestJson;
  /** An index (or Docker manifest list), not a single manifest. */
  isIndex: boolean;
  /** The image platforms it holds (`linux/amd64`, ...). */
  platforms: string[];
}

/** Docker Hub's API lives on another host than its name. */
const apiHost = (host: string) => (host === 'docker.io' ? 'registry-1.docker.io' : host);
/** Requests in flight at once per client: a family of hundreds of images must not flood the registry. */
const MAX_IN_FLIGHT = 16;

type Actions = 'pull' | 'pull,push';

/** What the registry client reads of an image config blob. */
interface ImageConfigJson {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  history?: HistoryEntry[];
  config?: { Labels?: Record<string, string> | null };
}

/** Where answers that never change (what a digest names) are kept between runs (adapters/json-cache.ts). */
export interface KeptAnswers {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
}

export class RegistryClient {
  private readonly credentials: DockerCredentials;
  /** Per registry host: how it asks to authenticate (null: it does not), learnt once from `GET /v2/`. */
  private readonly challenges = new Map<string, Promise<Challenge | null>>();
  /** Per host and scope: the Authorization header to send. */
  private readonly authorizations = new Map<string, Promise<string | null>>();
  /** Per `repository@digest`: its platforms' layers, read once (a digest names the same bytes forever). */
  private readonly layersByDigest = new Map<string, Promise<PlatformLayers[]>>();
  /** How many HTTP requests this client sent (for the profile). */
  requests = 0;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  /** Seconds one request may take (IMAGE_REGISTRY_TIMEOUT, default REGISTRY_TIMEOUT_S). */
  private readonly timeoutS: number;
  /** node:http, or undici's fetch through HTTP(S)_PROXY when the environment sets one (adapters/http-proxy.ts). */
  private readonly transport: Send;

  /**
   * `kept`: where an image's platform layers are kept between runs, by `repository@digest` (a digest
   * names the same bytes forever), so a reused image's size check asks the registry nothing.
   */
  constructor(
    env: NodeJS.ProcessEnv = process.env,
    private readonly kept?: KeptAnswers,
  ) {
    this.credentials = new DockerCredentials(env);
    this.timeoutS = registryTimeout(env);
    this.transport = sendFor(env);
  }

  /** The credentials the engine's clients use for a registry host (null: none configured). */
  credentialsFor(host: string): Promise<Credentials | null> {
    return this.credentials.for(host);
  }

  /** One lookup: the image a reference names (`repo:tag` or `repo@digest`), or null when the registry lacks it. */
  async inspect(ref: string): Promise<RemoteImage | null> {
    const image = await this.manifestOf(ref);
    // A single-platform image without attestations is a plain manifest: its platform is in its config.
    if (image)
      image.platforms = image.isIndex ? platformsOf(image.manifest) : [platformString(await this.platformOf(image))];
    return image;
  }

  /** The manifest or index a reference names, without its platforms, or null when the registry lacks it. */
  private async manifestOf(ref: string): Promise<RemoteImage | null> {
    const { repository, tag, digest } = parseReference(ref);
    const res = await this.request('GET', repository, `manifests/${digest ?? tag ?? 'latest'}`, ref, 'pull', {
      accept: MANIFEST_ACCEPT,
      notFoundIsNull: true,
    });
    if (!res) return null;
    const bytes = Buffer.from(await res.arrayBuffer());
    const manifest = JSON.parse(bytes.toString('utf8')) as ManifestJson;
    const mediaType =
      manifest.mediaType ?? res.headers.get('content-type') ?? 'application/vnd.oci.image.manifest.v1+json';
    return {
      repository,
      digest: digestOf(bytes),
      mediaType,
      bytes,
      manifest,
      isIndex: Array.isArray(manifest.manifests),
      platforms: [],
    };
  }

  /**
   * Each image platform of `repository@digest` (attestation manifests skipped) with its layers and its
   * config's digest: what the size budget and the summary measure. One request per platform of an index
   * (two for a plain manifest, whose platform is in its config); an image read once (a parent, measured
   * again for its children) is not read again, since a digest never changes.
   */
  platformLayers(repository: string, digest: string, known?: RemoteImage): Promise<PlatformLayers[]> {
    const key = `${repository}@${digest}`;
    let layers = this.layersByDigest.get(key);
    if (!layers) {
      const keptKey = `platform layers ${key}`;
      const kept = this.kept?.get<PlatformLayers[]>(keptKey);
      layers = kept
        ? Promise.resolve(kept)
        : this.readPlatformLayers(repository, digest, known).then((read) => {
            this.kept?.set(keptKey, read);
            return read;
          });
      this.layersByDigest.set(key, layers);
      layers.catch(() => this.layersByDigest.delete(key));
    }
    return layers;
  }

  private async readPlatformLayers(repository: string, digest: string, known?: RemoteImage): Promise<PlatformLayers[]> {
    const ref = `${repository}@${digest}`;
    const image = known?.digest === digest ? known : await this.manifestOf(ref);
    if (!image) {
      throw new RegistryError(
        `${ref} is not in the registry`,
        'build and push the image again (npx nx run-many -t image-build --push)',
        repository,
      );
    }
    const entries = image.isIndex
      ? (image.manifest.manifests ?? []).filter((m) => platformsOf({ manifests: [m] }).length === 1)
      : [null];
    return Promise.all(
      entries.map(async (entry) => {
        const manifest = entry ? await this.manifestOf(`${repository}@${entry.digest}`) : image;
        if (!manifest)
          throw new RegistryError(
            `${repository}@${entry?.digest} is not in the registry`,
            'push the image again',
            repository,
          );
        // An index names each platform; a plain manifest's platform is in its config (then its history comes along).
        const config = entry?.platform ? null : await this.configOf(manifest);
        return {
          platform: entry?.platform ? platformString(entry.platform) : platformString(config as ImageConfigJson),
          layers: (manifest.manifest.layers ?? []).map((l) => ({
            digest: l.digest,
            size: l.size ?? 0,
            ...(l.mediaType ? { mediaType: l.mediaType } : {}),
          })),
          config: manifest.manifest.config?.digest ?? '',
          ...(config ? { history: config.history ?? [] } : {}),
        };
      }),
    );
  }

  /** The digest a tag names now (one HEAD request), or null when the registry lacks it. */
  async digestOf(ref: string): Promise<string | null> {
    const { repository, tag, digest } = parseReference(ref);
    const res = await this.request('HEAD', repository, `manifests/${digest ?? tag ?? 'latest'}`, ref, 'pull', {
      accept: MANIFEST_ACCEPT,
      notFoundIsNull: true,
    });
    if (!res) return null;
    const header = res.headers.get('docker-content-digest');
    if (header) return header;
    return (await this.inspect(ref))?.digest ?? null;
  }

  /**
   * The history of an image config (`platformLayers` gives its digest): the instruction that made each
   * layer. Read only for the message of an image over its budget.
   */
  async historyOf(repository: string, config: string): Promise<HistoryEntry[]> {
    const json = await this.configOf({ repository, digest: config, manifest: { config: { digest: config } } });
    return json.history ?? [];
  }

  /** The LABELs of an image's config; of an index, those of its first image platform (attestations skipped). */
  async labelsOf(ref: string): Promise<Record<string, string>> {
    let image = await this.manifestOf(ref);
    if (image?.isIndex) {
      const first = (image.manifest.manifests ?? []).find((m) => m.platform && m.platform.os !== 'unknown');
      image = first ? await this.manifestOf(`${image.repository}@${first.digest}`) : null;
    }
    return image ? ((await this.configOf(image)).config?.Labels ?? {}) : {};
  }

  /** The platform of a plain manifest, from its config blob, as an index would name it. */
  async platformOf(image: Pick<RemoteImage, 'repository' | 'manifest' | 'digest'>): Promise<PlatformJson> {
    const json = await this.configOf(image);
    return normalizedPlatform({
      architecture: json.architecture,
      os: json.os,
      ...(json.variant ? { variant: json.variant } : {}),
      ...(json['os.version'] ? { 'os.version': json['os.version'] } : {}),
      ...(json['os.features'] ? { 'os.features': json['os.features'] } : {}),
    });
  }

  /** A plain manifest's config blob: its platform and history. */
  private async configOf(image: Pick<RemoteImage, 'repository' | 'manifest' | 'digest'>): Promise<ImageConfigJson> {
    const config = image.manifest.config?.digest;
    if (!config)
      throw new RegistryError(
        `${image.repository}@${image.digest} has no config`,
        'push the image again',
        image.repository,
      );
    const ref = `${image.repository}@${config}`;
    const res = (await this.request('GET', image.repository, `blobs/${config}`, ref, 'pull', {})) as Answer;
    return (await res.json()) as ImageConfigJson;
  }

  /** A blob's bytes (`repository@digest`, a layer or a config), checked against its digest. */
  async blob(repository: string, digest: string): Promise<Buffer> {
    const ref = `${repository}@${digest}`;
    const res = (await this.request('GET', repository, `blobs/${digest}`, ref, 'pull', {})) as Answer;
    const bytes = Buffer.from(await res.arrayBuffer());
    if (digest.startsWith('sha256:') && digestOf(bytes) !== digest)
      throw new RegistryError(
        `${ref}: the registry answered bytes of another digest (${digestOf(bytes)})`,
        'run again; if it persists, push the image again',
        repository,
      );
    return bytes;
  }

  /**
   * The last `length` bytes of a blob of `size` bytes (one ranged GET, as registries serve blobs): a gzip
   * layer's trailer, which says its unpacked size without the layer being downloaded.
   */
  async blobTail(repository: string, digest: string, size: number, length: number): Promise<Buffer> {
    const ref = `${repository}@${digest}`;
    const range = `bytes=${Math.max(0, size - length)}-${size - 1}`;
    const res = (await this.request('GET', repository, `blobs/${digest}`, ref, 'pull', { range })) as Answer;
    const bytes = Buffer.from(await res.arrayBuffer());
    // A registry that ignores Range answers 200 with the whole blob: its end is the same bytes.
    return bytes.subarray(Math.max(0, bytes.length - length));
  }

  /**
   * Every tag of a repository (the distribution API's tag list, `pageSize` a page, following the registry's
   * `Link: <…>; rel="next"`); none when it does not exist.
   */
  async tagsOf(repository: string, pageSize = 1000): Promise<string[]> {
    const tags: string[] = [];
    let path = `tags/list?n=${pageSize}`;
    for (let page = 0; path && page < 1000; page++) {
      const res = await this.request('GET', repository, path, repository, 'pull', { notFoundIsNull: true });
      if (!res) break;
      tags.push(...(((await res.json()) as { tags?: string[] | null }).tags ?? []));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1] ?? '';
      path = next.includes('/tags/list') ? next.slice(next.indexOf('/tags/list') + 1) : '';
    }
    return tags;
  }

  /** Puts a manifest or index under a tag (`<repository>:<tag>`). */
  async putManifest(tagRef: string, blob: ManifestBlob): Promise<void> {
    const { repository, tag } = parseReference(tagRef);
    await this.request('PUT', repository, `manifests/${tag ?? blob.digest}`, tagRef, 'pull,push', {
      contentType: blob.mediaType,
      body: blob.bytes,
    });
  }

  /**
   * Points `tags` (full references in `repository`) at the image `repository@digest` without moving a
   * layer, and returns the digest they now name: an index is put as it is; a plain manifest is wrapped
   * in a one-entry index first, exactly as `docker buildx imagetools create` wraps it.
   */
  async tag(tags: readonly string[], repository: string, digest: string, known?: RemoteImage): Promise<string> {
    const source = known?.digest === digest ? known : await this.inspect(`${repository}@${digest}`);
    if (!source) {
      throw new RegistryError(
        `${repository}@${digest} is not in the registry`,
        'build and push the image again (npx nx run-many -t image-build --push)',
        repository,
      );
    }
    const blob: ManifestBlob = source.isIndex
      ? { mediaType: source.mediaType, bytes: source.bytes, digest: source.digest }
      : wrapInIndex({
          mediaType: source.mediaType,
          digest: source.digest,
          size: source.bytes.length,
          platform: await this.platformOf(source),
        });
    await Promise.all(tags.map((t) => this.putManifest(t, blob)));
    return blob.digest;
  }

  private async request(
    method: 'GET' | 'HEAD' | 'PUT',
    repository: string,
    path: string,
    ref: string,
    actions: Actions,
    options: { accept?: string; contentType?: string; body?: Buffer; notFoundIsNull?: boolean; range?: string },
  ): Promise<Answer | null> {
    const { host, path: name } = registryLocation(repository);
    const base = `${isLoopbackHost(host) ? 'http' : 'https'}://${apiHost(host)}`;
    const scope = `repository:${name}:${actions}`;
    let authorization = await this.authorization(host, base, scope, ref);
    let reauthenticated = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {};
      if (options.accept) headers.Accept = options.accept;
      if (options.contentType) headers['Content-Type'] = options.contentType;
      if (options.range) headers.Range = options.range;
      if (authorization) headers.Authorization = authorization;
      const body = options.body ? new Uint8Array(options.body) : undefined;
      const res = await this.send(`${base}/v2/${name}/${path}`, { method, headers, body }, ref);
      if (res.status === 401 && !reauthenticated) {
        // The registry wants another scope or scheme for this request: answer its own challenge once.
        reauthenticated = true;
        await res.arrayBuffer();
        const challenge = parseChallenge(res.headers.get('www-authenticate'));
        authorization = challenge ? await this.authorize(host, challenge, challenge.params.scope ?? scope, ref) : null;
        if (!authorization) throw refusedCredentials(ref);
        attempt--;
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        await res.arrayBuffer();
        throw refusedCredentials(ref);
      }
      if (res.status === 404 && options.notFoundIsNull) {
        await res.arrayBuffer();
        return null;
      }
      if (isTransientStatus(res.status)) {
        const detail = `${res.status} ${res.statusText}${await errorText(res)}`;
        const delay = retryAfterFailure(attempt, true, res.headers.get('retry-after'));
        if (delay === null) throw registryFailed(ref, detail);
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      if (res.status >= 300) {
        const detail = `${res.status} ${res.statusText}${await errorText(res)}`;
        throw new RegistryError(
          `the registry ${host} refused ${method} ${ref}: ${detail}`,
          `check that the image and its layers are in ${repository}, then run again`,
          host,
        );
      }
      return res;
    }
  }

  private async send(url: string, init: SendInit, ref: string): Promise<Answer> {
    if (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    this.requests++;
    try {
      return await this.transport(url, { ...init, signal: AbortSignal.timeout(this.timeoutS * 1000) });
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') throw registryTimedOut(ref, this.timeoutS);
      throw registryUnreachable(ref, networkDetail(e));
    } finally {
      // The answer's body is read by the caller; the slot is free once the headers are in.
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  /** The Authorization header for a scope of a host, from how the host asks (`GET /v2/`, once per host). */
  private async authorization(host: string, base: string, scope: string, ref: string): Promise<string | null> {
    let challenge = this.challenges.get(host);
    if (!challenge) {
      challenge = this.send(`${base}/v2/`, { method: 'GET' }, ref).then(async (res) => {
        await res.arrayBuffer();
        return res.status === 401 ? parseChallenge(res.headers.get('www-authenticate')) : null;
      });
      this.challenges.set(host, challenge);
    }
    const known = await challenge;
    return known ? this.authorize(host, known, scope, ref) : null;
  }

  private authorize(host: string, challenge: Challenge, scope: string, ref: string): Promise<string | null> {
    const key = `${host} ${challenge.scheme} ${challenge.scheme === 'bearer' ? scope : ''}`;
    let header = this.authorizations.get(key);
    if (!header) {
      header = this.credentials.for(host).then((credentials) => {
        if (challenge.scheme === 'basic') return credentials ? basicHeader(credentials) : null;
        if (challenge.scheme === 'bearer') return this.bearerToken(challenge, scope, credentials, ref);
        return null;
      });
      this.authorizations.set(key, header);
      // A refusal is not remembered: the next request asks again.
      header.catch(() => this.authorizations.delete(key));
    }
    return header;
  }

  /** A token from the registry's token service (docker's token flow; OAuth2 refresh for identity tokens). */
  private async bearerToken(
    challenge: Challenge,
    scope: string,
    credentials: Credentials | null,
    ref: string,
  ): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw refusedCredentials(ref);
    const service = challenge.params.service;
    let res: Answer;
    if (credentials?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: 'workspace-images',
      });
      if (service) form.set('service', service);
      form.set('scope', scope);
      res = await this.send(realm, { method: 'POST', body: form }, ref);
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> =
        credentials?.username !== undefined ? { Authorization: basicHeader(credentials) } : {};
      res = await this.send(url.toString(), { method: 'GET', headers }, ref);
    }
    if (res.status === 401 || res.status === 403) throw refusedCredentials(ref);
    if (!res.ok) throw registryFailed(ref, `token service ${res.status} ${res.statusText}${await errorText(res)}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw refusedCredentials(ref);
    return `Bearer ${token}`;
  }
}

/** `: <first error message>` of a registry's JSON error body, or ''. */
async function errorText(res: Answer): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const first = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors?.[0];
    if (first) return `: ${[first.code, first.message].filter(Boolean).join(' ')}`;
  } catch {
    // not JSON
  }
  return text.trim() ? `: ${text.trim().split('\n')[0].slice(0, 200)}` : '';
}

/** What the network's error codes mean, in words. */
const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
};

/** `connection refused (connect ECONNREFUSED 127.0.0.1:5999)` from what the request threw. */
function networkDetail(e: unknown): string {
  // undici's fetch (through a proxy) says "fetch failed"; what happened is in its causes (a proxy's refusal: two deep).
  type Cause = { code?: unknown; message?: string; cause?: Cause };
  let innermost = e as Cause;
  let code: string | undefined;
  for (let c: Cause | undefined = innermost; c; c = c.cause) {
    if (typeof c.code === 'string') code ??= c.code;
    if (c !== e) innermost = c;
  }
  const message = innermost.message ?? String(e);
  const words = code ? NETWORK_ERRORS[code] : undefined;
  return words ? `${words} (${message})` : message;
}
