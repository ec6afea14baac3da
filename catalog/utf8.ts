import { isUtf8 } from "node:buffer";

/** Where a file stops being UTF-8: the byte offset, the byte, and the 1-based line and column it sits on. */
export interface NotUtf8 {
  offset: number;
  byte: number;
  line: number;
  column: number;
}

/**
 * Decodes a file as UTF-8, or says where it is not. Node's "utf8" decoding turns bad bytes into U+FFFD without a
 * word, so a Latin-1 "é" in a description or env value would reach the cloud as "�".
 */
export function decodeUtf8(bytes: Buffer): { text: string } | { error: NotUtf8 } {
  if (isUtf8(bytes)) return { text: bytes.toString("utf8") };
  const offset = firstInvalidByte(bytes);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const column = bytes.subarray(lineStart, offset).toString("utf8").length + 1;
  return { error: { offset, byte: bytes[offset] ?? 0, line, column } };
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidByte(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}
