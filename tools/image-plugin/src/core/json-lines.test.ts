import { describe, expect, it } from 'vitest';
import { lineOfKeys } from './json-lines';

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
