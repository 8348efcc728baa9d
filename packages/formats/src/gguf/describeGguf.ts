import type { GgufFile } from './GgufFile.js';
import { type GgufArrayValue, type GgufValue, GgufValueType } from './types.js';

export interface DescribeGgufOptions {
  /** Array items shown before eliding the rest (default 8). */
  maxArrayItems?: number;
  /** Longest string shown before truncation (default 120 chars). */
  maxStringLength?: number;
  /** List every tensor (default true); false prints only the per-type totals. */
  tensors?: boolean;
}

const TYPE_NAMES: Record<GgufValueType, string> = {
  [GgufValueType.UINT8]: 'u8',
  [GgufValueType.INT8]: 'i8',
  [GgufValueType.UINT16]: 'u16',
  [GgufValueType.INT16]: 'i16',
  [GgufValueType.UINT32]: 'u32',
  [GgufValueType.INT32]: 'i32',
  [GgufValueType.FLOAT32]: 'f32',
  [GgufValueType.BOOL]: 'bool',
  [GgufValueType.STRING]: 'str',
  [GgufValueType.ARRAY]: 'arr',
  [GgufValueType.UINT64]: 'u64',
  [GgufValueType.INT64]: 'i64',
  [GgufValueType.FLOAT64]: 'f64',
};

function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(2)} ${units[i]}`;
}

function showScalar(v: unknown, maxLen: number): string {
  if (typeof v === 'string') {
    const s = JSON.stringify(v.length > maxLen ? v.slice(0, maxLen) : v);
    return v.length > maxLen ? `${s}… (${v.length} chars)` : s;
  }
  return String(v);
}

function showValue(v: GgufValue, o: Required<DescribeGgufOptions>): string {
  if (v.type !== GgufValueType.ARRAY) return showScalar(v.value, o.maxStringLength);
  const a = v as GgufArrayValue;
  const items = a.items as unknown[];
  const shown = items
    .slice(0, o.maxArrayItems)
    .map((x) => (a.itemType === GgufValueType.ARRAY ? showValue(x as GgufArrayValue, o) : showScalar(x, o.maxStringLength)));
  const more = items.length > o.maxArrayItems ? `, … ${items.length - o.maxArrayItems} more` : '';
  return `[${shown.join(', ')}${more}]`;
}

function typeLabel(v: GgufValue): string {
  return v.type === GgufValueType.ARRAY ? `arr[${TYPE_NAMES[v.itemType]},${v.items.length}]` : TYPE_NAMES[v.type];
}

/** A `gguf-dump`-style text summary: header, metadata, per-type totals and the tensor table. */
export function describeGguf(file: GgufFile, options: DescribeGgufOptions = {}): string {
  const o: Required<DescribeGgufOptions> = { maxArrayItems: 8, maxStringLength: 120, tensors: true, ...options };
  const lines: string[] = [];
  lines.push(`${file.path}`);
  lines.push(
    `GGUF v${file.version}, ${humanBytes(file.fileSize)}, ${file.metadata.size} metadata entries, ${file.tensors.length} tensors, alignment ${file.alignment}, data at offset ${file.dataOffset}`,
  );
  if (file.architecture) lines.push(`architecture: ${file.architecture}`);
  lines.push('', 'metadata:');
  const keyWidth = Math.min(48, Math.max(0, ...[...file.metadata.keys()].map((k) => k.length)));
  for (const [k, v] of file.metadata) lines.push(`  ${k.padEnd(keyWidth)}  ${typeLabel(v).padEnd(16)}  ${showValue(v, o)}`);

  const byType = new Map<string, { count: number; bytes: number; elements: number }>();
  for (const t of file.tensors) {
    const e = byType.get(t.typeName) ?? { count: 0, bytes: 0, elements: 0 };
    e.count++;
    e.bytes += t.byteLength;
    e.elements += t.nElements;
    byType.set(t.typeName, e);
  }
  const totalElements = file.tensors.reduce((a, t) => a + t.nElements, 0);
  const totalBytes = file.tensors.reduce((a, t) => a + t.byteLength, 0);
  lines.push('', `tensors: ${file.tensors.length}, ${totalElements.toLocaleString('en-US')} parameters, ${humanBytes(totalBytes)}`);
  for (const [name, e] of [...byType].sort((a, b) => b[1].bytes - a[1].bytes)) {
    const bpw = e.elements ? ((e.bytes * 8) / e.elements).toFixed(2) : '0';
    lines.push(`  ${name.padEnd(8)} ${String(e.count).padStart(5)} tensors  ${humanBytes(e.bytes).padStart(11)}  ${bpw} bits/weight`);
  }
  if (o.tensors && file.tensors.length > 0) {
    lines.push('');
    const nameWidth = Math.max(...file.tensors.map((t) => t.name.length));
    for (const t of file.tensors) {
      lines.push(`  ${t.name.padEnd(nameWidth)}  ${t.typeName.padEnd(7)}  [${t.ne.join(', ')}]  ${humanBytes(t.byteLength)} @ ${t.offset}`);
    }
  }
  return lines.join('\n');
}
