// mountNativeFS: a browser directory (FileSystemDirectoryHandle) in the
// WASM file system. Its files are copied in when mounted; syncfs() writes
// what changed back (new and modified files, and removals).

export async function mountNativeFS(FS, path, handle) {
  if (typeof handle?.getDirectoryHandle !== "function") {
    throw new TypeError("kiln: mountNativeFS expects a FileSystemDirectoryHandle (e.g. from showDirectoryPicker())");
  }
  const root = path.replace(/\/+$/, "") || "/";
  if (FS.analyzePath(root).exists && FS.readdir(root).some((n) => n !== "." && n !== "..")) {
    throw new Error(`kiln: cannot mount at ${root}: the folder is not empty`);
  }
  FS.mkdirTree(root);
  await copyIn(FS, handle, root);
  return {
    async syncfs() {
      await copyOut(FS, handle, root);
    },
  };
}

async function copyIn(FS, directory, path) {
  for await (const [name, entry] of directory.entries()) {
    const target = `${path}/${name}`;
    if (entry.kind === "directory") {
      FS.mkdirTree(target);
      await copyIn(FS, entry, target);
    } else {
      FS.writeFile(target, new Uint8Array(await (await entry.getFile()).arrayBuffer()));
    }
  }
}

async function copyOut(FS, directory, path) {
  const present = new Set(FS.readdir(path).filter((n) => n !== "." && n !== ".."));
  for await (const [name] of directory.entries()) {
    if (!present.has(name)) await directory.removeEntry(name, { recursive: true });
  }
  for (const name of present) {
    const target = `${path}/${name}`;
    if (FS.isDir(FS.stat(target).mode)) {
      await copyOut(FS, await directory.getDirectoryHandle(name, { create: true }), target);
    } else {
      const writable = await (await directory.getFileHandle(name, { create: true })).createWritable();
      await writable.write(FS.readFile(target));
      await writable.close();
    }
  }
}
