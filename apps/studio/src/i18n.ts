import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

type Messages = Record<string, unknown>;
// Strings live only in message files: src/messages/<lang>.json (namespace "common") and
// src/pages/<stage>/messages/<lang>.json (namespace "<stage>").
const common = import.meta.glob<Messages>('./messages/*.json', { eager: true, import: 'default' });
const pages = import.meta.glob<Messages>('./pages/*/messages/*.json', { eager: true, import: 'default' });

export function messageBundles(): Record<string, Record<string, Messages>> {
  const resources: Record<string, Record<string, Messages>> = {};
  const add = (lang: string, ns: string, m: Messages) => {
    resources[lang] ??= {};
    resources[lang][ns] = m;
  };
  for (const [path, m] of Object.entries(common)) add(/(\w+)\.json$/.exec(path)![1], 'common', m);
  for (const [path, m] of Object.entries(pages)) {
    const [, ns, lang] = /pages\/([\w-]+)\/messages\/(\w+)\.json$/.exec(path)!;
    add(lang, ns, m);
  }
  return resources;
}

const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('puyu-studio-lang') : null;
const initial: Language = stored === 'zh' || stored === 'en' ? stored : navigator.language.startsWith('zh') ? 'zh' : 'en';

void i18n.use(initReactI18next).init({
  resources: messageBundles(),
  lng: initial,
  fallbackLng: false,
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
  saveMissing: true,
  // A key missing from a message file is a bug: say so on the console (the browser suite fails on it).
  missingKeyHandler: (lngs, ns, key) => console.error(`i18n: missing ${lngs.join(',')}/${ns}:${key}`),
});

export function setLanguage(lang: Language): void {
  localStorage.setItem('puyu-studio-lang', lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

document.documentElement.lang = initial;
export default i18n;
