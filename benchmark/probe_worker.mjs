// Worker mode against in-thread Kiln, in a fresh process: init time, then
// (if samples > 0) round-trip latency of a trivial runPython and interrupt latency.
// Usage: node probe_worker.mjs worker|thread <folder> <samples>
//
// Times crossing threads use performance.timeOrigin + performance.now(): each
// thread has its own origin, but the sum is one high-resolution clock.
import { Worker } from "node:worker_threads";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [mode, folder, samplesArg] = process.argv.slice(2);
const samples = Number(samplesArg);
const root = resolve(folder);
const now = () => performance.timeOrigin + performance.now();
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

let onLine = () => {};
const started = performance.now();
const { loadKiln } = await import(pathToFileURL(join(root, "kiln.mjs")).href);
const kiln = await loadKiln({
  indexURL: root + "/",
  worker: mode === "worker",
  stdout: (line) => onLine(line),
  stderr: () => {},
});
const first = await kiln.runPython("1+1"); // a plain value in-thread, a promise in worker mode
const initMs = performance.now() - started;
if (first !== 2) throw new Error(`${mode}: runPython("1+1") gave ${first}`);
if (samples === 0) {
  console.log(JSON.stringify({ mode, initMs }));
  process.exit(0);
}

// In-thread Python blocks this thread, so a helper thread writes the interrupt
// buffer; it waits until Python says it has started (runPython clears a stale request).
let buffer, control, helper;
if (mode === "thread") {
  buffer = new Uint8Array(new SharedArrayBuffer(1));
  kiln.setInterruptBuffer(buffer); // as worker mode always does, so round trips compare like for like
  control = { flag: new Int32Array(new SharedArrayBuffer(4)), written: new Float64Array(new SharedArrayBuffer(8)) };
  globalThis.kilnBenchStarted = () => {
    Atomics.store(control.flag, 0, 1);
    Atomics.notify(control.flag, 0);
  };
  helper = new Worker(
    `const { parentPort, workerData: { flag, written, buffer } } = require("node:worker_threads");
     const idle = new Int32Array(new SharedArrayBuffer(4));
     parentPort.on("message", (delayMs) => {
       Atomics.wait(flag, 0, 0);
       Atomics.wait(idle, 0, 0, delayMs);
       written[0] = performance.timeOrigin + performance.now();
       Atomics.store(buffer, 0, 2);
     });`,
    { eval: true, workerData: { flag: control.flag, written: control.written, buffer } },
  );
  helper.unref();
}

// Round trip: a trivial call, after warm-up. In-thread is not awaited (an
// await costs a microtask turn, not small next to the call itself).
const roundTripMs = [];
for (let i = 0; i < samples + 20; i++) {
  let value;
  const t = performance.now();
  if (mode === "worker") value = await kiln.runPython("1");
  else value = kiln.runPython("1");
  const elapsed = performance.now() - t;
  if (value !== 1) throw new Error(`${mode}: runPython("1") gave ${value}`);
  if (i >= 20) roundTripMs.push(elapsed);
}

await kiln.runPython(
  mode === "thread"
    ? "import js\nfrom js import kilnBenchStarted as _started"
    : "import js\ndef _started():\n    print('go', flush=True)",
);
await kiln.runPython("def _now():\n    return js.performance.timeOrigin + js.performance.now()");

// One interrupt: `raisedMs` is request -> the except block runs in Python,
// `settledMs` request -> runPython's promise rejects (worker) / runPython throws (in-thread).
async function interruptOnce(body) {
  const code = `_raised = None\n_started()\ntry:\n    ${body}\nexcept KeyboardInterrupt:\n    _raised = _now()\n    raise\n`;
  // A random delay after the start, so that polling waits (time.sleep) are hit at every phase.
  const delayMs = 30 + Math.random() * 50;
  let requested, settled, outcome;
  if (mode === "worker") {
    const go = new Promise((r) => (onLine = (line) => line === "go" && r()));
    const run = kiln.runPython(code).then(() => "finished", (e) => e);
    await go;
    await pause(delayMs);
    requested = now();
    kiln.interrupt();
    outcome = await run;
    settled = now();
  } else {
    Atomics.store(control.flag, 0, 0);
    helper.postMessage(delayMs);
    try {
      kiln.runPython(code);
      outcome = "finished";
    } catch (e) {
      outcome = e;
    }
    settled = now();
    requested = control.written[0];
  }
  if (!(outcome instanceof kiln.PythonError) || outcome.type !== "KeyboardInterrupt") {
    throw new Error(`${mode}: ${body} was not interrupted: ${outcome?.type ?? outcome?.message ?? outcome}`);
  }
  const raised = await kiln.runPython("_raised");
  if (typeof raised !== "number" || raised < requested - 0.05) throw new Error(`${mode}: bad except-block time ${raised} (requested ${requested})`);
  return [raised - requested, settled - requested];
}

const interrupts = {};
for (const [name, body] of [["busy", "while True: pass"], ["sleep", "time.sleep(10)"]]) {
  await kiln.runPython("import time");
  const raisedMs = [];
  const settledMs = [];
  for (let i = 0; i < samples + 2; i++) {
    const [raised, settled] = await interruptOnce(body);
    if (i < 2) continue; // warm-up
    raisedMs.push(raised);
    settledMs.push(settled);
  }
  interrupts[name] = { raisedMs, settledMs };
}
if (await kiln.runPython("sum(range(10))") !== 45) throw new Error(`${mode}: broken after the interrupts`);

console.log(JSON.stringify({ mode, initMs, roundTripMs, interrupts }));
process.exit(0);
