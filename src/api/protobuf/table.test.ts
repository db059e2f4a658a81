import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RESOURCES } from '../catalogue.js';
import { kindType, typeInfo } from './table.js';

describe('protobuf fact table', () => {
  it('has a type for every served kind and version, and for subresource bodies', () => {
    const missing: string[] = [];
    for (const r of RESOURCES) {
      for (const v of r.versions) if (!kindType(r.group, v, r.kind)) missing.push(`${r.group}/${v} ${r.kind}`);
      for (const s of r.subresources ?? []) {
        const k = s.responseKind;
        if (k && !kindType(k.group, k.version, k.kind)) missing.push(`${k.group}/${k.version} ${k.kind}`);
      }
    }
    assert.deepStrictEqual(missing, []);
  });

  it('resolves every type that any field names', () => {
    const seen = new Set<string>();
    const visit = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      const t = typeInfo(name);
      assert.ok(t, name);
      if (t.k !== 'struct') return;
      const numbers = new Set<number>();
      for (const f of t.fields) {
        assert.ok(!numbers.has(f.number), `${name}: duplicate field number ${f.number}`);
        numbers.add(f.number);
        let s = f.shape;
        while (s.k !== 'scalar' && s.k !== 'ref') s = s.k === 'map' ? s.value : s.elem;
        if (s.k === 'ref') visit(s.name);
      }
    };
    for (const r of RESOURCES) for (const v of r.versions) visit(kindType(r.group, v, r.kind)!);
    assert.ok(seen.size > 300, `only ${seen.size} types reached`);
  });

  it('records the well-known numbers of ObjectMeta and ConfigMap', () => {
    const meta = typeInfo('meta/v1.ObjectMeta');
    assert.equal(meta?.k, 'struct');
    if (meta?.k !== 'struct') return;
    const byName = new Map(meta.fields.map((f) => [f.json, f.number]));
    assert.equal(byName.get('name'), 1);
    assert.equal(byName.get('creationTimestamp'), 8);
    assert.equal(byName.get('labels'), 11);
    assert.equal(byName.get('managedFields'), 17);
    const cm = typeInfo('core/v1.ConfigMap');
    assert.ok(cm?.k === 'struct' && cm.fields.some((f) => f.json === 'binaryData' && f.number === 3 && f.shape.k === 'map'));
  });
});
