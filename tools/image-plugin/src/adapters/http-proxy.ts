import { isLoopbackHost } from '../core/references';

type Fetch = typeof fetch;

/** The proxy settings of an environment, read as the docker CLI reads them (upper or lower case names). */
interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: string;
}

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY (or their lower-case names); null when no proxy is set. */
function proxySettings(env: NodeJS.ProcessEnv): ProxySettings | null {
  const read = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const httpProxy = read('HTTP_PROXY');
  const httpsProxy = read('HTTPS_PROXY');
  if (!httpProxy && !httpsProxy) return null;
  return {
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    noProxy: read('NO_PROXY') ?? '',
  };
}

/**
 * The fetch the registry client sends with: through the proxy HTTPS_PROXY (else HTTP_PROXY) names when
 * one is set, a CONNECT tunnel per registry, NO_PROXY and loopback hosts excepted, as `docker buildx
 * imagetools` went; Node's own fetch otherwise. undici, the proxy agent, is loaded only on the first
 * proxied request.
 */
export function fetchFor(env: NodeJS.ProcessEnv): Fetch {
  const settings = proxySettings(env);
  if (!settings) return fetch;
  let viaProxy: Promise<Fetch> | undefined;
  return async (input, init) => {
    // Loopback registries are never proxied: Go's net/http, under the docker CLI and buildx, does the same.
    if (isLoopbackHost(new URL(String(input)).host)) return fetch(input, init);
    viaProxy ??= import('undici').then(({ fetch: proxied, EnvHttpProxyAgent }) => {
      const dispatcher = new EnvHttpProxyAgent(settings);
      return ((url: string, options: object) => proxied(url, { ...options, dispatcher })) as unknown as Fetch;
    });
    return (await viaProxy)(input, init);
  };
}
