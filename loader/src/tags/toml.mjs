// The part of TOML a <script type="text/python-config"> needs: tables,
// key = value (dotted keys too), basic and literal strings, integers,
// floats, booleans, arrays (over several lines) and inline tables. Anything
// else is an error naming the line.

export function parseToml(text) {
  const root = {};
  let table = root;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    let line = stripComment(lines[index]).trim();
    if (!line) continue;
    const where = `line ${index + 1}`;
    if (line.startsWith("[")) {
      if (!line.endsWith("]") || line.startsWith("[[")) throw new SyntaxError(`TOML ${where}: only [table] headers are supported`);
      table = descend(root, splitKey(line.slice(1, -1), where), where);
      continue;
    }
    // A value may continue over the next lines (arrays, inline tables).
    while (!balanced(line) && index + 1 < lines.length) line += " " + stripComment(lines[++index]).trim();
    const equals = findEquals(line);
    if (equals < 0) throw new SyntaxError(`TOML ${where}: expected key = value`);
    const keys = splitKey(line.slice(0, equals), where);
    const parser = new ValueParser(line.slice(equals + 1), where);
    const value = parser.value();
    parser.end();
    const target = descend(table, keys.slice(0, -1), where);
    const last = keys.at(-1);
    if (Object.hasOwn(target, last)) throw new SyntaxError(`TOML ${where}: "${keys.join(".")}" is defined twice`);
    target[last] = value;
  }
  return root;
}

function stripComment(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") return line.slice(0, i);
  }
  return line;
}

function balanced(text) {
  let depth = 0;
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
  }
  return depth <= 0;
}

function findEquals(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "=") return i;
  }
  return -1;
}

function splitKey(text, where) {
  const keys = [];
  const parser = new ValueParser(text, where);
  for (;;) {
    parser.space();
    keys.push(parser.key());
    parser.space();
    if (parser.done()) return keys;
    parser.expect(".");
  }
}

function descend(table, keys, where) {
  for (const key of keys) {
    table[key] ??= {};
    if (typeof table[key] !== "object" || Array.isArray(table[key])) throw new SyntaxError(`TOML ${where}: "${key}" is not a table`);
    table = table[key];
  }
  return table;
}

class ValueParser {
  constructor(text, where) {
    this.text = text;
    this.pos = 0;
    this.where = where;
  }

  fail(message) {
    throw new SyntaxError(`TOML ${this.where}: ${message} at "${this.text.slice(this.pos, this.pos + 20)}"`);
  }

  space() {
    while (/\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  done() {
    return this.pos >= this.text.length;
  }

  expect(c) {
    this.space();
    if (this.text[this.pos] !== c) this.fail(`expected "${c}"`);
    this.pos++;
  }

  end() {
    this.space();
    if (!this.done()) this.fail("unexpected text after the value");
  }

  key() {
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return this.string();
    const match = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.pos));
    if (!match) this.fail("expected a key");
    this.pos += match[0].length;
    return match[0];
  }

  string() {
    const quote = this.text[this.pos++];
    let out = "";
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++];
      if (c === quote) return out;
      if (c === "\\" && quote === '"') {
        const e = this.text[this.pos++];
        const simple = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", b: "\b", f: "\f" }[e];
        if (simple !== undefined) out += simple;
        else if (e === "u" || e === "U") {
          const size = e === "u" ? 4 : 8;
          out += String.fromCodePoint(parseInt(this.text.slice(this.pos, this.pos + size), 16));
          this.pos += size;
        } else this.fail(`unknown escape \\${e}`);
      } else out += c;
    }
    return this.fail("unterminated string");
  }

  value() {
    this.space();
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return this.string();
    if (c === "[") {
      this.pos++;
      const items = [];
      for (;;) {
        this.space();
        if (this.text[this.pos] === "]") {
          this.pos++;
          return items;
        }
        items.push(this.value());
        this.space();
        if (this.text[this.pos] === ",") this.pos++;
        else if (this.text[this.pos] !== "]") this.fail('expected "," or "]"');
      }
    }
    if (c === "{") {
      this.pos++;
      const table = {};
      for (;;) {
        this.space();
        if (this.text[this.pos] === "}") {
          this.pos++;
          return table;
        }
        const key = this.key();
        this.expect("=");
        table[key] = this.value();
        this.space();
        if (this.text[this.pos] === ",") this.pos++;
        else if (this.text[this.pos] !== "}") this.fail('expected "," or "}"');
      }
    }
    const match = /^(true|false|[+-]?(?:\d[\d_]*)(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.pos));
    if (!match) this.fail("expected a value");
    this.pos += match[0].length;
    if (match[0] === "true" || match[0] === "false") return match[0] === "true";
    return Number(match[0].replaceAll("_", ""));
  }
}
