import { z } from 'zod';

/** The range and default of each voice setting; the defaults leave the engine's voice as it is. */
export const voiceSettingLimits = {
  /** Speaking rate multiplier: 2 is twice as fast. */
  rate: { min: 0.25, max: 4, default: 1 },
  /** Semitones above (or below) the voice's own pitch. */
  pitch: { min: -20, max: 20, default: 0 },
  /** Decibels added to the voice's own volume. */
  gain_db: { min: -96, max: 16, default: 0 },
  /** Milliseconds of silence between blocks; 0 keeps the usual pause. */
  block_pause_ms: { min: 0, max: 10_000, default: 0 },
  /** Milliseconds of silence after each paragraph; 0 keeps the engine's own. */
  paragraph_pause_ms: { min: 0, max: 5_000, default: 0 },
} as const;

export type VoiceSettingName = keyof typeof voiceSettingLimits;

const setting = (name: VoiceSettingName) => {
  const { min, max } = voiceSettingLimits[name];
  return z.number().min(min).max(max);
};

/** How an agent's voice speaks one language: speed, pitch, volume and pauses. */
export const voiceSettingsSchema = z
  .object({
    rate: setting('rate').default(voiceSettingLimits.rate.default),
    pitch: setting('pitch').default(voiceSettingLimits.pitch.default),
    gain_db: setting('gain_db').default(voiceSettingLimits.gain_db.default),
    block_pause_ms: setting('block_pause_ms').int().default(voiceSettingLimits.block_pause_ms.default),
    paragraph_pause_ms: setting('paragraph_pause_ms')
      .int()
      .default(voiceSettingLimits.paragraph_pause_ms.default),
  })
  .strict();
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;
