// The versioned history of records: one entry per version, what changed as
// [old, new], and no entry for anything refused or for an edit that changes
// nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ADMIN, assetInput, request, toCsv, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function ifMatch(v) {
	return { headers: { 'If-Match': `"${v}"` } };
}

test('a new record has one history entry: create, with every set field as [null, value]', async () => {
	const input = assetInput({ name: '履歴の資産', category: '分類', retention_until: 'R8.3.31' });
	const c = await t.api.post('/api/v1/assets', input);
	assert.equal(c.status, 201);
	const r = await t.api.get(`/api/v1/assets/${c.json.id}/history`);
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^application\/json/);
	assert.equal(r.json.items.length, 1);
	const [h] = r.json.items;
	assert.deepEqual(Object.keys(h).sort(), ['action', 'actor', 'at', 'changes', 'version']);
	assert.equal(h.version, 1);
	assert.equal(h.action, 'create');
	assert.equal(h.actor, ADMIN.login);
	assert.match(h.at, ISO_INSTANT);
	assert.equal(h.at, c.json.created_at);
	assert.deepEqual(h.changes, {
		code: [null, c.json.code],
		name: [null, '履歴の資産'],
		kind: [null, 'data'],
		category: [null, '分類'],
		section_id: [null, 2],
		personal_info: [null, 'none'],
		confidentiality: [null, 2],
		integrity: [null, 2],
		availability: [null, 1],
		asset_value: [null, 2],
		retention_until: [null, '2026-03-31'],
	});
});

test('updates, retire and restore each add one entry, oldest first, with only what changed', async () => {
	const c = await t.api.post('/api/v1/assets', assetInput({ name: '変更履歴', location: '一階' }));
	const id = c.json.id;
	let r = await t.api.put(`/api/v1/assets/${id}`, { location: '二階', confidentiality: 4 }, ifMatch(1));
	assert.equal(r.status, 200);
	r = await t.api.put(`/api/v1/assets/${id}`, { location: null }, ifMatch(2));
	assert.equal(r.status, 200);
	r = await t.api.post(`/api/v1/assets/${id}/retire`, { version: 3 });
	assert.equal(r.status, 200);
	r = await t.api.post(`/api/v1/assets/${id}/restore`, { version: 4 });
	assert.equal(r.status, 200);
	const items = await t.api.history('assets', id);
	assert.deepEqual(items.map((h) => [h.version, h.action]), [
		[1, 'create'],
		[2, 'update'],
		[3, 'update'],
		[4, 'retire'],
		[5, 'restore'],
	]);
	assert.deepEqual(items[1].changes, {
		location: ['一階', '二階'],
		confidentiality: [2, 4],
		asset_value: [2, 4],
	});
	assert.deepEqual(items[2].changes, { location: ['二階', null] });
	assert.deepEqual(items[3].changes, { retired: [false, true] });
	assert.deepEqual(items[4].changes, { retired: [true, false] });
	for (let i = 1; i < items.length; i++) assert.ok(items[i].at >= items[i - 1].at);
	assert.equal((await t.api.record('assets', id)).version, 5);
});

test('refused and empty edits leave the history alone', async () => {
	const c = await t.api.post('/api/v1/assets', assetInput({ name: '履歴が増えない' }));
	const id = c.json.id;
	const tries = [
		() => t.api.put(`/api/v1/assets/${id}`, { confidentiality: 9 }, ifMatch(1)), // 422
		() => t.api.put(`/api/v1/assets/${id}`, { category: 'x' }, ifMatch(7)), // 409
		() => t.api.put(`/api/v1/assets/${id}`, { category: 'x' }), // 428
		() => t.api.put(`/api/v1/assets/${id}`, { name: '履歴が増えない' }, ifMatch(1)), // no change
		() => t.api.post(`/api/v1/assets/${id}/restore`, { version: 1 }), // not retired
		() => request(t.srv.url, `/api/v1/assets/${id}`, { method: 'PUT', body: '{', headers: { 'Content-Type': 'application/json', 'If-Match': '"1"' } }),
	];
	for (const attempt of tries) {
		const r = await attempt();
		assert.ok(r.status === 200 || r.status >= 400, `${r.status}`);
	}
	const items = await t.api.history('assets', id);
	assert.equal(items.length, 1);
	assert.equal((await t.api.record('assets', id)).version, 1);
});

