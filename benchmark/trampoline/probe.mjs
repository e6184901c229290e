// The call trampoline's own cost: ns per call through it minus ns per direct
// call_indirect, both driven from WebAssembly. Usage: node probe.mjs <driver.wasm> <trampoline.wasm>
import { readFileSync } from "node:fs";

const [driverPath, trampolinePath] = process.argv.slice(2);
const table = new WebAssembly.Table({ initial: 2, element: "anyfunc" });
const fallback = () => {
  throw new Error("the benchmark's callee should never need the JS fallback");
};
const trampoline = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(trampolinePath)), { env: { table, fallback } });
const driver = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(driverPath)), {
  env: { table, trampoline: trampoline.exports.call },
});
const CALLS = 50_000_000;

function nsPerCall(fn) {
  fn(1_000_000); // warm up: optimizing tier
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    if (fn(CALLS) !== CALLS) throw new Error("wrong call count");
    best = Math.min(best, performance.now() - start);
  }
  return (best * 1e6) / CALLS;
}

const direct = nsPerCall(driver.exports.direct);
const trampolined = nsPerCall(driver.exports.trampolined);
console.log(JSON.stringify({ directNs: direct, trampolinedNs: trampolined }));
