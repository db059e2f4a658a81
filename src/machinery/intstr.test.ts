import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Path } from './field.js';
import {
  IntOrStringError,
  getIntOrPercentValue,
  getScaledValueFromIntOrPercent,
  intValue,
  isIntOrString,
  isNotMoreThan100Percent,
  validatePositiveIntOrPercent,
} from './intstr.js';

describe('getScaledValueFromIntOrPercent (upstream TestGetIntFromIntOrPercent)', () => {
  const cases: [number | string, number, boolean, number][] = [
    [123, 100, true, 123],
    ['90%', 100, true, 90],
    ['90%', 95, true, 86],
    ['90%', 95, false, 85],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['0%', 10, true, 0],
    ['100%', 7, false, 7],
    ['-10%', 10, false, -1],
  ];
  for (const [v, total, up, want] of cases) {
    it(`${v} of ${total} roundUp=${up}`, () => assert.equal(getScaledValueFromIntOrPercent(v, total, up), want));
  }
  it('words errors as upstream', () => {
    assert.throws(() => getScaledValueFromIntOrPercent(undefined, 10, true), { message: 'nil value for IntOrString' });
    assert.throws(() => getScaledValueFromIntOrPercent('90', 10, true), {
      name: 'IntOrStringError',
      message: 'invalid value for IntOrString: invalid type: string is not a percentage',
    });
    assert.throws(() => getScaledValueFromIntOrPercent('%', 10, true), {
      message: 'invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax',
    });
    assert.throws(() => getScaledValueFromIntOrPercent('a%', 10, true), IntOrStringError);
  });
});

describe('IntOrString helpers', () => {
  it('isIntOrString', () => {
    assert.equal(isIntOrString(1), true);
    assert.equal(isIntOrString('1%'), true);
    assert.equal(isIntOrString(1.5), false);
    assert.equal(isIntOrString(null), false);
  });
  it('intValue and getIntOrPercentValue', () => {
    assert.equal(intValue('12'), 12);
    assert.equal(intValue('x'), 0);
    assert.equal(getIntOrPercentValue('25%'), 25);
    assert.equal(getIntOrPercentValue(3), 3);
  });
  it('validatePositiveIntOrPercent', () => {
    const p = Path.root('spec', 'strategy', 'rollingUpdate', 'maxSurge');
    assert.deepEqual(validatePositiveIntOrPercent('25%', p), []);
    assert.deepEqual(validatePositiveIntOrPercent(0, p), []);
    assert.equal(validatePositiveIntOrPercent(-1, p)[0]!.toString(), 'spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0');
    assert.match(validatePositiveIntOrPercent('25', p)[0]!.toString(), /Invalid value: "25": a valid percent string must be/);
  });
  it('isNotMoreThan100Percent', () => {
    const p = Path.root('x');
    assert.deepEqual(isNotMoreThan100Percent('100%', p), []);
    assert.deepEqual(isNotMoreThan100Percent(200, p), []);
    assert.equal(isNotMoreThan100Percent('101%', p)[0]!.toString(), 'x: Invalid value: "101%": must not be greater than 100%');
  });
});
