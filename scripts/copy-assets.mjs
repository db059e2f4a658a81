#!/usr/bin/env node
// Copies the non-TypeScript files the compiled code loads at run time (the CRI .proto) from
// src/ to dist/, beside the modules that read them.
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = ['kubelet/cri/api.proto'];
for (const rel of ASSETS) {
  const to = join(root, 'dist', rel);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(join(root, 'src', rel), to);
}
