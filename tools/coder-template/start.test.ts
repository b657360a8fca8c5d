import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, localImageId } from '../image-plugin/src/adapters/engine';
import type { ImageResult } from '../image-plugin/src/core/result';
import { buildContext, type Transition, type WorkspaceBuild } from './build-context';
import { containerPlan, type ContainerPlan } from './container-config';
import type { Value } from './hcl-eval';
import { SocketForwarder } from './socket-forwarder';
import { StandInCoder, workspaceKey, type AgentReport } from './stand-in-coder';
import { CoderTemplate, WORKSPACE_ROOT } from './template';
import { WorkspaceContainer } from './workspace-container';

/**
 * The heart of the template's tests: every image of images.json started exactly as the template
 * starts it, on the real engine. The container's settings are the template's own, evaluated from the
 * parsed HCL (template.ts) and applied the way kreuzwerker/docker applies them (container-config.ts);
 * only what Coder and the providers compute at build time comes from the test: the agent's token and
 * init script (a stand-in that reaches a stand-in Coder server on the host, stand-in-coder.ts), the
 * workspace and owner ids, the image's digest (the image built here), and the host socket's path
 * (a socket owned by gid 100, the image's `users` group, forwarding to the real engine).
 *
 * Each image boots twice: a workspace is created and started, stopped (docker stop with the template's
 * stop_timeout, the provider's destroy), then started again on the same volumes. Between images the
 * workspace is deleted as Coder deletes it (its docker_volume resources); the owner's volume stays.
 * The stop and the delete are the template's own stop and delete builds, evaluated with the registry
 * down: what they keep and remove is what the template says without asking it.
 */

const SOCKET_GID = 100;
const BOOT_TIMEOUT_MS = 120_000;
const ENGINE_TIMEOUT_S = 120;
/** The inner dockerd's log, kept on its /var/lib/docker volume by a drop-in the test adds. */
const DOCKERD_LOG = '/var/lib/docker/.template-test-dockerd.log';

const template = await CoderTemplate.load();
const catalog = template.catalog();
const IMAGES = Object.keys(catalog.images);
/** One owner for every workspace of the run, so what one workspace keeps for its owner is seen by the next. */
const OWNER_ID = randomUUID();

let coder: StandInCoder;
let socket: SocketForwarder;
const results: Record<string, ImageResult> = {};
const startTimes: Record<string, number[]> = {};
const containers: WorkspaceContainer[] = [];
const volumes = new Set<string>();

async function gatewayAddress(): Promise<string> {
  const bridge = (await engine().getNetwork('bridge').inspect()) as { IPAM: { Config: Array<{ Gateway?: string }> } };
  const gateway = bridge.IPAM.Config.find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway;
  if (!gateway) throw new Error("the engine's bridge network has no IPv4 gateway (host.docker.internal points there)");
  return gateway;
}

beforeAll(async () => {
  // The images, built (or reused) by the plugin as a user builds them.
  const build = await execa('npx', ['--no-install', 'nx', 'run-many', '-t', 'image-build', '--outputStyle=stream'], {
    cwd: WORKSPACE_ROOT,
    reject: false,
    all: true,
    env: {
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      IMAGE_BUILD_CA_BUNDLE: process.env.IMAGE_BUILD_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt',
    },
  });
  if (build.exitCode !== 0)
    throw new Error(`image-build failed:\n${String(build.all).split('\n').slice(-80).join('\n')}`);
  for (const image of IMAGES) {
    results[image] = JSON.parse(
      readFileSync(join(WORKSPACE_ROOT, 'dist/images', `${image}.json`), 'utf8'),
    ) as ImageResult;
  }
  coder = await StandInCoder.start(await gatewayAddress());
  socket = await SocketForwarder.start(SOCKET_GID);
}, 3_600_000);

afterAll(async () => {
  for (const c of containers) await c.remove();
  for (const name of volumes)
    await engine()
      .getVolume(name)
      .remove({ force: true })
      .catch(() => undefined);
  await coder?.close();
  await socket?.close();
  const lines = Object.entries(startTimes).map(([image, times]) => {
    const sorted = [...times].sort((a, b) => a - b);
    const median =
      sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return `  ${image}: median ${median.toFixed(2)} s (${times.map((t) => t.toFixed(2)).join(', ')})`;
  });
  if (lines.length) console.log(`container start -> agent init script running:\n${lines.join('\n')}`);
}, 300_000);

