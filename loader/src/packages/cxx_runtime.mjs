// The C++ runtime (libc++, libc++abi, libunwind) is not in the core: it ships
// as the package libcxx. The lock file makes its own C++ packages depend on
// it; this catches the others (wheels micropip installs), by reading the
// import section of their side modules before they load.

export const CXX_RUNTIME = "libcxx";

// Names only the C++ runtime defines: mangled C++ (_Z...), the Itanium ABI's
// __cxa_* (but for libc's __cxa_atexit and __cxa_finalize, in the core) and
// __gxx_personality_*, and libunwind's _Unwind_*.
const RUNTIME_NAME = /^(_Z|__cxa_(?!atexit$|finalize$)|__gxx_personality|_Unwind_)/;

/** Whether a side module (its bytes) imports a function named like the C++ runtime's. */
export function importsCxxRuntime(bytes) {
  let pos = 8;
  const uleb = () => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
  };
  const name = () => {
    const length = uleb();
    pos += length;
    return String.fromCharCode(...bytes.subarray(pos - length, pos));
  };
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = uleb();
    if (id !== 2) {
      pos += size;
      continue;
    }
    for (let count = uleb(); count > 0; count--) {
      const module = name();
      const field = name();
      const kind = bytes[pos++];
      if (kind === 0 && module === "env" && RUNTIME_NAME.test(field)) return true;
      if (kind === 0) uleb(); // function: type index
      else if (kind === 1) (pos++, limits()); // table: element type, limits
      else if (kind === 2) limits(); // memory
      else if (kind === 3) pos += 2; // global: value type, mutability
      else if (kind === 4) (pos++, uleb()); // tag: attribute, type index
    }
    return false;
  }
  return false;

  function limits() {
    const flags = bytes[pos++];
    uleb();
    if (flags & 1) uleb();
  }
}
