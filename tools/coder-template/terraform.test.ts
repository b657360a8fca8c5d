import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { TEMPLATE_DIR } from './template';

/**
 * What only Terraform itself can say, where a `terraform` binary is installed (the providers cannot
 * be downloaded here, so nothing that needs them): the template's formatting, and the pin's
 * lifecycle (pin.tf, applied unchanged with the built-in terraform_data, over several builds).
 */

const terraform = await execa('terraform', ['version'], { reject: false, all: true });
const installed = !terraform.failed;
/** No binary on PATH: the only reason these checks may be skipped (a broken one is a failure). */
const missing = (terraform as { code?: string }).code === 'ENOENT';
const SKIP = 'no terraform binary on this machine: terraform fmt -check and the pin lifecycle are not checked';
if (!installed) console.warn(`SKIPPED: ${SKIP}`);

const tf = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  execa('terraform', args, {
    cwd,
    reject: false,
    all: true,
    env: { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', ...env },
  });

describe.skipIf(!installed)('terraform', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('terraform fmt -check: the template is formatted', async () => {
    const r = await tf(TEMPLATE_DIR, ['fmt', '-check', '-diff', '-recursive']);
    expect(r.exitCode, r.all).toBe(0);
  });

  it('the pin keeps its reference across builds until the image or the template version changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coder-pin-'));
    dirs.push(dir);
    copyFileSync(join(TEMPLATE_DIR, 'pin.tf'), join(dir, 'pin.tf'));
    // What main.tf computes from Coder and the registry, given per build as variables.
    writeFileSync(
      join(dir, 'build.tf'),
      [
        'variable "image" { type = string }',
        'variable "template_version" { type = string }',
        '# "": the registry is not asked (a stop or delete), as main.tf asks it on a start only.',
        'variable "registry_digest" { type = string }',
        'locals {',
        '  catalog = {',
        '    images = { base = { repository = "r.example/ws" }, node = { repository = "r.example/ws" } }',
        '  }',
        '  image_name         = var.image',
        '  image              = lookup(local.catalog.images, var.image, null)',
        '  pins               = {}',
        '  resolved_digest    = var.registry_digest == "" ? null : var.registry_digest',
        '  resolved_reference = local.image == null || local.resolved_digest == null ? null : "${local.image.repository}@${local.resolved_digest}"',
        '  image_pin_trigger  = [var.image, var.template_version]',
        '}',
        'output "pinned" { value = terraform_data.image_pin.output }',
        '',
      ].join('\n'),
    );
    const init = await tf(dir, ['init', '-input=false', '-no-color']);
    expect(init.exitCode, init.all).toBe(0);
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    const build = async (image: string, version: string, registry: string) => {
      const r = await tf(dir, [
        'apply',
        '-auto-approve',
        '-input=false',
        '-no-color',
        `-var=image=${image}`,
        `-var=template_version=${version}`,
        `-var=registry_digest=${registry}`,
      ]);
      if (r.exitCode !== 0) return { error: String(r.all) };
      const out = await tf(dir, ['output', '-raw', 'pinned']);
      return { pinned: out.stdout };
    };
    expect(await build('base', 'v1', digest('a'))).toEqual({ pinned: `r.example/ws@${digest('a')}` });
    // A stop asks no registry (the input is null): the state's reference stays for the next start.
    expect(await build('base', 'v1', '')).toEqual({ pinned: `r.example/ws@${digest('a')}` });
    // The tag moved in the registry; a restart of the same workspace keeps what it runs.
    expect(await build('base', 'v1', digest('b'))).toEqual({ pinned: `r.example/ws@${digest('a')}` });
    // The user updates the workspace to a new template version: the pin follows the tag now.
    expect(await build('base', 'v2', digest('b'))).toEqual({ pinned: `r.example/ws@${digest('b')}` });
    // Another image: pinned anew.
    expect(await build('node', 'v2', digest('c'))).toEqual({ pinned: `r.example/ws@${digest('c')}` });
    // An image the template does not offer: the precondition's message, and the pin stays.
    const bad = await build('ruby', 'v2', digest('d'));
    expect(bad.error).toContain('The workspace image "ruby" is not offered by this template version');
    expect((await tf(dir, ['output', '-raw', 'pinned'])).stdout).toBe(`r.example/ws@${digest('c')}`);
  });
});

it.runIf(!installed)('terraform checks are skipped only when no terraform binary is on PATH', () => {
  console.warn(`SKIPPED: ${SKIP}`);
  expect(missing, `terraform is on PATH but \`terraform version\` failed:\n${String(terraform.all)}`).toBe(true);
});
