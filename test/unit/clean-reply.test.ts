import { cleanReply, lastSentenceEnd } from '@bolt/activities';
import { describe, expect, it } from 'vitest';

const cases: Array<[what: string, reply: string, script: string]> = [
  [
    'a continuation instruction echoed mid-text',
    'A ponte caiu naquela noite. Continue exactly where it stops, without repeating anything. Ninguém dormiu.',
    'A ponte caiu naquela noite. Ninguém dormiu.',
  ],
  [
    'the cut-off notice and the instruction on lines of their own',
    'The river rose.\n\nYour answer was cut off. It ends with:\nContinue exactly where it stops,\nwithout repeating anything.\n\nBy dawn the town was gone.',
    'The river rose.\n\nBy dawn the town was gone.',
  ],
  ['a preamble line', 'Here is the text you asked for:\nThe bells rang at noon.', 'The bells rang at noon.'],
  ['a preamble in Portuguese', 'Aqui está o bloco reescrito:\nOs sinos tocaram.', 'Os sinos tocaram.'],
  ['"Sure" openers', 'Sure! Here you go.\nThe bells rang.', 'The bells rang.'],
  ['a block label', 'Block 2: The bells rang at noon.', 'The bells rang at noon.'],
  ['a bold label in Portuguese', '**Bloco 3 –** Os sinos tocaram.', 'Os sinos tocaram.'],
  ['a Markdown heading the model added', '## The Bridge\n\nThe bridge fell.', 'The bridge fell.'],
  [
    'emphasis',
    'It was **not** the *first* time, nor the __last__.',
    'It was not the first time, nor the last.',
  ],
  [
    'list markers and rules',
    '- First, the rain.\n- Then the wind.\n\n---\n\nSilence.',
    'First, the rain.\nThen the wind.\n\nSilence.',
  ],
  [
    'stage directions in brackets',
    '[dramatic music] The door opened. [pause] Nobody was there.',
    'The door opened. Nobody was there.',
  ],
  ['emoji', 'They won 🎉🏆 at last ❤️.', 'They won at last.'],
  [
    'an echoed writing instruction',
    'Write block 2 ("Conflict") in Portuguese, about 300 words, continuing the story.\nO conflito começou.',
    'O conflito começou.',
  ],
  [
    'an echoed rewrite instruction',
    'Rewrite the following text in English (en-US), adapting names:\nThe mayor spoke.',
    'The mayor spoke.',
  ],
  [
    'echoed context labels',
    'Title: "A ponte"\nPremise: a bridge falls.\nThe bridge fell at dawn.',
    'The bridge fell at dawn.',
  ],
  [
    "the embedded model's instructions echoed as lines",
    'Your story goes on.\n\nDo not repeat it.\nWrite the ending in American English: about 150 words.\nTranslate this text into Spanish:\nRetell this text in other words, in Brazilian Portuguese:\nThe end.',
    'Your story goes on.\n\nThe end.',
  ],
  [
    'our system rule',
    'Write only the requested text, with no preamble or notes. The tide turned.',
    'The tide turned.',
  ],
];

describe('a model reply as script text', () => {
  it.each(cases)('removes %s', (_what, reply, script) => {
    expect(cleanReply(reply)).toBe(script);
  });

  it('keeps ordinary text as it is, paragraphs and punctuation included', () => {
    const text =
      'Em 1822, D. Pedro I proclamou a independência: "Independência ou morte!"\n\nNo dia seguinte, o Rio acordou diferente. Quem diria?';
    expect(cleanReply(text)).toBe(text);
    expect(cleanReply('Bonjour ! Ça va ?')).toBe('Bonjour ! Ça va ?');
  });
});

describe('the end of the last full sentence', () => {
  it.each([
    ['The bridge fell. Then the', 'The bridge fell.'],
    ['Ele gritou: "Corra!" E o barco', 'Ele gritou: "Corra!"'],
    ['¿Quién era? Nadie lo sabía… y', '¿Quién era? Nadie lo sabía…'],
    ['Il est parti (enfin.) Puis', 'Il est parti (enfin.)'],
    ['No sentence ends here', ''],
    ['Version 2.5 of the', ''],
  ])('of %j', (text, kept) => {
    expect(text.slice(0, lastSentenceEnd(text))).toBe(kept);
  });
});
