/**
 * The C source of Puyu's one custom ggml op: a contiguous copy of a strided (transposed) view,
 * tile by tile. Kept as a string so it ships inside the package's dist and is compiled on the
 * user's machine for its own CPU (transposeKernel.ts).
 *
 * ggml's CONT of a transposed view walks the destination element by element, computing a source
 * address for each: about 3–4 ns per f32 element on the reference machine, where a third of a
 * bf16 training step went into those copies (bench/train/profile.ts). Here a 32×32 tile's source
 * lines stay in L1 while they are read, and the destination is written a row at a time.
 *
 * The struct mirrors the head of ggml.h's `struct ggml_tensor` up to `data`; the offsets are
 * asserted at compile time and match the ones outProdToMulMat.ts reads (ne@16, nb@48, src@152).
 */
export const TRANSPOSE_KERNEL_C = `
#include <stddef.h>
#include <stdint.h>

struct puyu_tensor {
  int32_t type;
  void * buffer;
  int64_t ne[4];
  size_t nb[4];
  int32_t op;
  int32_t op_params[16];
  int32_t flags;
  void * src[10];
  void * view_src;
  size_t view_offs;
  void * data;
};
_Static_assert(offsetof(struct puyu_tensor, ne) == 16, "ggml_tensor.ne moved");
_Static_assert(offsetof(struct puyu_tensor, nb) == 48, "ggml_tensor.nb moved");
_Static_assert(offsetof(struct puyu_tensor, src) == 152, "ggml_tensor.src moved");
_Static_assert(offsetof(struct puyu_tensor, data) == 248, "ggml_tensor.data moved");

#define TILE 32

/* dst (contiguous, a's shape) = a (any strides); element size 2 or 4 bytes (dst->nb[0]).
   Work is split across ggml's threads by tile rows of every 2-D plane. */
void puyu_cont_tiled(struct puyu_tensor * dst, const struct puyu_tensor * a, int ith, int nth, void * userdata) {
  (void) userdata;
  const int64_t n0 = a->ne[0], n1 = a->ne[1], n2 = a->ne[2], n3 = a->ne[3];
  const size_t s0 = a->nb[0], s1 = a->nb[1], s2 = a->nb[2], s3 = a->nb[3];
  const size_t es = dst->nb[0];
  const int64_t rows_of_tiles = (n1 + TILE - 1) / TILE;
  const int64_t units = rows_of_tiles * n2 * n3;
  const int64_t per = (units + nth - 1) / nth;
  const int64_t u0 = (int64_t) ith * per;
  const int64_t u1 = u0 + per < units ? u0 + per : units;
  for (int64_t u = u0; u < u1; u++) {
    const int64_t t1 = u % rows_of_tiles, plane = u / rows_of_tiles;
    const int64_t i2 = plane % n2, i3 = plane / n2;
    const char * src = (const char *) a->data + i2 * s2 + i3 * s3;
    char * out = (char *) dst->data + (size_t) ((i3 * n2 + i2) * n1 * n0) * es;
    const int64_t i1a = t1 * TILE, i1b = i1a + TILE < n1 ? i1a + TILE : n1;
    for (int64_t i0a = 0; i0a < n0; i0a += TILE) {
      const int64_t i0b = i0a + TILE < n0 ? i0a + TILE : n0;
      if (es == 4) {
        for (int64_t i1 = i1a; i1 < i1b; i1++) {
          float * o = (float *) out + i1 * n0;
          const char * r = src + i1 * s1;
          for (int64_t i0 = i0a; i0 < i0b; i0++) o[i0] = *(const float *) (r + i0 * s0);
        }
      } else {
        for (int64_t i1 = i1a; i1 < i1b; i1++) {
          uint16_t * o = (uint16_t *) out + i1 * n0;
          const char * r = src + i1 * s1;
          for (int64_t i0 = i0a; i0 < i0b; i0++) o[i0] = *(const uint16_t *) (r + i0 * s0);
        }
      }
    }
  }
}
`;
