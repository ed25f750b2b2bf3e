/**
 * libpg_query reports locations as UTF-8 byte offsets; JavaScript strings
 * index UTF-16 code units. Statements are almost always ASCII, where both
 * agree, so the mapping table is built only for texts that need it.
 */

export type ByteToChar = (byteOffset: number) => number;

const NON_ASCII = /[^\x00-\x7f]/;

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

/**
 * A function from byte offsets in `text`'s UTF-8 encoding to string indices,
 * or undefined when the text is ASCII and the two are the same.
 */
export function byteToCharMapper(text: string): ByteToChar | undefined {
  if (!NON_ASCII.test(text)) return undefined;
  const byteLength = Buffer.byteLength(text, 'utf8');
  const map = new Int32Array(byteLength + 1);
  let byte = 0;
  for (let index = 0; index < text.length; ) {
    const codePoint = text.codePointAt(index) ?? 0;
    const length = utf8Length(codePoint);
    map.fill(index, byte, byte + length);
    byte += length;
    index += codePoint > 0xffff ? 2 : 1;
  }
  map[byteLength] = text.length;
  return (byteOffset) => map[Math.max(0, Math.min(byteLength, byteOffset))];
}
