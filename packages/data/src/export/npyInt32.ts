/**
 * A 2-D int32 array in NumPy's .npy format, version 1.0 (what `np.save(f, np.array(x, dtype=np.int32))`
 * writes): the magic, a little-endian header length, a Python-dict header padded with spaces to a
 * multiple of 64 bytes and ending in a newline, then the values in C order.
 */
export function npyInt32(rows: ReadonlyArray<readonly number[]>, cols: number): Buffer {
  let header = `{'descr': '<i4', 'fortran_order': False, 'shape': (${rows.length}, ${cols}), }`;
  const pre = 10; // magic (6) + version (2) + header length (2)
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = `${header}${' '.repeat(total - pre - header.length - 1)}\n`;
  const out = Buffer.alloc(total + rows.length * cols * 4);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, pre, 'latin1');
  let o = total;
  for (const r of rows)
    for (let c = 0; c < cols; c++) {
      out.writeInt32LE(r[c] as number, o);
      o += 4;
    }
  return out;
}
