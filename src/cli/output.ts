// Output of the rtnl command line: a JSON writer that produces byte for byte what iproute2's
// streaming json_writer (lib/json_writer.c, 6.1) produces — compact with -j, its own pretty
// layout with -p — and the text side: colour as lib/color.c applies it, `-o` line joining
// (ip's _SL_), and -h number formatting as ip/ipaddress.c print_num does.
//
// Two ways to produce JSON, mixable:
//  - streaming, like ip's json_print.c: out.openObject(), out.any('mtu', 1500, 'mtu 1500 '),
//    out.closeObject() — each call writes JSON when a document is open and text otherwise;
//  - whole records: out.record({ ifindex: 1, ifname: 'lo', … }) writes a JS value tree (keys in
//    insertion order; `undefined` values are skipped; Map for keys that look like integers).
import { writeSync } from 'node:fs';

/** A value the JSON writer can write. bigint is written as an integer (u64 counters). */
export type JsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly JsonValue[]
  | JsonObject
  | ReadonlyMap<string, JsonValue | undefined>;

/** A JSON object; `undefined` members are left out. */
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined;
}

/**
 * iproute2's json_writer as a state machine (depth, separator, pretty), so every byte —
 * `[ {` / `},{` / `} ]` in pretty mode, `[ ]` for an empty array — is the same as ip's.
 */
export class JsonWriter {
  private depth = 0;
  private sep = '';
  private readonly pretty: boolean;
  private readonly emit: (s: string) => void;

  constructor(pretty: boolean, emit: (s: string) => void) {
    this.pretty = pretty;
    this.emit = emit;
  }

  private indent(): void {
    if (this.depth > 0) this.emit('    '.repeat(this.depth));
  }

  private eol(): void {
    if (!this.pretty) return;
    this.emit('\n');
    this.indent();
  }

  private eor(): void {
    if (this.sep) this.emit(this.sep);
    this.sep = ',';
  }

  private begin(c: string): void {
    this.eor();
    this.emit(c);
    this.depth++;
    this.sep = '';
  }

  private end(c: string): void {
    this.depth--;
    if (this.sep) this.eol();
    this.emit(c);
    this.sep = ',';
  }

  /** A property name (`"key":`, then a space when pretty). */
  name(key: string): void {
    this.eor();
    this.eol();
    this.sep = '';
    this.emit(`${quote(key)}${this.pretty ? ': ' : ':'}`);
  }

  startObject(): void {
    this.begin('{');
  }

  endObject(): void {
    this.end('}');
  }

  startArray(): void {
    this.begin('[');
    if (this.pretty) this.emit(' ');
  }

  endArray(): void {
    if (this.pretty && this.sep) this.emit(' ');
    this.sep = '';
    this.end(']');
  }

  /** A raw scalar token (number, true, false, null) in value position. */
  raw(token: string): void {
    this.eor();
    this.emit(token);
  }

  string(value: string): void {
    this.eor();
    this.emit(quote(value));
  }

  number(value: number | bigint): void {
    this.raw(formatNumber(value));
  }

  bool(value: boolean): void {
    this.raw(value ? 'true' : 'false');
  }

  null(): void {
    this.raw('null');
  }

  /** Write a whole value tree in value position. */
  value(v: JsonValue): void {
    if (v === null) this.null();
    else if (typeof v === 'string') this.string(v);
    else if (typeof v === 'number' || typeof v === 'bigint') this.number(v);
    else if (typeof v === 'boolean') this.bool(v);
    else if (Array.isArray(v)) {
      this.startArray();
      for (const item of v as readonly JsonValue[]) this.value(item);
      this.endArray();
    } else {
      this.startObject();
      const entries =
        v instanceof Map
          ? (v as ReadonlyMap<string, JsonValue | undefined>).entries()
          : Object.entries(v as JsonObject);
      for (const [k, item] of entries) {
        if (item === undefined) continue;
        this.name(k);
        this.value(item);
      }
      this.endObject();
    }
  }

  /** A `"key": value` member (the value written with value()). */
  field(key: string, v: JsonValue): void {
    this.name(key);
    this.value(v);
  }

  /** Nesting depth (0 when the document is complete). */
  get level(): number {
    return this.depth;
  }
}

// jsonw_puts (6.1): escapes \t \n \r \f \b \\ and ", nothing else (no \u escapes, UTF-8 as is).
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      default:
        out += ch;
    }
  }
  return `${out}"`;
}

// Integers as %d/%u/%llu; other numbers as C's %g (6 significant digits), which ip uses for
// the few floating values it prints (jsonw_float).
function formatNumber(v: number | bigint): string {
  if (typeof v === 'bigint' || Number.isInteger(v)) return String(v);
  return formatG(v);
}

