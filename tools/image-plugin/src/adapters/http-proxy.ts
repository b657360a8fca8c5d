type Fetch = typeof fetch;

/** The proxy settings of an environment, read as the docker CLI reads them (upper or lower case names). */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: string;
}

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY (or their lower-case names); null when no proxy is set. */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings | null {
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

/** Loopback hosts are never proxied: Go's net/http, which the docker CLI and buildx use, does the same. */
const isLoopback = (hostname: string) =>
  hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);

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
    if (isLoopback(new URL(String(input)).hostname)) return fetch(input, init);
    viaProxy ??= import('undici').then(({ fetch: proxied, EnvHttpProxyAgent }) => {
      const dispatcher = new EnvHttpProxyAgent(settings);
      return ((url: string, options: object) => proxied(url, { ...options, dispatcher })) as unknown as Fetch;
    });
    return (await viaProxy)(input, init);
  };
}
