import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSelectorParseError, escapeValue, fieldSelectorFromSet, oneTermSelector, parseFieldSelector, unescapeValue } from './fields.js';

describe('parseFieldSelector', () => {
  it('parses =, == and != terms, sorted', () => {
    const s = parseFieldSelector('status.phase!=Running,metadata.name==web,spec.nodeName=n1');
    assert.deepEqual(s.requirements(), [
      { field: 'metadata.name', operator: '=', value: 'web' },
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
    assert.equal(s.toString(), 'metadata.name=web,spec.nodeName=n1,status.phase!=Running');
    assert.equal(s.requiresExactMatch('spec.nodeName'), 'n1');
    assert.equal(s.requiresExactMatch('status.phase'), undefined);
  });
  it('treats the empty string and empty terms as everything', () => {
    assert.equal(parseFieldSelector('').empty(), true);
    assert.equal(parseFieldSelector(',').empty(), true);
    assert.equal(parseFieldSelector('').matches({ a: 'b' }), true);
  });
  it('matches, reading missing fields as empty', () => {
    const s = parseFieldSelector('spec.nodeName=,status.phase!=Failed');
    assert.equal(s.matches({ 'spec.nodeName': '', 'status.phase': 'Running' }), true);
    assert.equal(s.matches({}), true);
    assert.equal(s.matches({ 'spec.nodeName': 'n1' }), false);
    assert.equal(s.matches({ 'status.phase': 'Failed' }), false);
  });
  it('unescapes values and splits on unescaped commas only', () => {
    const s = parseFieldSelector('a=x\\,y,b=p\\=q\\\\');
    assert.deepEqual(s.requirements(), [
      { field: 'a', operator: '=', value: 'x,y' },
      { field: 'b', operator: '=', value: 'p=q\\' },
    ]);
    assert.equal(s.toString(), 'a=x\\,y,b=p\\=q\\\\');
    assert.equal(parseFieldSelector(s.toString()).toString(), s.toString());
  });
  it('uses the first operator in a term', () => {
    assert.deepEqual(parseFieldSelector('a!=b').requirements(), [{ field: 'a', operator: '!=', value: 'b' }]);
    assert.deepEqual(parseFieldSelector('a==b').requirements(), [{ field: 'a', operator: '=', value: 'b' }]);
    assert.deepEqual(parseFieldSelector('=b').requirements(), [{ field: '', operator: '=', value: 'b' }]);
  });
  it('words errors as upstream', () => {
    assert.throws(() => parseFieldSelector('a=b,c'), { name: 'FieldSelectorParseError', message: "invalid selector: 'a=b,c'; can't understand 'c'" });
    assert.throws(() => parseFieldSelector('a=b=c'), { message: 'invalid field selector: unescaped character in value: 61' });
    assert.throws(() => parseFieldSelector('a!==c'), { message: 'invalid field selector: unescaped character in value: 61' });
    assert.throws(() => parseFieldSelector('a=x\\y'), { message: 'invalid field selector: invalid escape sequence: \\y' });
    assert.throws(() => parseFieldSelector('a=x\\'), { message: 'invalid field selector: invalid escape sequence: \\' });
    assert.throws(() => unescapeValue('a,b'), FieldSelectorParseError);
  });
  it('escape round-trips', () => {
    for (const v of ['plain', 'a,b', 'a=b', 'a\\b', '\\,=']) assert.equal(unescapeValue(escapeValue(v)), v);
  });
  it('builds from sets and single terms', () => {
    assert.equal(fieldSelectorFromSet({ b: '1', a: '2' }).toString(), 'a=2,b=1');
    assert.equal(oneTermSelector('metadata.name', '!=', 'x').matches({ 'metadata.name': 'y' }), true);
  });
});
