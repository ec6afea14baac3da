'use strict';
// Command-line parsing for the pack stand-in, driven by pack-cli-contract.json.
//
// Emulates the parts of spf13/pflag + spf13/cobra that decide what `pack` accepts:
//   * long (--name, --name=value, --name value) and short (-x, -xVALUE, -x=VALUE, -x VALUE,
//     bundled bools -qv) forms, interspersed with positionals, `--` terminator;
//   * bool flags take no separate value (`--publish false` leaves `false` as a positional);
//   * string: last occurrence wins; int: strconv.ParseInt(s, 0, 64);
//   * stringSlice: repeatable, each value CSV-split on ','; stringArray: repeatable, never split;
//   * cache: pack's custom pflag.Value (see parseCacheValue), grammar from contract.cacheGrammar.
// Error messages are the pflag/cobra ones; the caller prints them as `Error: <msg>` + usage.

const CONTRACT = require('./pack-cli-contract.json');

class FlagError extends Error {}
class HelpRequested extends Error {}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function goQuote(s) {
  return JSON.stringify(s);
}

// Go's encoding/csv Reader.Read(): first record only, `delim` as Comma, LazyQuotes=false.
function readCsvRecord(input, delim) {
  let i = 0;
  let line = 1;
  while (i < input.length && (input[i] === '\n' || (input[i] === '\r' && input[i + 1] === '\n'))) {
    i += input[i] === '\r' ? 2 : 1;
    line++;
  }
  if (i >= input.length) throw new Error('EOF');
  const lineStart = i;
  const isEol = (j) => j >= input.length || input[j] === '\n' || (input[j] === '\r' && input[j + 1] === '\n');
  const parseErr = (j, msg) => new Error(`parse error on line ${line}, column ${j - lineStart + 1}: ${msg}`);
  const fields = [];
  for (;;) {
    if (input[i] === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= input.length) throw parseErr(j, 'extraneous or missing " in quoted-field');
        if (input[j] === '"') {
          if (input[j + 1] === '"') {
            value += '"';
            j += 2;
            continue;
          }
          j++;
          if (isEol(j) || input[j] === delim) break;
          throw parseErr(j, 'extraneous or missing " in quoted-field');
        }
        value += input[j];
        j++;
      }
      fields.push(value);
      i = j;
    } else {
      let j = i;
      while (!isEol(j) && input[j] !== delim) {
        if (input[j] === '"') throw parseErr(j, 'bare " in non-quoted-field');
        j++;
      }
      fields.push(input.slice(i, j));
      i = j;
    }
    if (i < input.length && input[i] === delim) {
      i++;
      continue;
    }
    return fields;
  }
}

function goParseInt(s) {
  // strconv.ParseInt(s, 0, 64)
  const m = /^([+-]?)(0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB][01](?:_?[01])*|0[oO]?[0-7](?:_?[0-7])*|[1-9](?:_?[0-9])*|0)$/.exec(s);
  if (!m) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  let body = m[2].replace(/_/g, '');
  let n;
  if (/^0[xX]/.test(body)) n = BigInt(body);
  else if (/^0[bB]/.test(body)) n = BigInt(body);
  else if (/^0[oO]/.test(body)) n = BigInt('0o' + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) n = BigInt('0o' + body.slice(1));
  else n = BigInt(body);
  if (m[1] === '-') n = -n;
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  }
  return Number(n);
}

// ---- --cache (pack pkg/cache/cache_opts.go behaviour as described in contract.cacheGrammar) ----
const CACHE_KEYS = CONTRACT.cacheGrammar.keys;
const CACHE_TYPES = CACHE_KEYS.type.values; // build | launch
const CACHE_FORMATS = CACHE_KEYS.format.values; // volume | image | bind

function newCacheOpts() {
  return {
    build: { format: CACHE_KEYS.format.default, source: '' },
    launch: { format: CACHE_KEYS.format.default, source: '' },
    sets: 0,
  };
}

function cacheSourceName(section) {
  return section.format === 'bind' ? 'source' : 'name';
}

// One `key=value` field of --cache; pack checks each field as it reaches it, in both of its passes.
function cacheField(field) {
  const eq = field.indexOf('=');
  if (eq < 0) throw new Error(`invalid field '${field}' must be a key=value pair`);
  return [field.slice(0, eq).toLowerCase(), field.slice(eq + 1)];
}

