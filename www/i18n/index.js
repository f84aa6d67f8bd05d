// The page's languages: English (the words in index.html and in each panel's TEXT table) and
// Chinese (www/i18n/zh.js). The language is chosen from navigator.language on the first visit,
// kept in localStorage, and switched without a reload: panels get their words through `words()`
// (a live view of the current table, so whatever a panel renders next is in the new language)
// and re-render their current state; index.html's own text is translated in place.
import EN from './en.js';
import ZH from './zh.js';

/** The tables, by language tag. Every table has the same keys (tests/e2e/i18n.test.mjs checks). */
export const TABLES = { en: EN, zh: ZH };
/** The languages offered, in the switch's order. */
export const LANGS = ['en', 'zh'];
const STORE = 'wsprism.lang';

function firstLang() {
  let saved = null;
  try { saved = localStorage.getItem(STORE); } catch { /* storage off: choose again each visit */ }
  if (saved && TABLES[saved]) return saved;
  const prefs = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']);
  for (const p of prefs) {
    const base = String(p).toLowerCase().split('-')[0];
    if (TABLES[base]) return base;
  }
  return 'en';
}

let lang = firstLang();
const listeners = [];

/** The current language tag ('en' or 'zh'). */
export const currentLang = () => lang;
/** The current table. */
export const table = () => TABLES[lang];

/**
 * A live view of one section of the current table (`words('decode')` → the decode panel's words):
 * reading a key always reads the current language, so panels keep one `text` object for life.
 */
export function words(name) {
  return new Proxy({}, {
    get: (_, k) => TABLES[lang][name][k],
    has: (_, k) => k in TABLES[lang][name],
    ownKeys: () => Reflect.ownKeys(TABLES[lang][name]),
    getOwnPropertyDescriptor: (_, k) => ({ value: TABLES[lang][name][k], enumerable: true, configurable: true }),
  });
}

/** Calls fn(lang) after every switch (panels re-render their state here). */
export function onLangChange(fn) {
  listeners.push(fn);
}

// ---- index.html's own text ------------------------------------------------------------------
// The static page is English. Its translatable units are found once, before any panel draws:
// an element holding text and only inline markup is one unit (its innerHTML, whitespace
// collapsed, is the key into the table's `page` section); in an element that also holds
// controls (a <label> around an <input>), each text node is a unit of its own; aria-label,
// title and placeholder attributes and the document title are units too.
const INLINE = new Set(['CODE', 'EM', 'I', 'B', 'STRONG', 'SMALL', 'A', 'SPAN', 'KBD', 'BR', 'ABBR', 'SUP', 'SUB']);
const ATTRS = ['aria-label', 'title', 'placeholder'];
const norm = (s) => s.replace(/\s+/g, ' ').trim();
const hasText = (e) => Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.data.trim());
const onlyInline = (e) => Array.from(e.querySelectorAll('*')).every((c) => INLINE.has(c.tagName) && !c.id);
let units = null;

/** The page's translatable units: [{ key, get(), set(v) }] (found on the first call). */
export function pageUnits() {
  if (units) return units;
  units = [];
  units.push({ key: norm(document.title), get: () => document.title, set: (v) => { document.title = v; } });
  const visit = (e) => {
    if (e.tagName === 'SCRIPT' || e.tagName === 'STYLE' || e.hasAttribute('data-no-i18n')) return;
    for (const a of ATTRS) {
      if (e.hasAttribute(a) && /[A-Za-z]{2}/.test(e.getAttribute(a))) {
        units.push({ key: norm(e.getAttribute(a)), get: () => e.getAttribute(a), set: (v) => e.setAttribute(a, v) });
      }
    }
    if (hasText(e) && onlyInline(e) && e.tagName !== 'TEXTAREA') {
      if (/[A-Za-z]{2}/.test(e.textContent)) units.push({ key: norm(e.innerHTML), get: () => e.innerHTML, set: (v) => { e.innerHTML = v; } });
      return;
    }
    for (const n of Array.from(e.childNodes)) {
      if (n.nodeType === 3 && /[A-Za-z]{2}/.test(n.data) && e.tagName !== 'TEXTAREA') {
        const lead = /^\s*/.exec(n.data)[0];
        const trail = /\s*$/.exec(n.data)[0];
        units.push({ key: norm(n.data), get: () => n.data, set: (v) => { n.data = lead + v + trail; } });
      } else if (n.nodeType === 1) visit(n);
    }
  };
  visit(document.body);
  for (const u of units) u.shown = u.get();
  return units;
}

/** The page's words in `l`: the key itself for English, the table's `page` entry otherwise. */
export const pageWord = (key, l = lang) => (l === 'en' ? key : TABLES[l].page[key]);

function applyPage() {
  for (const u of pageUnits()) {
    // a panel may have replaced a unit's text since (a status line): leave that to the panel
    if (u.get() !== u.shown) continue;
    const v = pageWord(u.key);
    if (v == null) continue;
    u.set(v);
    u.shown = u.get();
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** Switches to `l` (stored for the next visit) and re-renders everything; no reload. */
export function setLang(l) {
  if (!TABLES[l]) throw new RangeError('no such language: ' + l);
  lang = l;
  try { localStorage.setItem(STORE, l); } catch { /* storage off */ }
  applyPage();
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === l));
  for (const fn of listeners) fn(l);
}

/** Finds the page's units, translates them to the chosen language and wires the switch buttons. */
export function startI18n() {
  pageUnits();
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => setLang(b.getAttribute('data-lang')));
  setLang(lang);
}
