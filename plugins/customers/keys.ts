/**
 * Duplicate keys: a customer's name, phone and email normalised so that spelling variants of the
 * same customer compare equal. Names lose case, width, whitespace, punctuation and legal-form
 * suffixes (有限公司, Co., Ltd., Inc., GmbH ...); phones keep their digits without China's country
 * code and a landline's trunk 0, so +86 21 ... and (021) ... compare equal; emails are lower-cased.
 */
const SUFFIXES = [
  "股份有限公司",
  "有限责任公司",
  "集团有限公司",
  "有限公司",
  "集团公司",
  "分公司",
  "公司",
  "集团",
  "coltd",
  "companylimited",
  "colimited",
  "limited",
  "ltd",
  "llc",
  "inc",
  "incorporated",
  "corp",
  "corporation",
  "gmbh",
  "plc",
  "pteltd",
  "pte",
  "co",
  "company",
  "sa",
  "ag",
  "bv",
];

export function nameKey(name: unknown): string | null {
  if (typeof name !== "string") return null;
  let s = name.normalize("NFKC").toLowerCase();
  s = s.replace(/[（(][^）)]*[)）]/g, (m) => (/集团|group/.test(m) ? "" : m));
  s = s.replace(/[\s\p{P}\p{S}]+/gu, "");
  for (let changed = true; changed;) {
    changed = false;
    for (const suffix of SUFFIXES) {
      if (s.length > suffix.length + 1 && s.endsWith(suffix)) {
        s = s.slice(0, -suffix.length);
        changed = true;
      }
    }
  }
  return s || null;
}

export function phoneKey(phone: unknown): string | null {
  if (typeof phone !== "string") return null;
  let d = phone.replace(/\D+/g, "");
  // China's country code (+86, 0086, or 86 before an 11-digit mobile) and a landline's trunk 0 go.
  if (/^\s*\+\s*86/.test(phone) || d.startsWith("0086")) d = d.replace(/^(00)?86/, "");
  else if (d.startsWith("86") && d.length === 13) d = d.slice(2);
  d = d.replace(/^0(?=[1-9])/, "");
  return d.length >= 5 ? d : null;
}

export function emailKey(email: unknown): string | null {
  return typeof email === "string" && email.includes("@") ? email.trim().toLowerCase() : null;
}
