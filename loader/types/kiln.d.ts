// Type declarations of Kiln's public JS API (the npm package kiln-python).

/** An output handler: called per line (batched), per byte (raw), or with byte chunks (write). */
export type OutputHandler =
  | ((line: string) => void)
  | { batched: (line: string) => void }
  | { raw: (byte: number) => void }
  | { write: (bytes: Uint8Array) => number };

/** What stdin returns: a string or bytes, or null / undefined at the end of input. */
export type StdinResult = string | Uint8Array | null | undefined;
export type StdinHandler =
  | (() => StdinResult)
  | { stdin: () => StdinResult; isatty?: boolean }
  | { read: (buffer: Uint8Array) => number; isatty?: boolean }
  | { error: true; isatty?: boolean };

export interface LoadKilnOptions {
  /** Folder holding kiln.asm.wasm and the other files (default: next to the loader). */
  indexURL?: string;
  stdout?: OutputHandler;
  stderr?: OutputHandler;
  /** Called when Python reads stdin. In worker mode it may return a promise, and
   * `signal` aborts when the waiting input() is interrupted (its answer is then dropped). */
  stdin?: StdinHandler | ((options: { signal: AbortSignal }) => Promise<StdinResult>);
  /** Python command-line options, e.g. ["-X", "dev"]. */
  args?: string[];
  env?: Record<string, string>;
  /** JS null becomes None (default: pyodide.ffi.jsnull). */
  convertNullToNone?: boolean;
  lockFileURL?: string;
  /** The lock file itself (JSON text or object), instead of lockFileURL. */
  lockFileContents?: string | object;
  packageBaseUrl?: string;
  /** Installed before loadKiln resolves (lock names, requirement specifiers, wheel URLs). */
  packages?: string[];
  /** Keep downloaded packages (default true); false turns it off; in Node, a folder. */
  packageCache?: boolean | string;
  /** Node: keep V8's compiled code of the core's JS glue on disk (default true: ~/.cache/kiln/code); false turns it off; or a folder. */
  codeCache?: boolean | string;
  /** Called once the file system is ready and before Python starts (mounts, files, chdir). */
  fsInit?: (FS: any, info: { sitePackages: string }) => void | Promise<void>;
  /** Run Python in a Web Worker (worker_threads in Node). */
  worker?: boolean;
  /**
   * Start from a memory snapshot of a started interpreter instead of starting
   * Python (docs/performance.md, "Memory snapshot"): true for the build's
   * kiln-snapshot.bin, its URL (relative to indexURL), or its bytes. One that
   * does not match this build is reported on the console and Python starts
   * normally. Cannot be combined with `args` or PYTHON* variables in `env`.
   */
  snapshot?: boolean | string | Uint8Array | ArrayBuffer;
}

export interface PackageInfo {
  name: string;
  version: string;
  fileName: string;
  packageType: string;
}

export interface LoadPackageOptions {
  messageCallback?: (message: string) => void;
  errorCallback?: (message: string) => void;
  checkIntegrity?: boolean;
}

export interface InstallOptions {
  index_urls?: string | string[];
  keep_going?: boolean;
  deps?: boolean;
  pre?: boolean;
  constraints?: string[];
  reinstall?: boolean;
  credentials?: string;
  verbose?: boolean | number;
}

export interface RunOptions {
  globals?: PyProxy;
  locals?: PyProxy;
  filename?: string;
}

export interface ToJsOptions {
  depth?: number;
  dictConverter?: (entries: Iterable<[unknown, unknown]>) => unknown;
  dict_converter?: (entries: Iterable<[unknown, unknown]>) => unknown;
  defaultConverter?: (value: PyProxy, convert: (value: PyProxy) => unknown, cache: (input: PyProxy, output: unknown) => void) => unknown;
  createPyProxies?: boolean;
  pyproxies?: PyProxy[];
}

/** A Python object seen from JS. */
export declare class PyProxy {
  /** The Python type's name ("module.Name", or "Name" for builtins). */
  readonly type: string;
  /** repr() of the object. */
  toString(): string;
  /** Release the Python object now; later use throws. */
  destroy(options?: { message?: string }): void;
  copy(): this;
  toJs(options?: ToJsOptions): any;
  // Also [Symbol.dispose]() (= destroy) where the JS engine has Symbol.dispose;
  // not declared here, so projects without TypeScript's esnext lib still compile.
  [key: string]: any;
}
export declare class PyCallable extends PyProxy {
  callKwargs(...args: any[]): any;
  callPromising(...args: any[]): Promise<any>;
  callPromisingKwargs(...args: any[]): Promise<any>;
}
/** (a class cannot declare a call signature; the merged interface does) */
export interface PyCallable {
  (...args: any[]): any;
}
export declare class PyDict extends PyProxy {
  get(key: any): any;
  set(key: any, value: any): void;
  delete(key: any): void;
  has(key: any): boolean;
  readonly length: number;
  [Symbol.iterator](): Iterator<any>;
}
export declare class PyBufferView {
  data: ArrayBufferView;
  offset: number;
  readonly nbytes: number;
  readonly itemsize: number;
  readonly readonly: boolean;
  readonly ndim: number;
  readonly format: string;
  readonly shape: number[];
  readonly strides: number[];
  readonly c_contiguous: boolean;
  release(): void;
}

