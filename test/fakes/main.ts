import { parseArgs } from 'node:util';
import { startFakeProviders } from './providers.ts';

/**
 * The fake providers as a standalone server:
 *   npx tsx test/fakes/main.ts [--port 9100] [--latency-ms 200] [--ms-per-char 20]
 * Prints the variables that point Bolt at it, then serves until interrupted.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9100' },
    'latency-ms': { type: 'string', default: '0' },
    'ms-per-char': { type: 'string', default: '20' },
  },
});

const number = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got ${value}`);
    process.exit(2);
  }
  return n;
};

const fake = await startFakeProviders({
  port: number('port', values.port),
  latencyMs: number('latency-ms', values['latency-ms']),
  msPerChar: number('ms-per-char', values['ms-per-char']),
});
console.log(
  `# fake Gemini, Google Cloud TTS and OpenAI on ${fake.url}; keys starting valid- work, quota- get 429`,
);
for (const [name, value] of Object.entries(fake.env)) console.log(`export ${name}=${value}`);

const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
