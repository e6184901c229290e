// Python in HTML: every <script type="text/python"> (or "python", "py") on
// the page runs, in document order, in one interpreter, with no JavaScript
// to write. Tags added later run too.
//
// Attributes: src="file.py" (else the inline code); async (top-level await);
// packages="numpy, requests>=2" (installed first, kiln.install); worker and
// name="..." (run in a worker-mode interpreter, one per name); target="#id"
// (where print() output goes; default: a <div class="kiln-output"> right
// after the tag). One <script type="text/python-config"> (TOML or JSON)
// may set packages, index_urls, files ({url = "path"}) and interpreter
// options (env, args, lockFileURL, packageCache...).
//
// Events: "kiln:ready" on window when the interpreter is up (detail.kiln),
// "kiln:done" / "kiln:error" on each tag, "kiln:all-done" on window when the
// tags present at load have all finished. A failing tag shows its traceback
// in a box in the page (and in the console) and does not stop the others.

import { parseToml } from "./toml.mjs";

const PYTHON_TYPES = ["text/python", "python", "py"];
const SELECTOR = PYTHON_TYPES.map((t) => `script[type="${t}"]`).join(", ");
const STYLE = `
.kiln-output { white-space: pre-wrap; font-family: ui-monospace, monospace; }
.kiln-error { white-space: pre-wrap; font: 13px/1.4 ui-monospace, monospace; color: #8b1a1a; background: #fff0f0;
  border: 1px solid #e6a3a3; border-left: 4px solid #c0392b; border-radius: 4px; padding: 0.6em 0.8em; margin: 0.5em 0; }
.kiln-error strong { display: block; margin-bottom: 0.3em; font-family: system-ui, sans-serif; }
`;

function readConfig() {
  const element = document.querySelector('script[type="text/python-config"]');
  if (!element) return {};
  const text = element.textContent.trim();
  try {
    return text.startsWith("{") ? JSON.parse(text) : parseToml(text);
  } catch (error) {
    throw new Error(`kiln: the <script type="text/python-config"> is not valid ${text.startsWith("{") ? "JSON" : "TOML"}: ${error.message}`);
  }
}

function tagName(script, index) {
  return script.getAttribute("src") ? `<script src="${script.getAttribute("src")}">` : `Python script #${index + 1}`;
}

function outputFor(script) {
  const target = script.getAttribute("target");
  if (target) {
    const element = document.querySelector(target.startsWith("#") || target.startsWith(".") ? target : `#${target}`);
    if (!element) throw new Error(`kiln: target "${target}" matches no element`);
    return element;
  }
  const div = document.createElement("div");
  div.className = "kiln-output";
  script.after(div);
  return div;
}

/** print() output appended to `element` as it is written. */
function streamInto(element) {
  const decoder = new TextDecoder();
  return {
    write(bytes) {
      element.append(decoder.decode(bytes, { stream: true }));
      return bytes.length;
    },
  };
}

function showError(script, name, error, output) {
  const box = document.createElement("pre");
  box.className = "kiln-error";
  const title = document.createElement("strong");
  title.textContent = `Python error in ${name}`;
  box.append(title, String(error?.message ?? error));
  (output?.isConnected ? output : script).after(box);
  console.error(`kiln: ${name} failed:\n${error?.message ?? error}`);
  script.dispatchEvent(new CustomEvent("kiln:error", { detail: { error } }));
}

async function codeOf(script) {
  const src = script.getAttribute("src");
  if (!src) return script.textContent;
  const response = await fetch(new URL(src, document.baseURI));
  if (!response.ok) throw new Error(`kiln: ${response.status} ${response.statusText} fetching ${src}`);
  return response.text();
}

function packagesOf(script) {
  return (script.getAttribute("packages") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
}

/** Run the page's Python script tags; resolves once those present at call time have run. */
export async function runPythonScripts(loadKiln, options = {}) {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
  const config = readConfig();
  const interpreter = { ...(config.interpreter ?? {}), ...options };
  const installOptions = config.index_urls ? { index_urls: config.index_urls } : {};
  const workers = new Map(); // name -> worker-mode interpreter (a promise of it)
  const ran = new WeakSet();
  let position = 0;

  const files = Object.entries(config.files ?? {});
  const fetchFiles = async (kiln) => {
    for (const [url, path] of files) {
      const response = await fetch(new URL(url, document.baseURI));
      if (!response.ok) throw new Error(`kiln: ${response.status} ${response.statusText} fetching ${url} (config files)`);
      const data = new Uint8Array(await response.arrayBuffer());
      // Relative to Python's working directory (FS.mkdirTree alone would take "a/b" from the root).
      const target = path.startsWith("/") ? path : `${await kiln.FS.cwd()}/${path}`;
      await kiln.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")) || "/");
      await kiln.FS.writeFile(target, data);
    }
  };

  const kiln = await loadKiln(interpreter);
  await fetchFiles(kiln);
  if (config.packages?.length) await kiln.install(config.packages, installOptions);
  window.kiln ??= kiln;
  window.dispatchEvent(new CustomEvent("kiln:ready", { detail: { kiln } }));

  function workerFor(script) {
    const name = script.getAttribute("name") || `worker-${position}`;
    if (!workers.has(name)) {
      workers.set(name, loadKiln({ ...interpreter, worker: true }).then(async (worker) => {
        await fetchFiles(worker);
        if (config.packages?.length) await worker.install(config.packages, installOptions);
        return worker;
      }));
    }
    return workers.get(name);
  }

  async function run(script) {
    if (ran.has(script)) return;
    ran.add(script);
    const name = tagName(script, position++);
    let output;
    try {
      output = outputFor(script);
      const target = script.hasAttribute("worker") ? await workerFor(script) : kiln;
      const [code] = await Promise.all([codeOf(script), packagesOf(script).length ? target.install(packagesOf(script), installOptions) : null]);
      target.setStdout(streamInto(output));
      target.setStderr(streamInto(output));
      const filename = script.getAttribute("src") ?? `<script #${position}>`;
      if (script.hasAttribute("async")) await target.runPythonAsync(code, { filename });
      else await target.runPython(code, { filename });
      script.dispatchEvent(new CustomEvent("kiln:done"));
    } catch (error) {
      showError(script, name, error, output);
    }
  }

  // Tags added later run too, one after another.
  let queue = Promise.resolve();
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && node.matches(SELECTOR)) queue = queue.then(() => run(node));
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  for (const script of document.querySelectorAll(SELECTOR)) await run(script);
  window.dispatchEvent(new CustomEvent("kiln:all-done"));
  return kiln;
}

/** When the page has Python script tags (or a config), run them once the document is parsed. */
export function autoRunPythonScripts(loadKiln) {
  if (typeof document !== "object") return;
  const start = () => {
    if (document.querySelector(`${SELECTOR}, script[type="text/python-config"]`)) {
      runPythonScripts(loadKiln).catch((error) => {
        console.error(error);
        window.dispatchEvent(new CustomEvent("kiln:error", { detail: { error } }));
      });
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
}
