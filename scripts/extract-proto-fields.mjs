#!/usr/bin/env node
// Extracts the Kubernetes protobuf wire facts (field numbers, JSON names, Go type shapes) that
// src/api/protobuf/ needs to turn `application/vnd.kubernetes.protobuf` request bodies into the
// JSON object a JSON client would have sent.
//
// Where the data comes from: the Go struct tags of the upstream API types, e.g.
//   Data map[string]string `json:"data,omitempty" protobuf:"bytes,2,rep,name=data"`
// in k8s.io/api (<group>/<version>/types*.go), k8s.io/apimachinery (pkg/apis/meta/v1,
// pkg/runtime, pkg/api/resource, pkg/util/intstr) and k8s.io/apiextensions-apiserver
// (pkg/apis/apiextensions/v1), all at tag v0.32.x (= Kubernetes 1.32). Only facts are kept:
// names, numbers and type shapes, the same information as the generated.proto files.
//
// Regenerate (the three repositories as git dirs or checkouts; REF defaults to v0.32.13):
//   node scripts/extract-proto-fields.mjs --api <k8s.io/api git dir> \
//     --apimachinery <k8s.io/apimachinery git dir> \
//     --apiextensions <k8s.io/apiextensions-apiserver git dir> [--ref v0.32.13] \
//     [--out src/api/protobuf/fields.json]
//
// Output format (src/api/protobuf/fields.json):
//   kinds: { "<pkg>": ["ConfigMap", …] }  top-level kinds (structs that embed metav1.TypeMeta)
//   types: { "<pkg>.<Name>": [[jsonName, fieldNumber, shape, flags?], …]   a struct, fields in Go order
//            "<pkg>.<Name>": "<shape>" }                                   a named slice sent as a
//                                                                           wrapper message {1: items}
//   special: ["meta/v1.Time", …]  types whose wire and JSON forms are custom (decoded by hand)
// Shapes are Go-like: string bool int32 int64 uint32 uint64 float32 float64 bytes, *T, []T,
// map[K]V, or "<pkg>.<Name>" for a struct / special / wrapper. Flags: "o" = json omitempty,
// "i" = embedded struct inlined in JSON (`json:",inline"`) but a nested message on the wire.
// Package keys: "core/v1", "apps/v1", … for k8s.io/api; "meta/v1", "runtime", "resource",
// "intstr" for apimachinery; "apiextensions/v1".
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SERVED = [
  'core/v1', 'apps/v1', 'apps/v1beta1', 'apps/v1beta2', 'extensions/v1beta1', 'batch/v1',
  'autoscaling/v1', 'autoscaling/v2', 'policy/v1', 'rbac/v1', 'rbac/v1beta1', 'networking/v1',
  'discovery/v1', 'coordination/v1', 'events/v1', 'storage/v1', 'scheduling/v1', 'node/v1',
  'certificates/v1', 'admissionregistration/v1', 'authentication/v1', 'authorization/v1',
  'apiextensions/v1', 'meta/v1',
];

/** Types with a hand-written wire or JSON form (see src/api/protobuf/special.ts). */
const SPECIAL = [
  'meta/v1.Time', 'meta/v1.MicroTime', 'meta/v1.Duration', 'meta/v1.FieldsV1',
  'resource.Quantity', 'intstr.IntOrString', 'runtime.RawExtension', 'apiextensions/v1.JSON',
];

function parseArgs(argv) {
  const o = { ref: 'v0.32.13', out: 'src/api/protobuf/fields.json' };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!['api', 'apimachinery', 'apiextensions', 'ref', 'out'].includes(k)) throw new Error(`unknown flag ${argv[i]}`);
    o[k] = argv[i + 1];
  }
  for (const k of ['api', 'apimachinery', 'apiextensions']) if (!o[k]) throw new Error(`--${k} is required`);
  return o;
}

