// The package lock file (pyodide-lock format): what packages exist, where
// their files are, their sha256 and dependencies.

import { canonicalName, closestNames } from "./names.mjs";

export class LockFile {
  /** `parsed`: the lock file's JSON; `baseURL`: where relative file names are. */
  constructor(parsed, baseURL) {
    if (!parsed || typeof parsed.packages !== "object") {
      throw new Error("kiln: the package lock file has no \"packages\" table");
    }
    this.info = parsed.info ?? {};
    this.raw = parsed.packages;
    this.baseURL = baseURL;
    this.packages = new Map(Object.values(parsed.packages).map((p) => [canonicalName(p.name), p]));
  }

  static fromBytes(bytes, baseURL) {
    return new LockFile(JSON.parse(new TextDecoder().decode(bytes)), baseURL);
  }

  get(name) {
    return this.packages.get(canonicalName(name));
  }

  /** The entry for `name`, or an error naming the closest names. */
  require(name) {
    const entry = this.get(name);
    if (entry) return entry;
    const closest = closestNames(name, this.packages.keys());
    const hint = closest.length ? `; closest names: ${closest.join(", ")}` : "";
    throw new Error(`kiln: no package named "${name}" in the lock file${hint}`);
  }

  /** `entries` and their dependencies, dependencies first. */
  withDependencies(entries) {
    const ordered = [];
    const seen = new Set();
    const visit = (entry) => {
      const key = canonicalName(entry.name);
      if (seen.has(key)) return;
      seen.add(key);
      for (const dep of entry.depends ?? []) {
        const depEntry = this.get(dep);
        if (!depEntry) throw new Error(`kiln: the lock file lists "${dep}" as a dependency of ${entry.name}, but has no such package`);
        visit(depEntry);
      }
      ordered.push(entry);
    };
    entries.forEach(visit);
    return ordered;
  }

  /** Import name -> package name, for every package. */
  importMap() {
    const map = {};
    for (const entry of this.packages.values()) for (const name of entry.imports ?? []) map[name] ??= entry.name;
    return map;
  }

  /** The URL of an entry's file (absolute file names stay as they are). */
  url(entry) {
    return entry.url ?? new URL(entry.file_name, this.baseURL).href;
  }
}
