// The package cache: downloaded package files kept by their sha256, so a
// reload (browsers) or a new process (Node) installs without the network.
// Browsers: the Cache API. Node: a folder (default ~/.cache/kiln/packages).
// Files whose hash is not known before download (wheels micropip finds on an
// index) are also remembered by URL; every hit is checked against its hash.
// Turn it off with loadKiln({ packageCache: false }).

import { IN_NODE, nodeCacheFolder, nodeRequire, plainBytes, writeFileAtomically } from "../host.mjs";

const CACHE_NAME = "kiln-packages-v1";
const KEY_ORIGIN = "https://kiln.invalid/";

const disabled = {
  async get() {
    return null;
  },
  async put() {},
  async shaOfURL() {
    return null;
  },
  async rememberURL() {},
};

/** `option`: false (off), true/undefined (default place), or a Node folder path. */
export function makePackageCache(option) {
  if (option === false) return disabled;
  if (IN_NODE) return nodeCache(typeof option === "string" ? option : nodeCacheFolder("packages"));
  if (typeof caches === "object" && caches !== null) return browserCache();
  return disabled; // e.g. a plain-http page: the Cache API needs a secure context
}

async function urlKey(url) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(url));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function nodeCache(folder) {
  const fs = nodeRequire("fs/promises");
  const path = nodeRequire("path");
  const file = (kind, name) => path.join(folder, kind, name);
  return {
    async get(sha256) {
      try {
        return plainBytes(await fs.readFile(file("sha256", sha256)));
      } catch {
        return null;
      }
    },
    put: (sha256, bytes) => writeFileAtomically(file("sha256", sha256), bytes).catch(() => {}),
    async shaOfURL(url) {
      try {
        return (await fs.readFile(file("url", await urlKey(url)), "utf8")).trim();
      } catch {
        return null;
      }
    },
    rememberURL: async (url, sha256) => writeFileAtomically(file("url", await urlKey(url)), sha256).catch(() => {}),
  };
}

function browserCache() {
  const open = () => caches.open(CACHE_NAME);
  return {
    async get(sha256) {
      try {
        const response = await (await open()).match(`${KEY_ORIGIN}sha256/${sha256}`);
        return response ? new Uint8Array(await response.arrayBuffer()) : null;
      } catch {
        return null;
      }
    },
    async put(sha256, bytes) {
      try {
        await (await open()).put(`${KEY_ORIGIN}sha256/${sha256}`, new Response(bytes));
      } catch {
        // quota or private mode: caching is an optimisation only
      }
    },
    async shaOfURL(url) {
      try {
        const response = await (await open()).match(`${KEY_ORIGIN}url/${await urlKey(url)}`);
        return response ? (await response.text()).trim() : null;
      } catch {
        return null;
      }
    },
    async rememberURL(url, sha256) {
      try {
        await (await open()).put(`${KEY_ORIGIN}url/${await urlKey(url)}`, new Response(sha256));
      } catch {
        // as above
      }
    },
  };
}
