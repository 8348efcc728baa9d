/**
 * GGUF v3 metadata value types (the numbering is the file format's, see ggml's gguf.h).
 * Values keep their declared type so a file can be rewritten byte-identically.
 */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** A scalar as held in JS: 64-bit integers are bigint, every other number is number. */
export type GgufScalar = number | bigint | boolean | string;

export type GgufScalarValue = { type: Exclude<GgufValueType, GgufValueType.ARRAY>; value: GgufScalar };
/** Arrays may nest (an array of arrays); `items` then holds GgufArrayValue entries. */
export type GgufArrayValue = { type: GgufValueType.ARRAY; itemType: GgufValueType; items: GgufScalar[] | GgufArrayValue[] };
export type GgufValue = GgufScalarValue | GgufArrayValue;

/** Typed constructors, so callers say what they mean: `gv.u32(2)`, `gv.strings(tokens)`. */
export const gv = {
  u8: (v: number): GgufScalarValue => ({ type: GgufValueType.UINT8, value: v }),
  i8: (v: number): GgufScalarValue => ({ type: GgufValueType.INT8, value: v }),
  u16: (v: number): GgufScalarValue => ({ type: GgufValueType.UINT16, value: v }),
  i16: (v: number): GgufScalarValue => ({ type: GgufValueType.INT16, value: v }),
  u32: (v: number): GgufScalarValue => ({ type: GgufValueType.UINT32, value: v }),
  i32: (v: number): GgufScalarValue => ({ type: GgufValueType.INT32, value: v }),
  f32: (v: number): GgufScalarValue => ({ type: GgufValueType.FLOAT32, value: v }),
  f64: (v: number): GgufScalarValue => ({ type: GgufValueType.FLOAT64, value: v }),
  u64: (v: bigint | number): GgufScalarValue => ({ type: GgufValueType.UINT64, value: BigInt(v) }),
  i64: (v: bigint | number): GgufScalarValue => ({ type: GgufValueType.INT64, value: BigInt(v) }),
  bool: (v: boolean): GgufScalarValue => ({ type: GgufValueType.BOOL, value: v }),
  str: (v: string): GgufScalarValue => ({ type: GgufValueType.STRING, value: v }),
  array: (itemType: GgufValueType, items: GgufScalar[] | GgufArrayValue[]): GgufArrayValue => ({
    type: GgufValueType.ARRAY,
    itemType,
    items,
  }),
  strings: (items: string[]): GgufArrayValue => ({ type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, items }),
  f32s: (items: ArrayLike<number>): GgufArrayValue => ({
    type: GgufValueType.ARRAY,
    itemType: GgufValueType.FLOAT32,
    items: Array.from(items),
  }),
  i32s: (items: ArrayLike<number>): GgufArrayValue => ({
    type: GgufValueType.ARRAY,
    itemType: GgufValueType.INT32,
    items: Array.from(items),
  }),
};

/** Metadata in file order (a Map keeps insertion order). */
export type GgufMetadata = Map<string, GgufValue>;

/** Plain JS view of a value (bigint kept), for printing and lookups. */
export function ggufPlain(v: GgufValue): unknown {
  if (v.type !== GgufValueType.ARRAY) return v.value;
  if (v.itemType === GgufValueType.ARRAY) return (v.items as GgufArrayValue[]).map(ggufPlain);
  return v.items;
}
