import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { updateJson, type Tree } from '@nx/devkit';
import { describe, expect, it, vi } from 'vitest';
import { catalogText, coderCatalog, type CoderCatalog } from '../../core/coder-catalog';
import { CODER_CATALOG_FILE } from '../../core/defaults';
import { readImageSpecs } from '../../core/image-spec';
import { parseTestSpec } from '../../core/test-spec';
import imageGenerator, { planImage, writeImage } from './generator';
import type { ImageListing } from './listings';
import type { ImageGeneratorSchema } from './schema';

const REPO = 'ghcr.io/acme/workspace-images';
const script = (header: string, body: string) => `#!/usr/bin/env bash\n# ${header}\nset -euo pipefail\n${body}\n`;

/** A workspace shaped like this repository's: base FROM debian, node FROM base, three install scripts and the helpers. */
function workspace(
  pluginOptions: Record<string, unknown> = { repository: REPO },
  files: Record<string, string> = {},
): Tree {
  const tree = createTreeWithEmptyWorkspace();
  updateJson(tree, 'nx.json', (nx) => ({
    ...nx,
    plugins: [{ plugin: '@workspace-images/image-plugin', options: pluginOptions }],
  }));
  const all: Record<string, string> = {
    'images/base/Dockerfile':
      'FROM debian:trixie-slim\nRUN --mount=type=bind,source=scripts/gdb,target=/scripts/gdb bash /scripts/gdb/install.sh\n',
    'images/node/Dockerfile': `ARG BASE_IMAGE=${REPO}:base\nFROM \${BASE_IMAGE}\n`,
    'docs/images/base.md': '# base\n',
    'scripts/lib/apt.sh': '# helpers\n',
    'scripts/gdb/install.sh': script("Installs the GNU debugger system-wide from Debian's archive.", 'packages=(gdb)'),
    'scripts/tsc/install.sh': script(
      'Installs TypeScript, pinned.',
      'npm_packages=(typescript@5.9.3)\n. "$(dirname "$(readlink -f "$0")")/../lib/npm.sh"',
    ),
    'scripts/gh/install.sh': script('Installs gh.', 'packages=(gh)\nhome_persist_manifest gh owner .config/gh:dir'),
    ...files,
  };
  for (const [path, content] of Object.entries(all)) tree.write(path, content);
  return tree;
}

/** The images of the Tree as the plugin reads them (its own reader, not the generator's). */
function specsOf(tree: Tree, repository = REPO) {
  const dockerfiles = tree
    .children('images')
    .map((d) => `images/${d}/Dockerfile`)
    .filter((f) => tree.exists(f));
  return readImageSpecs(
    dockerfiles.map((dockerfile) => ({ dockerfile, content: tree.read(dockerfile, 'utf8') ?? '' })),
    { repository, pathExists: (p) => tree.exists(p) },
  );
}

