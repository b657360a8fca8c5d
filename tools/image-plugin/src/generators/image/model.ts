/** Everything the image generator writes is rendered from this, decided once from the options and the Tree. */
export interface NewImage {
  name: string;
  /** `images/<name>`. */
  folder: string;
  description: string;
  /** The OCI title label: `<repository's last path component> <name>`. */
  title: string;
  /** A parent image of the workspace (with the reference the ARG default names), or an external base. */
  from: { parent: string; reference: string } | { base: string };
  steps: InstallStep[];
  /** End with the contents-record step (docs/contents.md): the workspace has scripts/contents-record. */
  contentsRecord?: boolean;
}

/** One install script, one RUN. */
export interface InstallStep {
  tool: string;
  /** `scripts/<tool>`. */
  source: string;
  /** The shared helpers' folder, mounted next to the script when the workspace has it. */
  lib?: string;
  /** Mount the BuildKit secret `ca-bundle` over the system CA bundle for this step (it fetches over HTTPS). */
  caBundle: boolean;
  /** From the script's header, for the docs page. */
  summary?: string;
  aptPackages: string[];
  npmPackages: string[];
  manifests: string[];
}