/** A Python exception in JS: `type` is its Python type's name, `message` the traceback. */
export declare class PythonError extends Error {
  readonly type: string;
}

export interface Ffi {
  PyProxy: typeof PyProxy;
  PyCallable: typeof PyCallable;
  PyDict: typeof PyDict;
  PythonError: typeof PythonError;
  PyBufferView: typeof PyBufferView;
  [name: string]: unknown;
}

/** The Emscripten file system (the parts most used). */
export interface FileSystem {
  readFile(path: string, options?: { encoding?: "binary" }): Uint8Array;
  readFile(path: string, options: { encoding: "utf8" }): string;
  writeFile(path: string, data: string | ArrayBufferView): void;
  mkdir(path: string): void;
  mkdirTree(path: string): void;
  readdir(path: string): string[];
  unlink(path: string): void;
  rmdir(path: string): void;
  rename(from: string, to: string): void;
  [operation: string]: any;
}

/** A running interpreter (loadKiln's result). Pyodide's names. */
export interface KilnAPI {
  readonly version: string;
  readonly indexURL: string;
  readonly FS: FileSystem;
  readonly PythonError: typeof PythonError;
  readonly ffi: Ffi;
  readonly globals: PyDict;
  readonly loadedPackages: Record<string, string>;
  readonly lockfileBaseUrl: string;
  readonly jspiAvailable: boolean;
  /** Whether this interpreter was restored from a memory snapshot (options.snapshot). */
  readonly startedFromSnapshot: boolean;
  /** Node: how the core's JS glue was compiled: from V8's code cache on disk ("used"), creating it, or without ("off"; browsers keep their own). */
  readonly glueCodeCache: "used" | "created" | "off";
  runPython(code: string, options?: RunOptions): any;
  runPythonAsync(code: string, options?: RunOptions): Promise<any>;
  pyimport(name: string): PyProxy;
  registerJsModule(name: string, module: object): void;
  unregisterJsModule(name: string): void;
  toPy(value: unknown, options?: { depth?: number; defaultConverter?: (value: unknown, convert: (v: unknown) => any, cache: (input: unknown, output: any) => void) => any }): any;
  setStdout(handler?: OutputHandler): void;
  setStderr(handler?: OutputHandler): void;
  setStdin(handler?: StdinHandler): void;
  setInterruptBuffer(buffer: ArrayBufferView | null, options?: { keepPending?: boolean }): void;
  checkInterrupt(): void;
  loadPackage(names: string | string[], options?: LoadPackageOptions): Promise<PackageInfo[]>;
  loadPackagesFromImports(code: string, options?: LoadPackageOptions): Promise<PackageInfo[]>;
  install(requirements: string | string[], options?: InstallOptions): Promise<{ name: string; version: string }[]>;
  debugCounters(): { jsRefs: number; pyproxies: number; heapUsedBytes: number; wasmMemoryBytes: number };
}

/** An interpreter in a worker (loadKiln({worker: true})): values cross by copy. */
export interface KilnWorker {
  readonly version: string;
  readonly worker: true;
  readonly jspiAvailable: boolean;
  readonly startedFromSnapshot: boolean;
  /** Node: how the core's JS glue was compiled: from V8's code cache on disk ("used"), creating it, or without ("off"; browsers keep their own). */
  readonly glueCodeCache: "used" | "created" | "off";
  /** Whether interrupt(), blocking input() and synchronous callbacks work (cross-origin isolation). */
  readonly sharedMemory: boolean;
  readonly PythonError: typeof PythonError;
  readonly FS: { [operation: string]: (...args: any[]) => Promise<any> };
  readonly globals: { get(name: string): Promise<any>; set(name: string, value: unknown): Promise<void>; delete(name: string): Promise<void> };
  runPython(code: string, options?: { filename?: string }): Promise<any>;
  runPythonAsync(code: string, options?: { filename?: string }): Promise<any>;
  loadPackage(names: string | string[], options?: { checkIntegrity?: boolean }): Promise<PackageInfo[]>;
  loadPackagesFromImports(code: string): Promise<PackageInfo[]>;
  install(requirements: string | string[], options?: InstallOptions): Promise<{ name: string; version: string }[]>;
  loadedPackages(): Promise<Record<string, string>>;
  registerJsModule(name: string, module: object): Promise<void>;
  unregisterJsModule(name: string): Promise<void>;
  setStdout(handler?: OutputHandler): void;
  setStderr(handler?: OutputHandler): void;
  setStdin(handler?: () => StdinResult | Promise<StdinResult>): void;
  interrupt(): void;
  terminate(): Promise<number> | void;
}

export declare function loadKiln(options: LoadKilnOptions & { worker: true }): Promise<KilnWorker>;
export declare function loadKiln(options?: LoadKilnOptions): Promise<KilnAPI>;
export declare const loadPyodide: typeof loadKiln;
/** Run the page's <script type="text/python"> tags. */
export declare function runPythonScripts(options?: LoadKilnOptions): Promise<KilnAPI>;
export declare const version: string;
/** The bytes of a memory snapshot for loadKiln({snapshot}) (the build writes dist/kiln-snapshot.bin with it). */
export declare function makeSnapshot(options?: { indexURL?: string }): Promise<Uint8Array>;
