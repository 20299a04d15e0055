/** The voices the stand-in offers: a Google-style catalogue and the fixed Gemini and OpenAI lists. */

export interface GoogleVoice {
  languageCodes: string[];
  name: string;
  ssmlGender: 'MALE' | 'FEMALE';
  naturalSampleRateHertz: number;
}

const languages = ['en-US', 'en-GB', 'pt-BR', 'pt-PT', 'es-ES', 'es-US', 'fr-FR', 'de-DE', 'it-IT', 'ja-JP'];

/** Per language: Standard-A…D, Wavenet-A…D, Neural2-A…C and two Chirp3-HD voices. */
export const googleVoices: GoogleVoice[] = languages.flatMap((language) => {
  const lettered = (family: string, letters: string, rate: number): GoogleVoice[] =>
    [...letters].map((letter, i) => ({
      languageCodes: [language],
      name: `${language}-${family}-${letter}`,
      ssmlGender: i % 2 === 0 ? 'FEMALE' : 'MALE',
      naturalSampleRateHertz: rate,
    }));
  return [
    ...lettered('Standard', 'ABCD', 24_000),
    ...lettered('Wavenet', 'ABCD', 24_000),
    ...lettered('Neural2', 'ABC', 24_000),
    {
      languageCodes: [language],
      name: `${language}-Chirp3-HD-Kore`,
      ssmlGender: 'FEMALE',
      naturalSampleRateHertz: 24_000,
    },
    {
      languageCodes: [language],
      name: `${language}-Chirp3-HD-Charon`,
      ssmlGender: 'MALE',
      naturalSampleRateHertz: 24_000,
    },
  ];
});

export const geminiVoiceNames = [
  'Zephyr',
  'Puck',
  'Charon',
  'Kore',
  'Fenrir',
  'Leda',
  'Orus',
  'Aoede',
  'Callirrhoe',
  'Autonoe',
  'Enceladus',
  'Iapetus',
  'Umbriel',
  'Algieba',
  'Despina',
  'Erinome',
  'Algenib',
  'Rasalgethi',
  'Laomedeia',
  'Achernar',
  'Alnilam',
  'Schedar',
  'Gacrux',
  'Pulcherrima',
  'Achird',
  'Zubenelgenubi',
  'Vindemiatrix',
  'Sadachbia',
  'Sadaltager',
  'Sulafat',
];

export function isGeminiVoice(name: string): boolean {
  return geminiVoiceNames.some((v) => v.toLowerCase() === name.toLowerCase());
}

export const openAiVoiceNames = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'nova',
  'onyx',
  'sage',
  'shimmer',
  'verse',
];
