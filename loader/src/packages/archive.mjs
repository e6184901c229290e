// Package archives (wheels and zips) read in JS: the zip's central directory
// parsed here, members inflated by the host's native inflate (Node's zlib, the
// browser's DecompressionStream) and written straight into the file system.
// Python's zipfile did this inside WebAssembly, copying the archive in twice,
// at about half of loadPackage("numpy"); it remains the way where no native
// inflate can run (synchronous loads in a browser worker), and for wheels
// micropip installs (kiln._packages).

import { IN_NODE, nodeRequire } from "../host.mjs";
import { DeferredMember } from "./lazy_files.mjs";

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const UTF8_NAMES = 0x800;
const ENCRYPTED = 0x1;

// Names without the UTF-8 flag are code page 437 (as Python's zipfile reads them).
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeName(bytes, flags, fileName) {
  if (flags & UTF8_NAMES) {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new Error(`${fileName} is not a valid zip archive (a member name is not UTF-8)`);
    }
  }
  let name = "";
  for (const b of bytes) name += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return name;
}

/** The archive's members ({name, method, size, compressedSize, headerOffset}),
 * from its central directory; errors name the file. */
export function readZipDirectory(bytes, fileName) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const invalid = (why) => new Error(`${fileName} is not a valid zip archive (${why})`);
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw invalid("no end-of-directory record");
  const count = view.getUint16(eocd + 10, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) {
    throw new Error(`${fileName}: zip64 archives are not supported`);
  }
  const members = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) throw invalid("bad central directory");
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = decodeName(bytes.subarray(at + 46, at + 46 + nameLength), flags, fileName);
    const member = {
      name,
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      headerOffset: view.getUint32(at + 42, true),
    };
    if (flags & ENCRYPTED) throw new Error(`${fileName}: member '${name}' is encrypted`);
    if (member.method !== STORED && member.method !== DEFLATED) {
      throw new Error(`${fileName}: member '${name}' uses compression method ${member.method} (only stored and deflated are supported)`);
    }
    members.push(member);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return members;
}

/** posixpath.normpath for relative names (enough to tell whether one climbs out). */
export function normalizePath(name) {
  const parts = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length && parts.at(-1) !== "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/") || ".";
}

/** Refuse a member that would be written outside the install folder, or
 * that cannot be written as named: a file named '.' or '..', or a file that
 * another member needs as a folder (the rule of kiln._packages.check_members,
 * with the same messages). Checked before anything is written, so such an
 * archive never fails half-way through an install. */
export function checkMemberNames(members, fileName) {
  const refuse = (name, why) => {
    throw new Error(`${fileName}: refusing to install, member '${name}' ${why}`);
  };
  const files = new Map(); // normalised path -> member name
  const paths = [];
  for (const { name } of members) {
    const slashed = name.includes("\\") ? name.replaceAll("\\", "/") : name;
    const path = normalizePath(slashed);
    if (/^\.\.(\/|$)/.test(path) || /^[/\\]/.test(name) || name.split("/", 1)[0].includes(":")) {
      refuse(name, "would be written outside the install folder");
    }
    const isFolder = slashed.endsWith("/");
    if (!isFolder && (path === "." || /(^|\/)\.\.?$/.test(slashed))) refuse(name, "is not a file name");
    if (!isFolder) files.set(path, name);
    paths.push({ name, path, isFolder });
  }
  for (const { name, path, isFolder } of paths) {
    const parts = path.split("/");
    for (let depth = 1; depth < parts.length + (isFolder ? 1 : 0); depth++) {
      const folder = parts.slice(0, depth).join("/");
      if (files.has(folder)) refuse(files.get(folder), `is a file, and member '${name}' needs it to be a folder`);
    }
  }
}

function memberData(bytes, member, fileName) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = member.headerOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL_SIGNATURE) {
    throw new Error(`${fileName} is not a valid zip archive (bad header of '${member.name}')`);
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + member.compressedSize > bytes.length) throw new Error(`${fileName} is truncated ('${member.name}')`);
  return bytes.subarray(start, start + member.compressedSize);
}

const nodeZlib = IN_NODE ? nodeRequire("zlib") : null;
const browserInflate = !IN_NODE && typeof DecompressionStream === "function" && (() => {
  try {
    new DecompressionStream("deflate-raw");
    return true;
  } catch {
    return false; // engines before deflate-raw (Chrome < 103, Safari < 16.4)
  }
})();

/** Whether members can be inflated natively here: "sync" (Node), "async"
 * (browsers), or null (Python's zipfile must do it). */
