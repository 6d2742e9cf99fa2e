/**
 * The subset of the tars binary encoding that FISCO BCOS 3.x transactions use (TarsCpp `servant/tup/Tars.h`),
 * written the way FISCO's C++ code generator writes it: fields in ascending tag order, optional fields equal to
 * their default (0, "", empty bytes) left out, integers compacted by value, multi-byte numbers big-endian.
 * See ../../shared/fisco-native-transactions.md §4.
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

/** Head byte(s): (tag << 4) | type for tag < 15, else 0xF0 | type followed by the tag. */
export function head(tag: number, type: number): Buffer {
  if (!Number.isInteger(tag) || tag < 0 || tag > 255) throw new RangeError(`tars tag must be 0..255 (got ${tag})`);
  return tag < 15 ? Buffer.from([(tag << 4) | type]) : Buffer.from([0xf0 | type, tag]);
}

/** An integer field, compacted by value: ZeroTag, Char, Short, Int32 or Int64. */
export function encodeInt(tag: number, value: number | bigint): Buffer {
  const v = BigInt(value);
  if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`tars integer out of int64 range: ${v}`);
  if (v === 0n) return head(tag, TarsType.ZeroTag);
  if (v >= -128n && v <= 127n) return Buffer.concat([head(tag, TarsType.Char), signedBigEndian(v, 1)]);
  if (v >= -32768n && v <= 32767n) return Buffer.concat([head(tag, TarsType.Short), signedBigEndian(v, 2)]);
  if (v >= -(2n ** 31n) && v < 2n ** 31n) return Buffer.concat([head(tag, TarsType.Int32), signedBigEndian(v, 4)]);
  return Buffer.concat([head(tag, TarsType.Int64), signedBigEndian(v, 8)]);
}

/** Two's complement, big-endian, in exactly `bytes` bytes. */
function signedBigEndian(value: bigint, bytes: number): Buffer {
  let v = BigInt.asUintN(bytes * 8, value);
  const out = Buffer.alloc(bytes);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A string field: String1 (1-byte length) up to 255 bytes, String4 (4-byte length) above. Raw bytes, no UTF-8 check. */
export function encodeString(tag: number, value: string | Uint8Array): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  if (bytes.length <= 255) return Buffer.concat([head(tag, TarsType.String1), Buffer.from([bytes.length]), bytes]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([head(tag, TarsType.String4), length, bytes]);
}

/** A vector<byte> field: SimpleList head, an inner Char head with tag 0, the length as a tag-0 integer, the bytes. */
export function encodeBytes(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([head(tag, TarsType.SimpleList), head(0, TarsType.Char), encodeInt(0, value.length), Buffer.from(value)]);
}

/** A nested struct field: StructBegin head, the already-encoded fields, StructEnd (tag 0). */
export function encodeStruct(tag: number, fields: Buffer): Buffer {
  return Buffer.concat([head(tag, TarsType.StructBegin), fields, head(0, TarsType.StructEnd)]);
}

/** Optional-field helpers: what tars2cpp's generated writeTo emits, nothing when the value is the default. */
export const optional = {
  int: (tag: number, value: number | bigint) => (BigInt(value) === 0n ? Buffer.alloc(0) : encodeInt(tag, value)),
  string: (tag: number, value: string) => (value === "" ? Buffer.alloc(0) : encodeString(tag, value)),
  bytes: (tag: number, value: Uint8Array) => (value.length === 0 ? Buffer.alloc(0) : encodeBytes(tag, value)),
};
