import { agentSchema, voiceSettingLimits, voiceSettingsSchema } from '@bolt/core';
import { describe, expect, it } from 'vitest';

const agent = {
  name: 'Stories',
  language: 'pt-BR',
  premise_prompt: 'A premise.',
  block_structure_prompt: '1. Hook',
};
const failedFields = (input: unknown) =>
  agentSchema.safeParse(input).error?.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));

describe('voice settings', () => {
  it('default to leaving the voice as it is', () => {
    expect(voiceSettingsSchema.parse({})).toEqual({
      rate: 1,
      pitch: 0,
      gain_db: 0,
      block_pause_ms: 0,
      paragraph_pause_ms: 0,
    });
    expect(agentSchema.parse(agent).voice_settings).toEqual({});
  });

  it('take each range from end to end and refuse what lies beyond it, naming the field', () => {
    for (const [field, { min, max }] of Object.entries(voiceSettingLimits)) {
      expect(voiceSettingsSchema.safeParse({ [field]: min }).success, `${field} ${min}`).toBe(true);
      expect(voiceSettingsSchema.safeParse({ [field]: max }).success, `${field} ${max}`).toBe(true);
      for (const wrong of [min - 1, max + 1]) {
        const issues = voiceSettingsSchema.safeParse({ [field]: wrong }).error?.issues ?? [];
        expect(
          issues.map((i) => i.path.join('.')),
          `${field} ${wrong}`,
        ).toEqual([field]);
      }
    }
  });

  it('refuse unknown settings, text for numbers and pauses in fractions of a millisecond', () => {
    expect(voiceSettingsSchema.safeParse({ speed: 1.2 }).success).toBe(false);
    expect(voiceSettingsSchema.safeParse({ rate: '1.2' }).success).toBe(false);
    expect(voiceSettingsSchema.safeParse({ block_pause_ms: 500.5 }).success).toBe(false);
    expect(voiceSettingsSchema.safeParse({ pitch: -2.5, rate: 1.25 }).success).toBe(true);
  });

  it('are kept per language in an agent, where a wrong one names its language and setting', () => {
    const settings = { 'en-US': { rate: 1.2 }, 'pt-BR': { paragraph_pause_ms: 600 } };
    expect(agentSchema.parse({ ...agent, voice_settings: settings }).voice_settings).toEqual({
      'en-US': { rate: 1.2, pitch: 0, gain_db: 0, block_pause_ms: 0, paragraph_pause_ms: 0 },
      'pt-BR': { rate: 1, pitch: 0, gain_db: 0, block_pause_ms: 0, paragraph_pause_ms: 600 },
    });
    expect(failedFields({ ...agent, voice_settings: { 'en-US': { rate: 9 } } })).toEqual([
      { field: 'voice_settings.en-US.rate', message: expect.stringMatching(/4/) },
    ]);
    expect(failedFields({ ...agent, voice_settings: { 'en-US': { volume: 2 } } })?.[0]?.field).toBe(
      'voice_settings.en-US',
    );
    expect(failedFields({ ...agent, voice_settings: { english: {} } })?.[0]?.field).toBe(
      'voice_settings.english',
    );
  });
});
