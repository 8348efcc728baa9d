/**
 * Unicode script of a code point, as SentencePiece's trainer uses it to keep pieces
 * inside one writing system (`split_by_unicode_script`).
 *
 * SentencePiece compiles Scripts.txt into a table; we ask the JS engine's own Unicode
 * data through `\p{Script=…}` instead, so nothing large ships with the package. The
 * engine's Unicode version is newer than SentencePiece's table, which only matters
 * for characters assigned in between.
 */

// Unicode script names (PropertyValueAliases.txt, sc). Names the running engine does
// not know are dropped at load time, so an older Node simply knows fewer scripts.
const SCRIPT_NAMES = [
  'Latin',
  'Common',
  'Han',
  'Inherited',
  'Cyrillic',
  'Greek',
  'Arabic',
  'Hebrew',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Thai',
  'Devanagari',
  'Bengali',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Gujarati',
  'Gurmukhi',
  'Oriya',
  'Sinhala',
  'Armenian',
  'Georgian',
  'Ethiopic',
  'Khmer',
  'Lao',
  'Myanmar',
  'Tibetan',
  'Mongolian',
  'Bopomofo',
  'Yi',
  'Thaana',
  'Syriac',
  'Cherokee',
  'Canadian_Aboriginal',
  'Ogham',
  'Runic',
  'Braille',
  'Coptic',
  'Adlam',
  'Ahom',
  'Anatolian_Hieroglyphs',
  'Avestan',
  'Balinese',
  'Bamum',
  'Bassa_Vah',
  'Batak',
  'Bhaiksuki',
  'Brahmi',
  'Buginese',
  'Buhid',
  'Carian',
  'Caucasian_Albanian',
  'Chakma',
  'Cham',
  'Chorasmian',
  'Cuneiform',
  'Cypriot',
  'Cypro_Minoan',
  'Deseret',
  'Dives_Akuru',
  'Dogra',
  'Duployan',
  'Egyptian_Hieroglyphs',
  'Elbasan',
  'Elymaic',
  'Glagolitic',
  'Gothic',
  'Grantha',
  'Gunjala_Gondi',
  'Hanifi_Rohingya',
  'Hanunoo',
  'Hatran',
  'Imperial_Aramaic',
  'Inscriptional_Pahlavi',
  'Inscriptional_Parthian',
  'Javanese',
  'Kaithi',
  'Kawi',
  'Kayah_Li',
  'Kharoshthi',
  'Khitan_Small_Script',
  'Khojki',
  'Khudawadi',
  'Lepcha',
  'Limbu',
  'Linear_A',
  'Linear_B',
  'Lisu',
  'Lycian',
  'Lydian',
  'Mahajani',
  'Makasar',
  'Mandaic',
  'Manichaean',
  'Marchen',
  'Masaram_Gondi',
  'Medefaidrin',
  'Meetei_Mayek',
  'Mende_Kikakui',
  'Meroitic_Cursive',
  'Meroitic_Hieroglyphs',
  'Miao',
  'Modi',
  'Mro',
  'Multani',
  'Nabataean',
  'Nag_Mundari',
  'Nandinagari',
  'New_Tai_Lue',
  'Newa',
  'Nko',
  'Nushu',
  'Nyiakeng_Puachue_Hmong',
  'Ol_Chiki',
  'Old_Hungarian',
  'Old_Italic',
  'Old_North_Arabian',
  'Old_Permic',
  'Old_Persian',
  'Old_Sogdian',
  'Old_South_Arabian',
  'Old_Turkic',
  'Old_Uyghur',
  'Osage',
  'Osmanya',
  'Pahawh_Hmong',
  'Palmyrene',
  'Pau_Cin_Hau',
  'Phags_Pa',
  'Phoenician',
  'Psalter_Pahlavi',
  'Rejang',
  'Samaritan',
  'Saurashtra',
  'Sharada',
  'Shavian',
  'Siddham',
  'SignWriting',
  'Sogdian',
  'Sora_Sompeng',
  'Soyombo',
  'Sundanese',
  'Syloti_Nagri',
  'Tagalog',
  'Tagbanwa',
  'Tai_Le',
  'Tai_Tham',
  'Tai_Viet',
  'Takri',
  'Tangsa',
  'Tangut',
  'Tifinagh',
  'Tirhuta',
  'Toto',
  'Ugaritic',
  'Vai',
  'Vithkuqi',
  'Wancho',
  'Warang_Citi',
  'Yezidi',
  'Zanabazar_Square',
];

const SCRIPTS: { name: string; re: RegExp }[] = [];
for (const name of SCRIPT_NAMES) {
  try {
    SCRIPTS.push({ name, re: new RegExp(`^\\p{Script=${name}}$`, 'u') });
  } catch {
    // Unknown to this engine's Unicode version.
  }
}

export const SCRIPT_COMMON = SCRIPT_NAMES.indexOf('Common');
export const SCRIPT_INHERITED = SCRIPT_NAMES.indexOf('Inherited');
export const SCRIPT_HAN = SCRIPT_NAMES.indexOf('Han');
const SCRIPT_HIRAGANA = SCRIPT_NAMES.indexOf('Hiragana');
const SCRIPT_KATAKANA = SCRIPT_NAMES.indexOf('Katakana');

const cache = new Map<number, number>();

/** Script index of `cp` (an index into the name list; unassigned code points are Common, as in SentencePiece). */
export function scriptOf(cp: number): number {
  let s = cache.get(cp);
  if (s !== undefined) return s;
  s = SCRIPT_COMMON;
  const ch = String.fromCodePoint(cp);
  for (const { name, re } of SCRIPTS) {
    if (re.test(ch)) {
      s = SCRIPT_NAMES.indexOf(name);
      break;
    }
  }
  cache.set(cp, s);
  return s;
}

/**
 * The script the BPE trainer compares: Hiragana, Katakana and the prolonged sound mark
 * U+30FC count as Han, so Japanese words are not cut at every kana/kanji boundary.
 */
export function trainerScriptOf(cp: number): number {
  if (cp === 0x30fc) return SCRIPT_HAN;
  const s = scriptOf(cp);
  return s === SCRIPT_HIRAGANA || s === SCRIPT_KATAKANA ? SCRIPT_HAN : s;
}

export function scriptName(index: number): string {
  return SCRIPT_NAMES[index] ?? 'Unknown';
}
