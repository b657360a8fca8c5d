import { isLoopbackHost } from '../core/references';
import { send, type Send } from './http-send';

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
 * How the registry client sends: through the proxy HTTPS_PROXY (else HTTP_PROXY) names when one is set,
 * a CONNECT tunnel per registry, NO_PROXY and loopback hosts excepted, as `docker buildx imagetools`
 * went (undici's fetch with its proxy agent, loaded on the first proxied request); directly with
 * node:http otherwise (adapters/http-send.ts).
 */
export function sendFor(env: NodeJS.ProcessEnv): Send {
  const settings = proxySettings(env);
  if (!settings) return send;
  let viaProxy: Promise<Send> | undefined;
  return async (url, init) => {
    // Loopback registries are never proxied: Go's net/http, under the docker CLI and buildx, does the same.
    if (isLoopbackHost(new URL(url).host)) return send(url, init);
    viaProxy ??= import('undici').then(({ fetch: proxied, EnvHttpProxyAgent }) => {
      const dispatcher = new EnvHttpProxyAgent(settings);
      return (to: string, options: object) => proxied(to, { ...options, redirect: 'follow', dispatcher });
    });
    return (await viaProxy)(url, init);
  };
}
