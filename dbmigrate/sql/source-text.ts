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

/**
 * A text and its UTF-8 encoding, with line starts indexed once, on first use: a parse served
 * from the cache carries one for every file, and a run that names no position (a no-op `up`,
 * `status`) never needs it.
 */
export class SourceText {
  private encoded?: Buffer;
  private indexed?: { lineStarts: number[]; lineIndexes: number[] };
  /**
   * The last position asked for. Callers ask in file order, so the next answer decodes only the
   * bytes since this one: mapping every statement of a file costs one pass over it, however
   * long its lines are.
   */
  private cursor = { byte: 0, line: 0, column: 1, index: 0 };

  constructor(readonly text: string) {}

  /** The text's UTF-8 bytes. */
  get bytes(): Buffer {
    this.encoded ??= Buffer.from(this.text, "utf8");
    return this.encoded;
  }

  /** Byte offset of the first byte of each line. */
  private get lineStarts(): number[] {
    return this.lines().lineStarts;
  }

  /** JavaScript index (UTF-16 units) of the first character of each line. */
  private get lineIndexes(): number[] {
    return this.lines().lineIndexes;
  }

  private lines(): { lineStarts: number[]; lineIndexes: number[] } {
    if (this.indexed) return this.indexed;
    const { bytes, text } = this;
    const lineStarts = [0];
    const lineIndexes = [0];
    // 0x0A never occurs inside a multi-byte UTF-8 sequence, so counting it in bytes is exact.
    for (let k = 0; k < bytes.length; k++) if (bytes[k] === 0x0a) lineStarts.push(k + 1);
    for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 0x0a) lineIndexes.push(k + 1);
    this.indexed = { lineStarts, lineIndexes };
    return this.indexed;
  }

  /** The text between two byte offsets. */
  slice(fromByte: number, toByte: number): string {
    return this.bytes.subarray(fromByte, toByte).toString("utf8");
  }

  /** Where the byte at `byteOffset` is (an offset inside a character counts as that character). */
  atByte(byteOffset: number): TextPosition {
    let offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    // A UTF-8 continuation byte (10xxxxxx) is inside a character: step back to its first byte.
    while (offset > 0 && offset < this.bytes.length && (this.bytes[offset] & 0xc0) === 0x80) offset--;
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    const from =
      this.cursor.line === low && this.cursor.byte <= offset
        ? this.cursor
        : { byte: this.lineStarts[low], line: low, column: 1, index: this.lineIndexes[low] };
    let column = from.column;
    let index = from.index;
    for (const ch of this.slice(from.byte, offset)) {
      column++;
      index += ch.length;
    }
    this.cursor = { byte: offset, line: low, column, index };
    return { line: low + 1, column, index };
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

/**
 * The line of a server error: `position` is the 1-based character position in the statement's
 * text that PostgreSQL reports with an error (the field `position`).
 */
export function lineOfPosition(statement: { sql: string; line: number }, position: number | undefined): number {
  if (position === undefined || !Number.isFinite(position) || position <= 1) return statement.line;
  let line = statement.line;
  let count = 0;
  for (const ch of statement.sql) {
    if (++count >= position) break;
    if (ch === "\n") line++;
  }
  return line;
}
