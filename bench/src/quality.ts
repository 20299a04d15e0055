// What the quality checks find in whole jobs, and what their repairs cost, as shares measured in this run:
//   blocks passing language ID  = adapted and written blocks whose language is the one asked for ÷ blocks
//   blocks passing all checks   = blocks with the verdict `pass` ÷ blocks
//   chunks passing audio checks = speech chunks with no audio check failed ÷ chunks
//   WER after repair            = mean and worst word error rate of the chunks as delivered
//   repair calls ÷ job calls    = paid calls of the script rewrites and speech retakes ÷ every paid call
// Two settings: the example agents (examples/agents) on the embedded model and espeak-ng, as a new user
// runs them, and a 3 variations × 3 languages job on the fake Gemini and Google Cloud TTS servers whose
// transcriptions drop every third word of some chunks (`drop-words`), so the retakes are exercised.
// Results go to bench/results/quality.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, openStack } from '@bolt/cli';
import {
  type Agent,
  jobAgentSchema,
  loadConfig,
  type QualityReport,
  storageKeys,
  workflowIds,
} from '@bolt/core';
import { startJob } from '@bolt/jobs';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startFakeProviders } from '../../test/fakes/providers.ts';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const root = path.resolve(import.meta.dirname, '../..');
/** A pace of speech like a narrator's (about 14 characters a second), so the pace check means something. */
const MS_PER_CHAR = 70;
/** Transcriptions that drop words: enough to need retakes in several narrations. */
const DROPPED_TRANSCRIPTS = 12;

const fake = await startFakeProviders({ latencyMs: 50, msPerChar: MS_PER_CHAR });
const config = loadConfig({
  ...process.env,
  ...fake.env,
  GEMINI_API_KEY: 'valid-bench-gemini',
  GOOGLE_TTS_API_KEY: 'valid-bench-tts',
  BOLT_RATE_LIMITS: 'gemini=60000,google-tts=60000,openai=60000',
  BOLT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'bolt-bench-quality-')),
  TEMPORAL_PORT: String(await freePort()),
  TEMPORAL_UI_PORT: String(await freePort()),
  BOLT_LOG_LEVEL: 'warn',
});
const stack = await openStack(config, { worker: true, join: false });

const exampleAgent = (file: string): Agent =>
  jobAgentSchema.parse(JSON.parse(fs.readFileSync(path.join(root, 'examples/agents', file), 'utf8')));

const cloudAgent: Agent = jobAgentSchema.parse({
  name: 'Bench quality',
  language: 'pt-BR',
  premise_prompt: 'Escreva a premissa da história em duas frases.',
  block_structure_prompt: '3 blocos de ~200 palavras: gancho, conflito, desfecho',
  target_languages: ['en-US', 'es-ES'],
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C', 'es-ES': 'es-ES-Wavenet-B' },
  llm_provider: 'gemini',
  tts_provider: 'google',
});

/** Runs a job to its end and reads every narration's quality report and the job's paid calls by step. */
async function measure(agent: Agent, title: string, variations: number) {
  const languages = [agent.language, ...agent.target_languages];
  const t0 = performance.now();
  const jobId = await startJob(stack, { ownerId: stack.ownerId, agent, title, languages, variations });
  await stack.client.workflow.getHandle(workflowIds.job(jobId)).result();
  const seconds = (performance.now() - t0) / 1000;
  const reports: QualityReport[] = [];
  for (let variation = 1; variation <= variations; variation++)
    for (const language of languages)
      reports.push(
        JSON.parse((await stack.storage.get(storageKeys.quality(jobId, variation, language))).toString()),
      );
  const calls: Array<{ step: string; provider: string }> = await stack
    .db('usage')
    .where({ job_id: jobId, cached: false })
    .select('step', 'provider');
  return { jobId, seconds, reports, calls };
}

const share = (part: number, whole: number) => (whole ? Number((part / whole).toFixed(3)) : null);
const passed = (checks: Array<{ name: string; verdict: string }>, names: string[]) =>
  checks.filter((c) => names.includes(c.name)).every((c) => c.verdict !== 'fail');
const AUDIO_CHECKS = ['pace', 'silence', 'clipping', 'loudness'];
const isTextCall = (provider: string) => ['local', 'gemini', 'openai'].includes(provider);

/** The figures above over the measured jobs. */
function figures(runs: Array<Awaited<ReturnType<typeof measure>>>) {
  const reports = runs.flatMap((r) => r.reports);
  const blocks = reports.flatMap((r) => r.blocks);
  const chunks = reports.flatMap((r) => r.chunks);
  const wers = chunks.flatMap((c) => (c.wordErrorRate === undefined ? [] : [c.wordErrorRate]));
  const calls = runs.flatMap((r) => r.calls);
  const repairs = calls.filter(
    (c) =>
      (c.step.endsWith('.review') && isTextCall(c.provider)) ||
      (c.step.endsWith('.quality') && !isTextCall(c.provider) && !c.provider.endsWith('-asr')),
  );
  return {
    jobs: runs.length,
    jobSeconds: runs.map((r) => Math.round(r.seconds)),
    narrations: reports.length,
    narrationVerdicts: Object.fromEntries(
      ['pass', 'warn', 'fail'].map((v) => [v, reports.filter((r) => r.verdict === v).length]),
    ),
    blocks: blocks.length,
    blocksPassingLanguageId: share(
      blocks.filter((b) => passed(b.checks, ['language'])).length,
      blocks.length,
    ),
    blocksPassingAllChecks: share(blocks.filter((b) => b.verdict === 'pass').length, blocks.length),
    blocksRewritten: blocks.filter((b) => b.rewritten).length,
    chunks: chunks.length,
    chunksPassingAudioChecks: share(
      chunks.filter((c) => passed(c.checks, AUDIO_CHECKS)).length,
      chunks.length,
    ),
    chunksRetaken: chunks.filter((c) => (c.takes ?? 1) > 1).length,
    werAfterRepair: wers.length
      ? {
          mean: share(
            wers.reduce((n, w) => n + w, 0),
            wers.length,
          ),
          worst: Math.max(...wers),
        }
      : null,
    paidCalls: calls.length,
    repairCallsPerJobCall: share(repairs.length, calls.length),
    notes: reports.flatMap((r) => r.notes.map((n) => `v${r.variation} ${r.language} ${n}`)),
  };
}

try {
  const embedded = [
    await measure(exampleAgent('stories-en-us.json'), 'The great molasses flood', 1),
    await measure(exampleAgent('historias-pt-br.json'), 'A ponte de Alcântara', 1),
  ];
  fake.inject({ api: 'gemini', kind: 'drop-words', times: DROPPED_TRANSCRIPTS });
  const cloud = [await measure(cloudAgent, 'O farol esquecido', 3)];
  const result = {
    embedded: {
      engines: 'local model + Kokoro (espeak-ng where it lacks the language)',
      ...figures(embedded),
    },
    embeddedPerAgent: Object.fromEntries(
      embedded.map((run, i) => [['Curious Histories', 'Histórias que Marcam'][i], figures([run])]),
    ),
    fakeCloud: {
      engines: 'fake Gemini + Google Cloud TTS + Gemini transcription',
      droppedWordTranscripts: DROPPED_TRANSCRIPTS,
      ...figures(cloud),
    },
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/quality.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await stack.stop();
  await fake.close();
}
