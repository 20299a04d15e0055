import { createRequire } from 'node:module';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporalBinary } from '../../scripts/toolchain.mjs';

const require = createRequire(import.meta.url);
export const workflowsPath = require.resolve('@bolt/workflows');

/** The installed Temporal CLI (set up by scripts/prepare.mjs); tests never download one. */
export function temporalCli(): string {
  const binary = temporalBinary();
  if (!binary) throw new Error('Temporal CLI not installed: run `node scripts/prepare.mjs`');
  return binary;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle() {
  bundle ??= bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  return bundle;
}