/** The names of a build's docker_volume resources. */
async function managedVolumes(build: ReturnType<CoderTemplate['build']>): Promise<string[]> {
  const names: string[] = [];
  for (const name of template.resourceNames('docker_volume')) {
    const found = await build.instances('resource', 'docker_volume', name);
    for (const v of (Array.isArray(found) ? found : [found]) as Array<{ name: string }>) names.push(v.name);
  }
  return names;
}

/** One workspace of the template: its ids stay across boots, so its volumes are the same. */
class Workspace {
  readonly key = workspaceKey();
  readonly id = randomUUID();
  readonly name = `tpl-${randomBytes(3).toString('hex')}`;
  readonly token = `token-${randomBytes(8).toString('hex')}`;
  constructor(readonly image: string) {}

  /** Where the stand-in agent notes a clean stop: in $HOME (the agent's folder), on the home volume. */
  readonly stopFile = '/home/coder/.template-test-agent-stopped';
  /** terraform_data.image_pin's output in the workspace's state, once a start has pinned it. */
  pinned: string | undefined;

  private context(more: Partial<WorkspaceBuild> = {}): WorkspaceBuild {
    return {
      image: this.image,
      workspaceId: this.id,
      workspaceName: this.name,
      ownerId: OWNER_ID,
      token: this.token,
      initScript: coder.initScript(this.key, this.stopFile),
      registryDigest: results[this.image].digest,
      pinnedReference: this.pinned,
      variables: { docker_socket: socket.path },
      ...more,
    };
  }

  /** The template's container for this workspace (a start), with the providers' answers for this machine. */
  async plan(): Promise<{ plan: ContainerPlan; managedVolumes: string[]; hooks: string }> {
    // docker_image pulls terraform_data.image_pin's reference: here the engine has it by digest already.
    const pin = (await template
      .build(buildContext(this.context()))
      .instances('resource', 'terraform_data', 'image_pin')) as { output: string };
    this.pinned = pin.output;
    const imageId = await localImageId(pin.output);
    if (!imageId) throw new Error(`the engine has no image ${pin.output} (the pinned reference of ${this.image})`);
    const build = template.build(buildContext(this.context({ imageId })));
    const [container] = (await build.instances('resource', 'docker_container', 'workspace')) as Array<
      Record<string, Value>
    >;
    const hooks = (await build.instances('resource', 'coder_script', 'start_hooks')) as { script: string };
    return { plan: containerPlan(container), managedVolumes: await managedVolumes(build), hooks: hooks.script };
  }

  /**
   * The template's stop or delete build, with the registry down and the state's pin: every block
   * evaluated (Terraform plans them all). Its containers and its docker_volume resources.
   */
  async without(transition: Exclude<Transition, 'start'>): Promise<{ containers: Value; managedVolumes: string[] }> {
    const build = template.build(buildContext(this.context({ transition, registry: 'down' })));
    const all = await build.evaluateAll();
    expect(await build.failedChecks()).toEqual([]);
    return { containers: all['docker_container.workspace'], managedVolumes: await managedVolumes(build) };
  }

  /** Creates the docker_volume resources (as the provider does), then starts the container. */
  async boot(plan: ContainerPlan, managedVolumes: string[]): Promise<WorkspaceContainer> {
    for (const name of managedVolumes) {
      await engine().createVolume({ Name: name });
    }
    for (const name of plan.volumes) volumes.add(name);
    const c = await WorkspaceContainer.create(plan);
    containers.push(c); // removed in afterAll even when the start fails
    await c.start();
    return c;
  }

  /** Waits for the agent's report; on timeout, says what the unit logged. */
  async agent(c: WorkspaceContainer): Promise<AgentReport> {
    const report = await coder.waitFor(this.key, BOOT_TIMEOUT_MS);
    if (!report) {
      const why = await c.exec(
        'systemctl is-system-running; systemctl status coder-agent --no-pager; ' +
          'journalctl -u coder-agent --no-pager | tail -30',
      );
      throw new Error(
        `the agent of ${this.image} never reported:\n${why.stdout}${why.stderr}\n${(await c.logs()).slice(-3000)}`,
      );
    }
    coder.forget(this.key);
    return report;
  }
}

