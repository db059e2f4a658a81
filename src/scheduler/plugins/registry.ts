// The in-tree plugins by name (upstream plugins/registry.go) and the default profile: the
// upstream default plugin order and score weights.

import type { Handle, PluginFactory } from '../framework/interface.js';
import * as defaultbinder from './defaultbinder/default-binder.js';
import * as defaultpreemption from './defaultpreemption/default-preemption.js';
import * as imagelocality from './imagelocality/image-locality.js';
import * as interpodaffinity from './interpodaffinity/inter-pod-affinity.js';
import * as nodeaffinity from './nodeaffinity/node-affinity.js';
import * as nodename from './nodename/node-name.js';
import * as nodeports from './nodeports/node-ports.js';
import * as balanced from './noderesources/balanced-allocation.js';
import * as fit from './noderesources/fit.js';
import * as nodeunschedulable from './nodeunschedulable/node-unschedulable.js';
import * as podtopologyspread from './podtopologyspread/pod-topology-spread.js';
import * as queuesort from './queuesort/priority-sort.js';
import * as schedulinggates from './schedulinggates/scheduling-gates.js';
import * as tainttoleration from './tainttoleration/taint-toleration.js';
import * as volumebinding from './volumebinding/volume-binding.js';

export const REGISTRY: Readonly<Record<string, PluginFactory>> = {
  [schedulinggates.NAME]: () => schedulinggates.create(),
  [queuesort.NAME]: () => queuesort.create(),
  [nodeunschedulable.NAME]: () => nodeunschedulable.create(),
  [nodename.NAME]: () => nodename.create(),
  [tainttoleration.NAME]: () => tainttoleration.create(),
  [nodeaffinity.NAME]: () => nodeaffinity.create(),
  [nodeports.NAME]: () => nodeports.create(),
  [fit.NAME]: () => fit.create(),
  [volumebinding.NAME]: (h: Handle) => volumebinding.create(h),
  [podtopologyspread.NAME]: (h: Handle) => podtopologyspread.create(h),
  [interpodaffinity.NAME]: (h: Handle) => interpodaffinity.create(h),
  [defaultpreemption.NAME]: (h: Handle) => defaultpreemption.create(h),
  [balanced.NAME]: () => balanced.create(),
  [imagelocality.NAME]: (h: Handle) => imagelocality.create(h),
  [defaultbinder.NAME]: (h: Handle) => defaultbinder.create(h),
};

/** Upstream's default plugins, in their order. */
export const DEFAULT_PLUGINS: readonly string[] = Object.keys(REGISTRY);

/** Upstream default score weights. */
export const DEFAULT_WEIGHTS: Readonly<Record<string, number>> = {
  [tainttoleration.NAME]: 3,
  [nodeaffinity.NAME]: 2,
  [podtopologyspread.NAME]: 2,
  [interpodaffinity.NAME]: 2,
  [fit.NAME]: 1,
  [balanced.NAME]: 1,
  [imagelocality.NAME]: 1,
};
