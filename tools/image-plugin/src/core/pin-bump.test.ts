import { describe, expect, it } from 'vitest';
import { moveLine, pinMoves, pinnedBase, pinnedBasesOf, rewritePins } from './pin-bump';

const OLD = `sha256:${'a'.repeat(64)}`;
const NEW = `sha256:${'b'.repeat(64)}`;
const FILE = 'images/base/Dockerfile';
const TEXT = [
  '# a comment naming debian:trixie-slim',
  `FROM --platform=$BUILDPLATFORM debian:trixie-slim@${OLD} AS dist`,
  'RUN true',
  `FROM debian:trixie-slim@${OLD}`,
  'FROM alpine:3',
  '',
].join('\n');
const BASES = [
  pinnedBase(FILE, 2, `debian:trixie-slim@${OLD}`),
  pinnedBase(FILE, 4, `debian:trixie-slim@${OLD}`),
  pinnedBase(FILE, 5, 'alpine:3'),
];

describe('pinMoves', () => {
  it.each([
    {
      name: 'a moved tag moves every pin of it; an unpinned base gets its first pin',
      resolved: [
        ['debian:trixie-slim', NEW],
        ['alpine:3', OLD],
      ],
      moved: [
        [2, OLD, NEW],
        [4, OLD, NEW],
        [5, null, OLD],
      ],
    },
    {
      name: 'nothing moved: no moves',
      resolved: [
        ['debian:trixie-slim', OLD],
        ['alpine:3', OLD],
      ],
      moved: [[5, null, OLD]],
    },
  ])('$name', ({ resolved, moved }) => {
    const moves = pinMoves(BASES, new Map(resolved as Array<[string, string]>));
    expect(moves.map((m) => [m.line, m.pinned, m.current])).toEqual(moved);
  });
});

describe('rewritePins', () => {
  it('replaces the reference on its line only, keeping the rest of the line and the file', () => {
    const moves = pinMoves(
      BASES,
      new Map([
        ['debian:trixie-slim', NEW],
        ['alpine:3', OLD],
      ]),
    );
    expect(rewritePins(TEXT, moves).split('\n')).toEqual([
      '# a comment naming debian:trixie-slim',
      `FROM --platform=$BUILDPLATFORM debian:trixie-slim@${NEW} AS dist`,
      'RUN true',
      `FROM debian:trixie-slim@${NEW}`,
      `FROM alpine:3@${OLD}`,
      '',
    ]);
    expect(moveLine(moves[0])).toBe(`${FILE}:2: debian:trixie-slim ${OLD} -> ${NEW}`);
    expect(moveLine(moves[2])).toBe(`${FILE}:5: alpine:3 (not pinned) -> ${OLD}`);
  });

  it.each([
    {
      name: 'a base named through a build arg',
      base: pinnedBase(FILE, 4, `debian:trixie-slim@${OLD}`, 'DEBIAN'),
      message: `${FILE}:4: \`debian:trixie-slim@${OLD}\` comes from the build arg DEBIAN, so its pin is not on the FROM line`,
    },
    {
      name: 'a line that no longer holds the reference',
      base: pinnedBase(FILE, 3, `debian:trixie-slim@${OLD}`),
      message: `${FILE}:3: line 3 does not hold \`debian:trixie-slim@${OLD}\` any more`,
    },
  ])('refused with the line: $name', ({ base, message }) => {
    const moves = pinMoves([base], new Map([['debian:trixie-slim', NEW]]));
    expect(() => rewritePins(TEXT, moves)).toThrow(message);
  });
});

describe('pinnedBasesOf', () => {
  it.each([
    {
      name: 'a pin named on two FROM lines moves on both (the spec keeps it once, at its first line)',
      bases: [{ ref: `debian:trixie-slim@${OLD}`, line: 2 }],
      froms: [
        { ref: `debian:trixie-slim@${OLD}`, line: 2 },
        { ref: 'dist', line: 3 },
        { ref: `debian:trixie-slim@${OLD}`, line: 4 },
      ],
      lines: [2, 4],
    },
    {
      name: 'scratch is no image',
      bases: [{ ref: 'scratch', line: 1 }],
      froms: [{ ref: 'scratch', line: 1 }],
      lines: [],
    },
    {
      name: 'a base only a COPY --from names keeps its own line',
      bases: [{ ref: 'alpine:3', line: 7 }],
      froms: [{ ref: `debian:trixie-slim@${OLD}`, line: 1 }],
      lines: [7],
    },
  ])('$name', ({ bases, froms, lines }) => {
    expect(pinnedBasesOf(FILE, bases, froms).map((b) => b.line)).toEqual(lines);
  });
});