/** C's `%g` (precision 6). */
export function formatG(v: number, precision = 6): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v < 0 ? '-inf' : 'inf';
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  let s: string;
  if (exp < -4 || exp >= precision) {
    s = v.toExponential(precision - 1);
    let [mant, e] = s.split('e') as [string, string];
    if (mant.includes('.')) mant = mant.replace(/\.?0+$/, '');
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  s = v.toFixed(Math.max(0, precision - 1 - exp));
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return s;
}

/** Colour attributes of lib/color.c (enum color_attr). */
export type ColorKind = 'ifname' | 'mac' | 'inet' | 'inet6' | 'operstate-up' | 'operstate-down';

// The palettes of lib/color.c: light background by default, dark when COLORFGBG says so.
const LIGHT: Record<ColorKind, string> = {
  ifname: '\x1b[36m',
  mac: '\x1b[33m',
  inet: '\x1b[35m',
  inet6: '\x1b[34m',
  'operstate-up': '\x1b[32m',
  'operstate-down': '\x1b[31m',
};
const DARK: Record<ColorKind, string> = {
  ifname: '\x1b[1;36m',
  mac: '\x1b[1;33m',
  inet: '\x1b[1;35m',
  inet6: '\x1b[1;34m',
  'operstate-up': '\x1b[1;32m',
  'operstate-down': '\x1b[1;31m',
};
const CLEAR = '\x1b[0m';

/** lib/color.c set_color_palette: the last `;`-field of COLORFGBG is 0–6 or 8 → dark. */
export function isDarkBackground(colorfgbg: string | undefined): boolean {
  if (!colorfgbg) return false;
  const i = colorfgbg.lastIndexOf(';');
  if (i < 0) return false;
  return /^[0-68]$/.test(colorfgbg.slice(i + 1));
}

/** Where the Output writes: by default fd 1 and fd 2, synchronously. */
export interface OutputSink {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Options an Output is built from (the relevant global options). */
export interface OutputOptions {
  json: boolean;
  pretty: boolean;
  color: boolean;
  oneline: boolean;
  human: boolean;
  iec: boolean;
  /** COLORFGBG says dark background (lib/color.c); default: read from the environment. */
  darkBackground?: boolean;
}

function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    try {
      const n = writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') {
        // `rtnl link | head`: a closed pipe ends the output quietly (ip dies of SIGPIPE).
        process.exit(0);
      }
      throw err;
    }
  }
}

/** The process's own stdout/stderr, written synchronously (no stream objects to load). */
export const processSink: OutputSink = {
  stdout: (t) => writeAll(1, t),
  stderr: (t) => writeAll(2, t),
};

const FLUSH_AT = 64 * 1024;

/**
 * The output of one rtnl run. Text and JSON go to one buffer (flushed at 64 KiB and by
 * flush()); errors go straight to stderr.
 */
export class Output {
  /** -j was given. */
  readonly json: boolean;
  readonly pretty: boolean;
  readonly oneline: boolean;
  readonly human: boolean;
  readonly iec: boolean;
  /** Colour is actually applied (never with -j). */
  readonly colorEnabled: boolean;
  /** ip's `_SL_`: the line break inside one record: "\n", or "\\" with -o. */
  readonly sl: string;
  private readonly palette: Record<ColorKind, string>;
  private readonly sink: OutputSink;
  private chunks: string[] = [];
  private size = 0;
  private writer: JsonWriter | undefined;

  constructor(opts: OutputOptions, sink: OutputSink = processSink) {
    this.json = opts.json;
    this.pretty = opts.pretty;
    this.oneline = opts.oneline;
    this.human = opts.human;
    this.iec = opts.iec;
    this.colorEnabled = opts.color && !opts.json;
    this.sl = opts.oneline ? '\\' : '\n';
    const dark = opts.darkBackground ?? isDarkBackground(process.env.COLORFGBG);
    this.palette = dark ? DARK : LIGHT;
    this.sink = sink;
  }

  // ---- raw output ----

