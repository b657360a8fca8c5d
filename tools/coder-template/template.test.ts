import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogText, type CoderCatalog } from '../image-plugin/src/core/coder-catalog';
import { buildContext, type WorkspaceBuild } from './build-context';
import { containerPlan } from './container-config';
import type { Value } from './hcl-eval';
import { CoderTemplate, TEMPLATE_DIR, UnavailableError, WORKSPACE_ROOT } from './template';

/**
 * The template read with HashiCorp's HCL parser and evaluated for builds of every image, without
 * the providers (they cannot be downloaded here): the parameter's options against the graph, the
 * container each image gets, the digest pinning, the volumes, and the messages for bad input.
 */

const template = await CoderTemplate.load();
const catalog = template.catalog();
const IMAGES = Object.keys(catalog.images);
const DIGEST = `sha256:${'c'.repeat(64)}`;
const scratch: string[] = [];

afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the template folder with some files changed, as a generator or a release would change them. */
async function templateWith(files: Record<string, string>): Promise<CoderTemplate> {
  const dir = mkdtempSync(join(tmpdir(), 'coder-template-'));
  scratch.push(dir);
  cpSync(TEMPLATE_DIR, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return CoderTemplate.load(dir);
}

async function container(b: WorkspaceBuild, t = template): Promise<Record<string, Value>> {
  const [c] = (await t.build(buildContext(b)).instances('resource', 'docker_container', 'workspace')) as Array<
    Record<string, Value>
  >;
  return c;
}

const images = (args: string[]) =>
  execa('npx', ['--no-install', 'images', 'coder-template', ...args], {
    cwd: WORKSPACE_ROOT,
    reject: false,
    all: true,
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });

const parameter = async (t = template, image = catalog.default) =>
  (await t.build(buildContext({ image })).instances('data', 'coder_parameter', 'workspace_image')) as Record<
    string,
    Value
  > & {
    option: Array<{ name: string; value: string; description: string }>;
  };

describe('the workspace_image parameter is the Nx graph', () => {
  it('images.json is what the graph says (npx images coder-template --check)', async () => {
    const r = await images(['--check']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain(`up to date: ${IMAGES.join(', ')}`);
  });

  it('its options are exactly the images of images.json, the default one of them; users may change it', async () => {
    const p = await parameter();
    expect(p.option.map((o) => o.value)).toEqual(IMAGES);
    expect(p.option.map((o) => o.name)).toEqual(IMAGES);
    expect(IMAGES).toContain(p.default);
    expect({ type: p.type, mutable: p.mutable }).toEqual({ type: 'string', mutable: true });
    for (const o of p.option)
      expect(o.description).toMatch(
        catalog.images[o.value].docker === 'inside' ? /Docker-in-Docker/ : /host's Docker engine/,
      );
  });

  it('an image added to images.json is offered and started by its Docker mode, with no HCL change', async () => {
    const more: CoderCatalog = {
      ...catalog,
      images: {
        ...catalog.images,
        ruby: { repository: 'ghcr.io/acme/r', reference: 'ghcr.io/acme/r:ruby', docker: 'inside' },
      },
    };
    const t = await templateWith({ 'images.json': catalogText(more) });
    expect((await parameter(t)).option.map((o) => o.value)).toEqual([...IMAGES, 'ruby'].sort());
    const c = containerPlan(await container({ image: 'ruby' }, t));
    expect(c.create.HostConfig?.Binds?.some((b) => b.endsWith(':/var/lib/docker:rw'))).toBe(true);
  });
});

describe.each(IMAGES)('the container of %s', (image) => {
  const inside = catalog.images[image].docker === 'inside';
  const ids = { workspaceId: randomUUID(), ownerId: randomUUID(), token: 'tok-123' };

  it('systemd can boot: privileged, private cgroupns, tmpfs on /run, /run/lock, /tmp (exec), halt signal', async () => {
    const p = containerPlan(await container({ image, ...ids }));
    expect(p.create.HostConfig).toMatchObject({ Privileged: true, CgroupnsMode: 'private' });
    expect(p.create.HostConfig?.Runtime).toBeUndefined();
    expect(p.create.HostConfig?.Tmpfs).toEqual({ '/run': '', '/run/lock': '', '/tmp': 'exec' });
    expect(p.create.StopSignal).toBe('SIGRTMIN+3');
    expect(p.destroyGraceSeconds).toBe((p.create as { StopTimeout?: number }).StopTimeout);
  });

  it('the agent: token in the environment, init script uploaded, localhost pointed at the Docker host', async () => {
    const p = containerPlan(
      await container({
        image,
        ...ids,
        initScript: 'curl http://localhost:3000/bin && curl http://127.0.0.1:3000/x\n',
      }),
    );
    expect(p.create.Env).toEqual(['CODER_AGENT_TOKEN=tok-123']);
    expect(p.uploads).toEqual([
      {
        file: '/etc/coder/agent-init.sh',
        content: 'curl http://host.docker.internal:3000/bin && curl http://host.docker.internal:3000/x\n',
        mode: 0o744,
      },
    ]);
    expect(p.create.HostConfig?.ExtraHosts).toEqual(['host.docker.internal:host-gateway']);
  });

  it(
    inside
      ? 'Docker-in-Docker: /var/lib/docker on a workspace volume, no host socket'
      : 'Docker-outside-of-Docker: the host socket, no engine volume',
    async () => {
      const binds = containerPlan(await container({ image, ...ids })).create.HostConfig?.Binds ?? [];
      const engineVolume = binds.find((b) => b.includes(':/var/lib/docker:'));
      const socket = binds.find((b) => b.includes(':/var/run/docker.sock:'));
      if (inside) {
        expect(engineVolume).toBe(`coder-${ids.workspaceId}-docker:/var/lib/docker:rw`);
        expect(socket).toBeUndefined();
      } else {
        expect(socket).toBe('/var/run/docker.sock:/var/run/docker.sock:rw');
        expect(engineVolume).toBeUndefined();
      }
    },
  );

  it('volumes: home, projects, caches per workspace (deleted with it); logins per owner (never deleted)', async () => {
    const build = template.build(buildContext({ image, ...ids }));
    const managed: string[] = [];
    for (const name of template.resourceNames('docker_volume')) {
      const v = await build.instances('resource', 'docker_volume', name);
      managed.push(...(Array.isArray(v) ? v : [v]).map((x) => String((x as { name: string }).name)));
    }
    for (const name of managed) expect(name).toContain(ids.workspaceId);
    const [c] = (await build.instances('resource', 'docker_container', 'workspace')) as Array<Record<string, Value>>;
    const named = containerPlan(c).volumes;
    const owner = named.filter((n) => !managed.includes(n));
    expect(owner).toEqual([`coder-owner-${ids.ownerId}-home-persist`]);
    const targets = Object.fromEntries(
      (containerPlan(c).create.HostConfig?.Binds ?? []).map((b) => [b.split(':')[1], b.split(':')[0]]),
    );
    expect(targets['/mnt/home-persist/owner']).toBe(owner[0]);
    expect(targets['/home/coder']).toBe(`coder-${ids.workspaceId}-home`);
    expect(targets['/home/coder/projects']).toBe(`coder-${ids.workspaceId}-projects`);
    expect(targets['/mnt/home-persist/workspace']).toBe(`coder-${ids.workspaceId}-home-persist`);
  });

  it.each(['stop', 'delete'] as const)(
    'a %s needs no registry: everything evaluates with it down; no container, no image, the pin and volumes stay',
    async (transition) => {
      const pinned = `${catalog.images[image].repository}@${DIGEST}`;
      const build = template.build(
        buildContext({ image, ...ids, transition, registry: 'down', pinnedReference: pinned }),
      );
      const all = await build.evaluateAll();
      expect(all['data.docker_registry_image.workspace']).toEqual([]);
      expect(all['docker_image.workspace']).toEqual([]);
      expect(all['docker_container.workspace']).toEqual([]);
      expect(all['coder_metadata.image']).toEqual([]);
      expect(all['terraform_data.image_pin']).toMatchObject({ input: null, output: pinned });
      expect(all['docker_volume.home']).toMatchObject({ name: `coder-${ids.workspaceId}-home` });
      expect(all['docker_volume.projects']).toMatchObject({ name: `coder-${ids.workspaceId}-projects` });
      expect(await build.failedChecks()).toEqual([]);
    },
  );
});

describe('the registry is asked on a start only, and only without a release pin', () => {
  const image = catalog.default;
  const digests = Object.fromEntries(IMAGES.map((name, i) => [name, `sha256:${String(i).repeat(64)}`]));

  it('a start reads the tag in the registry: with it down, the build fails there (before any change)', async () => {
    for (const pinnedReference of [undefined, `${catalog.images[image].repository}@${DIGEST}`]) {
      const build = template.build(buildContext({ image, registry: 'down', pinnedReference }));
      await expect(build.evaluateAll()).rejects.toThrow(UnavailableError);
    }
  });

  it("with a release's pinned-digests.json, a start (the first one too) needs no registry", async () => {
    const t = await templateWith({ 'pinned-digests.json': JSON.stringify({ digests }) });
    const build = t.build(buildContext({ image, registry: 'down' }));
    const all = await build.evaluateAll();
    expect(all['data.docker_registry_image.workspace']).toEqual([]);
    expect(all['docker_image.workspace']).toEqual([
      expect.objectContaining({ name: `${catalog.images[image].repository}@${digests[image]}` }),
    ]);
    expect(await build.failedChecks()).toEqual([]);
  });
});

describe('the agent', () => {
  const agent = async (variables?: Record<string, Value>) =>
    (await template
      .build(buildContext({ image: catalog.default, variables }))
      .instances('resource', 'coder_agent', 'main')) as Record<string, Value> & {
      metadata: Array<Record<string, Value>>;
    };

  it("sets no dir (deprecated): sessions start in $HOME; the arch is the provisioner's unless the admin's", async () => {
    const a = await agent();
    expect(a).not.toHaveProperty('dir');
    expect(a.arch).toBe('amd64');
    expect((await agent({ arch: 'arm64' })).arch).toBe('arm64');
  });

  it('shows CPU, memory and the home disk on the workspace page (coder stat)', async () => {
    const { metadata } = await agent();
    expect(metadata.map((m) => m.script)).toEqual([
      'coder stat cpu',
      'coder stat mem',
      'coder stat disk --path ${HOME}',
    ]);
    for (const m of metadata) expect(m).toMatchObject({ key: expect.any(String), interval: expect.any(Number) });
    expect(new Set(metadata.map((m) => m.key)).size).toBe(metadata.length);
  });

  it('coder_metadata shows the image and the digest it is pinned to, on the container', async () => {
    const pinned = `${catalog.images[catalog.default].repository}@${DIGEST}`;
    const build = template.build(buildContext({ image: catalog.default, pinnedReference: pinned }));
    const [container] = (await build.instances('resource', 'docker_container', 'workspace')) as Array<{ id: string }>;
    const [meta] = (await build.instances('resource', 'coder_metadata', 'image')) as Array<{
      resource_id: string;
      item: Array<{ key: string; value: string }>;
    }>;
    expect(meta.resource_id).toBe(container.id);
    const items = Object.fromEntries(meta.item.map((i) => [i.key, i.value]));
    expect(items.image).toMatch(new RegExp(`^${catalog.default} \\(.*Docker engine.*\\)$`));
    expect(items.pinned).toBe(pinned);
  });
});

describe('the image is pinned by digest', () => {
  const image = catalog.default;
  const repository = catalog.images[image].repository;

  it('the first build pins the registry digest of the tag; the container runs what docker_image pulled', async () => {
    const build = template.build(buildContext({ image, registryDigest: DIGEST, imageId: 'sha256:local-id' }));
    expect(await build.instances('data', 'docker_registry_image', 'workspace')).toEqual([
      expect.objectContaining({ name: catalog.images[image].reference }),
    ]);
    expect(await build.instances('resource', 'terraform_data', 'image_pin')).toMatchObject({
      input: `${repository}@${DIGEST}`,
      output: `${repository}@${DIGEST}`,
    });
    expect(await build.instances('resource', 'docker_image', 'workspace')).toEqual([
      expect.objectContaining({ name: `${repository}@${DIGEST}`, keep_locally: true }),
    ]);
    expect((await container({ image, imageId: 'sha256:local-id' })).image).toBe('sha256:local-id');
  });

  it("a later build keeps the state's reference while the tag moved: docker_image follows the pin", async () => {
    const pinned = `${repository}@sha256:${'0'.repeat(64)}`;
    const build = template.build(buildContext({ image, registryDigest: DIGEST, pinnedReference: pinned }));
    expect(await build.instances('resource', 'docker_image', 'workspace')).toEqual([
      expect.objectContaining({ name: pinned }),
    ]);
  });

  it('the pin is renewed only by another image or another template version (the trigger)', async () => {
    const trigger = async (b: WorkspaceBuild) => await template.build(buildContext(b)).local('image_pin_trigger');
    const first = await trigger({ image, templateVersion: 'v1', registryDigest: DIGEST });
    expect(await trigger({ image, templateVersion: 'v1', registryDigest: `sha256:${'d'.repeat(64)}` })).toEqual(first);
    expect(await trigger({ image, templateVersion: 'v2' })).not.toEqual(first);
    expect(await trigger({ image: IMAGES.find((i) => i !== image) as string, templateVersion: 'v1' })).not.toEqual(
      first,
    );
  });

  it('coder-template --pin-results writes pinned-digests.json from pushed builds, refuses local ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coder-pins-'));
    scratch.push(dir);
    const result = (image: string, i: number, pushed: boolean) => ({
      image,
      digest: pushed ? `sha256:${String(i).repeat(64)}` : `sha256:${'e'.repeat(64)}`,
      pushed,
      revision: '0123456789abcdef',
    });
    mkdirSync(join(dir, 'pushed'));
    mkdirSync(join(dir, 'local'));
    IMAGES.forEach((image, i) =>
      writeFileSync(join(dir, 'pushed', `${image}.json`), JSON.stringify(result(image, i, true))),
    );
    writeFileSync(join(dir, 'local', `${catalog.default}.json`), JSON.stringify(result(catalog.default, 0, false)));
    const ok = await images(['--pin-results', join(dir, 'pushed'), '--out', join(dir, 'pinned-digests.json')]);
    expect(ok.exitCode, ok.all).toBe(0);
    const text = readFileSync(join(dir, 'pinned-digests.json'), 'utf8');
    expect(JSON.parse(text).digests).toEqual(
      Object.fromEntries(IMAGES.map((image, i) => [image, `sha256:${String(i).repeat(64)}`])),
    );
    // The file the command wrote is what the template reads.
    const t = await templateWith({ 'pinned-digests.json': text });
    expect(
      await t.build(buildContext({ image: catalog.default })).instances('resource', 'terraform_data', 'image_pin'),
    ).toMatchObject({
      input: `${repository}@sha256:${'0'.repeat(64)}`,
    });
    const local = await images(['--pin-results', join(dir, 'local'), '--out', join(dir, 'refused.json')]);
    expect(local.exitCode).toBe(1);
    expect(local.all).toContain(`${catalog.default} was not pushed: a local image ID is no registry digest`);
  });

  it("a release's pinned-digests.json pins every image without asking the registry", async () => {
    const digests = Object.fromEntries(IMAGES.map((name, i) => [name, `sha256:${String(i).repeat(64)}`]));
    const t = await templateWith({ 'pinned-digests.json': JSON.stringify({ '//': 'v1.2.3', digests }) });
    for (const name of IMAGES) {
      const build = t.build(buildContext({ image: name }));
      expect(await build.instances('data', 'docker_registry_image', 'workspace')).toEqual([]);
      expect(await build.instances('resource', 'terraform_data', 'image_pin')).toMatchObject({
        input: `${catalog.images[name].repository}@${digests[name]}`,
      });
      expect(await build.failedPreconditions('terraform_data', 'image_pin')).toEqual([]);
    }
  });
});

