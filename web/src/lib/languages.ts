/** Languages offered by the pickers; any other BCP-47 tag can still be typed. */
export const commonLanguages = [
  'pt-BR',
  'pt-PT',
  'en-US',
  'en-GB',
  'es-ES',
  'es-MX',
  'fr-FR',
  'de-DE',
  'it-IT',
  'nl-NL',
  'pl-PL',
  'ru-RU',
  'tr-TR',
  'ar-SA',
  'hi-IN',
  'id-ID',
  'ja-JP',
  'ko-KR',
  'zh-CN',
] as const;

export const languageTagPattern = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/;

/** "Português (Brasil)" style name of a tag in the given UI locale, or the tag itself. */
export function languageName(tag: string, locale = 'en'): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
