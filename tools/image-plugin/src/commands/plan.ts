import { appendFile } from 'node:fs/promises';
import { planOutputs, type CiPlan } from '../core/ci-plan';
import { planCi, type CiPlanRequest } from '../services/ci-plan';

export interface PlanArgs extends CiPlanRequest {
  /** Progress lines (stderr: stdout is the plan's JSON). */
  log: (line: string) => void;
}

/** `images plan`: the CI plan (services/ci-plan.ts), why registry-checked images are in it, and $GITHUB_OUTPUT. */
export async function plan(args: PlanArgs): Promise<CiPlan> {
  const { plan: result, missing } = await planCi(args);
  for (const m of missing) {
    const what = m.unsignedDigest
      ? `names ${m.unsignedDigest}, which has no signature (it is tested and signed again)`
      : m.missingPlatforms.length === result.platforms.length
        ? 'is not in the registry'
        : `lacks ${m.missingPlatforms.join(', ')}`;
    args.log(`plan: ${m.image} is planned: ${m.contentTag} ${what}`);
  }
  if (args.env.GITHUB_OUTPUT) {
    const lines = Object.entries(planOutputs(result)).map(([k, v]) => `${k}=${v}`);
    await appendFile(args.env.GITHUB_OUTPUT, `${lines.join('\n')}\n`);
  }
  return result;
}
