import { randomBytes, randomUUID } from 'node:crypto';
import type { Value } from './hcl-eval';
import type { BuildContext } from './template';

/** The answers Coder and the providers give one workspace build, with test values where they matter. */
export interface WorkspaceBuild {
  image: string;
  /** `coder_agent.main.init_script`: Coder's script (here a stand-in), before the template rewrites it. */
  initScript?: string;
  token?: string;
  /** `docker_image.workspace.image_id`: what the provider pulled by the pinned reference. */
  imageId?: string;
  /** `data.docker_registry_image.workspace.sha256_digest`: what the tag names in the registry now. */
  registryDigest?: string;
  /** `terraform_data.image_pin.output` from the workspace's state (absent on its first build). */
  pinnedReference?: string;
  templateVersion?: string;
  workspaceId?: string;
  workspaceName?: string;
  ownerId?: string;
  /** What Coder builds: a start (the default), a stop, or a delete (start_count 0 for both). */
  transition?: Transition;
  /** `down`: the registry does not answer (an outage, expired credentials, a deleted tag). */
  registry?: 'up' | 'down';
  variables?: Record<string, Value>;
}

export type Transition = 'start' | 'stop' | 'delete';

const REGISTRY = 'data.docker_registry_image.workspace';

const TEST_OWNER = 'template-test';

export function buildContext(b: WorkspaceBuild): BuildContext {
  const workspaceId = b.workspaceId ?? randomUUID();
  const transition = b.transition ?? 'start';
  const registryDown = b.registry === 'down';
  const computed: BuildContext['computed'] = {
    'data.coder_provisioner.me': { arch: 'amd64', os: 'linux' },
    'data.coder_workspace.me': {
      id: workspaceId,
      name: b.workspaceName ?? `ws-${randomBytes(3).toString('hex')}`,
      start_count: transition === 'start' ? 1 : 0,
      transition,
      template_version: b.templateVersion ?? 'v1',
    },
    'data.coder_workspace_owner.me': {
      id: b.ownerId ?? randomUUID(),
      name: TEST_OWNER,
      full_name: 'Template Test',
      email: 'template-test@example.com',
    },
    'coder_agent.main': {
      id: randomUUID(),
      token: b.token ?? randomUUID(),
      init_script: b.initScript ?? '#!/bin/sh\necho "connecting to http://localhost:3000"\n',
    },
    'coder_script.start_hooks': { id: randomUUID() },
    'docker_image.workspace': { image_id: b.imageId ?? `sha256:${'2'.repeat(64)}` },
    'docker_container.workspace': { id: randomUUID() },
    'coder_metadata.image': { id: randomUUID() },
  };
  if (!registryDown) computed[REGISTRY] = { sha256_digest: b.registryDigest ?? `sha256:${'1'.repeat(64)}` };
  if (b.pinnedReference) computed['terraform_data.image_pin'] = { output: b.pinnedReference };
  return {
    parameters: { workspace_image: b.image },
    variables: b.variables,
    computed,
    unavailable: registryDown ? [REGISTRY] : [],
  };
}
