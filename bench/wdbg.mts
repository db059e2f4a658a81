import { H2Client } from './lib/client.js';
import { watch } from './lib/watch.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
const kc = parse(readFileSync('/tmp/dbg/kubeconfig.yaml', 'utf8'));
const b64 = (s: string) => Buffer.from(s, 'base64').toString();
const creds = { url: new URL(kc.clusters[0].cluster.server), ca: b64(kc.clusters[0].cluster['certificate-authority-data']), cert: b64(kc.users[0].user['client-certificate-data']), key: b64(kc.users[0].user['client-key-data']) };
const c = await H2Client.connect(creds, 4);
const w = await H2Client.connect(creds, 1);
await c.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'wd' } }) });
let n = 0; const types: Record<string, number> = {}; const bound = new Set<string>();
const list = await c.request('GET', '/api/v1/namespaces/wd/pods');
const rv = JSON.parse(list.body.toString()).metadata.resourceVersion;
const h = watch(w, `/api/v1/namespaces/wd/pods?watch=1&resourceVersion=${rv}`, (t, o: any) => { types[t] = (types[t] ?? 0) + 1; n++; if (o.spec.nodeName) bound.add(o.metadata.name); });
await h.opened;
let next = 0;
await Promise.all(Array.from({ length: 64 }, async () => { for (let i = next++; i < 1000; i = next++) { const r = await c.request('POST', '/api/v1/namespaces/wd/pods', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `w-${i}` }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) }); if (r.status !== 201) console.log(r.status); } }));
for (let k = 0; k < 6; k++) { await new Promise((r) => setTimeout(r, 2000)); console.log(n, types, bound.size); }
process.exit(0);
