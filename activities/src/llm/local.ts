import os from 'node:os';
import path from 'node:path';
import {
  getLlama,
  type Llama,
  LlamaChatSession,
  type LlamaContext,
  type LlamaContextSequence,
  LlamaLogLevel,
  type LlamaModel,
} from 'node-llama-cpp';
import type { LlmProvider, LlmRequest, LlmResult } from './provider.ts';

export interface LocalLlmOptions {
  modelPath: string;
  /** CPU threads; 0 means one per core. */
  threads: number;
  contextSize?: number;
}

/** How the embedded model picks its words; a fixed seed makes a reply reproducible. */
const SAMPLING = {
  temperature: 0.7,
  topK: 40,
  topP: 0.9,
  seed: 42,
  repeatPenalty: { penalty: 1.15, lastTokens: 128 },
};

/**
 * The embedded model: a small instruction-tuned GGUF run on the CPU by node-llama-cpp's prebuilt
 * binding. Loaded once per process on first use; one generation at a time (a CPU has no room for more).
 */
export class LocalLlmProvider implements LlmProvider {
  readonly name = 'local';
  private loaded?: Promise<{
    llama: Llama;
    model: LlamaModel;
    context: LlamaContext;
    sequence: LlamaContextSequence;
  }>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LocalLlmOptions) {}

  private load() {
    this.loaded ??= (async () => {
      const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
      const model = await llama.loadModel({ modelPath: this.options.modelPath });
      const context = await model.createContext({
        contextSize: this.options.contextSize ?? 4096,
        threads: this.options.threads || os.availableParallelism(),
      });
      return { llama, model, context, sequence: context.getSequence() };
    })();
    return this.loaded;
  }

  generate(req: LlmRequest): Promise<LlmResult> {
    const run = this.queue.then(() => {
      req.signal?.throwIfAborted();
      return this.generateNow(req);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generateNow(req: LlmRequest): Promise<LlmResult> {
    const { model, sequence } = await this.load();
    await sequence.clearHistory();
    const session = new LlamaChatSession({
      contextSequence: sequence,
      systemPrompt: req.system,
      autoDisposeSequence: false,
    });
    try {
      const res = await session.promptWithMeta(req.prompt, {
        maxTokens: req.maxTokens,
        ...SAMPLING,
        temperature: req.temperature ?? SAMPLING.temperature,
        signal: req.signal,
      });
      return {
        text: res.responseText.trim(),
        finishReason: res.stopReason === 'maxTokens' ? 'length' : 'stop',
        tokensIn: model.tokenize(`${req.system ?? ''}\n${req.prompt}`).length,
        tokensOut: model.tokenize(res.responseText).length,
        model: path.basename(this.options.modelPath),
      };
    } finally {
      session.dispose();
    }
  }

  async close(): Promise<void> {
    if (!this.loaded) return;
    const { llama, model, context } = await this.loaded;
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}
