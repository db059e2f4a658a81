import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Framework } from './framework.js';
import { CycleState, type Plugin } from './interface.js';
import { Status } from './status.js';
import type { NodeInfo, PodInfo } from './types.js';

/** A plugin whose PreFilter answers Skip while `skip` is set, and whose Filter counts its calls. */
function plugin(name: string, calls: string[], opts: { skip: boolean; reject?: boolean }): Plugin {
  return {
    name,
    preFilter: () => ({ status: opts.skip ? Status.skip() : null }),
    filter: () => {
      calls.push(name);
      return opts.reject ? Status.unschedulable(`${name} says no`) : null;
    },
  } as unknown as Plugin;
}

test('Filter runs only for plugins whose PreFilter did not skip, per cycle state', () => {
  const calls: string[] = [];
  const a = { skip: true };
  const sort = { name: 'Sort', less: () => true } as unknown as Plugin;
  const fw = new Framework([sort, plugin('A', calls, a), plugin('B', calls, { skip: false }), plugin('C', calls, { skip: false, reject: true })], {});
  const pod = {} as PodInfo;
  const node = {} as NodeInfo;

  const state = new CycleState();
  assert.equal(fw.runPreFilterPlugins(state, pod, []).status, null);
  for (let i = 0; i < 3; i++) assert.equal(fw.runFilterPlugins(state, pod, node)?.plugin, 'C');
  assert.deepEqual(calls, ['B', 'C', 'B', 'C', 'B', 'C']);

  // A new cycle where A does not skip runs it; a clone keeps its state's choice.
  calls.length = 0;
  a.skip = false;
  const next = new CycleState();
  fw.runPreFilterPlugins(next, pod, []);
  fw.runFilterPlugins(next, pod, node);
  fw.runFilterPlugins(state.clone(), pod, node);
  assert.deepEqual(calls, ['A', 'B', 'C', 'B', 'C']);

  // PreFilter run again on a state lists its Filter plugins again: A skips now.
  calls.length = 0;
  a.skip = true;
  fw.runPreFilterPlugins(next, pod, []);
  fw.runFilterPlugins(next, pod, node);
  assert.deepEqual(calls, ['B', 'C']);
});
