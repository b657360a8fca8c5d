import { readFile } from 'node:fs/promises';
import { BASE_PINS_ENV, parsePinReplacements, type PinReplacements } from '../core/base-pins';
import { ImageConfigError } from '../core/errors';

/** The pin replacements IMAGE_BASE_PINS names (core/base-pins.ts), or null when it names none. */
export async function readPinReplacements(
  env: Readonly<Record<string, string | undefined>>,
): Promise<PinReplacements | null> {
  const file = env[BASE_PINS_ENV];
  if (!file) return null;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ImageConfigError(
      `the base pin replacements cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      `point ${BASE_PINS_ENV} at a readable JSON file, or unset it to build with the Dockerfiles' own pins`,
      file,
    );
  }
  return parsePinReplacements(file, text);
}
