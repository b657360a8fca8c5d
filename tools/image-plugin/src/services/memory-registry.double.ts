import type { RemoteImage } from '../adapters/registry';
import { RegistryError } from '../core/errors';
import type { ManifestBlob } from '../core/image-index';
import type { HistoryEntry, PlatformLayers } from '../core/size-budget';
import type { ImageReader, LabelReader, SizeReader, TagReader, TagWriter } from './ports';

/**
 * A registry in memory for the services' unit tests (src/services/*.test.ts): tags name digests, every
 * write is logged in order, and `failWrite` makes chosen writes fail as a registry's 5xx would. A test
 * double of our own ports only; the adapters are tested against the real registry (test/*.test.ts).
 */
export class MemoryRegistry implements TagReader, ImageReader, LabelReader, TagWriter, SizeReader {
  /** Labels by image reference (what labelsOf answers; none: no labels). */
  readonly labels = new Map<string, Record<string, string>>();
  readonly tags = new Map<string, string>();
  readonly images = new Map<string, Partial<RemoteImage>>();
  /** Every write in order: `tag <ref> -> <digest>`, `put <ref> -> <digest>`. */
  readonly writes: string[] = [];
  /** Every read in order: `digestOf <ref>`, `inspect <ref>`. */
  readonly reads: string[] = [];
  /** Makes a write fail: called with the ref before it is written. */
  failWrite: (ref: string) => boolean = () => false;
  failRead: (ref: string) => boolean = () => false;

  constructor(tags: Record<string, string> = {}) {
    for (const [ref, digest] of Object.entries(tags)) this.tags.set(ref, digest);
  }

  private digestNamed(ref: string): string | null {
    const at = ref.indexOf('@');
    return at >= 0 ? ref.slice(at + 1) : (this.tags.get(ref) ?? null);
  }

  async digestOf(ref: string): Promise<string | null> {
    this.read(`digestOf ${ref}`, ref);
    return this.digestNamed(ref);
  }

  async labelsOf(ref: string): Promise<Record<string, string>> {
    this.read(`labelsOf ${ref}`, ref);
    return this.labels.get(ref) ?? {};
  }

  async inspect(ref: string): Promise<RemoteImage | null> {
    this.read(`inspect ${ref}`, ref);
    const digest = this.digestNamed(ref);
    if (!digest) return null;
    const known = this.images.get(digest) ?? {};
    return {
      repository: ref.split(/[@]|:(?=[^/]*$)/)[0],
      digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      bytes: Buffer.from(digest),
      manifest: { manifests: [] },
      isIndex: true,
      platforms: ['linux/amd64'],
      ...known,
    };
  }

  async tag(tags: readonly string[], _repository: string, digest: string): Promise<string> {
    for (const tag of tags) this.write(`tag ${tag} -> ${digest}`, tag, digest);
    return digest;
  }

  async putManifest(ref: string, blob: ManifestBlob): Promise<void> {
    this.write(`put ${ref} -> ${blob.digest}`, ref, blob.digest);
  }

  /** One platform of one small layer per image (no size budget in these tests). */
  async platformLayers(repository: string, digest: string): Promise<PlatformLayers[]> {
    this.read(`layers ${repository}@${digest}`, `${repository}@${digest}`);
    return [
      { platform: 'linux/amd64', layers: [{ digest: `${digest}-layer`, size: 1000 }], config: `${digest}-config` },
    ];
  }

  async historyOf(): Promise<HistoryEntry[]> {
    return [];
  }

  private read(entry: string, ref: string): void {
    this.reads.push(entry);
    if (this.failRead(ref)) throw new RegistryError(`the registry failed on ${ref}: 503`, 'try again', ref);
  }

  private write(entry: string, ref: string, digest: string): void {
    if (this.failWrite(ref)) throw new RegistryError(`the registry failed on ${ref}: 503`, 'try again', ref);
    this.writes.push(entry);
    if (!ref.includes('@')) this.tags.set(ref, digest);
  }
}
