import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrFormatWrongMessage, ErrSuffixMessage, Quantity, QuantityParseError, type QuantityFormat } from './quantity.js';

const q = (s: string): Quantity => Quantity.parse(s);
/** value × 10^scale in nano units, for comparing parsed values exactly. */
const nanos = (value: bigint, scale: number): bigint => (scale + 9 >= 0 ? value * 10n ** BigInt(scale + 9) : value / 10n ** BigInt(-(scale + 9)));

describe('Quantity.parse (upstream TestQuantityParse)', () => {
  const cases: [string, bigint, number, QuantityFormat][] = [
    ['0', 0n, 0, 'DecimalSI'],
    ['0n', 0n, 0, 'DecimalSI'],
    ['0Ki', 0n, 0, 'BinarySI'],
    ['0e0', 0n, 0, 'DecimalExponent'],
    ['1Ki', 1024n, 0, 'BinarySI'],
    ['8Ki', 8n * 1024n, 0, 'BinarySI'],
    ['7Mi', 7n * 1024n ** 2n, 0, 'BinarySI'],
    ['6Gi', 6n * 1024n ** 3n, 0, 'BinarySI'],
    ['3Ei', 3n * 1024n ** 6n, 0, 'BinarySI'],
    ['5n', 5n, -9, 'DecimalSI'],
    ['4u', 4n, -6, 'DecimalSI'],
    ['3m', 3n, -3, 'DecimalSI'],
    ['9', 9n, 0, 'DecimalSI'],
    ['50k', 5n, 4, 'DecimalSI'],
    ['40T', 4n, 13, 'DecimalSI'],
    ['1E', 1n, 18, 'DecimalSI'],
    ['1E-3', 1n, -3, 'DecimalExponent'],
    ['1e3', 1n, 3, 'DecimalExponent'],
    ['1e14', 1n, 14, 'DecimalExponent'],
    ['100.035k', 100035n, 0, 'DecimalSI'],
    ['0.001', 1n, -3, 'DecimalSI'],
    ['0.0005k', 5n, -1, 'DecimalSI'],
    ['0.5', 5n, -1, 'DecimalSI'],
    ['0.00050k', 5n, -1, 'DecimalSI'],
    ['0.5e-2', 5n, -3, 'DecimalExponent'],
    ['10.035M', 10035n, 3, 'DecimalSI'],
    ['1.2e3', 12n, 2, 'DecimalExponent'],
    ['1.3E+6', 13n, 5, 'DecimalExponent'],
    ['1.53E12', 153n, 10, 'DecimalExponent'],
    ['6.987654321G', 6987654321n, 0, 'DecimalSI'],
    ['1.01E', 101n, 16, 'DecimalSI'],
    ['3.001n', 4n, -9, 'DecimalSI'],
    ['1.1E-9', 2n, -9, 'DecimalExponent'],
    ['0.0000000001', 1n, -9, 'DecimalSI'],
    ['0.5e-9', 1n, -9, 'DecimalExponent'],
    ['0.00000012345', 124n, -9, 'DecimalSI'],
    ['9Ei', 9223372036854775807n, 0, 'BinarySI'],
    ['9223372036854775807Ki', 9223372036854775807n, 0, 'BinarySI'],
    ['12E', 12n, 18, 'DecimalSI'],
    ['100.035Ki', 10243584n, -2, 'BinarySI'],
    ['0.5Mi', 524288n, 0, 'BinarySI'],
    ['0.05Gi', 536870912n, -1, 'BinarySI'],
    ['0.000000000001Ki', 2n, -9, 'DecimalSI'],
    ['.001', 1n, -3, 'DecimalSI'],
    ['.0001k', 100n, -3, 'DecimalSI'],
    ['1.', 1n, 0, 'DecimalSI'],
    ['1.G', 1n, 9, 'DecimalSI'],
    ['-1.5', -15n, -1, 'DecimalSI'],
    ['+2Ki', 2048n, 0, 'BinarySI'],
  ];
  for (const [input, value, scale, format] of cases) {
    it(input, () => {
      const got = q(input);
      assert.equal(got.nanoValue(), nanos(value, scale));
      assert.equal(got.format, format);
    });
  }
  it('rejects malformed quantities with upstream messages', () => {
    for (const bad of ['1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', ' 1', '1 ', '']) {
      assert.throws(() => q(bad), QuantityParseError, bad);
    }
    assert.throws(() => q('1.1.M'), { message: ErrFormatWrongMessage });
    assert.throws(() => q('1i'), { message: ErrSuffixMessage });
    assert.equal(ErrFormatWrongMessage, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    assert.equal(Quantity.tryParse('x'), undefined);
  });
});

describe('Quantity.toString (upstream TestQuantityString)', () => {
  const cases: [bigint, number, QuantityFormat, string, string][] = [
    [1024n ** 3n, 0, 'BinarySI', '1Gi', '1024Mi'],
    [300n * 1024n ** 2n, 0, 'BinarySI', '300Mi', '307200Ki'],
    [6n * 1024n, 0, 'BinarySI', '6Ki', ''],
    [1001n * 1024n ** 3n, 0, 'BinarySI', '1001Gi', '1025024Mi'],
    [1024n ** 4n, 0, 'BinarySI', '1Ti', '1024Gi'],
    [5n, 0, 'BinarySI', '5', '5000m'],
    [500n, -3, 'BinarySI', '500m', '0.5'],
    [1n, 9, 'DecimalSI', '1G', '1000M'],
    [1000n, 6, 'DecimalSI', '1G', '0.001T'],
    [1000000n, 3, 'DecimalSI', '1G', ''],
    [1n, -3, 'DecimalSI', '1m', '1000u'],
    [80n, -3, 'DecimalSI', '80m', ''],
    [1080n, -3, 'DecimalSI', '1080m', '1.08'],
    [108n, -2, 'DecimalSI', '1080m', '1080000000n'],
    [300n, 6, 'DecimalSI', '300M', ''],
    [1234567n, 6, 'DecimalSI', '1234567M', ''],
    [1234567n, -3, 'BinarySI', '1234567m', ''],
    [3n, 3, 'DecimalSI', '3k', ''],
    [1025n, 0, 'BinarySI', '1025', ''],
    [0n, 0, 'DecimalSI', '0', ''],
    [0n, 0, 'BinarySI', '0', ''],
    [1n, 9, 'DecimalExponent', '1e9', '.001e12'],
    [1n, -3, 'DecimalExponent', '1e-3', '0.001e0'],
    [1n, -9, 'DecimalExponent', '1e-9', '1000e-12'],
    [80n, -3, 'DecimalExponent', '80e-3', ''],
    [300n, 6, 'DecimalExponent', '300e6', ''],
    [3n, 3, 'DecimalExponent', '3e3', ''],
    [0n, 0, 'DecimalExponent', '0', '00'],
    [1n, -9, 'DecimalSI', '1n', ''],
    [1080n, -9, 'DecimalSI', '1080n', ''],
    [1n, -6, 'DecimalSI', '1u', ''],
    [1080n, -6, 'DecimalSI', '1080u', ''],
  ];
  for (const [value, scale, format, want, alternate] of cases) {
    it(`${value}e${scale} ${format} → ${want}`, () => {
      assert.equal(Quantity.fromScaled(value, scale, format).toString(), want);
      if (alternate) assert.equal(q(alternate).toString(), want, alternate);
    });
  }
  it('keeps canonical input text as upstream does and canonicalizes the rest', () => {
    const cases: [string, string][] = [
      ['1Gi', '1Gi'],
      ['1024Mi', '1Gi'],
      ['0.5', '500m'],
      ['1.5', '1500m'],
      ['1e3', '1e3'],
      ['100M', '100M'],
      ['100m', '100m'],
      ['1000m', '1'],
      ['1500', '1500'],
      ['15000', '15k'],
      ['+1', '+1'],
      ['-1500m', '-1500m'],
      ['-1Gi', '-1Gi'],
      ['1.5Gi', '1536Mi'],
      ['1.5Ki', '1536'],
      ['0.5Gi', '512Mi'],
      ['8Ki', '8Ki'],
      ['2.5', '2500m'],
      ['500Ki', '500Ki'],
      ['0.1', '100m'],
      ['1000E', '1000E'],
      ['10000E', '10000E'],
      ['-0', '0'],
    ];
    for (const [input, want] of cases) assert.equal(q(input).toString(), want, input);
    assert.equal(JSON.stringify({ cpu: q('0.5') }), '{"cpu":"500m"}');
  });
  it('accepts JSON numbers', () => {
    assert.equal(Quantity.fromJSON(2).toString(), '2');
    assert.equal(Quantity.fromJSON(0.5).toString(), '500m');
    assert.throws(() => Quantity.fromJSON(true), QuantityParseError);
  });
});

describe('Quantity arithmetic', () => {
  it('compares exactly across formats', () => {
    assert.equal(q('1Gi').cmp(q('1024Mi')), 0);
    assert.equal(q('1G').cmp(q('1Gi')), -1);
    assert.equal(q('100m').cmp(q('0.1')), 0);
    assert.equal(q('1').cmp(q('999m')), 1);
    assert.equal(q('-1').sign(), -1);
    assert.equal(q('0m').isZero(), true);
  });
  it('adds and subtracts without drift', () => {
    let sum = Quantity.fromInt(0);
    for (let i = 0; i < 10; i++) sum = sum.add(q('0.1'));
    assert.equal(sum.toString(), '1');
    assert.equal(q('1Gi').add(q('512Mi')).toString(), '1536Mi');
    assert.equal(q('100m').add(q('200m')).toString(), '300m');
    assert.equal(q('1').sub(q('1500m')).toString(), '-500m');
    assert.equal(Quantity.fromInt(0).add(q('1Gi')).format, 'BinarySI'); // a zero receiver takes the other's format
    assert.equal(q('2Gi').mul(3).toString(), '6Gi');
    assert.equal(q('1').neg().toString(), '-1');
  });
  it('value() and milliValue() round away from zero', () => {
    assert.equal(q('100m').milliValue(), 100);
    assert.equal(q('100m').value(), 1);
    assert.equal(q('1.5').value(), 2);
    assert.equal(q('-1.5').value(), -2);
    assert.equal(q('1Ki').value(), 1024);
    assert.equal(q('1n').milliValue(), 1);
    assert.equal(q('2').milliValue(), 2000);
    assert.equal(q('1Gi').scaledValue(6), 1074);
    assert.equal(Quantity.fromMilli(1500).toString(), '1500m');
  });
});
