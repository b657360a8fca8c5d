import { describe, expect, it } from 'vitest';
import { layerName, namedLayers, parseContentsRecord, recordLayers } from './contents-record';

const RECORD = JSON.stringify({
  schema: 1,
  image: 'node',
  lineage: ['base'],
  debian: [{ name: 'gcc', version: '4:14.2.0-1' }],
  npm: [
    { name: 'typescript', version: '5.9.3', prefix: '/usr/local' },
    { name: 'hello', version: '1.0.0', prefix: '/home/coder/.npm-global' },
  ],
  tools: [
    { script: 'build-essential', version: '12.12', command: "dpkg-query -W -f='${Version}' build-essential" },
    { script: 'coder-user', version: null, command: 'none (a user)' },
  ],
});

describe('parseContentsRecord', () => {
  it('reads packages, npm globals (by prefix) and tools', () => {
    expect(parseContentsRecord(RECORD, 'r:node')).toEqual({
      image: 'node',
      lineage: ['base'],
      debian: { gcc: '4:14.2.0-1' },
      npm: { typescript: '5.9.3', '/home/coder/.npm-global:hello': '1.0.0' },
      tools: { 'build-essential': '12.12', 'coder-user': null },
    });
  });

  it.each([
    { text: '{not json', says: 'r:x: its contents record cannot be read (' },
    { text: '{"schema":2,"image":"x","lineage":[]}', says: 'schema 2 with image and lineage expected' },
    { text: '{"schema":1,"lineage":[]}', says: 'schema 1 with image and lineage expected' },
    { text: 'null', says: 'schema undefined' },
  ])('refuses $text', ({ text, says }) => {
    expect(() => parseContentsRecord(text, 'r:x')).toThrow(says);
  });
});

describe('layerName', () => {
  it.each([
    { by: 'RUN |1 NPM_REGISTRY= /bin/sh -c bash /scripts/cmake/install.sh # buildkit', name: 'cmake' },
    { by: 'RUN /bin/sh -c bash /scripts/nodejs/install.sh /node-dist # buildkit', name: 'nodejs' },
    { by: 'RUN /bin/sh -c bash /scripts/contents-record/record.sh node # buildkit', name: 'contents record' },
    { by: 'WORKDIR /home/coder', name: 'WORKDIR /home/coder' },
    { by: undefined, name: '(no instruction: an imported base layer)' },
  ])('$by -> $name', ({ by, name }) => {
    expect(layerName(by)).toBe(name);
  });
});

describe('namedLayers and recordLayers', () => {
  const layers = ['a', 'b', 'c', 'd'].map((d, i) => ({ digest: d, size: i + 1 }));
  const history = [
    { created_by: 'ADD rootfs' },
    { created_by: 'ENV X=1', empty_layer: true },
    { created_by: 'RUN bash /scripts/contents-record/record.sh base' },
    { created_by: 'RUN bash /scripts/gdb/install.sh' },
    { created_by: 'RUN bash /scripts/contents-record/record.sh child' },
  ];

  it('names each layer by its instruction, empty ones skipped, and finds the parent and own record layers', () => {
    const named = namedLayers(layers, history);
    expect(named.map((l) => l.name)).toEqual(['ADD rootfs', 'contents record', 'gdb', 'contents record']);
    const { own, parent } = recordLayers(named);
    expect([own?.digest, parent?.digest]).toEqual(['d', 'b']);
  });

  it('a history that does not line up names layers by position and finds no record', () => {
    const named = namedLayers(layers, history.slice(0, 2));
    expect(named.map((l) => l.name)).toEqual(['layer 1', 'layer 2', 'layer 3', 'layer 4']);
    expect(recordLayers(named)).toEqual({ own: null, parent: null });
  });
});