describe('image generator: bad input is refused with one message, before anything is written', () => {
  const cycle = { 'images/a/Dockerfile': `ARG BASE_IMAGE=${REPO}:b\nFROM \${BASE_IMAGE}\n` };
  it.each<[string, ImageGeneratorSchema, string, Record<string, unknown>?, Record<string, string>?]>([
    [
      'an invalid name',
      { name: 'Python' },
      '"Python" is not a valid image name (image names are lowercase)\n  fix: use "python"',
    ],
    ['a name with a slash', { name: 'images/python' }, 'is not a valid image name'],
    [
      'an existing image',
      { name: 'node', parent: 'base' },
      'images/node/Dockerfile: the image "node" already exists (images/node)',
    ],
    [
      'an existing folder',
      { name: 'notes' },
      'the image "notes" already exists (images/notes)',
      undefined,
      { 'images/notes/README.md': 'x' },
    ],
    [
      'a parent that does not exist',
      { name: 'python', parent: 'ruby' },
      '--parent "ruby" is not an image of this workspace\n  fix: use one of base, node',
    ],
    [
      'the image as its own parent',
      { name: 'python', parent: 'python' },
      'the image "python" cannot build FROM itself',
    ],
    [
      'a script that does not exist',
      { name: 'python', parent: 'base', scripts: 'gdb,rust' },
      '--scripts "rust": scripts/rust/install.sh does not exist\n  fix: create it with `nx g @workspace-images/image-plugin:install-script rust`',
    ],
    ['a script path out of scripts/', { name: 'python', scripts: '../images/base' }, 'is not a valid tool name'],
    [
      'the helpers as a script',
      { name: 'python', scripts: ['lib'] },
      '--scripts "lib": "scripts/lib" holds the shared helpers',
    ],
    [
      'a parent and a base',
      { name: 'python', parent: 'base', base: 'ubuntu:24.04' },
      '--parent and --base both name what the image builds FROM',
    ],
    [
      'our image as the external base',
      { name: 'python', base: `${REPO}:base` },
      `--base "${REPO}:base" names this workspace's image "base"\n  fix: use --parent base`,
    ],
    [
      'a base that is no reference',
      { name: 'python', base: 'debian trixie' },
      '--base "debian trixie" is not an image reference',
    ],
    [
      'a name owning a tag of another image',
      { name: 'node-22', parent: 'base' },
      `nx.json: "node-22" is also node's release tag for version 22`,
    ],
    ['a description of two lines', { name: 'python', description: 'one\ntwo' }, '--description must be one line'],
    ['a parent that closes a cycle', { name: 'b', parent: 'a' }, 'images form a cycle: a -> b -> a', undefined, cycle],
    [
      'a workspace without the plugin',
      { name: 'python' },
      'nx.json: the image plugin is not in nx.json',
      null as never,
    ],
    [
      'a glob that says no folder',
      { name: 'python' },
      `the plugin's dockerfileGlob "**/Dockerfile" does not say which folder`,
      { repository: REPO, dockerfileGlob: '**/Dockerfile' },
    ],
  ])('%s', async (_case, schema, expected, options, files) => {
    const tree = workspace(options === undefined ? { repository: REPO } : options, files);
    if (options === null) updateJson(tree, 'nx.json', (nx) => ({ ...nx, plugins: [] }));
    const before = tree.listChanges().map((c) => `${c.type} ${c.path}`);
    await expect(imageGenerator(tree, schema)).rejects.toThrow(expected);
    expect(tree.listChanges().map((c) => `${c.type} ${c.path}`)).toEqual(before);
  });
});