async function expectAgentRan(ws: Workspace, c: WorkspaceContainer, boot: number): Promise<void> {
  const report = await ws.agent(c);
  const started = await c.startedAt();
  const seconds = report.initStarted - started;
  (startTimes[ws.image] ??= []).push(seconds);
  console.log(
    `${ws.image} boot ${boot}: agent init script running ${seconds.toFixed(2)} s after the container started`,
  );
  expect(report.user).toBe('coder');
  expect(report.home).toBe('/home/coder');
  expect(report.token).toBe(ws.token);
  expect(report.binaryDir).toMatch(/^\/tmp\/coder\.\w+$/);
  const state = await c.systemState(60_000);
  const failed = await c.exec(
    "systemctl --failed --no-legend --plain | grep -v systemd-modules-load | awk '{print $1}'",
  );
  expect({ state, failed: failed.stdout.trim() }).toEqual({
    state: expect.stringMatching(/^(running|degraded)$/),
    failed: '',
  });
  const unit = await c.exec('systemctl show -p MainPID --value coder-agent | xargs -r ps -o user= -p');
  expect(unit.stdout.trim()).toBe('coder');
}

/** systemd's time span ("1min 30s", "5s", "infinity") in seconds. */
function timespanSeconds(span: string): number {
  if (span.trim() === 'infinity') return Infinity;
  const unit: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600, d: 86400 };
  return [...span.matchAll(/(\d+(?:\.\d+)?)\s*(us|ms|min|s|h|d)\b/g)].reduce(
    (sum, [, n, u]) => sum + Number(n) * unit[u],
    0,
  );
}

/** A path of $HOME that home-persist keeps in the owner's volume, as the image's manifests list it. */
async function ownerPersistedDir(c: WorkspaceContainer): Promise<string> {
  const r = await c.exec(
    `jq -rs '[.[] | (.scope // "workspace") as $s | .paths[]` +
      ` | select((.scope // $s) == "owner" and (.type // "dir") == "dir") | .path][0]' /etc/home-persist.d/*.json`,
  );
  const path = r.stdout.trim();
  expect(path, r.stderr).toMatch(/^\.\S+$/);
  return path;
}

let ownerMarker: { path: string; text: string; from: string } | null = null;

