// `loadedPackages`: name -> where the package came from ("default channel"
// for the lock file, else its URL or index). A null-prototype object behind a
// Proxy that canonicalizes names, so "Foo_Bar" and "foo-bar" are one entry
// and a package named "constructor" or "__proto__" is just a package.

import { canonicalName } from "./names.mjs";

export function makeLoadedPackages() {
  const entries = Object.create(null);
  const key = (name) => (typeof name === "string" ? canonicalName(name) : name);
  return new Proxy(entries, {
    get: (target, name) => (typeof name === "symbol" ? undefined : target[key(name)]),
    set(target, name, value) {
      target[key(name)] = String(value);
      return true;
    },
    has: (target, name) => Object.prototype.hasOwnProperty.call(target, key(name)),
    deleteProperty(target, name) {
      delete target[key(name)];
      return true;
    },
    getOwnPropertyDescriptor: (target, name) => Reflect.getOwnPropertyDescriptor(target, key(name)),
    defineProperty(target, name, descriptor) {
      return Reflect.defineProperty(target, key(name), { ...descriptor, value: String(descriptor.value) });
    },
    ownKeys: (target) => Reflect.ownKeys(target),
    getPrototypeOf: () => null,
  });
}
