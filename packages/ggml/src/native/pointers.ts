declare const pointee: unique symbol;

/**
 * An opaque C pointer as koffi 3 hands it back: a bigint address (a NULL return comes
 * back as `null`), branded with what it points to. koffi's bigint pointers carry no C
 * type — passing a tensor where a context is expected "works" and then crashes
 * (koffi doc/migration.md) — so the brand is the only thing that catches the swap,
 * at compile time. `Ptr` alone (any kind) is what `void*` parameters accept.
 */
export type Ptr<Kind extends string = string> = bigint & { readonly [pointee]: Kind };

export type ContextPtr = Ptr<'ggml_context'>;
export type TensorPtr = Ptr<'ggml_tensor'>;
export type GraphPtr = Ptr<'ggml_cgraph'>;
export type BackendPtr = Ptr<'ggml_backend'>;
export type BackendRegPtr = Ptr<'ggml_backend_reg'>;
export type BufferTypePtr = Ptr<'ggml_backend_buffer_type'>;
export type BufferPtr = Ptr<'ggml_backend_buffer'>;
export type GallocrPtr = Ptr<'ggml_gallocr'>;
export type SchedPtr = Ptr<'ggml_backend_sched'>;
/** A C function pointer (a proc address, a registered callback). */
export type FnPtr = Ptr<'function'>;

/**
 * Reinterprets a raw address read out of native memory (e.g. a `src[]` field of a
 * ggml_tensor header) as the kind the caller knows it to be. The one unchecked cast.
 */
export function asPtr<Kind extends string>(address: bigint): Ptr<Kind> {
  return address as Ptr<Kind>;
}
