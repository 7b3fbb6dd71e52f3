// Keyset paging: walking a list with the "next" cursor of each page gives
// the same records in the same order as offset paging, for every kind of
// sort key (id, text, integer with ties, update time, a field with empty
// values) in both directions, with filters and search; and a malformed or
// conflicting cursor is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { client, startServer } from '../lib/server.js';

let srv;
let api;

before(async () => {
	srv = await startServer({ seed: 'demo' });
	api = client(srv.url);
	// A few assets without a retention date, so that a sort on it meets
	// empty values (NULL) on both sides of a page boundary.
	for (let i = 0; i < 5; i++) {
		const r = await api.post('/api/v1/assets', {
			name: `保存期限なしの資産 ${i}`,
			kind: 'document',
			section_id: 2,
			personal_info: 'none',
			confidentiality: 1,
			integrity: 1,
			availability: 1,
		});
		assert.equal(r.status, 201, r.text);
	}
});

after(async () => {
	await srv?.stop();
});

async function page(query) {
	const r = await api.get(`/api/v1/assets?${query}`);
	assert.equal(r.status, 200, `${query}: ${r.text}`);
	return r.json;
}

/* Every record of the list, by offset and by cursor, as id lists. */
async function walk(query, limit) {
	const byOffset = [];
	const total = (await page(`${query}&limit=1`)).total;
	for (let offset = 0; offset < total; offset += limit)
		byOffset.push(...(await page(`${query}&limit=${limit}&offset=${offset}`)).items.map((a) => a.id));
	const byCursor = [];
	let p = await page(`${query}&limit=${limit}`);
	for (let guard = 0; ; guard++) {
		assert.ok(guard <= total, 'the cursor walk does not end');
		assert.equal(p.total, total, 'every page tells the same total');
		byCursor.push(...p.items.map((a) => a.id));
		if (!p.next) break;
		assert.equal(p.items.length, limit, 'only a full page has a next page');
		p = await page(`${query}&limit=${limit}&after=${encodeURIComponent(p.next)}`);
	}
	return { byOffset, byCursor, total };
}

for (const query of [
	'sort=id',
	'sort=-id',
	'sort=name',
	'sort=-name',
	'sort=confidentiality',
	'sort=-confidentiality',
	'sort=updated_at',
	'sort=-updated_at',
	'sort=retention_until',
	'sort=-retention_until',
	'kind=data&sort=-asset_value',
	'status=all&sort=section_id',
	'q=%E3%83%87%E3%83%BC%E3%82%BF&sort=name',
]) {
	test(`keyset paging equals offset paging: ${query}`, async () => {
		const { byOffset, byCursor, total } = await walk(query, 7);
		assert.ok(total > 7, `${query}: the list spans several pages (${total})`);
		assert.equal(new Set(byCursor).size, byCursor.length, 'no record twice');
		assert.deepEqual(byCursor, byOffset);
	});
}

test('the sort on retention dates meets empty values at a page boundary', async () => {
	const all = (await page('sort=retention_until&limit=1000')).items;
	const empty = all.filter((a) => a.retention_until === null || a.retention_until === undefined);
	assert.ok(empty.length >= 5, 'records without a retention date exist');
	const first = await page('sort=retention_until&limit=3');
	assert.match(first.next, /^\d+$/, 'a cursor on an empty key holds the id alone');
});

test('the last page has no next cursor; an after past the end is an empty page', async () => {
	const total = (await page('limit=1')).total;
	const last = await page(`limit=${total}`);
	assert.equal(last.next, undefined);
	const beyond = await page(`after=${last.items[last.items.length - 1].id}`);
	assert.deepEqual(beyond.items, []);
	assert.equal(beyond.next, undefined);
	assert.equal(beyond.total, total);
});

test('a cursor that is malformed or conflicts with offset paging is refused', async () => {
	for (const q of [
		'after=abc',
		'after=0',
		'after=-5',
		'after=12:x',
		'sort=confidentiality&after=12:high',
		'sort=name&after=:abc',
		'after=12&offset=10',
		'after=12&page=2',
	]) {
		const r = await api.get(`/api/v1/assets?${q}`);
		assert.equal(r.status, 400, `${q}: ${r.text}`);
		assert.equal(r.json.error.code, 'bad_query');
		assert.ok(r.json.error.fields.some((f) => f.field === 'after'), `${q}: ${r.text}`);
	}
});