describe.each(IMAGES)('the template starts %s', (image) => {
  const docker = catalog.images[image].docker;
  const ws = new Workspace(image);
  let plan: ContainerPlan;
  let managed: string[];
  let hooks: string;
  let c: WorkspaceContainer;
  let persisted: string;
  const marker = `kept-${randomBytes(4).toString('hex')}`;

  it('boots: systemd up, coder-agent runs the uploaded init script as coder with the token', async () => {
    ({ plan, managedVolumes: managed, hooks } = await ws.plan());
    c = await ws.boot(plan, managed);
    await expectAgentRan(ws, c, 1);
  });

  it("the image's start hooks run as coder through the template's coder_script", async () => {
    const hook = `#!/bin/sh\nid -un > /tmp/start-hook-ran\n`;
    await c.exec(
      `printf '%s' '${hook}' > /etc/coder/start.d/50-template-test && chmod +x /etc/coder/start.d/50-template-test`,
    );
    const run = await c.exec(hooks, 'coder');
    expect(run.stdout, run.stderr).toContain('1 start hook(s) ran');
    expect((await c.exec('cat /tmp/start-hook-ran')).stdout.trim()).toBe('coder');
    await c.exec(
      'printf "#!/bin/sh\\nexit 3\\n" > /etc/coder/start.d/60-broken && chmod +x /etc/coder/start.d/60-broken',
    );
    const broken = await c.exec(hooks, 'coder');
    expect(broken.exitCode).toBe(3);
    expect(broken.stderr).toContain('/etc/coder/start.d/60-broken failed with exit status 3');
  });

  it("$HOME is the workspace's volume, filled from the image's /home/coder, owned by coder", async () => {
    const r = await c.exec(
      'stat -c %U "$HOME"; test -f "$HOME/.bashrc" && stat -c %U "$HOME/.bashrc"; ' +
        `awk '$5 == "/home/coder" { print $5 }' /proc/self/mountinfo; echo ${marker} > "$HOME/.template-test-home"`,
      'coder',
    );
    expect(r.stdout.trim().split('\n'), r.stderr).toEqual(['coder', 'coder', '/home/coder']);
  });

  it('home paths persist in the volumes; the owner volume keeps what an earlier, deleted workspace wrote', async () => {
    persisted = await ownerPersistedDir(c);
    if (ownerMarker) {
      const seen = await c.exec(`cat "$HOME/${ownerMarker.path}/${ownerMarker.from}"`, 'coder');
      expect(seen.stdout.trim(), `written by the deleted ${ownerMarker.from} workspace`).toBe(ownerMarker.text);
    }
    const write = await c.exec(
      `echo ${marker} > "$HOME/${persisted}/${image}" && echo ${marker} > "$HOME/projects/${image}.txt"`,
      'coder',
    );
    expect(write.exitCode, write.stderr).toBe(0);
  });

  if (docker === 'host') {
    it('DooD: coder uses the host engine through a socket whose gid clashed with users (100)', async () => {
      const r = await c.exec(
        "stat -c %g /var/run/docker.sock; getent group docker | cut -d: -f3; docker ps --format '{{.Names}}'",
        'coder',
      );
      expect(r.stderr).toBe('');
      const [gid, dockerGid, ...names] = r.stdout.trim().split('\n');
      expect({ gid, dockerGid }).toEqual({ gid: String(SOCKET_GID), dockerGid: String(SOCKET_GID) });
      expect(names).toContain(plan.create.name);
    });
  } else {
    it('DinD: coder runs a nested container with the inner engine, on the /var/lib/docker volume', async () => {
      // The inner engine's own log, onto its volume (it outlives the container): the evidence of its stop.
      const log = await c.exec(
        [
          'set -e',
          'mkdir -p /etc/systemd/system/docker.service.d',
          `printf '[Service]\\nStandardOutput=append:${DOCKERD_LOG}\\nStandardError=append:${DOCKERD_LOG}\\n' \\`,
          '  > /etc/systemd/system/docker.service.d/template-test-log.conf',
          'systemctl daemon-reload',
          'systemctl restart docker.service',
        ].join('\n'),
      );
      expect(log.exitCode, log.stderr).toBe(0);
      const r = await c.exec(
        [
          'set -e',
          `for i in $(seq ${ENGINE_TIMEOUT_S}); do docker info >/dev/null 2>&1 && break; sleep 1; done`,
          "docker info --format 'driver={{.Driver}} root={{.DockerRootDir}}'",
          'root=$(mktemp -d) && mkdir -p $root/bin && cp /bin/busybox $root/bin/',
          'for a in sh echo sleep; do ln -s busybox $root/bin/$a; done',
          'tar -C $root -c . | docker import - busybox:local >/dev/null',
          "docker run --rm --network none busybox:local sh -c 'echo nested-ok'",
          // A container the inner engine must stop at shutdown: a clean stop delivers TERM (exit 42).
          'docker run -d --name keeper --network none busybox:local \\',
          '  sh -c \'trap "echo got-term; exit 42" TERM; while :; do sleep 1; done\' >/dev/null',
        ].join('\n'),
        'coder',
      );
      expect(r.stdout.trim(), r.stderr).toMatch(/^driver=overlay2 root=\/var\/lib\/docker\nnested-ok$/);
    });
  }

  it("stop_timeout outlasts every running unit's own stop timeout (systemd halts before a kill)", async () => {
    const r = await c.exec(
      "systemctl list-units --state=active --no-legend --plain | awk '{print $1}' | " +
        'xargs systemctl show --value -p TimeoutStopUSec --',
    );
    const spans = r.stdout
      .split('\n')
      .filter((l) => l.trim())
      .map(timespanSeconds);
    expect(spans.length, r.stderr).toBeGreaterThan(0);
    expect(Math.max(...spans)).toBeLessThan(plan.create.StopTimeout as number);
  });

  it("stops within the template's stop_timeout (docker stop, as Coder's stop destroys it), not killed", async () => {
    // The stop build, with the registry down: no container, every volume kept.
    const stop = await ws.without('stop');
    expect(stop.containers).toEqual([]);
    expect(stop.managedVolumes).toEqual(managed);
    const timeout = plan.create.StopTimeout as number;
    const stopped = await c.stop();
    console.log(
      `${image}: docker stop took ${stopped.seconds.toFixed(1)} s (stop_timeout ${timeout} s), ` +
        `exit code ${stopped.exitCode}`,
    );
    expect(stopped.seconds).toBeLessThan(timeout);
    expect(stopped.exitCode, 'killed (SIGKILL) instead of halted').not.toBe(137);
    await c.remove();
  });

  it('started again on the same volumes: the agent runs again, home and projects are kept', async () => {
    ({ plan, managedVolumes: managed } = await ws.plan());
    c = await ws.boot(plan, []);
    await expectAgentRan(ws, c, 2);
    const kept = await c.exec(
      `cat "$HOME/.template-test-home" "$HOME/${persisted}/${image}" "$HOME/projects/${image}.txt"`,
      'coder',
    );
    expect(kept.stdout.trim().split('\n'), kept.stderr).toEqual([marker, marker, marker]);
    // At the last stop systemd stopped the agent with SIGTERM (a kill leaves no note).
    const stopNote = await c.exec(`cat ${ws.stopFile}`);
    expect(stopNote.stdout.trim(), stopNote.stderr).toBe('agent stopped by SIGTERM');
    if (docker === 'inside') {
      const inner = await c.exec(
        [
          `for i in $(seq ${ENGINE_TIMEOUT_S}); do docker info >/dev/null 2>&1 && break; sleep 1; done`,
          "docker image inspect busybox:local --format 'image={{.Id}}' | cut -c1-19",
          "docker inspect keeper --format 'keeper exit={{.State.ExitCode}}'",
          'docker logs keeper',
        ].join('\n'),
        'coder',
      );
      // The image pulled inside survived; the inner engine stopped its container with TERM at the last stop.
      expect(inner.stdout.trim(), inner.stderr).toMatch(/^image=sha256:\w{6}\nkeeper exit=42\ngot-term$/);
      // ... and then itself: its log ends with a clean shutdown.
      const dockerd = (await c.exec(`cat ${DOCKERD_LOG}`)).stdout;
      expect(dockerd).toMatch(/Processing signal 'terminated'[\s\S]*Daemon shutdown complete/);
      // After it, at most the info lines of its event streams closing (their order is dockerd's race).
      const after = dockerd.slice(dockerd.lastIndexOf('Daemon shutdown complete')).trim().split('\n').slice(1);
      expect(after.filter((line) => !/level=info .*graceful shutdown/.test(line))).toEqual([]);
    }
  });

  it('deleted as Coder deletes a workspace (registry down): its volumes go, the owner volume stays', async () => {
    const deleted = await ws.without('delete');
    expect(deleted.containers).toEqual([]);
    expect(deleted.managedVolumes).toEqual(managed);
    await c.stop();
    await c.remove();
    for (const name of deleted.managedVolumes) await engine().getVolume(name).remove();
    const names = ((await engine().listVolumes()).Volumes ?? []).map((v) => v.Name);
    for (const name of managed) expect(names).not.toContain(name);
    const owner = plan.volumes.filter((v) => !managed.includes(v));
    expect(owner.length).toBe(1);
    expect(names).toContain(owner[0]);
    ownerMarker = { path: persisted, text: marker, from: image };
  });
});

