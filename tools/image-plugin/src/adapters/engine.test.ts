import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { isImageError } from '../core/errors';
import { engineAnswers, engineSocket, preflight, resolveRemoteDigest } from './engine';

/**
 * The Engine API calls every run makes (what the engine is, what an outside base resolves to), against
 * the real engine: over its unix socket with node:http, and through docker-modem for any other DOCKER_HOST.
 */
describe('engineSocket', () => {
  it('is the default socket when DOCKER_HOST is unset, and the path a unix:// host names', () => {
    expect(engineSocket({}, 'linux')).toBe('/var/run/docker.sock');
    expect(engineSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, 'linux')).toBe(
      '/run/user/1000/docker.sock',
    );
  });

  it('leaves tcp, ssh and Windows pipes to docker-modem', () => {
    expect(engineSocket({ DOCKER_HOST: 'tcp://127.0.0.1:2376' }, 'linux')).toBeNull();
    expect(engineSocket({ DOCKER_HOST: 'ssh://builder@build-host' }, 'linux')).toBeNull();
    expect(engineSocket({}, 'win32')).toBeNull();
  });
});

describe('the engine over its socket (the real engine)', () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it('answers what the docker CLI reports', async () => {
    const { stdout } = await execa('docker', [
      'version',
      '--format',
      '{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}',
    ]);
    const [version, platform] = stdout.trim().split(' ');
    const info = await preflight();
    expect(info.version).toBe(version);
    expect(info.platform).toBe(platform.replace('x86_64', 'amd64'));
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    expect(await engineAnswers()).toBe(true);
  });

  it('tells an engine that is not there, with the socket and the fix', async () => {
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    const error = await preflight().catch((e: unknown) => e);
    expect(isImageError(error)).toBe(true);
    expect((error as Error).message).toContain('cannot be reached (connect ENOENT /nonexistent/docker.sock)');
    expect((error as { fix: string }).fix).toContain('set DOCKER_HOST');
    expect(await engineAnswers()).toBe(false);
  });

  it('reads the engine error body into the registry error, as docker-modem did', async () => {
    const error = await resolveRemoteDigest('127.0.0.1:5999/nowhere/image:missing').catch((e: unknown) => e);
    expect(isImageError(error)).toBe(true);
    expect((error as Error).message).toContain('the registry 127.0.0.1:5999 cannot be reached');
    expect((error as Error).message).toContain('(HTTP code 500) server error');
    expect((error as Error).message).toContain('connection refused');
  });

  it('goes through docker-modem for a tcp host', async () => {
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    const error = await preflight().catch((e: unknown) => e);
    expect(isImageError(error)).toBe(true);
    expect((error as Error).message).toContain('cannot be reached (connect ECONNREFUSED 127.0.0.1:1)');
  });
});
