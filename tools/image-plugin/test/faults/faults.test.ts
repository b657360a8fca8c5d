import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TARGET_AUTH } from '../../../test-env/env';
import { targetRepository, Witness } from './nothing-written';
import { startPrivateEngine } from './private-engine';
import { FaultyRegistry } from './registry-proxy';
import { startSmallRegistry } from './small-registry';
import { pushTinyImage, uploadLargeBlob } from './tiny-image';
import { unusedPort } from './unused-port';
import { spawnSync } from 'node:child_process';

/** The fault-injection harness proves each fault is real before the bad-input table relies on it. */
const NS = `faults-${randomBytes(3).toString('hex')}`;
const auth = { Authorization: TARGET_AUTH };

describe('FaultyRegistry: a proxy in front of the password registry that fails on cue', () => {
  it('passes requests through, and fails the chosen ones as 401, 403 DENIED, 500, reset or no answer', async () => {
    const proxy = await FaultyRegistry.start();
    try {
      const url = `http://${proxy.host}/v2/`;
      expect((await fetch(url, { headers: auth })).status).toBe(200);
      expect((await fetch(url)).status).toBe(401); // the real registry's own answer without a password
      proxy.failOn({ fault: 'unauthorized', method: 'GET', path: /^\/v2\/$/, times: 1 });
      const refused = await fetch(url, { headers: auth });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Basic');
      expect((await fetch(url, { headers: auth })).status).toBe(200);
      proxy.failOn({ fault: 'denied', method: 'PUT', path: /\/manifests\/refused$/ });
      const put = (tag: string) =>
        fetch(`http://${proxy.host}/v2/${NS}/x/manifests/${tag}`, { method: 'PUT', headers: auth });
      const denied = await put('refused');
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as { errors: Array<{ code: string }> }).errors[0].code).toBe('DENIED');
      expect((await put('refused')).status, 'every matching request, without times').toBe(403);
      expect((await put('other')).status, 'another path reaches the registry (which wants a manifest)').toBe(400);
      proxy.failOn({ fault: 'server-error', times: 2 });
      expect((await fetch(url, { headers: auth })).status).toBe(500);
      expect((await fetch(url, { headers: auth })).status).toBe(500);
      expect((await fetch(url, { headers: auth })).status).toBe(200);
      proxy.failOn({ fault: 'reset', times: 1 });
      await expect(fetch(url, { headers: auth })).rejects.toThrow();
      proxy.failOn({ fault: 'hang', times: 1 });
      await expect(fetch(url, { headers: auth, signal: AbortSignal.timeout(1000) })).rejects.toThrow(/abort|timeout/i);
      expect(proxy.faulted.map((r) => r.fault)).toEqual([
        'unauthorized',
        'denied',
        'denied',
        'server-error',
        'server-error',
        'reset',
        'hang',
      ]);
    } finally {
      await proxy.close();
    }
  });
});

describe('registry down, disk full', () => {
  it('a port nobody listens on refuses connections', async () => {
    await expect(fetch(`http://127.0.0.1:${await unusedPort()}/v2/`)).rejects.toThrow();
  });

  it('a registry on a 2 MB tmpfs takes a small image and refuses a 4 MB blob, then is gone', async () => {
    const small = await startSmallRegistry(2);
    try {
      const repo = { registry: small.host, path: 'x/y' };
      expect(await pushTinyImage(repo, 't', 'fits')).toMatch(/^sha256:/);
      expect(await uploadLargeBlob(repo, 4)).toBeGreaterThanOrEqual(500);
    } finally {
      await small.stop();
    }
    await expect(fetch(`http://${small.host}/v2/`)).rejects.toThrow();
  });
});

describe('Witness: "nothing was written or pushed" can fail', () => {
  it('sees a result file written, a tag pushed and a tag moved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'witness-'));
    try {
      const repo = targetRepository(`${NS}/images`);
      const witness = await Witness.take(join(dir, 'dist/images'), [repo]);
      expect(await witness.changes()).toEqual([]);
      mkdirSync(join(dir, 'dist/images'), { recursive: true });
      writeFileSync(join(dir, 'dist/images/base.json'), '{}');
      const first = await pushTinyImage(repo, 'base', 'one');
      expect(await witness.changes()).toEqual([
        `${join(dir, 'dist/images')}/base.json was written`,
        `${repo.registry}/${repo.path}:base pushed (${first})`,
      ]);
      const after = await Witness.take(join(dir, 'dist/images'), [repo]);
      const second = await pushTinyImage(repo, 'base', 'two');
      expect(await after.changes()).toEqual([`${repo.registry}/${repo.path}:base moved ${first} -> ${second}`]);
      expect(readFileSync(join(dir, 'dist/images/base.json'), 'utf8')).toBe('{}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a private Docker engine, never the shared one', () => {
  it('starts with its own data root and the containerd store, stops on cue, and leaves nothing behind', async () => {
    // "5: docker0" for each interface but the shared engine's containers' veths, which come and go.
    const links = () =>
      spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
        .stdout.split('\n')
        .map((l) => l.split(':').slice(0, 2).join(':').replace(/@.*/, ''))
        .filter((l) => l && !/^\d+: veth/.test(l));
    const before = links();
    const engine = await startPrivateEngine();
    const dir = engine.host.replace('unix://', '').replace(/\/docker\.sock$/, '');
    try {
      const info = spawnSync(
        'docker',
        ['-H', engine.host, 'info', '--format', '{{.DockerRootDir}} {{json .DriverStatus}}'],
        { encoding: 'utf8' },
      );
      expect(info.stdout).toContain(`${dir}/data`);
      expect(info.stdout).toContain('io.containerd.snapshotter');
      await engine.stop();
      expect(spawnSync('docker', ['-H', engine.host, 'version'], { encoding: 'utf8' }).status).not.toBe(0);
    } finally {
      await engine.dispose();
    }
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(dir);
    expect(spawnSync('test', ['-e', dir]).status).not.toBe(0);
    // The host's interfaces are as they were (the shared engine's docker0 above all), and it still answers.
    expect(links()).toEqual(before);
    expect(
      before.some((l) => /^\d+: lo$/.test(l)),
      before.join(', '),
    ).toBe(true);
    expect(spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).status).toBe(0);
  });
});
