import { describe, expect, it } from 'vitest';
import {
  largestLayers,
  layerInstructions,
  layersAbove,
  overBudget,
  platformSizes,
  platformsOverBudget,
  shortInstruction,
  type PlatformLayers,
} from './size-budget';

const MiB = 1024 * 1024;
const layer = (id: string, mib: number) => ({ digest: `sha256:${id.padEnd(64, '0')}`, size: mib * MiB });

const DEBIAN = layer('d1', 48.6);
const TOOLS = layer('a1', 146.1);
const CLAUDE = layer('a2', 178);
const TYPESCRIPT = layer('b1', 9.4);
const COREPACK = layer('b2', 7.9);

const base: PlatformLayers[] = [
  {
    platform: 'linux/amd64',
    layers: [DEBIAN, TOOLS, CLAUDE],
    config: 'sha256:c1',
    history: [
      { created_by: 'Imported from -' },
      { created_by: 'ARG BASE_IMAGE', empty_layer: true },
      { created_by: 'RUN |1 NODE_VERSION=26.0.0 /bin/sh -c bash /scripts/common-tools/install.sh # buildkit' },
      { created_by: 'RUN /bin/sh -c bash /scripts/claude-code/install.sh # buildkit' },
      { created_by: 'CMD ["/sbin/init"]', empty_layer: true },
    ],
  },
  { platform: 'linux/arm64', layers: [layer('d2', 49), layer('a3', 138.9)], config: 'sha256:c2' },
];
const node: PlatformLayers[] = [
  {
    platform: 'linux/amd64',
    layers: [DEBIAN, TOOLS, CLAUDE, TYPESCRIPT, COREPACK],
    config: 'sha256:c3',
    history: [
      ...(base[0].history ?? []),
      { created_by: 'RUN |2 BASE_IMAGE=r@sha256:1 X=y /bin/sh -c bash /scripts/typescript/install.sh # buildkit' },
      { created_by: 'COPY corepack.sh /etc/profile.d/ # buildkit' },
    ],
  },
];

describe('compressed sizes', () => {
  it('the layers the parent does not have', () => {
    expect(layersAbove(node[0].layers, base[0].layers)).toEqual([TYPESCRIPT, COREPACK]);
    expect(layersAbove(base[0].layers, [])).toEqual(base[0].layers);
  });

  it.each([
    {
      name: 'no parent: the sum of the layers per platform, nothing above',
      image: base,
      parent: null,
      sizes: [
        { platform: 'linux/amd64', bytes: (48.6 + 146.1 + 178) * MiB, aboveParent: null },
        { platform: 'linux/arm64', bytes: (49 + 138.9) * MiB, aboveParent: null },
      ],
    },
    {
      name: "a child: what it adds to the parent's image of the same platform",
      image: node,
      parent: base,
      sizes: [{ platform: 'linux/amd64', bytes: (48.6 + 146.1 + 178 + 9.4 + 7.9) * MiB, aboveParent: 17.3 * MiB }],
    },
    {
      name: 'a platform the parent lacks: every layer is above it',
      image: [{ ...base[1] }],
      parent: [base[0]],
      sizes: [{ platform: 'linux/arm64', bytes: (49 + 138.9) * MiB, aboveParent: (49 + 138.9) * MiB }],
    },
  ])('$name', ({ image, parent, sizes }) => {
    const got = platformSizes(image, parent);
    expect(got.map((s) => s.platform)).toEqual(sizes.map((s) => s.platform));
    got.forEach((s, i) => {
      expect(s.bytes).toBeCloseTo(sizes[i].bytes, 0);
      if (sizes[i].aboveParent === null) expect(s.aboveParent).toBeNull();
      else expect(s.aboveParent).toBeCloseTo(sizes[i].aboveParent, 0);
    });
  });

  it.each([
    {
      createdBy:
        'RUN |2 BASE_IMAGE=ghcr.io/acme/images@sha256:11 NODE=26 /bin/sh -c bash /scripts/nodejs/install.sh # buildkit',
      short: 'RUN bash /scripts/nodejs/install.sh',
    },
    {
      createdBy: 'RUN /bin/sh -c apt-get update &&     apt-get install -y gdb # buildkit',
      short: 'RUN apt-get update && apt-get install -y gdb',
    },
    { createdBy: 'COPY rootfs/ / # buildkit', short: 'COPY rootfs/ /' },
    { createdBy: 'Imported from -', short: 'Imported from -' },
    { createdBy: `RUN /bin/sh -c ${'x'.repeat(200)} # buildkit`, short: `RUN ${'x'.repeat(93)}...` },
  ])('instruction: $short', ({ createdBy, short }) => {
    expect(shortInstruction(createdBy)).toBe(short);
  });

  it('pairs the history entries that made a layer with the layers, in order; none when they do not match', () => {
    const layers = layerInstructions(node[0], base);
    expect(layers.map((l) => [l.instruction, l.inherited])).toEqual([
      ['Imported from -', true],
      ['RUN bash /scripts/common-tools/install.sh', true],
      ['RUN bash /scripts/claude-code/install.sh', true],
      ['RUN bash /scripts/typescript/install.sh', false],
      ['COPY corepack.sh /etc/profile.d/', false],
    ]);
    expect(largestLayers(layers, 2).map((l) => l.digest)).toEqual([CLAUDE.digest, TOOLS.digest]);
    expect(layerInstructions(base[1], null).map((l) => l.instruction)).toEqual([null, null]);
  });
});

