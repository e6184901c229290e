// JsRef: C holds JS values by index into this table (a JsProxy owns one
// slot). Slot 0 is never used, so 0 can mean "error".
//
// Slots 1 and 2 are permanent: JS null and this host's globalThis, shared by
// every proxy of them and never freed. Being the same indexes on every host,
// they may sit in a memory snapshot (snapshot.js): the runtime's Python half,
// imported before the snapshot is taken, holds proxies of both.

const NULL_REF = 1;
const GLOBAL_THIS_REF = 2;
const PERMANENT_REFS = 3;
const jsRefs = [undefined, null, globalThis];
const freeRefSlots = [];

function newRef(value) {
  if (value === null) return NULL_REF;
  if (value === globalThis) return GLOBAL_THIS_REF;
  const id = freeRefSlots.length ? freeRefSlots.pop() : jsRefs.length;
  jsRefs[id] = value;
  return id;
}

function getRef(id) {
  return jsRefs[id];
}

function dropRef(id) {
  if (id < PERMANENT_REFS) return;
  jsRefs[id] = undefined;
  freeRefSlots.push(id);
}

/** References C holds, the permanent ones aside. */
function liveRefCount() {
  return jsRefs.length - PERMANENT_REFS - freeRefSlots.length;
}
