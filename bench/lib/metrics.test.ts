import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRequestDelta, parseRequestCounts } from './metrics.js';

const scrape = (pods: number, status: number): string =>
  [
    '# HELP apiserver_request_total Counter of apiserver requests',
    `apiserver_request_total{verb="POST",group="",version="v1",resource="pods",subresource="",code="201"} ${pods}`,
    'apiserver_request_total{verb="POST",group="",version="v1",resource="pods",subresource="",code="409"} 2',
    `apiserver_request_total{verb="PUT",group="",version="v1",resource="pods",subresource="status",code="200"} ${status}`,
    'apiserver_request_total{verb="GET",group="",version="",resource="",subresource="/metrics",code="200"} 1',
    'apiserver_request_duration_seconds_bucket{verb="GET",le="0.005"} 9',
  ].join('\n');

test('request counts sum the codes of one verb and resource', () => {
  const m = parseRequestCounts(scrape(10, 4));
  assert.equal(m.get('POST pods'), 12);
  assert.equal(m.get('PUT pods/status'), 4);
  assert.equal(m.get('GET /metrics'), 1);
  assert.equal(m.size, 3);
});

test('the delta lists what grew, largest first', () => {
  assert.equal(describeRequestDelta(parseRequestCounts(scrape(10, 4)), parseRequestCounts(scrape(15, 104))), 'PUT pods/status 100, POST pods 5');
  assert.equal(describeRequestDelta(parseRequestCounts(scrape(10, 4)), parseRequestCounts(scrape(10, 4))), '');
});