export const nativeInflate = nodeZlib ? "sync" : browserInflate ? "async" : null;

async function inflateInBrowser(data) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const doesNotInflate = (member, fileName, error) =>
  new Error(`${fileName} is corrupt: '${member.name}' does not inflate (${error.message})`);

function checkedSize(contents, member, fileName) {
  if (contents.length !== member.size) {
    throw new Error(`${fileName} is corrupt: '${member.name}' inflates to ${contents.length} bytes, the directory says ${member.size}`);
  }
  return contents;
}

/** The Buffer's bytes as an array MEMFS may keep: a Buffer from Node's
 * small-buffer pool is copied (keeping it would pin the pool's 8 KB slab). */
function ownedArray(buffer) {
  const ownBuffer = buffer.buffer.byteLength - buffer.byteLength <= 1;
  return ownBuffer ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
}

// Members at least this big are inflated on Node's thread pool (in parallel,
// off the main thread); smaller ones cost less inflated in place.
const THREAD_POOL_MIN_BYTES = 256 * 1024;

// One output chunk one byte over the known size: no concatenation of 16 KB
// chunks, and no second chunk allocated when the first fills up.
const inflateOptions = (size) => ({ chunkSize: Math.max(64, size + 1) });

function inflateInNodeSync(data, size) {
  return ownedArray(nodeZlib.inflateRawSync(data, inflateOptions(size)));
}

/** A deflated member inflated now (Node), checked as extractMember checks it. */
function inflateCheckedSync(data, member, fileName) {
  let contents;
  try {
    contents = inflateInNodeSync(data, member.size);
  } catch (error) {
    throw doesNotInflate(member, fileName, error);
  }
  return checkedSize(contents, member, fileName);
}

function inflateInNode(data, member, sync) {
  if (sync || member.size < THREAD_POOL_MIN_BYTES) return inflateInNodeSync(data, member.size);
  return new Promise((resolve, reject) => {
    nodeZlib.inflateRaw(data, inflateOptions(member.size), (error, result) => (error ? reject(error) : resolve(ownedArray(result))));
  });
}

/** Whether extractMembers may leave `name` deflated until its file is first
 * read (`defer`): side modules are compiled at load, so they are not. */
const deferrable = (name) => !name.endsWith(".so");

/** Whether members can be deferred here: inflating on first read must be synchronous. */
export const canDeferMembers = nativeInflate === "sync";

/** A member's contents: a fresh array (never a view into `bytes`), a
 * promise of one, or (`defer`) a DeferredMember. With `sync` or `defer`,
 * only where nativeInflate is "sync". */
function extractMember(bytes, member, name, fileName, { sync, defer }) {
  const data = memberData(bytes, member, fileName);
  if (member.method === STORED) return checkedSize(new Uint8Array(data), member, fileName); // a copy (a Buffer's slice() is a view)
  if (defer && deferrable(name)) {
    const compressed = new Uint8Array(data); // a copy: the archive's buffer need not stay alive
    return new DeferredMember(member.size, () => inflateCheckedSync(compressed, member, fileName));
  }
  const failed = (error) => doesNotInflate(member, fileName, error);
  if (!nodeZlib && sync) throw new Error("kiln: no synchronous native inflate here");
  let contents;
  try {
    contents = nodeZlib ? inflateInNode(data, member, sync) : inflateInBrowser(data);
  } catch (error) {
    throw failed(error);
  }
  if (!(contents instanceof Promise)) return checkedSize(contents, member, fileName);
  return contents.then((inflated) => checkedSize(inflated, member, fileName), (error) => { throw failed(error); });
}

/** The contents of `plan`'s members ([{name, member}] -> [{name, contents}]),
 * in order: an array, or with `sync: false` a promise of one. With `defer`
 * (only for an archive verified by sha256, where canDeferMembers), all but
 * side modules are DeferredMembers. */
export function extractMembers(bytes, plan, fileName, { sync, defer = false }) {
  if (defer && !canDeferMembers) throw new Error("kiln: members cannot be inflated on first read here");
  const pair = (contents, i) => ({ name: plan[i].name, contents });
  const extract = ({ name, member }) => extractMember(bytes, member, name, fileName, { sync, defer });
  if (sync) return plan.map((entry, i) => pair(extract(entry), i));
  // Every member's failure becomes a rejection Promise.all observes (none is left unhandled).
  const extracted = plan.map((entry) => new Promise((resolve) => resolve(extract(entry))));
  return Promise.all(extracted).then((all) => all.map(pair));
}
