// Writing a verified package archive into the file system, in JS (archive.mjs
// reads it): its files under the install folder, Kiln's marker files in its
// .dist-info, and of a side module built twice only the variant this engine
// runs (variants.mjs), under the plain name. Python's kiln._packages does the
// same where no native inflate can run, and for micropip's wheels.

import { LAYOUT } from "kiln-build-layout";
import { extractMembers, nativeInflate, normalizePath } from "./archive.mjs";
import { DeferredMember, deferFileContents } from "./lazy_files.mjs";
import { makeTreeWriter, setFileContents } from "./tree_writer.mjs";

const RELAXED_SUFFIX = ".relaxed-simd.so";

/** [{name, member}]: each file member and the name it is written under. */
function writePlan(members, relaxedSimd) {
  const byName = new Map(members.map((m) => [m.name, m]));
  const plan = [];
  for (const member of members) {
    const { name } = member;
    if (name.endsWith("/")) continue;
    if (name.endsWith(RELAXED_SUFFIX) && byName.has(name.slice(0, -RELAXED_SUFFIX.length) + ".so")) continue;
    const twin = name.endsWith(".so") ? byName.get(name.slice(0, -".so".length) + RELAXED_SUFFIX) : undefined;
    plan.push({ name, member: relaxedSimd && twin ? twin : member });
  }
  return plan;
}

/** The folder an archive with this install_dir goes into (as kiln._packages.target_dir). */
export function targetDir(installDir) {
  if (installDir === "site") return LAYOUT.wasmSitePackages;
  if (installDir === "dynlib") return LAYOUT.wasmSharedLibDir;
  if (installDir === "stdlib") return LAYOUT.wasmStdlibDir;
  if (installDir.startsWith("/")) return installDir;
  throw new Error(`kiln: unknown install_dir ${JSON.stringify(installDir)}`);
}

function distInfoDir(members) {
  const dirs = new Set(members.map((m) => m.name.split("/", 1)[0]).filter((top) => top.endsWith(".dist-info")));
  return dirs.size === 1 ? [...dirs][0] : null;
}

/** Whether JS can unpack here (synchronously with `sync`); where it cannot,
 * Python's zipfile does. */
export function canUnpackInJS({ sync }) {
  return nativeInflate === "sync" || (nativeInflate === "async" && !sync);
}

/**
 * Inflate what an archive (checked members `members`) installs: [{name,
 * contents}] in the order written, or with `sync: false` a promise of it.
 * Writes nothing, so every archive of a load is inflated (in parallel) before
 * the first file is written.
 */
export function extractArchive(bytes, members, fileName, { relaxedSimd, sync, defer }) {
  return extractMembers(bytes, writePlan(members, relaxedSimd), fileName, { sync, defer });
}

/** The side modules among the extracted `files` of lock-file entry `entry`,
 * with the paths they are written to: [{name, path, contents}]. */
export function sideModuleFiles(entry, files) {
  const target = targetDir(entry.install_dir ?? "site");
  return files.filter(({ name }) => name.endsWith(".so")).map(({ name, contents }) => ({ name, path: `${target}/${normalizePath(name)}`, contents }));
}

/** Write the extracted `files` of lock-file entry `entry`. */
export function writeArchive(FS, runtime, entry, members, files, source) {
  const target = targetDir(entry.install_dir ?? "site");
  const tree = makeTreeWriter(FS, target);
  for (const { name } of members) {
    if (name.endsWith("/") && !tree.folderNode(normalizePath(name))) FS.mkdirTree(`${target}/${normalizePath(name)}`);
  }
  for (const { name, contents } of files) {
    const rel = normalizePath(name);
    const path = `${target}/${rel}`;
    const node = tree.fileNode(rel);
    if (node === null) writeThroughPaths(FS, path, contents);
    else if (contents instanceof DeferredMember) deferFileContents(FS, node, path, contents);
    else setFileContents(node, contents); // a fresh array: MEMFS keeps it, no copy
  }
  const distInfo = distInfoDir(members);
  if (distInfo) {
    FS.writeFile(`${target}/${distInfo}/INSTALLER`, "kiln\n");
    FS.writeFile(`${target}/${distInfo}/PYODIDE_SOURCE`, source);
  }
  runtime.invalidateImportCaches();
}

/** Where the tree writer cannot (not a plain MEMFS folder): the FS's path calls, contents inflated now. */
function writeThroughPaths(FS, path, contents) {
  FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
  FS.writeFile(path, contents instanceof DeferredMember ? contents.inflate() : contents, { canOwn: true });
}
