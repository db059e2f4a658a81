// Lint: async discipline, no import cycles, no console outside entry points, and the layering of
// docs DESIGN.md §2 ("Imports point one way"). Layers are checked on resolved file paths with
// import-x/no-restricted-paths, so a folder name that happens to repeat deeper in the tree
// (say a `storage` API group under client/) is never mistaken for the storage layer.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ROOT = dirname(fileURLToPath(import.meta.url));

/** Base layers every component may use. */
const BASE = ['util', 'logging', 'metrics'];
/** What each top-level folder of src/ may import besides itself (an allowlist). */
const ALLOWED = {
  util: [],
  logging: ['util'],
  metrics: ['util', 'logging'],
  machinery: [...BASE],
  api: [...BASE, 'machinery'],
  storage: [...BASE, 'machinery', 'api'],
  apiserver: [...BASE, 'machinery', 'api', 'storage'],
  client: [...BASE, 'machinery', 'api'],
  controllers: [...BASE, 'machinery', 'api', 'client'],
  scheduler: [...BASE, 'machinery', 'api', 'client'],
  kubelet: [...BASE, 'machinery', 'api', 'client'],
  proxy: [...BASE, 'machinery', 'api', 'client'],
  dns: [...BASE, 'machinery', 'api', 'client'],
  ingress: [...BASE, 'machinery', 'api', 'client'],
  daemons: [...BASE, 'machinery', 'api', 'storage', 'apiserver', 'client', 'controllers', 'scheduler', 'kubelet', 'proxy', 'dns', 'ingress'],
  cli: ['util', 'logging', 'daemons'],
};

/** Folders whose subfolders are plugins that must not import each other (shared code in `shared/`). */
const PLUGIN_FOLDERS = ['src/controllers', 'src/scheduler/plugins', 'src/apiserver/admission/plugins'];

function subdirectories(dir) {
  try {
    return readdirSync(join(ROOT, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

const layerZones = Object.entries(ALLOWED).map(([folder, allowed]) => ({
  target: `./src/${folder}`,
  from: './src',
  except: [folder, ...allowed].map((name) => `./${name}`),
  message: `src/${folder} may import only ${[folder, ...allowed].map((n) => `src/${n}`).join(', ')} (DESIGN.md §2).`,
}));

const pluginZones = PLUGIN_FOLDERS.flatMap((parent) =>
  subdirectories(parent)
    .filter((name) => name !== 'shared')
    .map((name) => ({
      target: `./${parent}/${name}`,
      from: `./${parent}`,
      except: [`./${name}`, './shared'],
      message: `${parent}/${name} may not import a sibling; move shared code to ${parent}/shared (DESIGN.md §2).`,
    })),
);

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'generated/**', '**/generated/**', 'coverage/**', '.data/**', 'tmp/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: ROOT },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Parse imported .ts files with the TypeScript parser so no-cycle can follow them.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself tracks.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'skip', 'todo', 'only'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      'import-x/no-cycle': ['error', { maxDepth: 8, ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...pluginZones] }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/cli/**', 'test/**', 'bench/**', 'scripts/**', '**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
);
