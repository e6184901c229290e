// Side modules built twice: `<name>.so` (plain WebAssembly SIMD) and
// `<name>.relaxed-simd.so` (with relaxed-SIMD fused multiply-adds, faster
// where the engine has them). A package may ship both; the unpacker
// (unpack.mjs, or kiln._packages) writes the one this engine accepts, under
// the plain one's name (the name its dependents link against).

// (func (param v128 v128 v128) (result v128) f64x2.relaxed_madd)
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0,
  0x0a, 0x0d, 1, 0x0b, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x87, 0x02, 0x0b,
]);

let relaxedSimd;

export function engineHasRelaxedSimd() {
  relaxedSimd ??= WebAssembly.validate(RELAXED_SIMD_PROBE);
  return relaxedSimd;
}
