import { writeCoderTemplateFiles, type CoderTemplateRequest } from '../services/coder-template';

export type CoderTemplateArgs = CoderTemplateRequest;

/**
 * `images coder-template`: writes templates/coder/images.json from the Nx graph, checks it (`--check`),
 * or writes the template's pinned-digests.json from pushed builds (`--pin-results`).
 */
export async function coderTemplate(args: CoderTemplateArgs): Promise<void> {
  await writeCoderTemplateFiles(args);
}
