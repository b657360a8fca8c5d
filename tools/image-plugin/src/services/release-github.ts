import {
  otherReleaseError,
  releaseAction,
  sameRelease,
  type PublishedRelease,
  type ReleaseFields,
} from '../core/github-release';
import type { ReleasesPort } from './ports';

/** The GitHub side of a release, prepared before any tag moves: what to do, and the draft made for a new release. */
export interface PreparedGitHub {
  client: ReleasesPort;
  fields: ReleaseFields;
  /** The notes' table of images (core/release-notes.ts): what makes a release found on GitHub this one. */
  table: string;
  /** `meanwhile`: another run published this very release after this one read it (nothing left to write). */
  action: 'create' | 'update' | 'unchanged' | 'meanwhile';
  /** The draft (create) or the existing release (update, unchanged, meanwhile). */
  id: number;
}

/** What a release's GitHub side ended as, for the report. */
export type GitHubStatus = 'created' | 'updated' | 'unchanged' | 'meanwhile';

/**
 * Reads the release by tag (and the latest, when this one should be it) and proves the token may write
 * what will be written: a new release is created now as a draft (only writers see it; published after
 * the moves), an existing one gets its name written back unchanged. An unchanged one needs no write.
 * A release another run published between the read and the draft (422 already_exists) is taken as done
 * when it is this one, and refused when it is not.
 */
export async function prepareGitHub(
  client: ReleasesPort,
  fields: ReleaseFields,
  table: string,
): Promise<PreparedGitHub> {
  const existing = await client.byTag(fields.tag);
  const latestId = existing && fields.makeLatest === 'true' ? await client.latestId() : null;
  const action = releaseAction(existing, fields, latestId);
  if (action === 'create') {
    const id = await client.createDraft(fields);
    if (id === 'exists')
      return { client, fields, table, action: 'meanwhile', id: (await meanwhile(client, fields, table)).id };
    return { client, fields, table, action, id };
  }
  if (action === 'update') await client.probeUpdate(existing!, fields.tag);
  return { client, fields, table, action, id: existing!.id };
}

/**
 * After the moves: publishes the draft or writes the changed fields. When another run published this
 * very release first (422 already_exists), this run's draft is deleted and the release is done
 * ('meanwhile'); another release of the tag is refused (otherReleaseError), and the caller puts back
 * what it moved.
 */
export async function publishGitHub(github: PreparedGitHub): Promise<GitHubStatus> {
  const { client, fields, table, action, id } = github;
  if (action === 'unchanged' || action === 'meanwhile') return action;
  if ((await client.publish(id, fields)) === 'published') return action === 'create' ? 'created' : 'updated';
  await meanwhile(client, fields, table);
  await client.deleteDraft(id, fields.tag).catch(() => undefined); // a draft left over is no reason to move tags back
  return 'meanwhile';
}

/** The release GitHub said exists (422 already_exists): this one, or the error that it is another. */
async function meanwhile(client: ReleasesPort, fields: ReleaseFields, table: string): Promise<PublishedRelease> {
  const found = await client.byTag(fields.tag);
  if (!found || !sameRelease(found, fields, table)) throw otherReleaseError(fields.tag);
  return found;
}
