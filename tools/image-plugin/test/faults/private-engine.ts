import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIRROR_REGISTRY, TARGET_REGISTRY } from '../../../test-env/env';

/**
 * A second Docker engine of the test's own: its own data root, exec root (and so its own containerd),
 * pid file and socket, its own bridge and no iptables, the containerd image store and the mirror as the
 * shared engine has them. Tests point builds at it with DOCKER_HOST and may stop it mid-build; the
 * shared engine is never touched. `dispose` always leaves nothing behind: processes, bridge, mounts, files.
 *
 * Not `--bridge=none`: a dockerd started with it deletes the host's docker0 interface at start-up
 * (moby removes "the default bridge" when the bridge is disabled), which breaks the networking of the
 * shared engine running beside it. A bridge of our own, created and deleted here, touches nothing else.
 */
export interface PrivateEngine {
  /** For DOCKER_HOST: `unix:///tmp/pe-xxxx/docker.sock`. */
  host: string;
  /** dockerd's log, for failure messages. */
  log(): string;
  /** Stops dockerd as `systemctl stop docker` does (SIGTERM), and waits for it to exit. */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

export async function startPrivateEngine(): Promise<PrivateEngine> {
  // Short paths: containerd's socket lives under the exec root, and unix socket paths are short.
  const dir = mkdtempSync('/tmp/pe-');
  const socket = join(dir, 'docker.sock');
  // A subnet outside Docker's default address pools (172.17-31.x, 192.168.x), so neither engine picks it.
  const bridge = `pe${dir.slice(-6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const subnet = `10.213.${Math.floor(Math.random() * 250) + 1}`;
  for (const args of [
    ['link', 'add', 'name', bridge, 'type', 'bridge'],
    ['addr', 'add', `${subnet}.1/24`, 'dev', bridge],
    ['link', 'set', bridge, 'up'],
  ]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) {
      spawnSync('ip', ['link', 'delete', bridge]);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`);
    }
  }
  const config = {
    'data-root': join(dir, 'data'),
    'exec-root': join(dir, 'exec'),
    pidfile: join(dir, 'docker.pid'),
    hosts: [`unix://${socket}`],
    bridge,
    iptables: false,
    ip6tables: false,
    'ip-forward': false,
    'ip-masq': false,
    features: { 'containerd-snapshotter': true },
    'registry-mirrors': [`http://${MIRROR_REGISTRY}`],
    'insecure-registries': [MIRROR_REGISTRY, TARGET_REGISTRY],
  };
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify(config));
  const logFile = join(dir, 'dockerd.log');
  const out = openSync(logFile, 'a');
  // Its own config file: the shared engine's /etc/docker/daemon.json is not read.
  const child = spawn('dockerd', ['--config-file', join(dir, 'daemon.json')], { stdio: ['ignore', out, out] });
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  const waitExit = async (ms: number) => {
    if (!alive(child)) return;
    await Promise.race([new Promise((done) => child.once('exit', done)), new Promise((done) => setTimeout(done, ms))]);
  };
  const stop = async () => {
    if (!alive(child)) return;
    child.kill('SIGTERM');
    await waitExit(20_000);
  };
  const dispose = async () => {
    await stop();
    if (alive(child)) {
      child.kill('SIGKILL');
      await waitExit(5000);
    }
    // dockerd's own containerd (and its shims) may outlive a killed dockerd.
    for (const pidFile of [join(dir, 'exec/containerd/containerd.pid')]) {
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
      if (pid > 0) spawnSync('kill', ['-9', String(pid)]);
    }
    const shims = spawnSync('pgrep', ['-f', `containerd-shim.*${dir}`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    for (const pid of shims) spawnSync('kill', ['-9', pid]);
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m) => m?.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    spawnSync('ip', ['link', 'delete', bridge]);
    rmSync(dir, { recursive: true, force: true });
  };

  for (let i = 0; i < 120; i++) {
    if (!alive(child)) break;
    const ping = spawnSync('docker', ['-H', `unix://${socket}`, 'version', '--format', '{{.Server.Version}}'], {
      encoding: 'utf8',
    });
    if (ping.status === 0) return { host: `unix://${socket}`, log, stop, dispose };
    await new Promise((done) => setTimeout(done, 500));
  }
  const text = log();
  await dispose();
  throw new Error(`the private dockerd did not start:\n${text.slice(-2000)}`);
}