test('history of an unknown record answers 404 not_found', async () => {
	const r = await t.api.get('/api/v1/assets/987654/history');
	assert.equal(r.status, 404);
	assert.equal(r.json.error.code, 'not_found');
});

test('history works the same for sections, people and systems', async () => {
	const s = await t.api.post('/api/v1/sections', { name: '履歴課', kind: 'division', parent_id: 1 });
	assert.equal(s.status, 201, s.text);
	const u = await t.api.put(`/api/v1/sections/${s.json.id}`, { name: '履歴第二課' }, ifMatch(1));
	assert.equal(u.status, 200, u.text);
	const sh = await t.api.history('sections', s.json.id);
	assert.deepEqual(sh.map((h) => h.action), ['create', 'update']);
	assert.deepEqual(sh[1].changes, { name: ['履歴課', '履歴第二課'] });

	const p = await t.api.post('/api/v1/people', { name: '履歴 太郎', section_id: s.json.id, employment: 'regular', employment_status: 'employed' });
	assert.equal(p.status, 201, p.text);
	const pu = await t.api.put(`/api/v1/people/${p.json.id}`, { employment_status: 'left' }, ifMatch(1));
	assert.equal(pu.status, 200, pu.text);
	assert.deepEqual((await t.api.history('people', p.json.id)).at(-1).changes, { employment_status: ['employed', 'left'] });

	const y = await t.api.post('/api/v1/systems', { name: '履歴システム', section_id: s.json.id, infra_admin_id: p.json.id });
	assert.equal(y.status, 201, y.text);
	const yr = await t.api.post(`/api/v1/systems/${y.json.id}/retire`, { version: 1 });
	assert.equal(yr.status, 200, yr.text);
	assert.deepEqual((await t.api.history('systems', y.json.id)).map((h) => h.action), ['create', 'retire']);
});

test('records written by a CSV import have history entries with action "import"', async () => {
	const csv = toCsv([
		['名称', '種別', '所管課', '個人情報', '機密性', '完全性', '可用性'],
		['取込履歴の資産', 'データ', '0110', 'なし', '2', '2', '2'],
	]);
	const r = await request(t.srv.url, '/api/v1/assets/import', { method: 'POST', body: csv, headers: { 'Content-Type': 'text/csv' } });
	assert.equal(r.status, 200, r.text);
	const found = await t.api.get(`/api/v1/assets?q=${encodeURIComponent('取込履歴の資産')}`);
	assert.equal(found.json.total, 1);
	const rec = found.json.items[0];
	const h1 = await t.api.history('assets', rec.id);
	assert.deepEqual(h1.map((h) => [h.version, h.action]), [[1, 'import']]);
	assert.deepEqual(h1[0].changes.name, [null, '取込履歴の資産']);

	// Importing a changed row for the same 管理番号 adds an import entry with the change.
	const csv2 = toCsv([
		['管理番号', '名称', '種別', '所管課', '個人情報', '機密性', '完全性', '可用性'],
		[rec.code, '取込履歴の資産', 'データ', '0110', 'なし', '3', '2', '2'],
	]);
	const r2 = await request(t.srv.url, '/api/v1/assets/import', { method: 'POST', body: csv2, headers: { 'Content-Type': 'text/csv' } });
	assert.equal(r2.status, 200, r2.text);
	const h2 = await t.api.history('assets', rec.id);
	assert.deepEqual(h2.map((h) => [h.version, h.action]), [[1, 'import'], [2, 'import']]);
	assert.deepEqual(h2[1].changes, { confidentiality: [2, 3], asset_value: [2, 3] });
});
