// Creating a package's files under its install folder node by node. Through
// FS.writeFile each of numpy's ~600 files had its path resolved from the root
// several times (open, mknod, the parent's lookup: split, normalise, hash),
// 55-120 ms of a load. Here each folder is resolved once and files are made
// with the folder's own mknod, as FS.mknod does after its checks. Only inside
// plain MEMFS folders: anything else (a mount, a symlink, a folder Python may
// not write) is left to the FS's path calls, which know those cases.

const DIR_MODE = 0o40777; // FS.mkdir's
const FILE_MODE = 0o100666; // FS.writeFile's (FS.open's default)

/**
 * For files under `root` (made if missing): `fileNode(rel)` is the MEMFS node
 * of `root/rel` (made empty if missing, its folders too), or null where the
 * path calls must write it. `rel` is a normalised relative path.
 */
export function makeTreeWriter(FS, root) {
  FS.mkdirTree(root);
  const MEMFS = FS.filesystems?.MEMFS;
  const writable = (node) =>
    MEMFS !== undefined && node.mount?.type === MEMFS && FS.isDir(node.mode) && !node.mounted && FS.nodePermissions(node, "wx") === 0;
  const top = FS.lookupPath(root, { follow: true }).node;
  const folders = new Map([["", writable(top) ? top : null]]); // relative path -> node, or null: use paths

  function folderNode(rel) {
    if (rel === ".") return folderNode("");
    let node = folders.get(rel);
    if (node !== undefined) return node;
    const slash = rel.lastIndexOf("/");
    const parent = folderNode(slash < 0 ? "" : rel.slice(0, slash));
    node = parent && child(parent, rel.slice(slash + 1), DIR_MODE);
    node = node && writable(node) ? node : null;
    folders.set(rel, node);
    return node;
  }

  function child(parent, name, mode) {
    if (name === "." || name === "..") return null; // the path calls refuse these as FS.mknod does
    const existing = Object.hasOwn(parent.contents, name) ? parent.contents[name] : undefined;
    if (existing) return FS.isDir(existing.mode) === FS.isDir(mode) ? existing : null;
    return parent.node_ops.mknod(parent, name, mode, 0);
  }

  return {
    folderNode,
    fileNode(rel) {
      const slash = rel.lastIndexOf("/");
      const parent = folderNode(slash < 0 ? "" : rel.slice(0, slash));
      const node = parent && child(parent, rel.slice(slash + 1), FILE_MODE);
      return node && FS.isFile(node.mode) ? node : null;
    },
  };
}

/** A MEMFS file's bytes, as FS.writeFile(path, bytes, {canOwn: true}) leaves them. */
export function setFileContents(node, bytes) {
  node.contents = bytes;
  node.usedBytes = bytes.length;
  node.timestamp = Date.now();
}
