// The host side of Python's blocking HTTP (kiln.http._transport): which way a
// request can go while Python waits, and the calls to make it.
//
//   "thread"  a helper thread + Atomics.wait (Node; cross-origin isolated Web Workers)
//   "jspi"    fetch() promises Python blocks on through JSPI (run_sync)
//   "xhr"     synchronous XMLHttpRequest (other browser contexts)

import { IN_NODE } from "../host.mjs";
import { HelperThreadFetcher, helperThreadUsable } from "./helper_thread.mjs";
import { PromiseFetcher, XhrFetcher } from "./fetchers.mjs";

export function makeHttpHost({ interruptPending }) {
  const threadUsable = helperThreadUsable();
  const fetchers = {};
  const fetcher = (kind) => {
    fetchers[kind] ??= kind === "thread" ? new HelperThreadFetcher({ interruptPending }) : kind === "jspi" ? new PromiseFetcher() : new XhrFetcher();
    return fetchers[kind];
  };

  return {
    /** Resolves once blocking requests can be made. In a browser, a nested
     * Worker does not start while its parent blocks in Atomics.wait, so the
     * helper must be running before the first request waits on it. */
    ready: threadUsable && !IN_NODE ? fetcher("thread").started() : Promise.resolve(),

    /** The fetcher for a blocking request now ("" if none, see `unavailableReason`). */
    choose(canRunSync) {
      if (threadUsable) return "thread";
      if (canRunSync && typeof fetch === "function") return "jspi";
      if (typeof XMLHttpRequest === "function") return "xhr";
      return "";
    },

    unavailableReason() {
      return IN_NODE
        ? "this Node has no SharedArrayBuffer/Atomics.waitAsync for the helper thread"
        : "neither a helper Worker (needs cross-origin isolation), JSPI nor XMLHttpRequest is available here";
    },

    /** Start a request; returns its id (a promise of it for "jspi"). */
    start(kind, url, method, headers, body) {
      return fetcher(kind).start({ url, method, headers: Array.from(headers), body: body ?? undefined });
    },
    sent: (kind, id, timeoutMs) => fetcher(kind).sent(id, timeoutMs),
    head: (kind, id, timeoutMs) => fetcher(kind).head(id, timeoutMs),
    read: (kind, id, timeoutMs) => fetcher(kind).read(id, timeoutMs),
    close: (kind, id) => fetcher(kind).close(id),
  };
}
