import { readFile, writeFile } from 'node:fs/promises';
import { readPinReplacements } from '../adapters/base-pins-file';
import { builderDriverOf, runBuildxWithRetries } from '../adapters/buildx';
import {
  distributionOf,
  engineAnswers,
  preflight,
  tagLocal,
  type DistributionAnswer,
  type EngineInfo,
} from '../adapters/engine';
import { commitTime, currentRevision, type Revision } from '../adapters/git';
import { defaultRepository } from '../adapters/git-remote';
import { workspaceCache } from '../adapters/json-cache';
import { RegistryClient } from '../adapters/registry';
import { preflightRecordPath } from '../adapters/run-records';
import { parseReference, registryLocation } from '../core/references';
import { replacementNote, type BasePin, type PinReplacements } from '../core/base-pins';
import { describeEngine } from '../core/engine-requirements';
import { rewritesTimestamps, timestampNote } from '../core/reproducible';
import type { BuilderPort } from './ports';
import { Profile } from './profile';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The facts of one run, each found out once and handed to every image of it: the commit (one git
 * process), the default repository (read from the git config file), the engine (two API calls; no buildx
 * process: a missing buildx is told by the first build's own output), the replacements of external bases'
 * pins (IMAGE_BASE_PINS), and one registry client whose logins and tokens every lookup and tag move shares.
 */
export interface RunContext {
  workspaceRoot: string;
  /** The Nx run (preTasksExecution sets it); children trust only parents' results of the same run. */
  runId: string | null;
  env: Env;
  /** Lines about the run as a whole (the engine). */
  log: (line: string) => void;
  defaultRepository: string | undefined;
  registry: RegistryClient;
  /** buildx and the local engine, as builds use them. */
  builder: BuilderPort;
  profile: Profile;
  revision(): Promise<Revision>;
  engine(): Promise<EngineInfo>;
  /** The commit's committer time in seconds: every build's SOURCE_DATE_EPOCH. */
  sourceDateEpoch(): Promise<number>;
  /**
   * Whether a builder rewrites the timestamps of what it pushes (its driver is not `docker`): asked once per
   * builder and run; a builder that does not says so once, with why.
   */
  rewritesTimestamps(builder: string | undefined): Promise<boolean>;
  /** The replacements of external bases' pins that IMAGE_BASE_PINS names (null: none). */
  pinReplacements(): Promise<PinReplacements | null>;
  /** Says once per run that a pin was replaced, by what and from where. */
  notePins(pins: readonly BasePin[]): void;
  /** Ends the run: writes back what the registry answered that never changes (platform layers by digest). */
  close(): void;
}

const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
};

export function openRun(args: {
  workspaceRoot: string;
  runId: string | null;
  env: Env;
  log: (line: string) => void;
}): RunContext {
  const profile = new Profile();
  const noted = new Set<string>();
  const engine = once(() => profile.time('engine', () => preflightOnce(args.runId, args.log)));
  const kept = workspaceCache(args.workspaceRoot, 'image-plugin-registry.json');
  const registry = new RegistryClient(args.env, kept);
  const revision = once(() => profile.time('git', () => currentRevision(args.workspaceRoot)));
  const drivers = new Map<string, Promise<boolean>>();
  return {
    ...args,
    defaultRepository: defaultRepository(args.workspaceRoot, args.env),
    registry,
    builder: { build: runBuildxWithRetries, engineAnswers, tagLocal, baseManifest: memoized(baseManifestOf(registry)) },
    profile,
    revision,
    sourceDateEpoch: once(async () => commitTime(args.workspaceRoot, (await revision()).sha)),
    rewritesTimestamps(builder) {
      const key = builder ?? '';
      if (!drivers.has(key)) drivers.set(key, timestampsOf(builder, args.log));
      return drivers.get(key)!;
    },
    engine,
    pinReplacements: once(() => readPinReplacements(args.env)),
    notePins(pins) {
      for (const pin of pins) {
        const note = replacementNote(pin);
        if (note && !noted.has(note)) {
          noted.add(note);
          args.log(note);
        }
      }
    },
    close: () => kept.save(),
  };
}

/** Docker Hub's credentials key, as the engine expects it in X-Registry-Auth. */
const HUB_ADDRESS = 'https://index.docker.io/v1/';

/** A pinned base's manifest through the engine (its mirrors apply), with the docker config's credentials for its registry. */
function baseManifestOf(registry: RegistryClient) {
  return async (ref: string): Promise<DistributionAnswer | null> => {
    const { host } = registryLocation(parseReference(ref).repository);
    const credentials = await registry.credentialsFor(host);
    const serveraddress = host === 'docker.io' ? HUB_ADDRESS : host;
    const { username, password, identityToken } = credentials ?? {};
    const auth = credentials ? { username, password, identitytoken: identityToken, serveraddress } : undefined;
    return distributionOf(ref, auth);
  };
}

/** One answer per argument for the whole run (many images of a run share a base). */
function memoized<T>(ask: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const answers = new Map<string, Promise<T>>();
  return (key) => {
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = ask(key)));
    return answer;
  };
}

async function timestampsOf(builder: string | undefined, log: (line: string) => void): Promise<boolean> {
  const driver = await builderDriverOf(builder);
  const note = timestampNote(builder, driver);
  if (note) log(note);
  return rewritesTimestamps(driver);
}

/**
 * The engine checks run once per Nx run: tasks of the run in later processes (without batch mode)
 * read the first one's answer from the run's record.
 */
async function preflightOnce(runId: string | null, log: (line: string) => void): Promise<EngineInfo> {
  const file = runId ? preflightRecordPath(runId) : null;
  if (file) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as EngineInfo;
    } catch {
      // the first task of the run: check the engine
    }
  }
  const info = await preflight();
  log(describeEngine(info));
  if (file) await writeFile(file, JSON.stringify(info));
  return info;
}
