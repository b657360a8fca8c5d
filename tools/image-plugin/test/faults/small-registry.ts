import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unusedPort } from './unused-port';

/**
 * A registry of the test's own (Distribution's `docker-registry serve`, no password) whose storage is
 * a tmpfs of a few megabytes: a push of anything larger fills the disk halfway, as on a full server.
 * Started and stopped by the test; `stop` unmounts and removes everything.
 */
export interface SmallRegistry {
  host: string;
  stop(): Promise<void>;
}

export async function startSmallRegistry(megabytes: number): Promise<SmallRegistry> {
  const dir = mkdtempSync('/tmp/small-registry-');
  const data = join(dir, 'data');
  mkdirSync(data);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', data], { encoding: 'utf8' });
  if (mount.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mounting a ${megabytes} MB tmpfs failed (the tests run as root): ${mount.stderr}`);
  }
  const host = `127.0.0.1:${await unusedPort()}`;
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: error}',
      `storage: {filesystem: {rootdirectory: ${data}}, delete: {enabled: true}}`,
      `http: {addr: ${host}}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    spawnSync('umount', ['-l', data]);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 50; i++) {
    const up = await fetch(`http://${host}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { host, stop };
    await new Promise((done) => setTimeout(done, 100));
  }
  await stop();
  throw new Error(`the small registry on ${host} did not start`);
}
