// A module Web Worker for tests: runs the body of an async function posted to
// it (with loadKiln in scope) and posts back its result or error.
import { loadKiln } from "../dist/kiln.mjs";

const AsyncFunction = (async () => {}).constructor;

self.onmessage = async (event) => {
  try {
    const run = new AsyncFunction("loadKiln", event.data.body);
    postMessage({ value: await run(loadKiln) });
  } catch (error) {
    postMessage({ error: String(error?.stack ?? error) });
  }
};
postMessage({ ready: true });