function parseCacheValue(opts, value, resolvePath) {
  const fields = readCsvRecord(value, ';');
  let section = null;
  for (const field of fields) {
    const [key, v] = cacheField(field);
    if (key === 'type') {
      if (!CACHE_TYPES.includes(v)) throw new Error(`invalid cache type '${v}'`);
      section = v; // first type= wins
      break;
    }
  }
  const target = opts[section || CACHE_KEYS.type.default];
  for (const field of fields) {
    const [key, v] = cacheField(field);
    if (key === 'format') {
      if (!CACHE_FORMATS.includes(v)) throw new Error(`invalid cache format '${v}'`);
      target.format = v;
    } else if (key === 'name' || key === 'source') {
      target.source = v;
    } // unknown keys (and type) are ignored here
  }
  for (const name of ['build', 'launch']) {
    const s = opts[name];
    if (s.format !== 'volume' && s.source === '') throw new Error(`cache '${cacheSourceName(s)}' is required`);
  }
  // Every Set() re-sanitises bind paths of both sections (contract caveat).
  for (const name of ['build', 'launch']) {
    const s = opts[name];
    if (s.format === 'bind') s.source = resolvePath(s.source) + '/' + name + '-cache';
  }
  opts.sets++;
  return opts;
}

function cacheString(opts) {
  let out = '';
  for (const name of ['build', 'launch']) {
    const s = opts[name];
    out += `type=${name};format=${s.format};`;
    if (s.source) out += `${cacheSourceName(s)}=${s.source};`;
  }
  return out;
}

// ---- flag sets ----
function flagDefsFor(commandName) {
  const global = CONTRACT.globalFlags.map((f) => ({ ...f, persistent: true }));
  if (commandName === 'root') {
    return [
      ...global,
      { long: '--version', short: null, type: 'bool', default: false, repeatable: false },
      { long: '--help', short: '-h', type: 'bool', default: false, repeatable: false },
    ];
  }
  const cmd = CONTRACT.commands[commandName];
  if (!cmd) throw new Error(`no contract for command ${commandName}`);
  return [...cmd.flags, ...global];
}

class FlagSet {
  constructor(commandName, options = {}) {
    this.commandName = commandName;
    this.defs = flagDefsFor(commandName);
    this.byLong = new Map();
    this.byShort = new Map();
    this.values = new Map();
    this.changed = new Set();
    this.resolvePath = options.resolvePath || ((p) => p);
    for (const def of this.defs) {
      const name = def.long.replace(/^--/, '');
      const d = { ...def, name, shortChar: def.short ? def.short.replace(/^-/, '') : null };
      this.byLong.set(name, d);
      if (d.shortChar) this.byShort.set(d.shortChar, d);
      this.values.set(name, this.initialValue(d));
    }
  }

  initialValue(def) {
    switch (def.type) {
      case 'bool':
        return false;
      case 'int':
        return typeof def.default === 'number' ? def.default : 0;
      case 'stringSlice':
      case 'stringArray':
        return [];
      case 'cache':
        return newCacheOpts();
      default:
        // string defaults like "<pack config default-builder-image>" are filled in by the caller from config
        return typeof def.default === 'string' && !def.default.startsWith('<') ? def.default : '';
    }
  }

  has(name) {
    return this.byLong.has(name);
  }

  hasNoOptDefVal(name) {
    const d = this.byLong.get(name);
    return !!d && d.type === 'bool';
  }

  shortHasNoOptDefVal(c) {
    const d = this.byShort.get(c);
    return !!d && d.type === 'bool';
  }

  get(name) {
    return this.values.get(name);
  }

  setDefault(name, value) {
    if (!this.changed.has(name)) this.values.set(name, value);
  }

  set(def, value) {
    const name = def.name;
    try {
      switch (def.type) {
        case 'bool':
          if (GO_TRUE.has(value)) this.values.set(name, true);
          else if (GO_FALSE.has(value)) this.values.set(name, false);
          else throw new Error(`strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax`);
          break;
        case 'int':
          this.values.set(name, goParseInt(value));
          break;
        case 'stringSlice': {
          const parts = value === '' ? [] : readCsvRecord(value, ',');
          this.values.set(name, this.changed.has(name) ? [...this.values.get(name), ...parts] : parts);
          break;
        }
        case 'stringArray':
          this.values.set(name, this.changed.has(name) ? [...this.values.get(name), value] : [value]);
          break;
        case 'cache':
          parseCacheValue(this.values.get(name), value, this.resolvePath);
          break;
        default:
          this.values.set(name, value);
      }
    } catch (err) {
      const flagName = def.shortChar ? `-${def.shortChar}, --${name}` : `--${name}`;
      throw new FlagError(`invalid argument ${goQuote(value)} for ${goQuote(flagName)} flag: ${err.message}`);
    }
    this.changed.add(name);
  }

