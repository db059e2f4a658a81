import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYAML } from 'yaml';
import { RESOURCES } from '../../catalogue.js';
import { openAPIDocuments } from '../documents.js';
import { encodeOpenAPIV2, encodeOpenAPIV2Async } from './openapiv2.js';
import { ProtoMessage } from './writer.js';
import { toYAMLText } from './yaml-text.js';

// ---------------------------------------------------------------------------------------------
// A tiny protobuf reader: fields by number, each value a number (varint), a double-sized
// Buffer (fixed64) or a Buffer (length-delimited).

type Fields = Map<number, (number | bigint | Buffer)[]>;

function decode(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated varint');
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const no = tag >> 3;
    let value: number | bigint | Buffer;
    switch (tag & 7) {
      case 0: {
        const v = varint();
        value = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
        break;
      }
      case 1:
        value = buf.subarray(pos, pos + 8);
        pos += 8;
        break;
      case 2: {
        const len = Number(varint());
        value = buf.subarray(pos, pos + len);
        pos += len;
        if (pos > buf.length) throw new Error('truncated field');
        break;
      }
      default:
        throw new Error(`unexpected wire type ${tag & 7}`);
    }
    const list = out.get(no) ?? [];
    list.push(value);
    out.set(no, list);
  }
  return out;
}

const bytes = (f: Fields, no: number): Buffer[] => (f.get(no) ?? []) as Buffer[];
const one = (f: Fields, no: number): Buffer | undefined => bytes(f, no)[0];
const text = (f: Fields, no: number): string | undefined => one(f, no)?.toString('utf8');
const texts = (f: Fields, no: number): string[] => bytes(f, no).map((b) => b.toString('utf8'));
const flag = (f: Fields, no: number): boolean | undefined => (f.has(no) ? f.get(no)![0] === 1 : undefined);

/** `repeated NamedX` → [name, value bytes]. */
function namedEntries(list: Buffer[]): [string, Buffer][] {
  return list.map((b) => {
    const f = decode(b);
    return [text(f, 1) ?? '', one(f, 2) ?? Buffer.alloc(0)];
  });
}

/** `Any` → the value its YAML text holds. */
const anyValue = (b: Buffer): unknown => parseYAML(text(decode(b), 2) ?? '') as unknown;

/** A decoded `Schema` back in its JSON form (the fields Kubernetes definitions use). */
function schemaToJSON(b: Buffer): Record<string, unknown> {
  const f = decode(b);
  const out: Record<string, unknown> = {};
  if (text(f, 1) !== undefined) out['$ref'] = text(f, 1);
  if (text(f, 2) !== undefined) out['format'] = text(f, 2);
  if (text(f, 4) !== undefined) out['description'] = text(f, 4);
  if (f.has(5)) out['default'] = anyValue(one(f, 5)!);
  if (f.has(16)) out['uniqueItems'] = flag(f, 16);
  if (f.has(19)) out['required'] = texts(f, 19);
  if (f.has(20)) out['enum'] = bytes(f, 20).map(anyValue);
  if (f.has(21)) {
    const ap = decode(one(f, 21)!);
    out['additionalProperties'] = ap.has(2) ? flag(ap, 2) : schemaToJSON(one(ap, 1)!);
  }
  if (f.has(22)) {
    const t = texts(decode(one(f, 22)!), 1);
    out['type'] = t.length === 1 ? t[0] : t;
  }
  if (f.has(23)) {
    const items = bytes(decode(one(f, 23)!), 1);
    assert.equal(items.length, 1);
    out['items'] = schemaToJSON(items[0]!);
  }
  if (f.has(24)) out['allOf'] = bytes(f, 24).map(schemaToJSON);
  if (f.has(25)) out['properties'] = Object.fromEntries(namedEntries(bytes(decode(one(f, 25)!), 1)).map(([k, v]) => [k, schemaToJSON(v)]));
  for (const [k, v] of namedEntries(bytes(f, 31))) out[k] = anyValue(v);
  return out;
}

