import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mayHaveDuplicateKeys, MAX_NESTING_DEPTH, negotiateOutput, nestsTooDeep, bodyTypeOf, parseBody, parseMediaTypes } from './codec.js';
import { StatusError } from '../../machinery/errors.js';

const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

test('kubectl get negotiates a v1 Table; plain clients get JSON', () => {
  assert.deepEqual(negotiateOutput(KUBECTL_GET, true), { kind: 'table', version: 'v1' });
  assert.deepEqual(negotiateOutput(KUBECTL_GET, false), { kind: 'json' });
  assert.deepEqual(negotiateOutput(undefined, true), { kind: 'json' });
  assert.deepEqual(negotiateOutput('application/vnd.kubernetes.protobuf,application/json', true), { kind: 'json' });
  assert.deepEqual(negotiateOutput('application/yaml', true), { kind: 'yaml' });
  assert.deepEqual(negotiateOutput('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', true), { kind: 'partial', version: 'v1', list: true });
});

test('an unsatisfiable Accept header is 406', () => {
  assert.throws(() => negotiateOutput('text/html', true), (e: unknown) => e instanceof StatusError && e.code === 406);
});

test('q-values order media types', () => {
  assert.deepEqual(parseMediaTypes('application/yaml;q=0.5, application/json').map((m) => m.type), ['application/json', 'application/yaml']);
});

test('request bodies: allowed types pass, others are 415 naming what is accepted', () => {
  assert.equal(bodyTypeOf('application/json; charset=utf-8', ['json', 'yaml']), 'json');
  assert.equal(bodyTypeOf(undefined, ['json']), 'json');
  assert.throws(
    () => bodyTypeOf('text/plain', ['json', 'yaml']),
    (e: unknown) => e instanceof StatusError && e.code === 415 && /application\/json, application\/yaml/.test(e.message),
  );
});

test('malformed JSON and YAML are 400s', () => {
  assert.throws(() => parseBody('{"a":', 'json'), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message.startsWith("couldn't get version/kind; json parse error"));
  assert.throws(() => parseBody('a: [1, 2', 'yaml'), (e: unknown) => e instanceof StatusError && e.code === 400);
  assert.throws(() => parseBody('a: 1\na: 2', 'yaml'), (e: unknown) => e instanceof StatusError && e.code === 400);
  assert.deepEqual(parseBody('kind: Pod\nmetadata: {name: x}', 'yaml'), { kind: 'Pod', metadata: { name: 'x' } });
});

test('YAML alias bombs are refused', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]', 'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]'].join('\n');
  assert.throws(() => parseBody(bomb, 'yaml'), (e: unknown) => e instanceof StatusError && e.code === 400);
});

test('bodies nested deeper than the limit are 400s, before any recursive walk', () => {
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  assert.throws(() => parseBody(deep, 'json'), (e: unknown) => e instanceof StatusError && e.code === 400 && /exceeded max depth/.test(e.message));
  assert.deepEqual(parseBody('{"a":"[[[[[[","b":[[1]]}', 'json'), { a: '[[[[[[', b: [[1]] });
});

test('nestsTooDeep: the limit itself passes, one level more does not', () => {
  const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  assert.equal(nestsTooDeep(nest(MAX_NESTING_DEPTH)), false);
  assert.equal(nestsTooDeep(nest(MAX_NESTING_DEPTH + 1)), true);
  assert.equal(nestsTooDeep(`"${'['.repeat(5000)}"`), false);
  assert.equal(nestsTooDeep('{"a":[[[1]]]}'), false);
});

describe('mayHaveDuplicateKeys', () => {
  const check = (text: string): boolean => mayHaveDuplicateKeys(text, JSON.parse(text));
  it('is false for JSON without repeated keys, whatever the strings hold', () => {
    assert.equal(check('{"a":1,"b":{"a":"x:y","c":["\\"k\\":", {"a": 2}]}}'), false);
    assert.equal(check('{ "a" : "\\\\" , "b" :\n "q\\"" }'), false);
    assert.equal(check('{"data":{"k":"v"},"list":[]}'), false);
  });
  it('is true when a key repeats at any depth', () => {
    assert.equal(check('{"a":1,"a":2}'), true);
    assert.equal(check('{"m":{"x":1,"y":{"z":1,"z":1}}}'), true);
    assert.equal(check('[{"a":1},{"b":{"c":1,"c":2}}]'), true);
  });
});
