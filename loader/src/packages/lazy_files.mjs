// Files of a verified archive written without their contents: MEMFS keeps a
// file's bytes in node.contents (node.usedBytes of them in use), and here that
// property inflates the member the first time anything touches it (a read,
// mmap, truncate, another write). A package's sources, stubs, headers and
// metadata are mostly never read, and its pycs only when imported: of numpy's
// 9.6 MB outside side modules, `import numpy` inflates the 134 pycs it reads.
// Only where inflating is synchronous (Node).

const EIO = 29;

/** A deflated member kept compressed until its file is first read:
 * `inflate()` gives its bytes, or throws an Error naming it. */
export class DeferredMember {
  constructor(size, inflate) {
    this.size = size;
    this.inflate = inflate;
  }
}

function setContents(node, value) {
  Object.defineProperty(node, "contents", { value, writable: true, enumerable: true, configurable: true });
}

/** Give the MEMFS file `node` (at `path`, for errors) the contents of
 * `member`, inflated on first use. */
export function deferFileContents(FS, node, path, member) {
  node.usedBytes = member.size; // what stat reports, before and after
  node.timestamp = Date.now();
  Object.defineProperty(node, "contents", {
    enumerable: true,
    configurable: true,
    get() {
      let contents;
      try {
        contents = member.inflate();
      } catch (error) {
        // Inside a system call: an FS error becomes OSError(EIO) in Python; any other would be fatal.
        console.error(`kiln: cannot read ${path}: ${error.message}`);
        throw new FS.ErrnoError(EIO);
      }
      setContents(node, contents);
      return contents;
    },
    set(value) {
      setContents(node, value);
    },
  });
}