describe('the size budget', () => {
  const check = (budgetMiB: number) =>
    overBudget({
      image: 'node',
      dockerfile: 'images/node/Dockerfile',
      budget: budgetMiB * MiB,
      imageLayers: node,
      parentLayers: base,
      parent: 'base',
      withheldTag: 'r/images:node-1a2b3c4',
    });

  it('which platforms are over it', () => {
    expect(platformsOverBudget(base, 200 * MiB)).toEqual(['linux/amd64']);
    expect(platformsOverBudget(base, 180 * MiB)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(platformsOverBudget(base, 400 * MiB)).toEqual([]);
  });

  it('within the budget (or exactly at it): no error', () => {
    expect(check(400)).toBeNull();
    expect(check(48.6 + 146.1 + 178 + 9.4 + 7.9)).toBeNull();
  });

  it('over it: the image, the platform, its size, the budget, its largest layers with their instructions, the fix', () => {
    const error = check(300) as Error;
    expect(error).not.toBeNull();
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(
      'images/node/Dockerfile: node (linux/amd64) is 390 MiB compressed, 17.3 MiB above base: 90 MiB over its sizeBudget of 300 MiB; its largest layers:',
    );
    expect(lines.slice(1, 6)).toEqual([
      '       178 MiB  RUN bash /scripts/claude-code/install.sh (from base)',
      '     146.1 MiB  RUN bash /scripts/common-tools/install.sh (from base)',
      '      48.6 MiB  Imported from - (from base)',
      '       9.4 MiB  RUN bash /scripts/typescript/install.sh',
      '       7.9 MiB  COPY corepack.sh /etc/profile.d/',
    ]);
    expect(lines[6]).toBe('  r/images:node-1a2b3c4 was not tagged: no moving tag changes and no child of it is tagged');
    expect(lines[7]).toMatch(
      /^ {2}fix: make the image smaller .*raise sizeBudget for node \(targets\.image-build\.options in its project\.json/,
    );
  });

  it('a layer without history is named by its digest; only the platforms over budget are listed', () => {
    const error = overBudget({
      image: 'base',
      dockerfile: 'images/base/Dockerfile',
      budget: 370 * MiB,
      imageLayers: base,
      parentLayers: null,
      parent: null,
      withheldTag: 'r/images:base-1a2b3c4',
    }) as Error;
    expect(error.message).toContain('base (linux/amd64) is 372.7 MiB compressed: 2.7 MiB over');
    expect(error.message).not.toContain('linux/arm64');
    const noHistory = overBudget({
      image: 'base',
      dockerfile: 'images/base/Dockerfile',
      budget: 100 * MiB,
      imageLayers: [base[1]],
      parentLayers: null,
      parent: null,
      withheldTag: 'r/images:base-1a2b3c4',
    }) as Error;
    expect(noHistory.message).toContain(`     138.9 MiB  sha256:a30000000000`);
  });
});
