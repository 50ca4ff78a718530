// A minimal .xlsx (zip) editor for the browser scenarios: replace text in the workbook's
// XML parts and write the zip again (stored, not compressed). Only what a test needs:
// Kusei's own workbooks, read from the bytes its download gave.

import zlib from 'node:zlib';

/** The entries of a zip: [{ name, data }] with data decompressed. */
export function unzip(buf) {
  // End of central directory: the last 0x06054b50.
  let eocd = -1;
  for (let i = buf.length - 22; i >= 0; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const lNameLen = buf.readUInt16LE(local + 26);
    const lExtraLen = buf.readUInt16LE(local + 28);
    const start = local + 30 + lNameLen + lExtraLen;
    const raw = buf.subarray(start, start + size);
    const data = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
    out.push({ name, data });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** A zip of `entries` ([{ name, data }]), every entry stored. */
export function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    locals.push(local, nameBuf, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** The workbook with `from` replaced by `to` in its XML parts; fails unless found once. */
export function replaceText(buf, from, to) {
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  let found = 0;
  const entries = unzip(buf).map(({ name, data }) => {
    if (!name.endsWith('.xml')) return { name, data };
    const text = data.toString('utf8');
    const parts = text.split(esc(from));
    found += parts.length - 1;
    return { name, data: Buffer.from(parts.join(esc(to)), 'utf8') };
  });
  if (found !== 1) throw new Error(`"${from}" found ${found} times in the workbook`);
  return zip(entries);
}

function sharedStrings(entries) {
  const ss = entries.find((e) => e.name === 'xl/sharedStrings.xml');
  if (!ss) return [];
  return [...ss.data.toString('utf8').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
    [...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join(''));
}

/**
 * The workbook with the number `from` replaced in the one row (of any sheet) whose text
 * cells include every one of `rowTexts`: by the number `to`, or by the text `to` when it
 * is a string (a broken cell). Fails unless exactly one such cell is found.
 */
export function setNumberInRow(buf, rowTexts, from, to) {
  const entries = unzip(buf);
  const strings = sharedStrings(entries);
  let found = 0;
  const out = entries.map(({ name, data }) => {
    if (!/^xl\/worksheets\/.*\.xml$/.test(name)) return { name, data };
    const xml = data.toString('utf8').replace(/<row[^>]*>[\s\S]*?<\/row>/g, (row) => {
      const texts = [...row.matchAll(/<c [^>]*t="s"[^>]*><v>(\d+)<\/v><\/c>/g)].map((m) => strings[Number(m[1])]);
      if (!rowTexts.every((t) => texts.includes(t))) return row;
      return row.replace(/<c r="([A-Z]+\d+)"((?: s="\d+")?)><v>([^<]*)<\/v><\/c>/g, (cell, ref, style, v) => {
        if (Number(v) !== from) return cell;
        found += 1;
        return typeof to === 'string'
          ? `<c r="${ref}"${style} t="inlineStr"><is><t>${to}</t></is></c>`
          : `<c r="${ref}"${style}><v>${to}</v></c>`;
      });
    });
    return { name, data: Buffer.from(xml, 'utf8') };
  });
  if (found !== 1) throw new Error(`${from} found ${found} times in the rows of ${rowTexts.join(' + ')}`);
  return zip(out);
}

/** The sheet name and the A1 cell of the number `from` in the row of `rowTexts`. */
export function cellOf(buf, rowTexts, from) {
  const entries = unzip(buf);
  const strings = sharedStrings(entries);
  const wb = entries.find((e) => e.name === 'xl/workbook.xml').data.toString('utf8');
  const sheets = [...wb.matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
  for (const { name, data } of entries) {
    const m = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(name);
    if (!m) continue;
    for (const row of data.toString('utf8').match(/<row[^>]*>[\s\S]*?<\/row>/g) ?? []) {
      const texts = [...row.matchAll(/<c [^>]*t="s"[^>]*><v>(\d+)<\/v><\/c>/g)].map((x) => strings[Number(x[1])]);
      if (!rowTexts.every((t) => texts.includes(t))) continue;
      for (const c of row.matchAll(/<c r="([A-Z]+\d+)"(?: s="\d+")?><v>([^<]*)<\/v><\/c>/g)) {
        if (Number(c[2]) === from) return { sheet: sheets[Number(m[1]) - 1], cell: c[1] };
      }
    }
  }
  throw new Error(`no ${from} in the rows of ${rowTexts.join(' + ')}`);
}

/**
 * The workbook with the text `from` replaced by `to` in the one row whose text cells
 * include every one of `rowTexts` and whose number cells include `rowNumber` (a plan
 * sheet's 要素キー). Fails unless exactly one such cell is found.
 */
export function setTextInRow(buf, rowTexts, rowNumber, from, to) {
  const entries = unzip(buf);
  const strings = sharedStrings(entries);
  let found = 0;
  const out = entries.map(({ name, data }) => {
    if (!/^xl\/worksheets\/.*\.xml$/.test(name)) return { name, data };
    const xml = data.toString('utf8').replace(/<row[^>]*>[\s\S]*?<\/row>/g, (row) => {
      const texts = [...row.matchAll(/<c [^>]*t="s"[^>]*><v>(\d+)<\/v><\/c>/g)].map((m) => strings[Number(m[1])]);
      const numbers = [...row.matchAll(/<c r="[A-Z]+\d+"(?: s="\d+")?><v>([^<]*)<\/v><\/c>/g)].map((m) => Number(m[1]));
      if (!rowTexts.every((t) => texts.includes(t)) || !numbers.includes(rowNumber)) return row;
      return row.replace(/<c r="([A-Z]+\d+)"((?: s="\d+")?) t="s"><v>(\d+)<\/v><\/c>/g, (cell, ref, style, v) => {
        if (strings[Number(v)] !== from) return cell;
        found += 1;
        return `<c r="${ref}"${style} t="inlineStr"><is><t>${to}</t></is></c>`;
      });
    });
    return { name, data: Buffer.from(xml, 'utf8') };
  });
  if (found !== 1) throw new Error(`"${from}" found ${found} times in the rows of ${rowTexts.join(' + ')} / ${rowNumber}`);
  return zip(out);
}
