/**
 * What the image generator needs to know about an install script, read from its text. Only the
 * literal forms the install-script generator writes (and the house style uses) are recognised; a script
 * written another way simply contributes no generated check. Pure.
 */
export interface ScriptFacts {
  /** The header's first line without "Installs " (`the GNU debugger system-wide from Debian's archive`). */
  summary?: string;
  /** `packages=(a b)`: Debian packages the script installs. */
  aptPackages: string[];
  /** `npm_packages=(a@1.2.3 @s/b@4.5.6)`: pinned npm packages the script installs globally. */
  npmPackages: string[];
  /** `home_persist_manifest <tool> ...`: the manifests it writes to /etc/home-persist.d. */
  manifests: string[];
  /** Fetches over HTTPS (npm, or says it needs the CA secret): its RUN step mounts the `ca-bundle` secret. */
  fetchesOverHttps: boolean;
}

const arrayOf = (text: string, name: string): string[] => {
  const match = new RegExp(`^${name}=\\(([^)$\`"']*)\\)\\s*$`, 'm').exec(text);
  return match ? match[1].split(/\s+/).filter(Boolean) : [];
};

export function scriptFacts(text: string): ScriptFacts {
  const header = /^#!.*\n#\s*(.+)$/m.exec(text)?.[1]?.trim();
  const manifests = [...text.matchAll(/^\s*home_persist_manifest\s+([A-Za-z0-9._-]+)\s/gm)].map((m) => m[1]);
  const facts: ScriptFacts = {
    aptPackages: arrayOf(text, 'packages'),
    npmPackages: arrayOf(text, 'npm_packages'),
    manifests: [...new Set(manifests)],
    fetchesOverHttps: /lib\/npm\.sh|\bca-bundle\b|\bnpm (?:install|i|ci)\b/.test(text),
  };
  if (header) facts.summary = header.replace(/^Installs\s+/, '').replace(/\.$/, '');
  return facts;
}
