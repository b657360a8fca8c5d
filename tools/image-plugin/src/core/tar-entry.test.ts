import { describe, expect, it } from 'vitest';
import { fileInTar } from './tar-entry';

/** One tar header block with `name`, `size`, `type` (and a ustar `prefix`). */
function header(name: string, size: number, type = '0', prefix = ''): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write(size.toString(8).padStart(11, '0'), 124, 'utf8');
  block.write(type, 156, 'utf8');
  block.write('ustar\x0000', 257, 'utf8');
  block.write(prefix, 345, 155, 'utf8');
  return block;
}
const padded = (data: Buffer) => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
const entry = (name: string, body: string, type = '0', prefix = '') =>
  Buffer.concat([header(name, Buffer.byteLength(body), type, prefix), padded(Buffer.from(body))]);
const pax = (path: string) => {
  const record = (n: number) => `${n} path=${path}\n`;
  let length = record(0).length;
  while (record(length).length !== length) length = record(length).length;
  return entry('PaxHeader', record(length), 'x');
};
const end = Buffer.alloc(1024);
const FILE = 'usr/share/workspace-images/contents.json';

describe('fileInTar', () => {
  it.each([
    { name: 'a plain ustar entry', tar: [entry('etc/x', 'no'), entry(FILE, '{"a":1}')], want: '{"a":1}' },
    { name: 'a ./ name', tar: [entry(`./${FILE}`, 'dot')], want: 'dot' },
    {
      name: 'the ustar prefix',
      tar: [entry('contents.json', 'prefixed', '0', 'usr/share/workspace-images')],
      want: 'prefixed',
    },
    { name: 'a pax path', tar: [pax(FILE), entry('short-name', 'pax')], want: 'pax' },
    { name: 'a GNU long name', tar: [entry('././@LongLink', FILE, 'L'), entry('trunc', 'gnu')], want: 'gnu' },
    { name: 'a directory of that name is not the file', tar: [entry(`${FILE}/`, '', '5')], want: null },
    { name: 'an archive without it', tar: [entry('etc/hostname', 'x')], want: null },
    {
      name: 'a pax name replaces the next header name only',
      tar: [pax('other'), entry(FILE, 'first'), entry(FILE, 'second')],
      want: 'second',
    },
  ])('$name', ({ tar, want }) => {
    const found = fileInTar(Buffer.concat([...tar, end]), `/${FILE}`);
    expect(found === null ? null : found.toString('utf8')).toBe(want);
  });

  it('reads a file larger than one block whole', () => {
    const big = 'x'.repeat(1300);
    expect(fileInTar(Buffer.concat([entry('a', 'y'.repeat(700)), entry(FILE, big), end]), FILE)?.toString()).toBe(big);
  });
});