/** The JSON form with keys sorted, so objects compare regardless of key order. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]));
  return v;
}

// ---------------------------------------------------------------------------------------------

test('writer: proto3 wire format of scalars, strings and nested messages', () => {
  assert.equal(new ProtoMessage().int64(1, 150).encode().toString('hex'), '089601');
  assert.equal(new ProtoMessage().string(2, 'testing').encode().toString('hex'), '120774657374696e67');
  assert.equal(new ProtoMessage().message(3, new ProtoMessage().int64(1, 150)).encode().toString('hex'), '1a03089601');
  // Zero values are left out, except when forced (oneof members); empty messages stay.
  assert.equal(new ProtoMessage().string(1, '').bool(2, false).int64(3, 0).double(4, 0).encode().length, 0);
  assert.equal(new ProtoMessage().bool(2, false, true).encode().toString('hex'), '1000');
  assert.equal(new ProtoMessage().message(5, new ProtoMessage()).encode().toString('hex'), '2a00');
  // Negative int64: ten-byte two's complement varint.
  assert.equal(new ProtoMessage().int64(1, -1).encode().toString('hex'), '08ffffffffffffffffff01');
  assert.equal(new ProtoMessage().int64(1, 2 ** 40).encode().toString('hex'), '08808080808020');
  assert.equal(new ProtoMessage().double(1, 1.5).encode().toString('hex'), '09000000000000f83f');
  // UTF-8 length, not UTF-16 length; field numbers above 15 take two tag bytes.
  assert.equal(new ProtoMessage().string(1, 'é').encode().toString('hex'), '0a02c3a9');
  assert.equal(new ProtoMessage().string(31, 'a').encode().toString('hex'), 'fa010161');
  const inner = new ProtoMessage().string(1, 'x').encode();
  assert.deepEqual(new ProtoMessage().encoded(2, inner).encode(), new ProtoMessage().message(2, new ProtoMessage().string(1, 'x')).encode());
});

test('YAML text parses back to the same value', () => {
  const values: unknown[] = [
    'merge',
    '',
    'true',
    'no',
    '1.5',
    'a: b',
    '#x',
    'line\nbreak',
    'null',
    '- item',
    true,
    0,
    -3.25,
    null,
    [],
    {},
    ['type', 'name'],
    [{ group: '', kind: 'Pod', version: 'v1' }],
    { a: [1, [2, 3], { b: [] }], 'weird key': { c: 'd' } },
    [[{ x: 1 }, 'y'], []],
  ];
  for (const v of values) assert.deepEqual(parseYAML(toYAMLText(v)), v, JSON.stringify(v));
  assert.equal(toYAMLText([{ group: '', kind: 'Pod', version: 'v1' }]), '- group: ""\n  kind: Pod\n  version: v1\n');
});

const docJSON = openAPIDocuments(RESOURCES).v2().json();
const doc = JSON.parse(docJSON) as Record<string, unknown> & { definitions: Record<string, unknown>; paths: Record<string, Record<string, unknown>> };
const encoded = encodeOpenAPIV2(doc);
const top = decode(encoded);

test('document: header fields, security and every definition round-trips', () => {
  assert.equal(text(top, 1), '2.0');
  const info = decode(one(top, 2)!);
  assert.equal(text(info, 1), 'Kubernetes');
  assert.equal(text(info, 2), (doc['info'] as { version: string }).version);
  // security: [{BearerToken: []}]
  const req = namedEntries(bytes(decode(one(top, 12)!), 1));
  assert.deepEqual(req.map(([k]) => k), ['BearerToken']);
  // securityDefinitions.BearerToken is an apiKey (oneof field 2) in the header.
  const [[name, item]] = namedEntries(bytes(decode(one(top, 13)!), 1)) as [[string, Buffer]];
  assert.equal(name, 'BearerToken');
  const apiKey = decode(one(decode(item), 2)!);
  assert.deepEqual([text(apiKey, 1), text(apiKey, 2), text(apiKey, 3)], ['apiKey', 'authorization', 'header']);

  const defs = namedEntries(bytes(decode(one(top, 9)!), 1));
  assert.equal(defs.length, Object.keys(doc.definitions).length);
  for (const [k, v] of defs) assert.deepEqual(sorted(schemaToJSON(v)), sorted(doc.definitions[k]), k);
});

test('document: ConfigMap definition as kubectl reads it', () => {
  const defs = new Map(namedEntries(bytes(decode(one(top, 9)!), 1)));
  const cm = decode(defs.get('io.k8s.api.core.v1.ConfigMap')!);
  assert.deepEqual(texts(decode(one(cm, 22)!), 1), ['object']);
  const props = new Map(namedEntries(bytes(decode(one(cm, 25)!), 1)));
  assert.ok(props.has('data') && props.has('binaryData') && props.has('metadata'));
  assert.equal(text(decode(props.get('metadata')!), 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const data = decode(props.get('data')!);
  const ap = decode(one(data, 21)!);
  assert.deepEqual(texts(decode(one(decode(one(ap, 1)!), 22)!), 1), ['string']);
  const ext = namedEntries(bytes(cm, 31));
  assert.deepEqual(
    ext.map(([k, v]) => [k, anyValue(v)]),
    [['x-kubernetes-group-version-kind', [{ group: '', kind: 'ConfigMap', version: 'v1' }]]],
  );
});

test('document: paths, operations, parameters and responses', () => {
  const paths = decode(one(top, 8)!);
  const items = new Map(namedEntries(bytes(paths, 2)));
  assert.equal(items.size, Object.keys(doc.paths).length);
  const pods = decode(items.get('/api/v1/namespaces/{namespace}/pods')!);
  const post = decode(one(pods, 4)!);
  assert.equal(text(post, 5), 'createCoreV1NamespacedPod');
  assert.deepEqual(texts(post, 10), ['https']);
  const params = bytes(post, 8).map((b) => decode(one(decode(b), 1)!));
  // The body parameter: Parameter.body_parameter (1) with a $ref schema.
  const body = decode(one(params.find((p) => p.has(1))!, 1)!);
  assert.deepEqual([text(body, 2), text(body, 3), flag(body, 4)], ['body', 'body', true]);
  assert.equal(text(decode(one(body, 5)!), 1), '#/definitions/io.k8s.api.core.v1.Pod');
  // Query parameters: Parameter.non_body_parameter (2) → query_parameter_sub_schema (3).
  const queries = params.filter((p) => p.has(2)).map((p) => decode(one(decode(one(p, 2)!), 3)!));
  assert.ok(queries.some((q) => text(q, 4) === 'fieldValidation' && text(q, 2) === 'query' && text(q, 6) === 'string'));
  // Responses: 200/201/202/401 as NamedResponseValue → ResponseValue.response (1).
  const responses = namedEntries(bytes(decode(one(post, 9)!), 1));
  assert.deepEqual(responses.map(([k]) => k).sort(), ['200', '201', '202', '401']);
  const ok = decode(one(decode(responses.find(([k]) => k === '201')![1]), 1)!);
  assert.equal(text(decode(one(decode(one(ok, 2)!), 1)!), 1), '#/definitions/io.k8s.api.core.v1.Pod');
  const ext = new Map(namedEntries(bytes(post, 13)).map(([k, v]) => [k, anyValue(v)]));
  assert.equal(ext.get('x-kubernetes-action'), 'post');
  assert.deepEqual(ext.get('x-kubernetes-group-version-kind'), { group: '', kind: 'Pod', version: 'v1' });
  // Path-level parameters: the namespace path parameter (path_parameter_sub_schema = 4).
  const shared = bytes(pods, 9).map((b) => decode(one(decode(one(decode(b), 1)!), 2)!));
  const ns = shared.map((p) => one(p, 4)).filter((b): b is Buffer => b !== undefined).map(decode);
  assert.ok(ns.some((p) => text(p, 4) === 'namespace' && flag(p, 1) === true));
});

test('other shapes: references, boolean additionalProperties, file responses, OAuth 2', () => {
  const small = {
    swagger: '2.0',
    info: { title: 't', version: '1', contact: { name: 'c' } },
    paths: {
      'x-top': 1,
      '/a': {
        parameters: [{ $ref: '#/parameters/p' }],
        get: { responses: { '200': { description: 'f', schema: { type: 'file' } }, default: { $ref: '#/responses/r' } }, parameters: [{ in: 'header', name: 'h', type: 'array', items: { type: 'integer', maximum: 3 } }] },
      },
    },
    definitions: { D: { type: ['object', 'null'], additionalProperties: false, maxLength: 4, items: [{ type: 'string' }, { type: 'integer' }] } },
    parameters: { p: { in: 'formData', name: 'f', type: 'string', allowEmptyValue: true } },
    securityDefinitions: { o: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'u1', tokenUrl: 'u2', scopes: { read: 'r' } } },
  };
  const f = decode(encodeOpenAPIV2(small));
  const paths = decode(one(f, 8)!);
  assert.equal(namedEntries(bytes(paths, 1))[0]![0], 'x-top');
  const a = decode(namedEntries(bytes(paths, 2))[0]![1]);
  assert.equal(text(decode(one(decode(one(a, 9)!), 2)!), 1), '#/parameters/p');
  const get = decode(one(a, 2)!);
  const rs = new Map(namedEntries(bytes(decode(one(get, 9)!), 1)));
  assert.equal(text(decode(one(decode(one(decode(one(decode(rs.get('200')!), 1)!), 2)!), 2)!), 6), 'file');
  assert.equal(text(decode(one(decode(rs.get('default')!), 2)!), 1), '#/responses/r');
  const h = decode(one(decode(one(decode(one(decode(one(get, 8)!), 1)!), 2)!), 1)!);
  assert.deepEqual([text(h, 4), text(h, 5)], ['h', 'array']);
  const items = decode(one(h, 7)!);
  assert.equal(text(items, 1), 'integer');
  assert.equal(one(items, 6)!.readDoubleLE(0), 3);
  const d = decode(namedEntries(bytes(decode(one(f, 9)!), 1))[0]![1]);
  assert.deepEqual(texts(decode(one(d, 22)!), 1), ['object', 'null']);
  assert.equal(flag(decode(one(d, 21)!), 2), false);
  assert.equal(d.get(11)![0], 4);
  assert.equal(bytes(decode(one(d, 23)!), 1).length, 2);
  const p = decode(namedEntries(bytes(decode(one(f, 10)!), 1))[0]![1]);
  const form = decode(one(decode(one(p, 2)!), 2)!);
  assert.deepEqual([text(form, 4), flag(form, 5), text(form, 6)], ['f', true, 'string']);
  const o = decode(namedEntries(bytes(decode(one(f, 13)!), 1))[0]![1]);
  const code = decode(one(o, 6)!);
  assert.deepEqual([text(code, 1), text(code, 2), text(code, 4), text(code, 5)], ['oauth2', 'accessCode', 'u1', 'u2']);
  assert.deepEqual(namedEntries(bytes(decode(one(code, 3)!), 1)).map(([k, v]) => [k, v.toString()]), [['read', 'r']]);
});

test('the sliced encoder produces the same bytes', async () => {
  assert.ok(encoded.equals(await encodeOpenAPIV2Async(doc, { sliceMs: 1 })));
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(encodeOpenAPIV2Async(doc, { sliceMs: 0, signal: ac.signal }));
});
