/**
 * The subset of the tars binary encoding that FISCO BCOS 3.x transactions use (TarsCpp `servant/tup/Tars.h`),
 * written the way FISCO's C++ code generator writes it: fields in ascending tag order, optional fields equal to
 * their default (0, "", empty bytes) left out, integers compacted by value, multi-byte numbers big-endian.
 * See ../../shared/fisco-native-transactions.md §4.
 *
 * TarsWriter appends into one growing buffer (what the load generator's signing workers use, tens of thousands of
 * transactions a second); the encodeX functions return one field each, for tests and small callers.
 */

/** Tars head type ids. */
export const TarsType = {
  Char: 0,
  Short: 1,
  Int32: 2,
  Int64: 3,
  String1: 6,
  String4: 7,
  StructBegin: 10,
  StructEnd: 11,
  ZeroTag: 12,
  SimpleList: 13,
} as const;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Appends tars fields to one buffer. Every method returns the writer, for chaining. */
export class TarsWriter {
  private buf = Buffer.allocUnsafe(256);
  private length = 0;

  /** Head byte(s): (tag << 4) | type for tag < 15, else 0xF0 | type followed by the tag. @throws RangeError for a bad tag */
  head(tag: number, type: number): this {
    if (!Number.isInteger(tag) || tag < 0 || tag > 255) throw new RangeError(`tars tag must be 0..255 (got ${tag})`);
    if (tag < 15) return this.byte((tag << 4) | type);
    return this.byte(0xf0 | type).byte(tag);
  }

  /** An integer field, compacted by value: ZeroTag, Char, Short, Int32 or Int64. @throws RangeError outside int64 */
  int(tag: number, value: number | bigint): this {
    if (typeof value === "number" && Number.isSafeInteger(value)) return this.smallInt(tag, value);
    const v = BigInt(value);
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`tars integer out of int64 range: ${v}`);
    if (v >= -(2n ** 31n) && v < 2n ** 31n) return this.smallInt(tag, Number(v));
    this.head(tag, TarsType.Int64).reserve(8);
    this.buf.writeBigInt64BE(v, this.length);
    this.length += 8;
    return this;
  }

  /** A string field: String1 (1-byte length) up to 255 bytes, String4 (4-byte length) above. Raw bytes, no UTF-8 check. */
  string(tag: number, value: string | Uint8Array): this {
    const size = typeof value === "string" ? Buffer.byteLength(value) : value.length;
    if (size <= 255) this.head(tag, TarsType.String1).byte(size);
    else this.head(tag, TarsType.String4).uint32(size);
    return this.raw(value, size);
  }

  /** A vector<byte> field: SimpleList head, an inner Char head with tag 0, the length as a tag-0 integer, the bytes. */
  bytes(tag: number, value: Uint8Array): this {
    return this.head(tag, TarsType.SimpleList).head(0, TarsType.Char).int(0, value.length).raw(value, value.length);
  }

  /** A nested struct field: StructBegin head, the fields `body` writes, StructEnd (tag 0). */
  struct(tag: number, body: (w: this) => void): this {
    this.head(tag, TarsType.StructBegin);
    body(this);
    return this.head(0, TarsType.StructEnd);
  }

  /** Already-encoded fields, as they are. */
  encoded(fields: Uint8Array): this {
    return this.raw(fields, fields.length);
  }

  /** Optional fields as tars2cpp's generated writeTo writes them: nothing when the value is the default. */
  optionalInt(tag: number, value: number | bigint): this {
    return value === 0 || value === 0n ? this : this.int(tag, value);
  }

  optionalString(tag: number, value: string): this {
    return value === "" ? this : this.string(tag, value);
  }

  optionalBytes(tag: number, value: Uint8Array): this {
    return value.length === 0 ? this : this.bytes(tag, value);
  }

  /** The bytes written so far (a copy). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }

  /** The bytes written so far as lowercase hex, without 0x. */
  toHex(): string {
    return this.buf.toString("hex", 0, this.length);
  }

  private smallInt(tag: number, v: number): this {
    if (v === 0) return this.head(tag, TarsType.ZeroTag);
    if (v >= -128 && v <= 127) return this.head(tag, TarsType.Char).byte(v & 0xff);
    if (v >= -32768 && v <= 32767) {
      this.head(tag, TarsType.Short).reserve(2);
      this.length = this.buf.writeInt16BE(v, this.length);
      return this;
    }
    if (v >= -(2 ** 31) && v < 2 ** 31) {
      this.head(tag, TarsType.Int32).reserve(4);
      this.length = this.buf.writeInt32BE(v, this.length);
      return this;
    }
    return this.int(tag, BigInt(v));
  }

  private byte(b: number): this {
    this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }

  private uint32(n: number): this {
    this.reserve(4);
    this.length = this.buf.writeUInt32BE(n, this.length);
    return this;
  }

  private raw(value: string | Uint8Array, size: number): this {
    this.reserve(size);
    if (typeof value === "string") this.buf.write(value, this.length, size, "utf8");
    else this.buf.set(value, this.length);
    this.length += size;
    return this;
  }

  private reserve(n: number): this {
    if (this.length + n <= this.buf.length) return this;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
    return this;
  }
}

/** Head byte(s) of a field. */
export function head(tag: number, type: number): Buffer {
  return new TarsWriter().head(tag, type).toBuffer();
}

/** An integer field, compacted by value. */
export function encodeInt(tag: number, value: number | bigint): Buffer {
  return new TarsWriter().int(tag, value).toBuffer();
}

/** A string field (String1 up to 255 bytes, String4 above). */
export function encodeString(tag: number, value: string | Uint8Array): Buffer {
  return new TarsWriter().string(tag, value).toBuffer();
}

/** A vector<byte> field. */
export function encodeBytes(tag: number, value: Uint8Array): Buffer {
  return new TarsWriter().bytes(tag, value).toBuffer();
}

/** A nested struct field around already-encoded fields. */
export function encodeStruct(tag: number, fields: Buffer): Buffer {
  return new TarsWriter().struct(tag, (w) => w.encoded(fields)).toBuffer();
}