describe('a template that gives the agent too little fails loudly, not healthy-looking', () => {
  const image = catalog.default;

  it.each([
    ['no init script uploaded', (p: ContainerPlan) => ({ ...p, uploads: [] }), 'agent-init.sh is missing'],
    [
      'no CODER_AGENT_TOKEN',
      (p: ContainerPlan) => ({
        ...p,
        create: { ...p.create, Env: (p.create.Env ?? []).filter((e) => !e.startsWith('CODER_AGENT_TOKEN=')) },
      }),
      'CODER_AGENT_TOKEN is not set',
    ],
  ])(
    '%s: coder-agent fails once with the message, systemd is degraded, no agent runs',
    async (_, breakPlan, message) => {
      const ws = new Workspace(image);
      const { plan, managedVolumes } = await ws.plan();
      const c = await ws.boot(breakPlan(plan), managedVolumes);
      for (const name of managedVolumes) volumes.add(name);
      expect(await c.waitFor('systemctl is-failed coder-agent', /^failed$/, 60_000)).toBe('failed');
      expect(await c.systemState(60_000)).toBe('degraded');
      const r = await c.exec(
        'systemctl is-failed coder-agent; systemctl show -p NRestarts --value coder-agent; ' +
          'journalctl -u coder-agent --no-pager -o cat',
      );
      expect(r.stdout).toMatch(/^failed\n0\n/);
      expect(r.stdout).toContain(message);
      expect(coder.reported(ws.key)).toBe(false);
      await c.remove();
    },
  );
});
