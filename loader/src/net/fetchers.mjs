// The ways a request can be made while Python waits for it, one class each,
// all with the same shape: request(...) -> head, read(id) -> next body bytes
// (empty at the end), close(id). The host object (http_host.mjs) picks one
// per request.

/** Synchronous XMLHttpRequest: browsers only; the whole body arrives at once. */
export class XhrFetcher {
  constructor() {
    this.nextId = 1;
    this.pending = new Map();
    // On a page's main thread a synchronous XHR may neither ask for an
    // ArrayBuffer nor have a timeout: bytes come through as text instead.
    this.onMainThread = typeof window === "object" && typeof document === "object";
  }

  start(request) {
    const id = this.nextId++;
    this.pending.set(id, { request });
    return id;
  }

  /** The request runs here, whole (a synchronous XHR cannot be waited on in
   * parts), so network errors surface here, where a socket's connect fails. */
  sent(id, timeoutMs) {
    const state = this.pending.get(id);
    const { url, method, headers, body } = state.request;
    const xhr = new XMLHttpRequest();
    xhr.open(method, url, false);
    if (this.onMainThread) {
      xhr.overrideMimeType("text/plain; charset=x-user-defined");
    } else {
      xhr.responseType = "arraybuffer";
      if (timeoutMs > 0) xhr.timeout = timeoutMs;
    }
    for (let i = 0; i < headers.length; i += 2) {
      if (!isForbiddenHeader(headers[i])) xhr.setRequestHeader(headers[i], headers[i + 1]);
    }
    try {
      xhr.send(body ?? null);
    } catch (error) {
      this.pending.delete(id);
      throw networkError(error, url, timeoutMs);
    }
    state.body = this.onMainThread ? textToBytes(xhr.responseText) : new Uint8Array(xhr.response ?? new ArrayBuffer(0));
    state.head = {
      status: xhr.status,
      statusText: xhr.statusText,
      url: xhr.responseURL || url,
      redirected: Boolean(xhr.responseURL) && xhr.responseURL !== url,
      headers: parseHeaderBlock(xhr.getAllResponseHeaders()),
      decoded: true,
    };
  }

  head(id) {
    return this.pending.get(id).head;
  }

  read(id) {
    const state = this.pending.get(id);
    this.pending.delete(id);
    return state?.body ?? new Uint8Array(0);
  }

  close(id) {
    this.pending.delete(id);
  }
}

/** fetch() driven by promises: for JSPI, where Python may block on them. */
export class PromiseFetcher {
  constructor() {
    this.nextId = 1;
    this.open = new Map();
  }

  start({ url, method, headers, body }) {
    const id = this.nextId++;
    const controller = new AbortController();
    const pairs = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!isForbiddenHeader(headers[i])) pairs.push([headers[i], headers[i + 1]]);
    }
    const response = fetch(url, { method, headers: pairs, body, redirect: "follow", signal: controller.signal });
    response.catch(() => {}); // observed by head()
    this.open.set(id, { id, url, controller, response, reader: null });
    return id;
  }

  /** fetch() cannot tell when a request is sent: this waits for the response
   * head, so network errors surface here, where a socket's connect fails. */
  async sent(id, timeoutMs) {
    const state = this.open.get(id);
    const response = await this.within(state, state.response, timeoutMs);
    state.reader = response.body?.getReader() ?? null;
    const headers = [];
    response.headers.forEach((value, name) => headers.push(name, value));
    state.head = { status: response.status, statusText: response.statusText, url: response.url || state.url, redirected: response.redirected, headers, decoded: true };
  }

  head(id) {
    return this.open.get(id).head;
  }

  async read(id, timeoutMs) {
    const state = this.open.get(id);
    if (!state?.reader) return new Uint8Array(0);
    const { done, value } = await this.within(state, state.reader.read(), timeoutMs);
    if (!done) return value;
    this.open.delete(id);
    return new Uint8Array(0);
  }

  close(id) {
    const state = this.open.get(id);
    if (!state) return;
    this.open.delete(id);
    state.controller.abort();
  }

  /** `promise`, or a TimeoutError (aborting the request) after timeoutMs. */
  async within(state, promise, timeoutMs) {
    let timer;
    const timeout = new Promise((_, reject) => {
      if (timeoutMs > 0) timer = setTimeout(() => reject(timeoutError(timeoutMs, state.url)), timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } catch (error) {
      this.close(state.id);
      throw error.name === "TimeoutError" ? error : networkError(error, state.url);
    } finally {
      clearTimeout(timer);
    }
  }
}

// Headers a page may not set (the Fetch standard's forbidden request headers):
// the browser drops them, so they are not offered to it.
const FORBIDDEN_HEADERS = new Set([
  "accept-charset", "accept-encoding", "access-control-request-headers", "access-control-request-method",
  "connection", "content-length", "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
  "origin", "referer", "set-cookie", "te", "trailer", "transfer-encoding", "upgrade", "via",
]);

export function isForbiddenHeader(name) {
  const lower = name.toLowerCase();
  return FORBIDDEN_HEADERS.has(lower) || lower.startsWith("proxy-") || lower.startsWith("sec-");
}

function parseHeaderBlock(block) {
  const flat = [];
  for (const line of block.trim().split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) flat.push(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return flat;
}

function textToBytes(text) {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

function networkError(error, url, timeoutMs) {
  if (error?.name === "TimeoutError") return timeoutError(timeoutMs, url);
  const wrapped = new Error(`${error?.message ?? error} (${url})`);
  wrapped.name = "KilnNetworkError";
  wrapped.code = error?.cause?.code ?? "";
  return wrapped;
}

function timeoutError(timeoutMs, url) {
  const error = new Error(`timed out after ${timeoutMs} ms waiting for ${url}`);
  error.name = "TimeoutError";
  return error;
}
