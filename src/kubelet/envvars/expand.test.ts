import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandContainerCommandAndArgs, expandVars, mappingOf } from './expand.js';

describe('expandVars', () => {
  const m = mappingOf([
    { name: 'A', value: 'alpha' },
    { name: 'B', value: 'beta' },
    { name: 'A', value: 'again' },
  ]);
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['$(B)', 'beta'],
    ['x-$(B)-y', 'x-beta-y'],
    ['$(A)', 'again'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(B)', '$(B)'],
    ['$$$(B)', '$beta'],
    ['$(B', '$(B'],
    ['cost $5', 'cost $5'],
    ['end$', 'end$'],
    ['$(B)$(B)', 'betabeta'],
    ['$()', '$()'],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(expandVars(input, m), want));
  }
});

describe('expandContainerCommandAndArgs', () => {
  it('expands command and args from the environment', () => {
    const got = expandContainerCommandAndArgs({ name: 'c', command: ['sh', '-c', 'echo $(MSG)'], args: ['$(N)', '$$(N)'] }, [
      { name: 'MSG', value: 'hello' },
      { name: 'N', value: '3' },
    ]);
    assert.deepEqual(got, { command: ['sh', '-c', 'echo hello'], args: ['3', '$(N)'] });
  });
});
