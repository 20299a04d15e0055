/**
 * How long a real provider takes to answer, from the work in the answer: a text model (and a
 * transcription, which is a text model's answer too) waits for its first token and then streams the
 * rest at a steady rate; a speech model takes a fixed time plus a time per character of input.
 */
export interface LatencyProfile {
  llm: { firstTokenMs: number; tokensPerSecond: number };
  tts: { fixedMs: number; msPerChar: number };
}

/** The work in a successful answer: output tokens of text, or characters of speech input. */
export type AnswerWork = { tokens: number } | { chars: number };

/**
 * Figures for Gemini 2.5 Flash without thinking (Bolt's default text model) and Google Cloud TTS
 * Neural2/WaveNet voices:
 * - LLM, 0.4 s to the first token and 270 output tokens per second: Artificial Analysis' medians for
 *   Gemini 2.5 Flash on Google AI Studio, as quoted at https://amallo.ai/wiki/gemini-2-5-flash
 *   ("output speed of approximately 270.6 tokens per second and a time-to-first-token latency of 0.40
 *   seconds"); Artificial Analysis' own page for the previous Flash,
 *   https://artificialanalysis.ai/models/gemini-1-5-flash/providers, gives 0.40 s and 190 t/s on AI
 *   Studio, so 270 t/s is the faster end. A 1,500-word block (1,950 tokens) takes 7.6 s.
 *   With thinking on, the first token comes after ten seconds or more
 *   (https://shadabchow.com/blogs/ai-models/gemini-2-5-flash-sep-reasoning), which only lengthens
 *   every call on the critical path alike.
 * - TTS, 300 ms a request: the average WaveNet request time reported at
 *   https://bicov.pro/blog/new-google-cloud-platform-text-to-speech ("avg. ~300ms/req"), for short
 *   inputs. No published figure per character was found, so 0.5 ms a character is an assumption: a
 *   full 5,000-byte request (about five minutes of speech) then takes 2.8 s, synthesis about 100 times
 *   faster than real time, which is what neural vocoders served on accelerators reach; the same page's
 *   companion (https://bicov.pro/blog/new-text-to-speech-free-google) reports under 600 ms for
 *   requests below 5,000 characters, so the figure errs on the slow side.
 */
export const realisticLatency: LatencyProfile = {
  llm: { firstTokenMs: 400, tokensPerSecond: 270 },
  tts: { fixedMs: 300, msPerChar: 0.5 },
};

/** How long the profile makes an answer with this work take, in ms. */
export function answerDelayMs(profile: LatencyProfile | undefined, work: AnswerWork | undefined): number {
  if (!profile || !work) return 0;
  if ('tokens' in work) return profile.llm.firstTokenMs + (work.tokens / profile.llm.tokensPerSecond) * 1000;
  return profile.tts.fixedMs + work.chars * profile.tts.msPerChar;
}
