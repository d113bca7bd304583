/**
 * Test strings for the tokenizer: hand-picked tricky cases and a seeded generator of random strings mixing
 * scripts, emoji, combining marks, control characters, unusual whitespace and lone surrogates.
 */
import { Rng } from "../../src/random";

/** Inputs where pre-tokenizers and encoders usually disagree. */
export const TRICKY: string[] = [
  "",
  " ",
  "hello world",
  "Hello, World! How's it going? I'm fine; you'll see, we've done it, they'd agree, it's Tom's.",
  "HE'LL WE'VE THEY'RE I'M YOU'D IT'S DON'T 'S 'll 'Ll 'lL x'ſ",
  "''s 's's ''' '",
  "1 12 123 1234 12345 123456789 3.14159 1,000,000 ١٢٣ ０１２ ⅷ ½",
  "  leading spaces",
  "trailing spaces   ",
  "a  b   c    d",
  "\t\ttabs\tand\t spaces \t",
  "line1\nline2\n\nline4\r\nwindows\r\n\r\n  indented\n\t\n",
  "\n\n\n",
  " \n \n ",
  "x\n  \n  y",
  "nbsp\u00a0here\u00a0\u00a0x",
  "nel\u0085x \u0085 y",
  "bom\ufeffx \ufeff",
  "ideographic\u3000space\u3000\u3000z",
  "em\u2003space\u2028line\u2029para",
  "zero\u200bwidth\u200djoiner",
  "emoji 😀😃 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇩🇪 ❤️",
  "😀",
  "🤖🤖🤖🤖",
  "中文字符测试，你好世界！日本語のテキスト、カタカナ。한국어 텍스트입니다.",
  "العربية من اليمين إلى اليسار، مع أرقام ١٢٣ and English",
  "עברית עם ניקוד: שָׁלוֹם",
  "combining: e\u0301 a\u0300\u0301\u0302 Z\u0351\u0352\u0353 n\u0303o",
  "Ελληνικά και Русский текст, Türkçe İı, Ǆǅǆ, ß ẞ",
  "ไทย ภาษา",
  "हिन्दी पाठ",
  "math: ∀x∈ℝ, x²≥0 ⇒ √(x²)=|x| ∑∫∂",
  "code: function f(x) { return x*2; } // comment\n\tif (a<=b && c!==d) {}",
  '<html><body class="x">text &amp; more</body></html>',
  "URLs: https://example.com/path?q=1&r=two#frag, mailto:a@b.co",
  "NUL\u0000in\u0000the\u0000middle\u0000",
  "\u0001\u0002\u0007\u001b[31mred\u001b[0m",
  "----====____....!!!???",
  "........................................",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "<|endoftext|> is special only when allowed",
];

/** Building blocks for random strings, grouped so every kind shows up often. */
const POOLS: string[][] = [
  [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"],
  [..."0123456789"],
  [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u0085", "\u3000", "\u2028", "\ufeff", "\u200b"],
  [...".,;:!?-_()[]{}<>/\\|@#$%^&*+=~`\"'"],
  ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "'ſ"],
  [..."éèêëàâäôöûüçñßøåæœÉÀÇ"],
  ["e\u0301", "a\u0308", "\u0301", "\u0327", "o\u0303\u0304"],
  [..."中文字符日本語のテキスト한국어텍스트"],
  [..."العربيةעברית"],
  ["😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "🤖", "𝔘𝔫𝔦"],
  ["\u0000", "\u0001", "\u007f", "\u001b"],
  ["\ud800", "\udc00", "\udbff", "\udfff"], // lone surrogates
  [..."ΑαΒβΓγДдЖжЯяİıſK"],
  ["١", "٢", "०", "½", "²", "Ⅷ"],
];

/** A random string of about `length` UTF-16 units; `surrogates: false` leaves out lone surrogates. */
export function randomString(rng: Rng, length: number, surrogates = true): string {
  let s = "";
  while (s.length < length) {
    let pool = POOLS[rng.int(POOLS.length)];
    if (!surrogates && pool[0] === "\ud800") pool = POOLS[0];
    const run = 1 + rng.int(6);
    for (let i = 0; i < run; i++) s += pool[rng.int(pool.length)];
  }
  return s;
}
