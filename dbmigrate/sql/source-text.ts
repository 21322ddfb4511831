/**
 * Positions in a SQL text. The PostgreSQL parser counts in UTF-8 bytes (statement and token
 * locations) or in characters (error cursors); people and editors want a line and a column, and
 * JavaScript slices in UTF-16 units. This converts between them, so an emoji or an accented
 * letter before a statement never shifts the line or column a message names.
 */

/** A place in a text, in every unit a caller needs. */
export interface TextPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in characters (Unicode code points). */
  column: number;
  /** 0-based index into the JavaScript string (UTF-16 units). */
  index: number;
}

/** A text and its UTF-8 encoding, with line starts indexed once. */
export class SourceText {
  readonly bytes: Buffer;
  /** Byte offset of the first byte of each line. */
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, "utf8");
    // 0x0A never occurs inside a multi-byte UTF-8 sequence, so counting it in bytes is exact.
    for (let k = 0; k < this.bytes.length; k++) if (this.bytes[k] === 0x0a) this.lineStarts.push(k + 1);
  }

  /** The text between two byte offsets. */
  slice(fromByte: number, toByte: number): string {
    return this.bytes.subarray(fromByte, toByte).toString("utf8");
  }

  /** Where the byte at `byteOffset` is. */
  atByte(byteOffset: number): TextPosition {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    const before = this.slice(this.lineStarts[low], offset);
    return {
      line: low + 1,
      column: [...before].length + 1,
      index: this.slice(0, offset).length,
    };
  }

  /** Byte offset of the start of 1-based `line` (the end of the text past the last line). */
  byteOfLine(line: number): number {
    return this.lineStarts[line - 1] ?? this.bytes.length;
  }

  /** Where the character (code point) at 0-based `charOffset` is; the parser's error cursor counts so. */
  atChar(charOffset: number): TextPosition {
    let line = 1;
    let column = 1;
    let index = 0;
    let count = 0;
    for (const ch of this.text) {
      if (count >= charOffset) break;
      count++;
      index += ch.length;
      if (ch === "\n") {
        line++;
        column = 1;
      } else column++;
    }
    return { line, column, index };
  }
}