  // pflag FlagSet.Parse with interspersed args. Returns positionals.
  parse(args) {
    const positionals = [];
    const rest = [...args];
    while (rest.length > 0) {
      const s = rest.shift();
      if (s.length === 0 || s[0] !== '-' || s.length === 1) {
        positionals.push(s);
        continue;
      }
      if (s[1] === '-') {
        if (s.length === 2) {
          positionals.push(...rest);
          break;
        }
        this.parseLong(s, rest);
      } else {
        this.parseShort(s, rest);
      }
    }
    if (this.values.get('help') === true) throw new HelpRequested('help');
    return positionals;
  }

  parseLong(s, rest) {
    let name = s.slice(2);
    if (name.length === 0 || name[0] === '-' || name[0] === '=') throw new FlagError(`bad flag syntax: ${s}`);
    const eq = name.indexOf('=');
    const hasValue = eq >= 0;
    const value = hasValue ? name.slice(eq + 1) : undefined;
    if (hasValue) name = name.slice(0, eq);
    const def = this.byLong.get(name);
    if (!def) {
      if (name === 'help') throw new HelpRequested('help');
      throw new FlagError(`unknown flag: --${name}`);
    }
    if (hasValue) this.set(def, value);
    else if (def.type === 'bool') this.set(def, 'true');
    else if (rest.length > 0) this.set(def, rest.shift());
    else throw new FlagError(`flag needs an argument: ${s}`);
  }

  parseShort(s, rest) {
    let shorthands = s.slice(1);
    while (shorthands.length > 0) {
      const c = shorthands[0];
      const def = this.byShort.get(c);
      if (!def) {
        if (c === 'h') throw new HelpRequested('help');
        throw new FlagError(`unknown shorthand flag: '${c}' in -${shorthands}`);
      }
      let value;
      let next = shorthands.slice(1);
      if (shorthands.length > 2 && shorthands[1] === '=') {
        value = shorthands.slice(2);
        next = '';
      } else if (def.type === 'bool') {
        value = 'true';
      } else if (shorthands.length > 1) {
        value = shorthands.slice(1);
        next = '';
      } else if (rest.length > 0) {
        value = rest.shift();
      } else {
        throw new FlagError(`flag needs an argument: '${c}' in -${shorthands}`);
      }
      this.set(def, value);
      shorthands = next;
    }
  }

  // pflag-style usage listing (cobra's "Flags:" / "Global Flags:" sections).
  usageLines(which, options = {}) {
    const defs = this.defs.filter((d) => (which === 'global' ? d.persistent : !d.persistent));
    const rows = [];
    for (const def of defs) {
      if (def.hidden && !options.experimental) continue;
      const short = def.short ? `${def.short}, ` : '    ';
      const typeName = { bool: '', string: ' string', int: ' int', stringSlice: ' strings', stringArray: ' stringArray', cache: ' cache' }[def.type] ?? ` ${def.type}`;
      const left = `  ${short}${def.long}${typeName}`;
      let text = def.type === 'cache' ? 'Cache options (type=<build|launch>;format=<volume|image|bind>;name|source=<...>).' : (def.notes || def.long.replace(/^--/, '').replace(/-/g, ' ')).split(/(?<=\.)\s/)[0];
      if (def.type === 'cache' && def.displayedDefault) text += ` (default "${def.displayedDefault}")`;
      if (def.type === 'string' && def.default && !String(def.default).startsWith('<')) text += ` (default "${def.default}")`;
      if (def.repeatable) text += ' (may be repeated)';
      rows.push([left, text]);
    }
    const width = Math.max(0, ...rows.map(([l]) => l.length));
    return rows.map(([l, t]) => `${l.padEnd(width)}   ${t}`);
  }
}

module.exports = {
  CONTRACT,
  FlagError,
  HelpRequested,
  FlagSet,
  readCsvRecord,
  parseCacheValue,
  newCacheOpts,
  cacheString,
  goParseInt,
  goQuote,
};
