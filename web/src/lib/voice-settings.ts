import {
  type VoiceSettingName,
  type VoiceSettings,
  voiceSettingLimits,
  voiceSettingsSchema,
} from '@bolt/core/voice';

export type { VoiceSettingName } from '@bolt/core/voice';
export { voiceSettingLimits } from '@bolt/core/voice';

/** The voice settings as the form holds them: the text of each field, empty for the default. */
export type VoiceSettingsDraft = Record<VoiceSettingName, string>;

export const voiceSettingNames = Object.keys(voiceSettingLimits) as VoiceSettingName[];

/** A draft showing settings: each value that is not the default, as text. */
export function voiceDraft(settings: Partial<VoiceSettings> | undefined): VoiceSettingsDraft {
  const text = (name: VoiceSettingName) => {
    const value = settings?.[name];
    return value === undefined || value === voiceSettingLimits[name].default ? '' : String(value);
  };
  return Object.fromEntries(voiceSettingNames.map((name) => [name, text(name)])) as VoiceSettingsDraft;
}

/**
 * The settings a draft stands for, read by core's `voiceSettingsSchema` as the API reads them (an empty
 * field is the default, a decimal comma is a point), or the fields that schema refuses.
 */
export function readVoiceDraft(
  draft: VoiceSettingsDraft,
): { ok: true; settings: VoiceSettings } | { ok: false; invalid: VoiceSettingName[] } {
  const typed = voiceSettingNames
    .filter((name) => draft[name].trim() !== '')
    .map((name) => [name, Number(draft[name].trim().replace(',', '.'))]);
  const parsed = voiceSettingsSchema.safeParse(Object.fromEntries(typed));
  if (parsed.success) return { ok: true, settings: parsed.data };
  return { ok: false, invalid: [...new Set(parsed.error.issues.map((i) => i.path[0] as VoiceSettingName))] };
}

/** Whether settings leave the voice as it is, so the agent need not keep them. */
export const isDefaultVoice = (settings: VoiceSettings) =>
  voiceSettingNames.every((name) => settings[name] === voiceSettingLimits[name].default);
