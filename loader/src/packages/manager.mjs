// loadPackage and friends: packages from the lock file (or wheel URLs),
// fetched in parallel, verified by sha256, checked, then installed, with their
// side modules loaded before anything imports them. Also what Python's
// package code needs from JS (the "packages" host object).

import { canReadSync, readBytes, readBytesSync } from "../host.mjs";
import { makePackageCache } from "./cache.mjs";
import { CXX_RUNTIME, importsCxxRuntime } from "./cxx_runtime.mjs";
import { makeHasher } from "./integrity.mjs";
import { makeLoadedPackages } from "./loaded.mjs";
import { LockFile } from "./lockfile.mjs";
import { canDeferMembers, checkMemberNames, readZipDirectory } from "./archive.mjs";
import { canonicalName, checkWheelCompatible, isRequirement, isWheelURL, sha256FromFragment, wheelTags } from "./names.mjs";
import { canUnpackInJS, extractArchive, sideModuleFiles, targetDir, writeArchive } from "./unpack.mjs";
import { engineHasRelaxedSimd } from "./variants.mjs";

const DEFAULT_CHANNEL = "default channel";

export function makePackageManager(Module, { lockFileURL, lockFileContents, packageBaseURL, packageCache }) {
  const bridge = Module.kilnBridge;
  const { runtime } = bridge;
  const loadedPackages = makeLoadedPackages();
  const installing = new Map(); // canonical name -> promise of its installation
  const cache = makePackageCache(packageCache);
  const sha256Hex = makeHasher((bytes) => runtime.sha256Hex(bytes));
  // Archives whose bytes matched their sha256: only these have members left
  // deflated until first read (a damaged one would fail only then).
  const verified = new WeakSet();
  const deferMembers = (bytes) => canDeferMembers && verified.has(bytes);
  let lockFile = null; // promise of the LockFile
  let lockFileLoaded = null; // ... once it has settled

  function setLockFile(parsedOrBytes) {
    lockFileLoaded = parsedOrBytes instanceof Uint8Array
      ? LockFile.fromBytes(parsedOrBytes, packageBaseURL)
      : new LockFile(typeof parsedOrBytes === "string" ? JSON.parse(parsedOrBytes) : parsedOrBytes, packageBaseURL);
    return lockFileLoaded;
  }

  if (lockFileContents !== undefined) lockFile = Promise.resolve(setLockFile(lockFileContents));

  function getLockFile() {
    lockFile ??= readBytes(lockFileURL).then(setLockFile, (error) => {
      lockFile = null;
      throw new Error(`kiln: cannot read the package lock file: ${error.message}`);
    });
    return lockFile;
  }

  function getLockFileSync() {
    if (lockFileLoaded) return lockFileLoaded;
    try {
      lockFile = Promise.resolve(setLockFile(readBytesSync(lockFileURL)));
    } catch (error) {
      throw new Error(`kiln: cannot read the package lock file: ${error.message}`);
    }
    return lockFileLoaded;
  }

  function urlEntry(url) {
    const fileName = decodeURIComponent(url.split("#", 1)[0].split("?", 1)[0].split("/").pop());
    const tags = wheelTags(fileName);
    if (!tags) throw new Error(`kiln: ${url} is not a wheel (.whl) URL`);
    return { name: tags.name, version: tags.version, file_name: fileName, url, install_dir: "site", sha256: sha256FromFragment(url), depends: [] };
  }

  function mismatch(entry, url, expected, actual) {
    return new Error(`kiln: sha256 mismatch for ${entry.file_name} (from ${url}): expected ${expected}, got ${actual}. Nothing was installed.`);
  }

  /** The verified bytes of a package file: from the cache, or downloaded (and cached). */
  async function fetchPackage(lock, entry, { checkIntegrity, warn }) {
    checkWheelCompatible(entry.file_name);
    const url = lock.url(entry);
    const expected = entry.sha256 ? String(entry.sha256).toLowerCase() : null;
    if (!expected && checkIntegrity) {
      if (!entry.url) {
        throw new Error(`kiln: the lock file gives no sha256 for ${entry.name}; it is not installed while integrity checking is on (pass checkIntegrity: false to allow it)`);
      }
      warn(`kiln: installing ${entry.file_name} from ${url} without a sha256 to check it against (add #sha256=<hex> to the URL to pin it)`);
    }
    if (expected) {
      const cached = await cache.get(expected);
      if (cached && (await sha256Hex(cached)) === expected) {
        verified.add(cached);
        return cached;
      }
    }
    const bytes = await readBytes(url);
    if (expected) {
      const actual = await sha256Hex(bytes);
      if (actual !== expected) {
        if (checkIntegrity) throw mismatch(entry, url, expected, actual);
      } else {
        verified.add(bytes);
        await cache.put(expected, bytes);
      }
    }
    return bytes;
  }

  function fetchPackageSync(lock, entry) {
    checkWheelCompatible(entry.file_name);
    if (!entry.sha256) throw new Error(`kiln: the lock file gives no sha256 for ${entry.name}; refusing to install it`);
    const url = lock.url(entry);
    const bytes = readBytesSync(url);
    const actual = runtime.sha256Hex(bytes); // crypto.subtle has no synchronous API
    if (actual !== entry.sha256) throw mismatch(entry, url, entry.sha256, actual);
    verified.add(bytes);
    return bytes;
  }

  /** A shared library (loaded globally, before the extension modules that link against it)? */
  const isShared = (installDir, path) => installDir === "dynlib" || /\.libs\//.test(path);

  /**
   * Load side modules ([{path, contents}] of one install_dir) before their
   * files are written, shared libraries first: one that fails leaves nothing
   * of its archive installed. The extension modules this call loaded are
   * then forgotten, so a fixed archive at the same path loads afresh (a
   * shared library's symbols, once merged, stay: the first definition wins).
   */
  async function preloadSideModules(installDir, modules) {
    const ordered = [...modules.filter((m) => isShared(installDir, m.path)), ...modules.filter((m) => !isShared(installDir, m.path))];
    const loaded = [];
    try {
      for (const { path, contents } of ordered) {
        await bridge.preloadSideModule(path, contents, { shared: isShared(installDir, path) });
        loaded.push(path);
      }
    } catch (error) {
      bridge.forgetPreloaded(loaded);
      throw error;
    }
  }

  /** The side modules Python's zipfile finds in an archive (no native inflate here): [{path, contents}]. */
  function sideModulesInPython(entry, bytes) {
    return runtime.archiveSideModules(bytes, entry.file_name, entry.install_dir ?? "site", engineHasRelaxedSimd())
      .map(([path, contents]) => ({ path, contents }));
  }

  /** Python's zipfile unpacks (no native inflate here). */
  function unpackInPython(entry, bytes) {
    runtime.installArchive(bytes, entry.file_name, entry.install_dir ?? "site", entry.url ?? DEFAULT_CHANNEL, engineHasRelaxedSimd());
  }

  /** Install synchronously: the shared libraries loaded (extension modules
   * load at import), then the files written. */
  function installSync(entry, bytes, members) {
    if (!canUnpackInJS({ sync: true })) {
      loadSharedLibrariesSync(entry, sideModulesInPython(entry, bytes));
      unpackInPython(entry, bytes);
      return;
    }
    const files = extractArchive(bytes, members, entry.file_name, { relaxedSimd: engineHasRelaxedSimd(), sync: true, defer: deferMembers(bytes) });
    loadSharedLibrariesSync(entry, sideModuleFiles(entry, files));
    writeArchive(Module.FS, runtime, entry, members, files, entry.url ?? DEFAULT_CHANNEL);
  }

  function loadSharedLibrariesSync(entry, modules) {
    for (const { path, contents } of modules) {
      if (isShared(entry.install_dir, path)) bridge.loadSharedLibrarySync(path, contents);
    }
  }

  /** An archive's side modules, loaded before its files are written (preloadSideModules). */
  async function loadSideModules(entry, modules) {
    try {
      await preloadSideModules(entry.install_dir, modules);
    } catch (error) {
      throw new Error(`kiln: ${entry.file_name}: ${error.message}. Nothing of it was installed.`, { cause: error });
    }
  }

  /** What installing an archive takes that writes nothing: its files inflated
   * and its side modules compiled (both off the main thread where the host
   * can). Null where Python's zipfile must unpack at install time. */
  async function prepare(entry, bytes, members) {
    if (!canUnpackInJS({ sync: false })) return null;
    const files = await extractArchive(bytes, members, entry.file_name, { relaxedSimd: engineHasRelaxedSimd(), sync: false, defer: deferMembers(bytes) });
    const compiling = files.filter(({ name }) => name.endsWith(".so")).map(async ({ name, contents }) => {
      try {
        return [name, await WebAssembly.compile(contents)];
      } catch (error) {
        throw new Error(`kiln: ${entry.file_name}: '${name}' is not a valid WebAssembly module (${error.message}). Nothing was installed.`);
      }
    });
    return { files, compiled: new Map(await Promise.all(compiling)) };
  }

  async function install(entry, bytes, members, prepared) {
    if (prepared) {
      const modules = sideModuleFiles(entry, prepared.files).map(({ name, path }) => ({ path, contents: prepared.compiled.get(name) }));
      await loadSideModules(entry, modules);
      writeArchive(Module.FS, runtime, entry, members, prepared.files, entry.url ?? DEFAULT_CHANNEL);
    } else {
      await loadSideModules(entry, sideModulesInPython(entry, bytes));
      unpackInPython(entry, bytes);
    }
    loadedPackages[entry.name] = entry.url ?? DEFAULT_CHANNEL;
  }

  /** Check every archive (zip, member paths) before any is written; their members. */
  function checkArchives(entries, files) {
    return entries.map((entry, i) => {
      targetDir(entry.install_dir ?? "site");
      const members = readZipDirectory(files[i], entry.file_name);
      checkMemberNames(members, entry.file_name);
      return members;
    });
  }

  /**
   * Load packages by name (from the lock file) or by wheel URL, with their
   * dependencies. Resolves to the entries loaded now; rejects with an error
   * naming what failed, having installed nothing of this call if any file
   * failed to fetch, verify or check. Concurrent calls share the
   * installation of a common dependency, and each package is installed only
   * after its dependencies.
   */
  async function loadPackage(names, options = {}) {
    const { messageCallback = () => {}, errorCallback, checkIntegrity = true } = options;
    const report = (error) => {
      errorCallback?.(error.message);
      throw error;
    };
    const warn = (message) => {
      console.warn(message);
      messageCallback(message);
    };
    const requested = typeof names === "string" ? [names] : Array.from(names ?? [], String);
    let lock, toLoad;
    try {
      const requirement = requested.find(isRequirement);
      if (requirement) {
        throw new Error(`kiln: loadPackage takes package names and wheel URLs; "${requirement}" is a requirement: use kiln.install(${JSON.stringify(requirement)})`);
      }
      lock = requested.some((n) => !isWheelURL(n)) ? await getLockFile() : lockFileLoaded ?? new LockFile({ packages: {} }, packageBaseURL);
      const entries = requested.map((name) => (isWheelURL(name) ? urlEntry(name) : lock.require(name)));
      toLoad = lock.withDependencies(entries).filter((e) => !(e.name in loadedPackages));
    } catch (error) {
      return report(error);
    }
    const fresh = toLoad.filter((e) => !installing.has(canonicalName(e.name)));
    if (fresh.length) {
      messageCallback(`Loading ${fresh.map((e) => e.name).join(", ")}`);
      // Everything fetched, verified, checked, inflated and compiled before anything is installed.
      const ready = Promise.all(fresh.map((e) => fetchPackage(lock, e, { checkIntegrity, warn }))).then(async (files) => {
        const members = checkArchives(fresh, files);
        const prepared = await Promise.all(fresh.map((entry, i) => prepare(entry, files[i], members[i])));
        return { files, members, prepared };
      });
      fresh.forEach((entry, i) => {
        const key = canonicalName(entry.name);
        const dependencies = (entry.depends ?? []).map((dep) => installing.get(canonicalName(dep)));
        const done = ready.then(async ({ files, members, prepared }) => {
          await Promise.all(dependencies);
          await install(entry, files[i], members[i], prepared[i]);
        });
        installing.set(key, done);
        done.catch(() => {}).finally(() => installing.delete(key));
      });
      try {
        await Promise.all(fresh.map((e) => installing.get(canonicalName(e.name))));
      } catch (error) {
        return report(error);
      }
      messageCallback(`Loaded ${fresh.map((e) => e.name).join(", ")}`);
    }
    try {
      await Promise.all(toLoad.map((e) => installing.get(canonicalName(e.name))));
    } catch (error) {
      return report(error);
    }
    return toLoad.map(({ name, version, file_name, package_type }) => ({ name, version, fileName: file_name, packageType: package_type }));
  }

  /**
   * Load a package and its dependencies synchronously: for stdlib modules split
   * out of the core, on first import (kiln._imports.SplitStdlibFinder). Needs
   * canLoadSync: Node with local files, or a Web Worker.
   */
  function loadPackageSync(name) {
    const lock = getLockFileSync();
    const toLoad = lock.withDependencies([lock.require(name)]).filter((e) => !(e.name in loadedPackages));
    const busy = toLoad.find((e) => installing.has(canonicalName(e.name)));
    if (busy) throw new Error(`kiln: ${busy.name} is being loaded by a loadPackage() call; await it before importing`);
    const files = toLoad.map((e) => fetchPackageSync(lock, e)); // all verified before anything is installed
    const members = checkArchives(toLoad, files);
    toLoad.forEach((entry, i) => {
      installSync(entry, files[i], members[i]);
      loadedPackages[entry.name] = DEFAULT_CHANNEL;
    });
  }

  const canLoadSync = canReadSync(lockFileURL) && canReadSync(packageBaseURL);

  /** Load the lock-file packages that `code` imports. */
  async function loadPackagesFromImports(code, options = {}) {
    const imports = runtime.findImports(code);
    const names = imports.toJs();
    imports.destroy();
    const byImport = (await getLockFile()).importMap();
    const wanted = [...new Set(names.filter((n) => n in byImport).map((n) => byImport[n]))];
    return wanted.length ? loadPackage(wanted, options) : [];
  }

  /** micropip's wheel downloads (during kiln.install / micropip.install): through the cache. */
  async function fetchWheel(url, init) {
    const pinned = sha256FromFragment(url);
    const known = pinned ?? (await cache.shaOfURL(url));
    if (known) {
      const cached = await cache.get(known);
      if (cached && (await sha256Hex(cached)) === known) return wheelResponse(cached, known, "hit");
    }
    const response = await fetch(url.split("#", 1)[0], init);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText} fetching ${url}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const actual = await sha256Hex(bytes);
    if (pinned && actual !== pinned) {
      throw new Error(`sha256 mismatch for ${url}: the URL pins ${pinned}, the file has ${actual}`);
    }
    await cache.put(actual, bytes);
    await cache.rememberURL(url, actual);
    return wheelResponse(bytes, actual, "miss");
  }

  function wheelResponse(bytes, sha256, cacheState) {
    const headers = { "content-type": "application/octet-stream", "x-kiln-sha256": sha256, "x-kiln-cache": cacheState };
    return new Response(bytes, { status: 200, statusText: "OK", headers });
  }

  /** Load the C++ runtime (a lock-file package) if a side module (`where`: its
   * name, for errors) calls into it and it is not loaded yet. */
  async function ensureCxxRuntime(bytes, where) {
    if (CXX_RUNTIME in loadedPackages || !importsCxxRuntime(bytes)) return;
    if (!(await getLockFile()).get(CXX_RUNTIME)) {
      throw new Error(`kiln: ${where} calls into the C++ runtime, but the lock file has no '${CXX_RUNTIME}' package to provide it`);
    }
    await loadPackage(CXX_RUNTIME);
  }

  // What Python's package code (kiln._packages, _kiln_micropip, the split
  // stdlib finder) reaches through kiln._host.packages.
  runtime.setHost("packages", {
    canLoadSync,
    loadPackageSync,
    loadPackage: (name) => loadPackage(name).then(() => undefined),
    loadedPackages,
    fetchWheel,
    forgetURL: (url) => cache.rememberURL(url, ""),
    /** The side modules ([[path, bytes]]) of wheels Python is about to write
     * (micropip's; the C++ runtime, if they need it, is loaded first). */
    preloadSideModules: (modules) => preloadSideModules(null, modules.map(([path, contents]) => ({ path, contents }))),
    ensureCxxRuntime,
    platform: KILN_PLATFORM,
    lockfilePackages: () => lockFileLoaded?.raw ?? null,
    /** Import name -> package, from the lock file in use (null if it is not loaded and cannot be read now). */
    importMap() {
      if (!lockFileLoaded && canLoadSync) getLockFileSync();
      return lockFileLoaded?.importMap() ?? null;
    },
  });

  return {
    loadPackage,
    loadPackagesFromImports,
    loadedPackages,
    getLockFile,
    getLockFileSync,
    lockFile: () => lockFileLoaded,
    packageBaseURL,
  };
}