describe('image generator: what it writes', () => {
  it('a child: the parent by the ARG pattern, one bind-mounted RUN per script (the CA secret where it fetches over HTTPS)', async () => {
    const tree = workspace();
    await imageGenerator(tree, { name: 'python', parent: 'base', scripts: 'gdb,tsc' });
    expect(tree.read('images/python/Dockerfile', 'utf8')).toBe(
      [
        '# The python image: the base image plus gdb, tsc. See docs/images/python.md.',
        '# Build from the workspace root: docker buildx build -f images/python/Dockerfile .',
        "# Steps that fetch over HTTPS mount the BuildKit secret `ca-bundle` (a TLS-intercepting proxy's CA;",
        '# optional): --secret id=ca-bundle,src=/etc/ssl/certs/ca-certificates.crt',
        "# CI passes the parent's digest: --build-arg BASE_IMAGE=<repo>@sha256:...",
        'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base',
        'FROM ${BASE_IMAGE}',
        '',
        'LABEL org.opencontainers.image.title="workspace-images python" \\',
        '      org.opencontainers.image.description="the base image plus gdb, tsc"',
        '',
        'USER root',
        '# One bind mount per install script: the script never lands in a layer.',
        'RUN --mount=type=bind,source=scripts/gdb,target=/scripts/gdb \\',
        '    --mount=type=bind,source=scripts/lib,target=/scripts/lib \\',
        '    bash /scripts/gdb/install.sh',
        'RUN --mount=type=secret,id=ca-bundle,target=/etc/ssl/certs/ca-certificates.crt \\',
        '    --mount=type=bind,source=scripts/tsc,target=/scripts/tsc \\',
        '    --mount=type=bind,source=scripts/lib,target=/scripts/lib \\',
        '    bash /scripts/tsc/install.sh',
        '',
      ].join('\n'),
    );
    // The plugin reads it back as a child of base whose inputs are exactly the mounted folders.
    const python = specsOf(tree).find((s) => s.name === 'python');
    expect(python?.parents).toEqual([{ image: 'base', line: 7, arg: 'BASE_IMAGE' }]);
    expect(python?.externalBases).toEqual([]);
    expect(python?.mountedInputs).toEqual(['scripts/gdb', 'scripts/lib', 'scripts/tsc']);
  });

  it("a child's checks: each script's packages and manifests, parsed by the plugin's test-spec reader", async () => {
    const tree = workspace();
    await imageGenerator(tree, { name: 'python', parent: 'node', scripts: ['gdb', 'tsc', 'gh'] });
    const checks = parseTestSpec(
      'images/python/image-test.yaml',
      tree.read('images/python/image-test.yaml', 'utf8') ?? '',
    );
    expect(checks.map((c) => [c.name, c.run.trim(), c.expect])).toEqual([
      [
        'gdb: Debian packages installed (gdb)',
        `for p in gdb; do dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || { echo "missing $p"; exit 1; }; done; echo all-installed`,
        { exitCode: 0, stdout: '^all-installed$' },
      ],
      [
        'tsc: npm packages installed at their pinned versions (typescript@5.9.3)',
        'for s in typescript@5.9.3; do npm ls --global --depth=0 "$s" >/dev/null || { echo "missing $s"; exit 1; }; done; echo all-installed',
        { exitCode: 0, stdout: '^all-installed$' },
      ],
      [
        'gh: Debian packages installed (gh)',
        expect.stringContaining('for p in gh;'),
        { exitCode: 0, stdout: '^all-installed$' },
      ],
      [
        'gh: home-persist manifest gh.json',
        `grep -q '"paths"' /etc/home-persist.d/gh.json && echo manifest-present`,
        { exitCode: 0, stdout: '^manifest-present$' },
      ],
    ]);
    expect(tree.read('images/python/image-test.yaml', 'utf8')).toMatch(
      /^# Checks of the python image \(the node image's checks, and its ancestors', run against it too\)\./,
    );
  });

  it('an image FROM an external base: debian:trixie-slim by default, another with --base; checks that nothing of the build is left', async () => {
    const tree = workspace();
    await imageGenerator(tree, { name: 'tools', scripts: 'gdb' });
    await imageGenerator(tree, { name: 'ubuntu', base: 'ubuntu:24.04', description: 'An Ubuntu workspace.' });
    expect(tree.read('images/tools/Dockerfile', 'utf8')).toContain('\nFROM debian:trixie-slim\n');
    expect(tree.read('images/tools/Dockerfile', 'utf8')).not.toContain('USER root');
    expect(tree.read('images/ubuntu/Dockerfile', 'utf8')).toBe(
      [
        '# The ubuntu image: An Ubuntu workspace. See docs/images/ubuntu.md.',
        '# Build from the workspace root: docker buildx build -f images/ubuntu/Dockerfile .',
        'FROM ubuntu:24.04',
        '',
        'LABEL org.opencontainers.image.title="workspace-images ubuntu" \\',
        '      org.opencontainers.image.description="An Ubuntu workspace"',
        '',
      ].join('\n'),
    );
    const specs = specsOf(tree);
    expect(specs.find((s) => s.name === 'tools')).toMatchObject({
      parents: [],
      externalBases: [{ ref: 'debian:trixie-slim' }],
    });
    expect(specs.find((s) => s.name === 'ubuntu')).toMatchObject({
      parents: [],
      externalBases: [{ ref: 'ubuntu:24.04' }],
      mountedInputs: [],
    });
    const toolsChecks = parseTestSpec('t', tree.read('images/tools/image-test.yaml', 'utf8') ?? '').map((c) => c.name);
    expect(toolsChecks).toEqual([
      'gdb: Debian packages installed (gdb)',
      'no install script or apt list left in the image',
    ]);
    expect(parseTestSpec('u', tree.read('images/ubuntu/image-test.yaml', 'utf8') ?? '').map((c) => c.name)).toEqual([
      'no install script or apt list left in the image',
    ]);
  });

  it('a workspace with scripts/contents-record: the image ends with the contents-record step (docs/contents.md)', async () => {
    const tree = workspace(undefined, { 'scripts/contents-record/record.sh': '#!/usr/bin/env bash\n' });
    await imageGenerator(tree, { name: 'tools', scripts: 'gdb' });
    expect(tree.read('images/tools/Dockerfile', 'utf8')).toMatch(
      /bash \/scripts\/gdb\/install\.sh\n\n# The contents record[^\n]*\nRUN --mount=type=bind,source=scripts\/contents-record,target=\/scripts\/contents-record \\\n {4}bash \/scripts\/contents-record\/record\.sh tools\n$/,
    );
    expect(specsOf(tree).find((s) => s.name === 'tools')?.mountedInputs).toContain('scripts/contents-record');
  });

  it('a description with quotes, a backslash and a $ stays literal in the label', async () => {
    const tree = workspace();
    await imageGenerator(tree, { name: 'q', parent: 'base', description: 'say "hi" to $HOME \\o/' });
    expect(tree.read('images/q/Dockerfile', 'utf8')).toContain(
      'org.opencontainers.image.description="say \\"hi\\" to \\$HOME \\\\o/"\n',
    );
  });

  it("a child without scripts has no RUN and no test spec of its own (its ancestors' checks run against it)", async () => {
    const tree = workspace();
    await imageGenerator(tree, { name: 'slim', parent: 'base', scripts: '' });
    expect(tree.read('images/slim/Dockerfile', 'utf8')).not.toMatch(/RUN|USER/);
    expect(tree.exists('images/slim/image-test.yaml')).toBe(false);
    expect(tree.read('docs/images/slim.md', 'utf8')).toContain('no checks of its own yet; the base image');
  });

  it('the per-image layout: the parent as <repository>/<parent>:latest, read back as the parent', async () => {
    const tree = workspace(
      { repository: 'ghcr.io/acme', layout: 'per-image' },
      { 'images/node/Dockerfile': 'ARG BASE_IMAGE=ghcr.io/acme/base:latest\nFROM ${BASE_IMAGE}\n' },
    );
    await imageGenerator(tree, { name: 'python', parent: 'node' });
    expect(tree.read('images/python/Dockerfile', 'utf8')).toContain(
      '\nARG BASE_IMAGE=ghcr.io/acme/node:latest\nFROM ${BASE_IMAGE}\n',
    );
    expect(
      specsOf(tree, 'ghcr.io/acme')
        .find((s) => s.name === 'python')
        ?.parents.map((p) => p.image),
    ).toEqual(['node']);
  });

  it('another image folder from dockerfileGlob; no helpers folder, no helpers mount', async () => {
    const tree = workspace(
      { repository: REPO, dockerfileGlob: 'containers/*/Dockerfile' },
      { 'containers/base/Dockerfile': 'FROM debian:trixie-slim\n' },
    );
    tree.delete('scripts/lib');
    await imageGenerator(tree, { name: 'python', parent: 'base', scripts: 'gdb' });
    expect(tree.read('containers/python/Dockerfile', 'utf8')).toContain(
      'RUN --mount=type=bind,source=scripts/gdb,target=/scripts/gdb \\\n    bash /scripts/gdb/install.sh\n',
    );
    expect(tree.read('containers/python/README.md', 'utf8')).toContain(
      '[docs/images/python.md](../../docs/images/python.md)',
    );
  });

  it('the docs page and README: what it is built FROM, each script with its header line, links that resolve', async () => {
    const tree = workspace();
    await imageGenerator(tree, { name: 'python', parent: 'base', scripts: 'gdb,gh' });
    const page = tree.read('docs/images/python.md', 'utf8') ?? '';
    expect(page).toContain('`FROM base` (all of [base](base.md), whose checks it also\npasses), plus:');
    expect(page).toContain(
      "| the GNU debugger system-wide from Debian's archive | [`scripts/gdb`](../../scripts/gdb/install.sh) |",
    );
    expect(page).toContain('| gh (+ home-persist manifest) | [`scripts/gh`](../../scripts/gh/install.sh) |');
    expect(page).toContain(
      'As [base](base.md#running-it). Coder templates: the same, with `image = "ghcr.io/acme/workspace-images:python"`.',
    );
    for (const [, link] of page.matchAll(/\]\((\.\.\/\.\.\/[^)#]+)/g))
      expect(tree.exists(link.replace('../../', '')), link).toBe(true);
    // A parent without a docs page is named, not linked; how to run it is spelled out.
    await imageGenerator(tree, { name: 'ml', parent: 'node' });
    const ml = tree.read('docs/images/ml.md', 'utf8') ?? '';
    expect(ml).toContain('`FROM node` (all of node, whose checks it also\npasses); nothing else yet.');
    expect(ml).toContain('docker run --rm -it ghcr.io/acme/workspace-images:ml-<sha> bash');
    expect(tree.read('images/python/README.md', 'utf8')).toContain(
      '# `python` image\n\nSee [docs/images/python.md](../../docs/images/python.md)',
    );
  });

  it.each([
    { parent: 'base', docker: 'host' },
    { parent: 'dind', docker: 'inside' },
  ])(
    'the Coder template offers the new image (FROM $parent: Docker $docker), as coder-template writes it',
    async ({ parent, docker }) => {
      const tree = workspace(
        { repository: REPO },
        {
          'images/dind/Dockerfile': `ARG BASE_IMAGE=${REPO}:base\nFROM \${BASE_IMAGE}\nRUN --mount=type=bind,source=scripts/docker-engine,target=/s bash /s/install.sh\n`,
          'scripts/docker-engine/install.sh': script('Installs the engine.', 'packages=(docker.io)'),
        },
      );
      tree.write(CODER_CATALOG_FILE, catalogText(coderCatalog(specsOf(tree), REPO, 'single')));
      await imageGenerator(tree, { name: 'python', parent });
      const catalog = JSON.parse(tree.read(CODER_CATALOG_FILE, 'utf8') ?? '') as CoderCatalog;
      expect(Object.keys(catalog.images)).toEqual(['base', 'dind', 'node', 'python']);
      expect(catalog.images.python).toEqual({ repository: REPO, reference: `${REPO}:python`, docker });
      expect(tree.read(CODER_CATALOG_FILE, 'utf8')).toBe(catalogText(coderCatalog(specsOf(tree), REPO, 'single')));
    },
  );

  it('every listing of images that the workspace has gets the new image', async () => {
    const tree = workspace({ repository: REPO }, { 'coder/images.json': '[]' });
    const add = vi.fn();
    const listings: ImageListing[] = [
      { name: 'present', appliesTo: (t) => t.exists('coder/images.json'), add },
      { name: 'absent', appliesTo: (t) => t.exists('nowhere.json'), add: () => expect.unreachable() },
    ];
    const { image, images } = planImage(tree, { name: 'python', parent: 'base' });
    writeImage(tree, image, images, listings);
    expect(add).toHaveBeenCalledWith(
      tree,
      expect.objectContaining({ name: 'python', from: { parent: 'base', reference: `${REPO}:base` } }),
    );
  });
});