describe('bad input ends with one clear message', () => {
  it("a workspace_image outside the options: the pin's precondition names the choices", async () => {
    const build = template.build(buildContext({ image: 'ruby' }));
    expect(await build.failedPreconditions('terraform_data', 'image_pin')).toEqual([
      'The workspace image "ruby" is not offered by this template version (images.json); ' +
        `choose one of: ${IMAGES.join(', ')}.`,
    ]);
    // Nothing else fails first: no registry lookup, no engine volume, a container without an image.
    expect(await build.instances('data', 'docker_registry_image', 'workspace')).toEqual([]);
    expect(await build.instances('resource', 'docker_volume', 'docker_data')).toEqual([]);
  });

  it('a pinned-digests.json with a tag or an unknown image', async () => {
    const t = await templateWith({
      'pinned-digests.json': JSON.stringify({ digests: { [catalog.default]: 'latest', ruby: DIGEST } }),
    });
    expect(
      await t.build(buildContext({ image: catalog.default })).failedPreconditions('terraform_data', 'image_pin'),
    ).toEqual([expect.stringContaining('pinned-digests.json must map images of images.json to sha256 digests')]);
  });

  /** images.json as a plugin without a repository writes it: single layout "", per-image layout "/<image>". */
  const withRepository = (repository: (name: string) => string): CoderCatalog => ({
    ...catalog,
    images: Object.fromEntries(
      Object.entries(catalog.images).map(([name, i]) => [
        name,
        { ...i, repository: repository(name), reference: `${repository(name)}:${name}` },
      ]),
    ),
  });

  it.each<[string, Record<string, Value>, string, RegExp]>([
    [
      'a runtime other than privileged or sysbox-runc',
      { runtime: 'runsc' },
      'var.runtime',
      /^var\.runtime: runtime must be "" \(privileged containers, single-tenant\) or "sysbox-runc" .*; push with --variable runtime= or --variable runtime=sysbox-runc --variable docker_socket=\.$/,
    ],
    [
      'sysbox-runc with the default host socket (every user root on the host)',
      { runtime: 'sysbox-runc' },
      'docker_container.workspace',
      /^docker_container\.workspace: runtime = "sysbox-runc" \(multi-tenant\) with docker_socket = "\/var\/run\/docker\.sock" .*root on the Docker host: push with --variable docker_socket= /,
    ],
    [
      'sysbox-runc with any other host socket',
      { runtime: 'sysbox-runc', docker_socket: '/run/user/1000/docker.sock' },
      'docker_container.workspace',
      /with docker_socket = "\/run\/user\/1000\/docker\.sock" would mount the host's Docker socket/,
    ],
    [
      'an architecture the images are not built for',
      { arch: 'armv7' },
      'var.arch',
      /^var\.arch: arch must be "" \(the provisioner's\), "amd64" or "arm64" .*push with --variable arch=/,
    ],
  ])('%s', async (_, variables, where, message) => {
    const checks = await template.build(buildContext({ image: catalog.default, variables })).failedChecks();
    expect(checks).toEqual([expect.stringMatching(message)]);
    expect(checks[0].startsWith(`${where}: `)).toBe(true);
  });

  it.each<[string, (name: string) => string]>([
    ['"" (single layout)', () => ''],
    ['"/<image>" (per-image layout)', (name) => `/${name}`],
  ])('images.json without a registry repository: %s', async (_, repository) => {
    const t = await templateWith({ 'images.json': catalogText(withRepository(repository)) });
    const build = t.build(buildContext({ image: catalog.default, registry: 'down' }));
    // The registry is not asked for ":base": the precondition's message is the build's error.
    expect(await build.instances('data', 'docker_registry_image', 'workspace')).toEqual([]);
    expect(await build.failedChecks()).toEqual([
      `docker_image.workspace: images.json gives the image "${catalog.default}" no registry repository ` +
        `("${repository(catalog.default)}"): set the image plugin's repository option in nx.json (where the ` +
        'images are pushed), run npx images coder-template, and push the template again.',
    ]);
    // A stop or delete of a workspace that has one is not blocked by it.
    const stop = t.build(buildContext({ image: catalog.default, transition: 'stop', registry: 'down' }));
    expect(await stop.failedChecks()).toEqual([]);
  });

  it('the defaults pass every check, on every transition', async () => {
    for (const transition of ['start', 'stop', 'delete'] as const) {
      const build = template.build(buildContext({ image: catalog.default, transition }));
      expect(await build.failedChecks()).toEqual([]);
    }
  });
});

describe('multi-tenant servers: the sysbox-runc runtime instead of privileged', () => {
  it.each(IMAGES)(
    '%s runs unprivileged under sysbox-runc; without a socket path nothing of the host is mounted',
    async (image) => {
      const variables = { runtime: 'sysbox-runc', docker_socket: '' };
      const p = containerPlan(await container({ image, variables }));
      expect(p.create.HostConfig).toMatchObject({ Privileged: false, Runtime: 'sysbox-runc' });
      expect(await template.build(buildContext({ image, variables })).failedChecks()).toEqual([]);
      expect((p.create.HostConfig?.Binds ?? []).filter((b) => b.startsWith('/'))).toEqual([]);
    },
  );
});

describe("Coder's Dev Containers integration: devcontainer_workspace_folder", () => {
  const inside = IMAGES.find((i) => catalog.images[i].docker === 'inside') as string;
  const host = IMAGES.find((i) => catalog.images[i].docker === 'host') as string;
  const FOLDER = '/home/coder/projects/app';
  const devcontainers = async (b: WorkspaceBuild) =>
    (await template.build(buildContext(b)).instances('resource', 'coder_devcontainer', 'project')) as Array<
      Record<string, Value>
    >;

  it('unset (the default): no dev container, no integration switch in the environment', async () => {
    for (const image of IMAGES) {
      expect(await devcontainers({ image })).toEqual([]);
      expect(containerPlan(await container({ image })).create.Env).toEqual([
        expect.stringMatching(/^CODER_AGENT_TOKEN=/),
      ]);
    }
  });

  it(`with the image that has its own engine (${inside}): one dev container on the agent, the integration on`, async () => {
    const ids = { token: 'tok-dc' };
    const build = template.build(
      buildContext({ image: inside, ...ids, variables: { devcontainer_workspace_folder: FOLDER } }),
    );
    const agent = (await build.instances('resource', 'coder_agent', 'main')) as { id: string };
    const list = (await build.instances('resource', 'coder_devcontainer', 'project')) as Array<Record<string, Value>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ agent_id: agent.id, workspace_folder: FOLDER });
    expect(list[0].config_path ?? null).toBeNull();
    const [c] = (await build.instances('resource', 'docker_container', 'workspace')) as Array<Record<string, Value>>;
    expect(containerPlan(c).create.Env).toEqual(['CODER_AGENT_TOKEN=tok-dc', 'CODER_AGENT_DEVCONTAINERS_ENABLE=true']);
    expect(await build.failedChecks()).toEqual([]);
  });

  it('devcontainer_config_path names the devcontainer.json when it is elsewhere', async () => {
    const config = '/home/coder/projects/app/.devcontainer/ci/devcontainer.json';
    const [dc] = await devcontainers({
      image: inside,
      variables: { devcontainer_workspace_folder: FOLDER, devcontainer_config_path: config },
    });
    expect(dc).toMatchObject({ workspace_folder: FOLDER, config_path: config });
  });

  it.each(['stop', 'delete'] as const)('a %s has none and is never refused, whatever the image', async (transition) => {
    for (const image of [inside, host]) {
      const b = { image, transition, variables: { devcontainer_workspace_folder: FOLDER } };
      expect(await devcontainers(b)).toEqual([]);
      expect(await template.build(buildContext(b)).failedChecks()).toEqual([]);
    }
  });

  it.each<[string, WorkspaceBuild, string, RegExp]>([
    [
      'an image that uses the host engine (no engine, no devcontainer CLI of its own)',
      { image: host, variables: { devcontainer_workspace_folder: FOLDER } },
      'coder_devcontainer.project',
      new RegExp(
        `^coder_devcontainer\\.project: devcontainer_workspace_folder = "${FOLDER}" starts a dev container with the workspace's own Docker engine and the devcontainer CLI, which the image "${host}" does not have \\(the host's Docker engine\\): choose an image with its own engine \\(${inside}\\) for this workspace, or push the template with --variable devcontainer_workspace_folder= to start none\\.$`,
      ),
    ],
    [
      'a relative folder',
      { image: inside, variables: { devcontainer_workspace_folder: 'projects/app' } },
      'var.devcontainer_workspace_folder',
      /^var\.devcontainer_workspace_folder: devcontainer_workspace_folder must be empty \(no dev container\) or a folder in the workspace, absolute or under ~\/ .*--variable devcontainer_workspace_folder=\/home\/coder\/projects\/<project>\.$/,
    ],
    [
      'a config path that is no .json file',
      {
        image: inside,
        variables: {
          devcontainer_workspace_folder: FOLDER,
          devcontainer_config_path: '/home/coder/projects/app/.devcontainer',
        },
      },
      'var.devcontainer_config_path',
      /^var\.devcontainer_config_path: devcontainer_config_path must be empty or the path of a \.json file in the workspace/,
    ],
  ])('refuses %s with the fix', async (_, b, where, message) => {
    const checks = await template.build(buildContext(b)).failedChecks();
    expect(checks).toEqual([expect.stringMatching(message)]);
    expect(checks[0].startsWith(`${where}: `)).toBe(true);
  });

  it('a folder under ~/ is accepted as Coder resolves it in the workspace', async () => {
    const b = { image: inside, variables: { devcontainer_workspace_folder: '~/projects/app' } };
    expect(await devcontainers(b)).toEqual([expect.objectContaining({ workspace_folder: '~/projects/app' })]);
    expect(await template.build(buildContext(b)).failedChecks()).toEqual([]);
  });
});
