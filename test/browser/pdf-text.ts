/**
 * A small reader of the PDFs Chromium prints (tests only): the text of every page, decoded through
 * each font's ToUnicode map (what a PDF reader's search and copy use), and the embedded fonts' names.
 * Enough for Chromium's output (Flate streams, Type0 or simple fonts with ToUnicode); not a general parser.
 */
import { inflateSync } from "node:zlib";

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function objects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString("latin1");
  const out = new Map<number, PdfObject>();
  const re = /(\d+) 0 obj\b/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].length;
    const end = text.indexOf("endobj", start);
    if (end < 0) break;
    const body = text.slice(start, end);
    const s = body.search(/stream\r?\n/);
    let dict = body;
    let stream: Buffer | null = null;
    if (s >= 0 && body.includes("endstream")) {
      dict = body.slice(0, s);
      const dataStart = start + s + body.slice(s).match(/^stream\r?\n/)![0].length;
      const len = /\/Length (\d+)(?! \d+ R)/.exec(dict);
      const dataEnd = len ? dataStart + Number(len[1]) : start + body.lastIndexOf("endstream");
      const raw = pdf.subarray(dataStart, dataEnd);
      try {
        stream = dict.includes("/FlateDecode") ? inflateSync(raw) : raw;
      } catch {
        stream = raw;
      }
    }
    out.set(Number(m[1]), { dict, stream });
    re.lastIndex = end;
  }
  return out;
}

interface CMap {
  bytes: number;
  map: Map<number, string>;
}

const utf16 = (hex: string): string => {
  let s = "";
  for (let i = 0; i + 4 <= hex.length; i += 4) s += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
  return s;
};

function parseCMap(src: string): CMap {
  const map = new Map<number, string>();
  const space = /begincodespacerange\s*<([0-9a-fA-F]+)>/.exec(src);
  const bytes = space ? space[1]!.length / 2 : 2;
  for (const block of src.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const p of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g))
      map.set(parseInt(p[1]!, 16), utf16(p[2]!));
  for (const block of src.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
    for (const p of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])/g)) {
      const lo = parseInt(p[1]!, 16);
      const hi = parseInt(p[2]!, 16);
      if (p[3]!.startsWith("[")) {
        [...p[3]!.matchAll(/<([0-9a-fA-F]+)>/g)].forEach((d, i) => map.set(lo + i, utf16(d[1]!)));
      } else {
        const base = p[3]!.slice(1, -1);
        const last = parseInt(base.slice(-4), 16);
        for (let c = lo; c <= hi; c++) map.set(c, utf16(base.slice(0, -4)) + String.fromCharCode(last + (c - lo)));
      }
    }
  return { bytes, map };
}

/** Every page's text in order (text objects joined without separators, pages by newlines) and the fonts. */
export function pdfText(pdf: Buffer): { text: string; fonts: string[] } {
  const objs = objects(pdf);
  const fontCMap = new Map<number, CMap>();
  const fonts: string[] = [];
  for (const [id, o] of objs) {
    const base = /\/BaseFont\s*\/([^\s/<>[\]]+)/.exec(o.dict);
    if (/\/Type\s*\/Font\b/.test(o.dict) && base) fonts.push(base[1]!);
    const tu = /\/ToUnicode (\d+) 0 R/.exec(o.dict);
    const cmap = tu ? objs.get(Number(tu[1])) : undefined;
    if (cmap?.stream) fontCMap.set(id, parseCMap(cmap.stream.toString("latin1")));
  }
  // Resource names -> font objects (Chromium names each font once per document).
  const byName = new Map<string, number>();
  for (const o of objs.values())
    for (const res of o.dict.matchAll(/\/Font\s*<<([^>]*)>>/g))
      for (const e of res[1]!.matchAll(/\/([^\s/]+)\s+(\d+) 0 R/g)) byName.set(e[1]!, Number(e[2]));
  const pages: string[] = [];
  for (const o of objs.values()) {
    if (!o.stream || /\/Type\s*\/(XObject|Font)|\/Subtype/.test(o.dict)) continue;
    const content = o.stream.toString("latin1");
    if (!/\bTf\b/.test(content)) continue;
    let cmap: CMap | undefined;
    let out = "";
    for (const t of content.matchAll(/\/([^\s/]+)\s+[\d.]+\s+Tf|<([0-9a-fA-F]*)>|\((?:\\.|[^\\)])*\)/g)) {
      if (t[1]) {
        cmap = fontCMap.get(byName.get(t[1]) ?? -1);
        continue;
      }
      if (t[2] === undefined || !cmap) continue;
      const step = cmap.bytes * 2;
      for (let i = 0; i + step <= t[2].length; i += step)
        out += cmap.map.get(parseInt(t[2].slice(i, i + step), 16)) ?? "";
    }
    pages.push(out);
  }
  return { text: pages.join("\n"), fonts };
}
