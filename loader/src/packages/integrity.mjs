// sha256 of package files. crypto.subtle exists only in secure contexts
// (https, localhost); on a plain-http page the hash is computed by Python's
// hashlib inside the WASM runtime instead.

export function makeHasher(pythonSha256) {
  let subtle; // looked up at the first hash: in Node, reading globalThis.crypto loads WebCrypto (~9 ms)
  return async function sha256Hex(bytes) {
    subtle ??= globalThis.crypto?.subtle ?? null;
    if (!subtle) return pythonSha256(bytes);
    const digest = await subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  };
}
