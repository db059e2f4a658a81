// The volume types this kubelet knows: one line each (the folder exports NAME and create()).

import type { VolumePlugin } from '../types.js';
import * as configmap from './configmap/plugin.js';
import * as downwardapi from './downwardapi/plugin.js';
import * as emptydir from './emptydir/plugin.js';
import * as hostpath from './hostpath/plugin.js';
import * as persistentvolumeclaim from './persistentvolumeclaim/plugin.js';
import * as projected from './projected/plugin.js';
import * as secret from './secret/plugin.js';

export const PLUGINS: Readonly<Record<string, () => VolumePlugin>> = {
  [emptydir.NAME]: emptydir.create,
  [hostpath.NAME]: hostpath.create,
  [configmap.NAME]: configmap.create,
  [secret.NAME]: secret.create,
  [downwardapi.NAME]: downwardapi.create,
  [projected.NAME]: projected.create,
  [persistentvolumeclaim.NAME]: persistentvolumeclaim.create,
};
