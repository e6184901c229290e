// JsRef: C holds JS values by index into this table (a JsProxy owns one
// slot). Slot 0 is never used, so 0 can mean "error".

const jsRefs = [undefined];
const freeRefSlots = [];

function newRef(value) {
  const id = freeRefSlots.length ? freeRefSlots.pop() : jsRefs.length;
  jsRefs[id] = value;
  return id;
}

function getRef(id) {
  return jsRefs[id];
}

function dropRef(id) {
  jsRefs[id] = undefined;
  freeRefSlots.push(id);
}

function liveRefCount() {
  return jsRefs.length - 1 - freeRefSlots.length;
}