  /** Append text to stdout (buffered). */
  print(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  /** Write everything buffered to stdout. */
  flush(): void {
    if (this.chunks.length === 0) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    this.sink.stdout(text);
  }

  /**
   * Write `line` and a newline on stderr (stdout is flushed first so the order is kept on a
   * terminal). A message ip prints with its own trailing "\n" keeps it (ip then prints two).
   */
  error(line: string): void {
    this.flush();
    this.sink.stderr(`${line}\n`);
  }

  /** `text` in the colour of `kind` when colour is on (lib/color.c color_fprintf). */
  color(kind: ColorKind | undefined, text: string): string {
    if (!this.colorEnabled || kind === undefined) return text;
    return `${this.palette[kind]}${text}${CLEAR}`;
  }

  // ---- JSON documents (ip's new_json_obj / delete_json_obj) ----

  /** A JSON document is open: print_* calls write JSON (ip's is_json_context()). */
  get jsonContext(): boolean {
    return this.writer !== undefined;
  }

  /** The open document's writer (throws when none is open). */
  get jw(): JsonWriter {
    if (!this.writer) throw new Error('no JSON document is open');
    return this.writer;
  }

  /**
   * ip's new_json_obj(json): with -j, start a document whose top level is an array
   * (`array: false` for new_json_obj_plain). Without -j it does nothing.
   */
  openJson(array = true): void {
    if (!this.json || this.writer) return;
    this.writer = new JsonWriter(this.pretty, (s) => this.print(s));
    if (array) this.writer.startArray();
  }

  /** ip's delete_json_obj(): close the top-level array and end the document with "\n". */
  closeJson(array = true): void {
    const w = this.writer;
    if (!w) return;
    if (array) w.endArray();
    this.writer = undefined;
    this.print('\n');
  }

  /** Write one whole record (an element of the top-level array). */
  record(value: JsonValue): void {
    this.jw.value(value);
  }

  // ---- ip's json_print.c helpers: JSON in a document, text otherwise ----

  /** open_json_object(key): `{` (as `"key": {` when a key is given); nothing in text mode. */
  openObject(key?: string): void {
    if (!this.writer) return;
    if (key !== undefined) this.writer.name(key);
    this.writer.startObject();
  }

  /** close_json_object(). */
  closeObject(): void {
    this.writer?.endObject();
  }

  /** open_json_array(PRINT_ANY, key): `"key": [` in JSON; `text` is printed in text mode. */
  openArray(key?: string, text = ''): void {
    if (this.writer) {
      if (key !== undefined) this.writer.name(key);
      this.writer.startArray();
    } else if (text) this.print(text);
  }

  /** close_json_array(PRINT_ANY, text). */
  closeArray(text = ''): void {
    if (this.writer) this.writer.endArray();
    else if (text) this.print(text);
  }

  /**
   * PRINT_ANY: in JSON `"key": value` (a bare value when key is undefined, inside an array);
   * in text `text` (coloured as `color`). `text` may be omitted to print nothing in text mode.
   */
  any(key: string | undefined, value: JsonValue, text?: string, color?: ColorKind): void {
    if (this.writer) {
      if (key !== undefined) this.writer.name(key);
      this.writer.value(value);
    } else if (text !== undefined) this.print(this.color(color, text));
  }

  /** PRINT_JSON: `"key": value` in a document, nothing in text mode. */
  jsonOnly(key: string | undefined, value: JsonValue): void {
    if (!this.writer) return;
    if (key !== undefined) this.writer.name(key);
    this.writer.value(value);
  }

  /** PRINT_FP: `text` in text mode only (print_string(PRINT_FP, NULL, …)). */
  text(text: string, color?: ColorKind): void {
    if (!this.writer) this.print(this.color(color, text));
  }

  /** print_nl(): `_SL_` in text mode. */
  nl(): void {
    if (!this.writer) this.print(this.sl);
  }

  /** print_num(fp, width, count) of ip/ipaddress.c, honouring -h and -iec. */
  num(width: number, count: number | bigint): string {
    return formatNum(width, count, this.human, this.iec);
  }
}

/**
 * ip's print_num: `count` right-aligned in `width` followed by a space; with -h, scaled to
 * k/M/G/T/P/E (Ki… with -iec) with 2, 1 or 0 decimals so that about three digits show.
 */
export function formatNum(
  width: number,
  count: number | bigint,
  human: boolean,
  iec: boolean,
): string {
  const c = BigInt(count);
  const base = iec ? 1024n : 1000n;
  if (!human || c < base) return `${c.toString().padStart(width)} `;
  const prefixes = 'kMGTPE';
  let p = 0;
  let powi = 1n;
  for (;;) {
    powi *= base;
    if (c / base < powi) break;
    if (p + 1 >= prefixes.length) break;
    p++;
  }
  let precision = 2;
  let powj = 1n;
  for (; precision > 0; precision--) {
    powj *= 10n;
    if (c / powi < powj) break;
  }
  const text = `${(Number(c) / Number(powi)).toFixed(precision)}${prefixes[p]}${iec ? 'i' : ''}`;
  return `${text.padStart(width)} `;
}