/** Reads the .go files of one directory, from a git dir at a ref or from a checkout. */
function goFiles(root, ref, dir) {
  const skip = (f) => !f.endsWith('.go') || f.endsWith('_test.go') || f.startsWith('zz_generated') || f.includes('generated') || f.endsWith('_fuzz.go');
  const isGitDir = existsSync(join(root, 'HEAD')) && existsSync(join(root, 'objects'));
  if (isGitDir) {
    const names = execFileSync('git', ['--git-dir', root, 'ls-tree', '--name-only', `${ref}:${dir}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    return names.filter((f) => !skip(f)).map((f) => ({ name: `${dir}/${f}`, text: execFileSync('git', ['--git-dir', root, 'show', `${ref}:${dir}/${f}`], { encoding: 'utf8', maxBuffer: 64 << 20 }) }));
  }
  const abs = join(root, dir);
  return readdirSync(abs).filter((f) => !skip(f) && statSync(join(abs, f)).isFile()).map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(abs, f), 'utf8') }));
}

// ---- a small Go lexer and declaration parser (types only) ----

function lex(src) {
  const toks = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '\n') { toks.push({ t: 'nl' }); i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (src.slice(i, end).includes('\n')) toks.push({ t: 'nl' });
      i = end + 2;
      continue;
    }
    if (c === '`') { const end = src.indexOf('`', i + 1); toks.push({ t: 'str', v: src.slice(i + 1, end) }); i = end + 1; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      toks.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) { let j = i; while (j < n && /[A-Za-z0-9_]/.test(src[j])) j++; toks.push({ t: 'id', v: src.slice(i, j) }); i = j; continue; }
    if (/[0-9]/.test(c)) { let j = i; while (j < n && /[0-9A-Za-z_.]/.test(src[j])) j++; toks.push({ t: 'num', v: src.slice(i, j) }); i = j; continue; }
    toks.push({ t: 'p', v: c });
    i++;
  }
  return toks;
}

class Parser {
  constructor(toks, file) { this.toks = toks; this.i = 0; this.file = file; }
  peek(o = 0) { return this.toks[this.i + o]; }
  next() { return this.toks[this.i++]; }
  is(v, o = 0) { const t = this.peek(o); return t !== undefined && (t.t === 'p' || t.t === 'id') && t.v === v; }
  expect(v) { const t = this.next(); if (!t || t.v !== v) throw new Error(`${this.file}: expected ${v}, got ${JSON.stringify(t)}`); return t; }
  skipNl() { while (this.peek()?.t === 'nl' || this.is(';')) this.i++; }
  /** Skips a balanced {…} / (…) / […] group starting at the current opener. */
  skipGroup() {
    const open = this.next().v;
    const close = { '{': '}', '(': ')', '[': ']' }[open];
    let depth = 1;
    while (depth > 0) { const t = this.next(); if (t.t === 'p' && t.v === open) depth++; else if (t.t === 'p' && t.v === close) depth--; }
  }

  /** Top level: collects imports and type declarations, skips everything else. */
  file_() {
    const imports = new Map();
    const decls = new Map();
    while (this.i < this.toks.length) {
      const t = this.peek();
      if (t.t === 'id' && t.v === 'import') {
        this.next();
        if (this.is('(')) {
          this.next();
          for (;;) { this.skipNl(); if (this.is(')')) { this.next(); break; } this.importSpec(imports); }
        } else this.importSpec(imports);
      } else if (t.t === 'id' && t.v === 'type') {
        this.next();
        if (this.is('(')) {
          this.next();
          for (;;) { this.skipNl(); if (this.is(')')) { this.next(); break; } this.typeSpec(decls); }
        } else this.typeSpec(decls);
      } else if (t.t === 'p' && (t.v === '{' || t.v === '(' || t.v === '[')) this.skipGroup();
      else this.next();
    }
    return { imports, decls };
  }
  importSpec(imports) {
    let alias;
    if (this.peek().t === 'id' || this.is('.') || this.is('_')) alias = this.next().v;
    const path = this.next().v;
    imports.set(alias ?? path.split('/').pop(), path);
  }
  typeSpec(decls) {
    const name = this.next().v;
    if (this.is('[') && this.peek(1).t === 'id' && !this.is(']', 2)) { this.skipGroup(); this.typeExpr(); return; } // generic: not an API type
    if (this.is('=')) this.next();
    const type = this.typeExpr();
    decls.set(name, type);
  }
  typeExpr() {
    const t = this.next();
    if (t.t === 'p' && t.v === '*') return { k: 'ptr', elem: this.typeExpr() };
    if (t.t === 'p' && t.v === '[') {
      if (this.is(']')) { this.next(); return { k: 'slice', elem: this.typeExpr() }; }
      while (!this.is(']')) this.next();
      this.next();
      return { k: 'array', elem: this.typeExpr() };
    }
    if (t.t === 'id' && t.v === 'map') { this.expect('['); const key = this.typeExpr(); this.expect(']'); return { k: 'map', key, value: this.typeExpr() }; }
    if (t.t === 'id' && t.v === 'struct') return this.structBody();
    if (t.t === 'id' && (t.v === 'interface' || t.v === 'func' || t.v === 'chan')) {
      if (t.v === 'func') { this.skipGroup(); if (this.is('(')) this.skipGroup(); else if (this.peek() && this.peek().t !== 'nl' && !this.is(';') && !this.is('}')) this.typeExpr(); return { k: 'other' }; }
      if (t.v === 'chan') { this.typeExpr(); return { k: 'other' }; }
      this.skipGroup();
      return { k: 'other' };
    }
    if (t.t === 'id') {
      if (this.is('.')) { this.next(); return { k: 'named', pkg: t.v, name: this.next().v }; }
      return { k: 'named', name: t.v };
    }
    throw new Error(`${this.file}: unexpected ${JSON.stringify(t)} in a type`);
  }
  structBody() {
    this.expect('{');
    const fields = [];
    for (;;) {
      this.skipNl();
      if (this.is('}')) { this.next(); break; }
      const line = [];
      let depth = 0;
      while (depth > 0 || !(this.peek().t === 'nl' || this.is(';') || this.is('}'))) {
        const t = this.next();
        if (t.t === 'p' && t.v === '{') depth++;
        if (t.t === 'p' && t.v === '}') depth--;
        line.push(t);
      }
      fields.push(...this.field(line));
    }
    return { k: 'struct', fields };
  }
  field(line) {
    const tag = line.at(-1)?.t === 'str' ? line.pop().v : '';
    const sub = new Parser(line, this.file);
    const first = line[0];
    const embedded = (first.t === 'p' && first.v === '*') || line.length === 1 || (line[1].t === 'p' && line[1].v === '.');
    if (embedded) {
      const type = sub.typeExpr();
      const name = type.k === 'ptr' ? type.elem.name : type.name;
      return [{ name, embedded: true, type, tag }];
    }
    const names = [sub.next().v];
    while (sub.is(',')) { sub.next(); names.push(sub.next().v); }
    const type = sub.typeExpr();
    return names.map((n) => ({ name: n, embedded: false, type, tag }));
  }
}

function structTag(tag, key) {
  const m = new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tag);
  return m ? m[1] : undefined;
}

// ---- packages ----

function pkgKey(importPath) {
  let m = /^k8s\.io\/api\/([a-z0-9]+\/v[a-z0-9]+)$/.exec(importPath);
  if (m) return m[1];
  if (importPath === 'k8s.io/apimachinery/pkg/apis/meta/v1') return 'meta/v1';
  m = /^k8s\.io\/apimachinery\/pkg\/(?:api|util)?\/?(runtime|resource|intstr|types)$/.exec(importPath);
  if (m) return m[1];
  if (importPath === 'k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1') return 'apiextensions/v1';
  return undefined;
}

function loadPackages(opts) {
  const dirs = [];
  for (const gv of SERVED) {
    if (gv === 'meta/v1') dirs.push([opts.apimachinery, 'pkg/apis/meta/v1', 'meta/v1']);
    else if (gv === 'apiextensions/v1') dirs.push([opts.apiextensions, 'pkg/apis/apiextensions/v1', 'apiextensions/v1']);
    else dirs.push([opts.api, gv, gv]);
  }
  dirs.push([opts.apimachinery, 'pkg/runtime', 'runtime'], [opts.apimachinery, 'pkg/api/resource', 'resource'],
    [opts.apimachinery, 'pkg/util/intstr', 'intstr'], [opts.apimachinery, 'pkg/types', 'types']);
  const pkgs = new Map();
  for (const [root, dir, key] of dirs) {
    const decls = new Map();
    for (const f of goFiles(root, opts.ref, dir)) {
      const parsed = new Parser(lex(f.text), f.name).file_();
      for (const [name, type] of parsed.decls) decls.set(name, { type, imports: parsed.imports, file: f.name });
    }
    pkgs.set(key, decls);
  }
  return pkgs;
}

// ---- resolution into shapes ----

const BASIC = {
  string: 'string', bool: 'bool', int32: 'int32', int64: 'int64', int: 'int64', uint32: 'uint32',
  uint64: 'uint64', uint: 'uint64', uint16: 'uint32', int16: 'int32', uint8: 'uint32', float64: 'float64', float32: 'float32',
};

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pkgs = loadPackages(opts);
  const types = new Map();
  const queue = [];
  const want = (q) => { if (!types.has(q) && !SPECIAL.includes(q)) { types.set(q, null); queue.push(q); } };

  const lookup = (pkg, name) => {
    const d = pkgs.get(pkg)?.get(name);
    if (!d) throw new Error(`type ${pkg}.${name} not found`);
    return d;
  };
  const qualify = (type, ctx) => {
    if (!type.pkg) return { pkg: ctx.pkg, name: type.name };
    const path = ctx.imports.get(type.pkg);
    const key = path && pkgKey(path);
    if (key === undefined) throw new Error(`${ctx.file}: package ${type.pkg} (${path}) is not extracted`);
    return { pkg: key, name: type.name };
  };

  /** The shape string of a Go type. `repeated` says the proto tag is `rep` (a named slice is then inlined). */
  const shape = (type, ctx, repeated) => {
    switch (type.k) {
      case 'ptr': return `*${shape(type.elem, ctx, false)}`;
      case 'slice':
        if (type.elem.k === 'named' && !type.elem.pkg && (type.elem.name === 'byte' || type.elem.name === 'uint8')) return 'bytes';
        return `[]${shape(type.elem, ctx, false)}`;
      case 'map': return `map[${shape(type.key, ctx, false)}]${shape(type.value, ctx, false)}`;
      case 'named': {
        if (!type.pkg && BASIC[type.name] && !ctx.decls.has(type.name)) return BASIC[type.name];
        if (type.pkg === 'time' && type.name === 'Duration') return 'int64';
        const q = qualify(type, ctx);
        const full = `${q.pkg}.${q.name}`;
        if (SPECIAL.includes(full)) return full;
        const d = lookup(q.pkg, q.name);
        const dctx = { pkg: q.pkg, imports: d.imports, file: d.file, decls: pkgs.get(q.pkg) };
        const u = d.type;
        if (u.k === 'struct') { want(full); return full; }
        if (u.k === 'slice' && !(u.elem.k === 'named' && (u.elem.name === 'byte' || u.elem.name === 'uint8'))) {
          if (repeated) return shape(u, dctx, true);
          if (!types.has(full)) types.set(full, shape(u, dctx, true));
          return full;
        }
        return shape(u, dctx, repeated);
      }
      default: throw new Error(`${ctx.file}: unsupported type ${JSON.stringify(type)}`);
    }
  };

  const kinds = {};
  for (const gv of SERVED) {
    const decls = pkgs.get(gv);
    const ks = [];
    for (const [name, d] of decls) {
      if (d.type.k !== 'struct') continue;
      const isKind = d.type.fields.some((f) => f.embedded && f.type.k === 'named' && f.type.name === 'TypeMeta' && (f.type.pkg !== undefined || gv === 'meta/v1'));
      if (!isKind) continue;
      if (!d.type.fields.some((f) => structTag(f.tag, 'protobuf'))) continue; // not a protobuf type
      ks.push(name);
      want(`${gv}.${name}`);
    }
    kinds[gv] = ks.sort();
  }

  while (queue.length > 0) {
    const full = queue.shift();
    const dot = full.lastIndexOf('.');
    const pkg = full.slice(0, dot);
    const d = lookup(pkg, full.slice(dot + 1));
    const ctx = { pkg, imports: d.imports, file: d.file, decls: pkgs.get(pkg) };
    const out = [];
    const numbers = new Set();
    for (const f of d.type.fields) {
      const pb = structTag(f.tag, 'protobuf');
      if (pb === undefined || pb === '-') continue;
      const json = structTag(f.tag, 'json');
      if (json === '-') continue;
      const parts = pb.split(',');
      const num = Number(parts[1]);
      if (!Number.isInteger(num) || num <= 0 || numbers.has(num)) throw new Error(`${d.file}: ${full}.${f.name}: bad protobuf tag ${pb}`);
      numbers.add(num);
      const [jname = '', ...jopts] = (json ?? '').split(',');
      if (jopts.includes('string')) throw new Error(`${d.file}: ${full}.${f.name}: json ",string" is not supported`);
      const inline = jopts.includes('inline') || (f.embedded && json === undefined);
      const flags = (jopts.includes('omitempty') ? 'o' : '') + (inline ? 'i' : '');
      const s = shape(f.type, ctx, parts[2] === 'rep');
      const entry = [inline ? '' : jname || f.name, num, s];
      if (flags) entry.push(flags);
      out.push(entry);
    }
    types.set(full, out);
  }

  const sorted = [...types.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // One type per line: compact, and diffs stay readable when upstream changes.
  const lines = sorted.map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const text = `{\n  "source": ${JSON.stringify(`k8s.io/api, k8s.io/apimachinery, k8s.io/apiextensions-apiserver ${opts.ref} (Go struct tags); regenerate with scripts/extract-proto-fields.mjs`)},\n`
    + `  "special": ${JSON.stringify(SPECIAL)},\n`
    + `  "kinds": {\n${Object.entries(kinds).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n  },\n`
    + `  "types": {\n${lines.join(',\n')}\n  }\n}\n`;
  writeFileSync(opts.out, text);
  process.stderr.write(`wrote ${opts.out}: ${types.size} types, ${text.length} bytes\n`);
}

main();
