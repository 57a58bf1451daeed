// The MCP tools' JSON Schemas as a strict client compiles them: every inputSchema and
// outputSchema of tools/list (fetched from the running stack's POST /mcp) must compile with
// Ajv in strict mode (no union "type" arrays, no unknown keywords, no ignored formats), and
// the list filters must still take one value, a comma list or a list of known values.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (tests/browser/run documents the environment)`);
  return v;
}

const BASE = need('LINKCAMP_URL').replace(/\/+$/, '');
const KEY = need('LINKCAMP_API_KEY');
let tools = [];

function strictAjv() {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

before(async () => {
  const r = await fetch(`${BASE}/mcp`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(r.status, 200);
  tools = (await r.json()).result.tools;
  assert.ok(tools.length >= 9, `tools/list has ${tools.length} tools`);
});

test('every inputSchema compiles with Ajv in strict mode', () => {
  for (const t of tools) {
    assert.doesNotThrow(() => strictAjv().compile(t.inputSchema), `${t.name} inputSchema`);
  }
});

test('every outputSchema compiles with Ajv in strict mode', () => {
  for (const t of tools) {
    assert.doesNotThrow(() => strictAjv().compile(t.outputSchema), `${t.name} outputSchema`);
  }
});

test('list filters take a value, a comma list or a list of known values', () => {
  const list = tools.find((t) => t.name === 'link_building_campaign_list');
  assert.ok(list);
  const valid = strictAjv().compile(list.inputSchema);
  assert.ok(valid({ type: 'serp' }));
  assert.ok(valid({ type: 'serp,competitor', status: 'active' }));
  assert.ok(valid({ type: ['serp', 'custom'], status: ['paused'] }));
  assert.ok(!valid({ type: ['bogus'] }));
  assert.ok(!valid({ type: 3 }));
  assert.ok(!valid({ unknown: 1 }));
});
