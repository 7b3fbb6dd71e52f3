// Settings from the configuration file change what the API does: the body
// cap, how 資産価値 is derived, and the default language. A bad file stops
// the server from starting.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';

import { client, request, startServer } from '../lib/server.js';

const servers = [];

after(async () => {
	await Promise.all(servers.map((s) => s.stop()));
});

async function serve(config) {
	const s = await startServer({ seed: 'empty', config });
	servers.push(s);
	return s;
}

async function section(a) {
	const r = await a.post('/api/v1/sections', { code: '0001', name: '設定課', kind: 'division' });
	assert.equal(r.status, 201, r.text);
	return r.json.id;
}

test('max_body_mb sets the body cap: over it 413 too_big, nothing written', async () => {
	const s = await serve('[server]\nmax_body_mb = 1\n');
	const a = client(s.url);
	const sid = await section(a);
	const asset = { name: '上限', kind: 'data', section_id: sid, personal_info: 'none', confidentiality: 1, integrity: 1, availability: 1 };
	const big = await a.post('/api/v1/assets', { ...asset, description: 'x'.repeat((1 << 20) + 10) });
	assert.equal(big.status, 413, big.text);
	assert.equal(big.json.error.code, 'too_big');
	assert.equal(big.json.error.message, '送信されたデータが大きすぎます。');
	assert.equal(await a.total('assets'), 0);
	const small = await a.post('/api/v1/assets', { ...asset, description: 'x'.repeat(1 << 19) });
	assert.equal(small.status, 422, 'under the cap the body is read and validated');
	const ok = await a.post('/api/v1/assets', asset);
	assert.equal(ok.status, 201);
});

test('value_method = sum makes 資産価値 the sum of the three ratings', async () => {
	const s = await serve('[assets]\nvalue_method = sum\n');
	const a = client(s.url);
	const sid = await section(a);
	const r = await a.post('/api/v1/assets', { name: '合計', kind: 'data', section_id: sid, personal_info: 'none', confidentiality: 4, integrity: 3, availability: 3 });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.asset_value, 10);
	const doc = (await a.get('/api/v1/openapi.json')).json;
	assert.ok(doc.components.schemas.assets.properties.asset_value.maximum >= 10);
});

test('[ui] lang = en makes English the default; Accept-Language and the cookie still choose', async () => {
	const s = await serve('[ui]\nlang = en\n');
	const a = client(s.url);
	assert.equal((await a.get('/api/v1/assets/1')).json.error.message, 'The record was not found.');
	assert.equal((await a.get('/api/v1/assets/1', { headers: { 'Accept-Language': 'ja' } })).json.error.message, '指定された記録が見つかりません。');
	assert.equal((await a.get('/api/v1/assets/1', { headers: { Cookie: 'mm_lang=ja' } })).json.error.message, '指定された記録が見つかりません。');
});

test('a configuration file with an unknown setting stops the server from starting', async () => {
	await assert.rejects(startServer({ seed: 'empty', config: '[server]\nmax_body_mb = lots\n' }), /mamori init failed|exited/);
	await assert.rejects(startServer({ seed: 'empty', config: '[nonsense]\nkey = 1\n' }), /mamori init failed|exited/);
});

test('without a configuration file the API answers in Japanese', async () => {
	const s = await serve(undefined);
	const r = await request(s.url, '/api/v1/assets/1');
	assert.equal(r.json.error.message, '指定された記録が見つかりません。');
});
