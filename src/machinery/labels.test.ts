import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Path } from './field.js';
import {
  Requirement,
  SelectorParseError,
  everything,
  formatLabelSelector,
  nothing,
  parseSelector,
  parseToLabelSelector,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelSelector,
  validatedSelectorFromSet,
} from './labels.js';

function parseError(s: string): string {
  try {
    parseSelector(s);
  } catch (e) {
    assert.ok(e instanceof SelectorParseError);
    assert.equal(e.code, 'ERR_LABEL_SELECTOR');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} not to parse`);
}

describe('parseSelector', () => {
  it('parses upstream good strings', () => {
    for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5', 'x in (a)', 'x notin (a,b)', 'x', 'in=notin', 'a in (in,notin)']) {
      assert.doesNotThrow(() => parseSelector(s), s);
    }
  });
  it('rejects upstream bad strings', () => {
    for (const s of ['x=a||y=b', 'x==a==b', '!x=a', 'x<a', 'x in a', 'x in (a', ',x', 'x,', 'x=a,', '=a', 'x in (a b)', 'x=a b', 'x>1,z<', 'x=(a)']) {
      assert.throws(() => parseSelector(s), SelectorParseError, s);
    }
  });
  it('prints canonically: sorted by key, values sorted', () => {
    const cases: [string, string][] = [
      ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
      ['z=c,x=a', 'x=a,z=c'],
      ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
      ['x notin ( abc ),y,z in (   ,abc)', 'x notin (abc),y,z in (,abc)'],
      ['!x , y == b,w!=c', 'w!=c,!x,y==b'],
      ['x>1,a<2', 'a<2,x>1'],
      ['x  =  a', 'x=a'],
      ['  ', ''],
    ];
    for (const [input, want] of cases) assert.equal(parseSelector(input).toString(), want, input);
  });
  it('round-trips its own output', () => {
    for (const s of ['a=b,c in (d,e),!f,g,h notin (i),j>5,k<3']) {
      const once = parseSelector(s).toString();
      assert.equal(parseSelector(once).toString(), once);
    }
  });
  it('words errors as upstream', () => {
    assert.equal(parseError('x=a b'), "found 'b', expected: ',' or 'end of string'");
    assert.equal(parseError('x=a,'), "found '', expected: identifier after ','");
    assert.equal(parseError(',x'), "found ',', expected: !, identifier, or 'end of string'");
    assert.equal(parseError('x in a'), "unable to parse requirement: found 'a' expected: '('");
    assert.equal(parseError('x in (a'), "unable to parse requirement: found '', expected: ',' or ')'");
    assert.equal(parseError('x ! a'), "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt");
    assert.equal(parseError('x<a'), 'unable to parse requirement: values[0]: Invalid value: "a": for \'Gt\', \'Lt\' operators, the value must be an integer');
    assert.equal(
      parseError('x=a_'),
      'unable to parse requirement: values[0][x]: Invalid value: "a_": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')',
    );
    assert.match(parseError('-x=a'), /^unable to parse requirement: <nil>: Invalid value: "-x": name part must consist of alphanumeric characters/);
    assert.equal(parseError('!'), "unable to parse requirement: found '', expected: identifier");
  });
  it('matches labels', () => {
    const ls = { app: 'web', tier: 'front', n: '7' };
    const yes = ['', 'app=web', 'app==web', 'app', '!missing', 'app in (db,web)', 'tier notin (back)', 'missing!=x', 'n>5', 'n<8', 'app=web,tier=front', 'missing notin (a)'];
    const no = ['app=db', 'app!=web', 'missing', '!app', 'app in (db)', 'tier notin (front)', 'n>7', 'n<7', 'app>1', 'missing>1', 'app=web,tier=back', 'missing in (a)'];
    for (const s of yes) assert.equal(parseSelector(s).matches(ls), true, s);
    for (const s of no) assert.equal(parseSelector(s).matches(ls), false, s);
    assert.equal(parseSelector('app').matches(undefined), false);
    assert.equal(parseSelector('!app').matches(undefined), true);
    assert.equal(parseSelector('x=').matches({ x: '' }), true);
    assert.equal(parseSelector('x=').matches({}), false);
  });
  it('exposes requirements, empty and exact matches', () => {
    const sel = parseSelector('b in (x),a=1,!c');
    assert.deepEqual(
      sel.requirements().map((r) => [r.key, r.operator, [...r.values]]),
      [
        ['a', '=', ['1']],
        ['b', 'in', ['x']],
        ['c', '!', []],
      ],
    );
    assert.equal(sel.empty(), false);
    assert.equal(parseSelector('').empty(), true);
    assert.equal(sel.requiresExactMatch('a'), '1');
    assert.equal(sel.requiresExactMatch('b'), 'x');
    assert.equal(sel.requiresExactMatch('c'), undefined);
  });
  it('does not treat `in` keys specially outside operator position', () => {
    const sel = parseSelector('in in (notin)');
    assert.equal(sel.toString(), 'in in (notin)');
    assert.equal(sel.matches({ in: 'notin' }), true);
  });
});

describe('selectors from sets and LabelSelectors', () => {
  it('selectorFromSet', () => {
    assert.equal(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
    assert.equal(selectorFromSet({}).empty(), true);
    assert.equal(selectorFromSet(undefined).matches({ x: 'y' }), true);
    assert.equal(selectorFromSet({ a: '1' }).matches({ a: '1', b: '2' }), true);
    assert.throws(() => validatedSelectorFromSet({ 'bad key': 'x' }), SelectorParseError);
  });
  it('nil selects nothing, empty selects everything', () => {
    assert.equal(selectorFromLabelSelector(undefined).matches({}), false);
    assert.equal(selectorFromLabelSelector(null).empty(), false);
    assert.equal(selectorFromLabelSelector({}).matches({ a: 'b' }), true);
    assert.equal(selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).empty(), true);
    assert.equal(nothing().toString(), '');
    assert.equal(everything().empty(), true);
  });
  it('converts matchLabels and matchExpressions', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { app: 'nginx' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'has', operator: 'Exists' },
        { key: 'gone', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(sel.toString(), 'app=nginx,env notin (prod),!gone,has,tier in (a,b)');
    assert.equal(sel.matches({ app: 'nginx', tier: 'a', has: '' }), true);
    assert.equal(sel.matches({ app: 'nginx', tier: 'a', has: '', gone: 'x' }), false);
    assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), {
      message: '"Bogus" is not a valid label selector operator',
    });
    assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), {
      message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    });
  });
  it('formatLabelSelector as kubectl shows it', () => {
    assert.equal(formatLabelSelector({ matchLabels: { app: 'nginx' } }), 'app=nginx');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['b', 'a'] }] }), 'app in (a,b)');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bad' }] }), '<error>');
  });
  it('parseToLabelSelector', () => {
    assert.deepEqual(parseToLabelSelector('a=b,!c'), {
      matchLabels: {},
      matchExpressions: [
        { key: 'a', operator: 'In', values: ['b'] },
        { key: 'c', operator: 'DoesNotExist' },
      ],
    });
  });
  it('Requirement.create validates', () => {
    assert.throws(() => Requirement.create('a', '=', ['x', 'y']), { message: 'values: Invalid value: []string{"x", "y"}: exact-match compatibility requires one single value' });
    assert.throws(() => Requirement.create('a', 'exists', ['x']), SelectorParseError);
    assert.equal(Requirement.create('a', 'in', ['y', 'x']).toString(), 'a in (x,y)');
  });
});

describe('validateLabelSelector', () => {
  const p = Path.root('spec', 'selector');
  it('accepts valid selectors and nil', () => {
    assert.deepEqual(validateLabelSelector(undefined, p), []);
    assert.deepEqual(validateLabelSelector({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] }, p), []);
  });
  it('reports operator and values problems as upstream', () => {
    const errs = validateLabelSelector(
      {
        matchLabels: { 'bad key': 'v' },
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Near', values: ['-bad'] },
        ],
      },
      p,
    );
    const text = errs.map((e) => e.toString());
    assert.equal(text.length, 5);
    assert.match(text[0]!, /^spec\.selector\.matchLabels: Invalid value: "bad key": name part/);
    assert.equal(text[1], "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
    assert.equal(text[2], "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    assert.equal(text[3], 'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator');
    assert.match(text[4]!, /^spec\.selector\.matchExpressions\[2\]\.values\[0\]: Invalid value: "-bad": a valid label/);
  });
  it('can skip label value checks', () => {
    assert.deepEqual(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['-x'] }] }, p, { allowInvalidLabelValueInSelector: true }), []);
  });
});

describe('label sets', () => {
  it('formatLabels and labelsToString', async () => {
    const { formatLabels, labelsToString, labelsConflict } = await import('./labels.js');
    assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabels(undefined), '<none>');
    assert.equal(labelsToString({ x: '' }), 'x=');
    assert.equal(labelsConflict({ a: '1' }, { a: '2', b: '1' }), true);
    assert.equal(labelsConflict({ a: '1' }, { a: '1', b: '1' }), false);
  });
});
