import { describe, expect, it } from 'vitest';
import { lineAndColumn, lineOfKeys, scanJsonValue } from './json-lines';

const NX_JSON = `{
  "plugins": [
    { "plugin": "@nx/js", "options": { "build": { "x": 1 } } },
    {
      "plugin": "./tools/image-plugin/plugin.js",
      "options": {
        "layout": "flat",
        "build": {
          "platforms": "bogus/arch"
        }
      }
    }
  ]
}`;

describe('lineOfKeys', () => {
  it.each([
    [['layout'], 7],
    [['build', 'platforms'], 9],
    [['repository'], undefined],
  ])('%j -> %s', (keys, line) => {
    expect(lineOfKeys(NX_JSON, keys, 'image-plugin')).toBe(line);
  });
});

describe('scanJsonValue: the first JSON value, as Go’s json.Decoder reads one', () => {
  it.each([
    ['{"a":1}', { start: 0, end: 7 }],
    ['  \n{"a":[1,"}",{"b":null}]} trailing', { start: 3, end: 27 }],
    ['null x', { start: 0, end: 4 }],
    ['-1.5e3,', { start: 0, end: 6 }],
    ['warning {"a":1}', { error: 'expected a value but found "w"', at: 0 }],
    ['{"a" 1}', { error: 'expected \':\' after a key but found "1"', at: 5 }],
    ['{"a":1,}', { error: 'expected a "key" but found "}"', at: 7 }],
    ['[1 2]', { error: "expected ',' or ']' but found \"2\"", at: 3 }],
    ['"abc', { error: 'the text ends inside a string', at: 4 }],
    ['', { error: 'expected a value but found the end of the text', at: 0 }],
  ])('%j', (text, scan) => {
    expect(scanJsonValue(text)).toEqual(scan);
  });

  it.each([
    ['abc', 0, { line: 1, column: 1 }],
    ['ab\ncd', 4, { line: 2, column: 2 }],
  ])('lineAndColumn(%j, %d)', (text, offset, at) => {
    expect(lineAndColumn(text, offset)).toEqual(at);
  });
});
