// The globals a lesson cell relies on, inside the Web Worker that runs it (see runner.rs).
// The worker has no network of its own: fetch asks the page, which routes the request to the
// sandbox, the relay or Spotify as the page's other cells do.
var __playground = (() => {
  "use strict";
  // Messages to the page, as `runner::Event` reads them (serde's external tagging).
  const post = (message) => postMessage(JSON.stringify(message));
  const CAP = 1048576;
  let sent = 0, cut = false, pending = 0, finished = false, nextId = 0;
  const waiting = new Map();

  const out = (text) => {
    if (cut) return;
    sent += text.length;
    if (sent > CAP) {
      cut = true;
      post("cut");
    } else {
      post({ log: text });
    }
  };
  const show = (value) => {
    if (typeof value === "string") return value;
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    try {
      const json = JSON.stringify(value, null, 2);
      return json === undefined ? String(value) : json;
    } catch (e) {
      return String(value);
    }
  };
  const log = (...values) => out(values.map(show).join(" "));
  for (const name of ["log", "info", "warn", "error", "debug"]) console[name] = log;

  // The run ends when the code's promise has settled and no fetch or print is pending.
  const settle = () => {
    if (finished && pending === 0) {
      setTimeout(() => { if (pending === 0) post("done"); }, 0);
    }
  };
  const track = (promise) => {
    pending++;
    return promise.finally(() => { pending--; settle(); });
  };

  self.fetch = (input, init = {}) => {
    const request = input instanceof Request ? input : null;
    const url = String(request ? request.url : input);
    // The browser's own Request normalises the method as fetch does ("post" is sent as POST,
    // "patch" as written) and refuses what fetch refuses, with its TypeError.
    let method;
    try {
      method = new Request("data:,", { method: init.method || (request && request.method) || "GET" }).method;
    } catch (error) {
      return Promise.reject(error);
    }
    const headers = [...new Headers(init.headers || (request && request.headers) || {})];
    const body = init.body == null ? "" : String(init.body);
    if (init.body instanceof URLSearchParams && !headers.some(([name]) => name === "content-type")) {
      headers.push(["content-type", "application/x-www-form-urlencoded;charset=UTF-8"]);
    }
    const id = nextId++;
    return track(new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      post({ fetch: { id, request: { method, url, headers, body } } });
    }));
  };
  self.onmessage = (event) => {
    const answer = JSON.parse(event.data);
    const waiter = waiting.get(answer.id);
    if (!waiter) return;
    waiting.delete(answer.id);
    const response = answer.response;
    if (!response) {
      waiter.reject(new TypeError(answer.error));
    } else {
      const empty = response.status === 204 || response.status === 304;
      waiter.resolve(new Response(empty ? null : response.body, { status: response.status, headers: response.headers }));
    }
  };

  self.printResponse = (response) =>
    track(response.text().then((body) => { if (!cut) post({ print: { status: response.status, headers: [...response.headers], body } }); }));
  self.printError = (error) => out(`Error: ${error && error.message !== undefined ? error.message : String(error)}`);

  // Buffer.from(…).toString(…) with utf8, base64 and hex, as lesson code uses them.
  const encodings = ["utf8", "utf-8", "base64", "hex"];
  const encoding = (name) => {
    const e = String(name || "utf8").toLowerCase();
    if (!encodings.includes(e)) {
      throw new TypeError(`Unknown encoding: ${name}. This playground's Buffer knows utf8, base64 and hex.`);
    }
    return e;
  };
  class Buffer extends Uint8Array {
    static from(value, enc) {
      if (typeof value !== "string") return new Buffer(value);
      const e = encoding(enc);
      if (e === "base64") return Buffer.from(Array.from(atob(value), (c) => c.charCodeAt(0)));
      if (e === "hex") return Buffer.from((value.match(/[0-9a-f]{2}/gi) || []).map((h) => parseInt(h, 16)));
      return new Buffer(new TextEncoder().encode(value));
    }
    static isBuffer(value) { return value instanceof Buffer; }
    toString(enc) {
      const e = encoding(enc);
      if (e === "base64") {
        let binary = "";
        for (const byte of this) binary += String.fromCharCode(byte);
        return btoa(binary);
      }
      if (e === "hex") return Array.from(this, (b) => b.toString(16).padStart(2, "0")).join("");
      return new TextDecoder().decode(this);
    }
  }
  self.Buffer = Buffer;

  // Nothing else reaches the network: no other request APIs, and no nested worker with a
  // fetch of its own.
  for (const name of ["XMLHttpRequest", "WebSocket", "EventSource", "importScripts", "Worker", "SharedWorker"]) {
    self[name] = undefined;
  }

  const fail = (error) => {
    const where = String((error && error.stack) || "").match(/blob:[^\s)]*:(\d+):(\d+)/);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : `Uncaught ${show(error)}`;
    post({ error: { message, line: where ? +where[1] : undefined, column: where ? +where[2] : undefined } });
  };
  self.addEventListener("unhandledrejection", (event) => { event.preventDefault(); fail(event.reason); });

  return {
    main: (code) => track(code().catch(fail)).finally(() => { finished = true; settle(); }),
  };
})();
