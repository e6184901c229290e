// loadPackage and friends: packages from the lock file (kiln-lock.json),
// fetched in parallel, verified by sha256, installed, and their side modules
// loaded before anything imports them.

import { canReadSync, readBytes, readBytesSync } from "./host.mjs";

/** PEP 503 name normalization: "Foo_Bar.baz" and "foo-bar-baz" are one package. */
export function canonicalName(name) {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

function editDistance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** A wheel's tags from its file name (PEP 427), or null if it is not a wheel. */
function wheelTags(fileName) {
  const match = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(fileName);
  if (!match) return null;
  return { name: match[1], version: match[2], python: match[3], abi: match[4], platform: match[5] };
}

/** Refuse wheels built for another platform or Python, naming what they are for. */
function checkWheelCompatible(fileName) {
  const tags = wheelTags(fileName);
  if (!tags) return;
  const platforms = tags.platform.split(".");
  const pythons = tags.python.split(".");
  const platformOk = platforms.includes("any") || platforms.includes(KILN_PLATFORM);
  const pythonOk = pythons.some((p) => p === "py3" || p === "py2" || p === KILN_PYTHON_TAG || (tags.abi === "abi3" && p.startsWith("cp3")));
  if (!platformOk || !pythonOk) {
    throw new Error(
      `kiln: cannot install ${fileName}: it is built for ${tags.platform} (Python ${tags.python}), ` +
        `but Kiln runs pure-Python wheels and ${KILN_PLATFORM} wheels for ${KILN_PYTHON_TAG}`,
    );
  }
}

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function makePackageManager(Module, { lockFileURL, packageBaseURL }) {
  const bridge = Module.kilnBridge;
  const { runtime } = bridge;
  const loadedPackages = {};
  const inFlight = new Map(); // canonical name -> promise of its installation
  let lockFile = null; // promise of the parsed lock file
  let lockFileParsed = null; // ... once it has settled

  function parseLockFile(bytes) {
    const parsed = JSON.parse(new TextDecoder().decode(bytes));
    const packages = new Map(Object.values(parsed.packages).map((p) => [canonicalName(p.name), p]));
    lockFileParsed = { info: parsed.info, packages };
    return lockFileParsed;
  }

  async function getLockFile() {
    lockFile ??= readBytes(lockFileURL).then(parseLockFile, (error) => {
      lockFile = null;
      throw new Error(`kiln: cannot read the package lock file: ${error.message}`);
    });
    return lockFile;
  }

  function getLockFileSync() {
    if (!lockFileParsed) {
      let bytes;
      try {
        bytes = readBytesSync(lockFileURL);
      } catch (error) {
        throw new Error(`kiln: cannot read the package lock file: ${error.message}`);
      }
      lockFile = Promise.resolve(parseLockFile(bytes));
    }
    return lockFileParsed;
  }

  function unknownPackage(name, packages) {
    const wanted = canonicalName(name);
    const closest = [...packages.keys()]
      .map((candidate) => [editDistance(wanted, candidate), candidate])
      .sort((a, b) => a[0] - b[0])
      .slice(0, 3)
      .filter(([distance]) => distance <= Math.max(2, wanted.length / 2))
      .map(([, candidate]) => candidate);
    const hint = closest.length ? `; closest names: ${closest.join(", ")}` : "";
    return new Error(`kiln: no package named "${name}" in the lock file${hint}`);
  }

  /** Lock entries for `requests` and their dependencies, dependencies first. */
  function resolve(requests, packages) {
    const ordered = [];
    const seen = new Set();
    const visit = (entry) => {
      const key = canonicalName(entry.name);
      if (seen.has(key)) return;
      seen.add(key);
      for (const dep of entry.depends ?? []) {
        const depEntry = packages.get(canonicalName(dep));
        if (!depEntry) throw new Error(`kiln: the lock file lists "${dep}" as a dependency of ${entry.name}, but has no such package`);
        visit(depEntry);
      }
      ordered.push(entry);
    };
    requests.forEach(visit);
    return ordered;
  }

  function urlEntry(url) {
    const fileName = decodeURIComponent(url.split("/").pop().split("?")[0]);
    const tags = wheelTags(fileName);
    if (!tags) throw new Error(`kiln: ${url} is not a wheel (.whl) URL`);
    return { name: tags.name, version: tags.version, file_name: fileName, url, install_dir: "site", sha256: null, depends: [] };
  }

  const packageURL = (entry) => entry.url ?? new URL(entry.file_name, packageBaseURL).href;

  function checkDigest(entry, actual) {
    if (actual !== entry.sha256) {
      throw new Error(
        `kiln: sha256 mismatch for ${entry.file_name} (from ${packageURL(entry)}): expected ${entry.sha256}, got ${actual}. Nothing was installed.`,
      );
    }
  }

  async function fetchPackage(entry, checkIntegrity) {
    checkWheelCompatible(entry.file_name);
    const bytes = await readBytes(packageURL(entry));
    if (checkIntegrity && entry.sha256) checkDigest(entry, await sha256Hex(bytes));
    return bytes;
  }

  function fetchPackageSync(entry) {
    checkWheelCompatible(entry.file_name);
    const bytes = readBytesSync(packageURL(entry));
    if (entry.sha256) checkDigest(entry, runtime.sha256Hex(bytes)); // crypto.subtle has no synchronous API
    return bytes;
  }

  /** Unpack a package; the paths of its side modules, shared libraries first
   * (extension modules link against them). */
  function unpack(entry, bytes) {
    const path = `/tmp/kiln-install-${entry.file_name}`;
    Module.FS.writeFile(path, bytes);
    const sideModules = runtime.installArchive(path, entry.install_dir ?? "site");
    const paths = sideModules.toJs();
    sideModules.destroy();
    const isShared = (p) => entry.install_dir === "dynlib" || /\.libs\//.test(p);
    return [...paths.filter(isShared).map((p) => ({ path: p, shared: true })), ...paths.filter((p) => !isShared(p)).map((p) => ({ path: p, shared: false }))];
  }

  async function install(entry, bytes) {
    for (const { path, shared } of unpack(entry, bytes)) {
      await bridge.preloadSideModule(path, Module.FS.readFile(path), { shared });
    }
  }

  function installSync(entry, bytes) {
    for (const { path, shared } of unpack(entry, bytes)) {
      if (shared) bridge.loadSharedLibrarySync(path, Module.FS.readFile(path));
    }
  }

  /**
   * Load packages by name (from the lock file) or by wheel URL, with their
   * dependencies. Resolves to the entries loaded now; rejects with an error
   * naming what failed, having installed nothing if any file failed to fetch
   * or verify.
   */
  async function loadPackage(names, options = {}) {
    const { messageCallback = () => {}, errorCallback, checkIntegrity = true } = options;
    const report = (error) => {
      errorCallback?.(error.message);
      throw error;
    };
    const requested = typeof names === "string" ? [names] : Array.from(names ?? []);
    let toLoad;
    try {
      const lock = requested.some((n) => !n.includes("/")) ? await getLockFile() : { packages: new Map() };
      const entries = requested.map((name) => {
        if (name.includes("/") || name.endsWith(".whl")) return urlEntry(name);
        const entry = lock.packages.get(canonicalName(name));
        if (!entry) throw unknownPackage(name, lock.packages);
        return entry;
      });
      toLoad = resolve(entries, lock.packages).filter((e) => !(canonicalName(e.name) in loadedPackages));
    } catch (error) {
      return report(error);
    }
    const fresh = toLoad.filter((e) => !inFlight.has(canonicalName(e.name)));
    if (fresh.length) {
      messageCallback(`Loading ${fresh.map((e) => e.name).join(", ")}`);
      // Fetch and verify everything before installing anything.
      const fetched = Promise.all(fresh.map((e) => fetchPackage(e, checkIntegrity)));
      fetched.catch(() => {});
      let chain = fetched;
      for (const [i, entry] of fresh.entries()) {
        const key = canonicalName(entry.name);
        chain = chain.then(async (all) => {
          await install(entry, all[i]);
          loadedPackages[key] = entry.url ?? "default channel";
          return all;
        });
        const done = chain.then(() => undefined);
        inFlight.set(key, done);
        done.catch(() => {}).finally(() => inFlight.delete(key));
      }
      try {
        await chain;
      } catch (error) {
        return report(error);
      }
      messageCallback(`Loaded ${fresh.map((e) => e.name).join(", ")}`);
    }
    await Promise.all(toLoad.map((e) => inFlight.get(canonicalName(e.name))));
    return toLoad.map(({ name, version, file_name, package_type }) => ({ name, version, fileName: file_name, packageType: package_type }));
  }

  /**
   * Load a package and its dependencies synchronously: for stdlib modules split
   * out of the core, on first import (kiln._imports.SplitStdlibFinder). Needs
   * canLoadSync: Node with local files, or a Web Worker.
   */
  function loadPackageSync(name) {
    const lock = getLockFileSync();
    const entry = lock.packages.get(canonicalName(name));
    if (!entry) throw unknownPackage(name, lock.packages);
    const toLoad = resolve([entry], lock.packages).filter((e) => !(canonicalName(e.name) in loadedPackages));
    const busy = toLoad.find((e) => inFlight.has(canonicalName(e.name)));
    if (busy) throw new Error(`kiln: ${busy.name} is being loaded by a loadPackage() call; await it before importing`);
    const fetched = toLoad.map(fetchPackageSync); // all verified before anything is installed
    toLoad.forEach((e, i) => {
      installSync(e, fetched[i]);
      loadedPackages[canonicalName(e.name)] = "default channel";
    });
  }

  const canLoadSync = canReadSync(lockFileURL) && canReadSync(packageBaseURL);

  /** Load the lock-file packages that `code` imports. */
  async function loadPackagesFromImports(code, options = {}) {
    const imports = runtime.findImports(code);
    const names = imports.toJs();
    imports.destroy();
    const lock = await getLockFile();
    const byImport = new Map();
    for (const entry of lock.packages.values()) for (const name of entry.imports ?? []) byImport.set(name, entry.name);
    const wanted = [...new Set(names.filter((n) => byImport.has(n)).map((n) => byImport.get(n)))];
    return wanted.length ? loadPackage(wanted, options) : [];
  }

  // What the Python runtime uses to load split stdlib modules on import.
  runtime.setPackageHost({ canLoadSync, loadPackageSync, loadPackage: (name) => loadPackage(name).then(() => undefined) });

  return { loadPackage, loadPackagesFromImports, loadedPackages, getLockFile };
}
