// The assets register through the JSON API: create, read, update with
// optimistic locking, retire and restore, and the refusals around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ADMIN, assetInput, fieldCodes, request, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ASSET_KEYS = [
	'id', 'version', 'retired', 'code', 'name', 'kind', 'category', 'description', 'section_id',
	'owner_id', 'user_scope', 'medium', 'location', 'system_id', 'personal_info', 'confidentiality',
	'integrity', 'availability', 'asset_value', 'retention_until', 'created_at', 'updated_at',
	'updated_by',
];

async function create(overrides = {}) {
	const r = await t.api.post('/api/v1/assets', assetInput(overrides));
	assert.equal(r.status, 201, r.text);
	return r.json;
}

function ifMatch(v) {
	return { headers: { 'If-Match': `"${v}"` } };
}

test('POST creates an asset: 201, Location, ETag "1" and the stored record', async () => {
	const input = assetInput({
		name: '窓口受付記録',
		category: '窓口',
		description: '一行目\n二行目',
		owner_id: 1,
		user_scope: '市民課職員',
		medium: '紙',
		location: '本庁舎1階',
		system_id: 1,
		personal_info: 'personal',
		confidentiality: 3,
		integrity: 2,
		availability: 1,
		retention_until: '2030-03-31',
	});
	const r = await t.api.post('/api/v1/assets', input);
	assert.equal(r.status, 201, r.text);
	assert.match(r.headers.get('content-type'), /^application\/json/);
	assert.equal(r.headers.get('etag'), '"1"');
	assert.equal(r.headers.get('location'), `/api/v1/assets/${r.json.id}`);
	const rec = r.json;
	assert.deepEqual(Object.keys(rec).sort(), [...ASSET_KEYS].sort());
	assert.equal(rec.version, 1);
	assert.equal(rec.retired, false);
	for (const [k, v] of Object.entries(input)) assert.deepEqual(rec[k], v, k);
	assert.equal(rec.asset_value, 3);
	assert.match(rec.code, /^A-\d{6}$/);
	assert.match(rec.created_at, ISO_INSTANT);
	assert.equal(rec.updated_at, rec.created_at);
	assert.equal(rec.updated_by, ADMIN.login);

	// The Location answers the same record, with its ETag.
	const g = await t.api.get(r.headers.get('location'));
	assert.equal(g.status, 200);
	assert.equal(g.headers.get('etag'), '"1"');
	assert.deepEqual(g.json, rec);
});

test('unset optional fields read back as null', async () => {
	const rec = await create({ name: '最小の資産' });
	for (const k of ['category', 'description', 'owner_id', 'user_scope', 'medium', 'location', 'system_id', 'retention_until'])
		assert.equal(rec[k], null, k);
	assert.deepEqual(await t.api.record('assets', rec.id), rec);
});

test('管理番号 is assigned A-000201, A-000202, … after the 200 demo assets, and kept when given', async () => {
	const a = await create({ name: '採番1' });
	const b = await create({ name: '採番2' });
	assert.match(a.code, /^A-\d{6}$/);
	assert.ok(Number(a.code.slice(2)) > 200, a.code);
	assert.equal(Number(b.code.slice(2)), Number(a.code.slice(2)) + 1);
	const c = await create({ name: '手入力の番号', code: 'X-2024-001' });
	assert.equal(c.code, 'X-2024-001');
	// A hand-made key that the counter would give next is skipped, not duplicated.
	const next = `A-${String(Number(b.code.slice(2)) + 1).padStart(6, '0')}`;
	const d = await create({ name: '先取り', code: next });
	assert.equal(d.code, next);
	const e = await create({ name: '次の自動採番' });
	assert.notEqual(e.code, next);
	assert.match(e.code, /^A-\d{6}$/);
	const codes = (await t.api.all('assets')).map((x) => x.code);
	assert.equal(new Set(codes).size, codes.length, 'codes are unique');
});

test('資産価値 is max(機密性, 完全性, 可用性), and follows edits', async () => {
	for (const [c, i, a, v] of [[1, 1, 1, 1], [4, 1, 1, 4], [1, 3, 2, 3], [2, 1, 3, 3], [3, 3, 3, 3]]) {
		const rec = await create({ confidentiality: c, integrity: i, availability: a });
		assert.equal(rec.asset_value, v, `${c},${i},${a}`);
	}
	const rec = await create({ confidentiality: 1, integrity: 1, availability: 1 });
	const up = await t.api.put(`/api/v1/assets/${rec.id}`, { availability: 3 }, ifMatch(1));
	assert.equal(up.status, 200, up.text);
	assert.equal(up.json.asset_value, 3);
	const down = await t.api.put(`/api/v1/assets/${rec.id}`, { availability: 2 }, ifMatch(2));
	assert.equal(down.json.asset_value, 2);
});

test('GET an unknown id answers 404 not_found', async () => {
	const r = await t.api.get('/api/v1/assets/987654');
	assert.equal(r.status, 404);
	assert.equal(r.json.error.code, 'not_found');
	assert.equal(r.headers.get('etag'), null);
});

test('PUT with If-Match changes only the fields sent and raises the version', async () => {
	const rec = await create({ name: '部分更新', category: '元の分類', location: '元の場所' });
	await new Promise((r) => setTimeout(r, 1100)); // updated_at has 1 s resolution
	const r = await t.api.put(`/api/v1/assets/${rec.id}`, { location: '新しい場所' }, ifMatch(1));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.headers.get('etag'), '"2"');
	const expect = { ...rec, location: '新しい場所', version: 2, updated_at: r.json.updated_at };
	assert.deepEqual(r.json, expect);
	assert.ok(r.json.updated_at > rec.updated_at, 'updated_at moves on');
	assert.equal(r.json.created_at, rec.created_at);
	assert.deepEqual(await t.api.record('assets', rec.id), expect);
});

test('PUT takes the version from the body, and weak or bare If-Match values', async () => {
	const rec = await create({ name: '版の指定' });
	let r = await t.api.put(`/api/v1/assets/${rec.id}`, { version: 1, category: 'A' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.version, 2);
	r = await t.api.put(`/api/v1/assets/${rec.id}`, { category: 'B' }, { headers: { 'If-Match': 'W/"2"' } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.version, 3);
	r = await t.api.put(`/api/v1/assets/${rec.id}`, { category: 'C' }, { headers: { 'If-Match': '3' } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.version, 4);
	assert.equal(r.json.category, 'C');
});

test('PUT with a stale version answers 409 conflict and changes nothing', async () => {
	const rec = await create({ name: '競合' });
	const first = await t.api.put(`/api/v1/assets/${rec.id}`, { category: '先に保存' }, ifMatch(1));
	assert.equal(first.status, 200);
	const now = await t.api.record('assets', rec.id);
	const hist = await t.api.history('assets', rec.id);
	for (const opts of [ifMatch(1), { headers: {} }]) {
		const body = opts.headers['If-Match'] ? { category: '後から' } : { category: '後から', version: 1 };
		const r = await t.api.put(`/api/v1/assets/${rec.id}`, body, opts);
		assert.equal(r.status, 409, r.text);
		assert.equal(r.json.error.code, 'conflict');
		assert.match(r.json.error.message, /他の人が先に更新しました/);
	}
	// A version from the future is stale too.
	const fut = await t.api.put(`/api/v1/assets/${rec.id}`, { category: '未来' }, ifMatch(99));
	assert.equal(fut.status, 409);
	assert.deepEqual(await t.api.record('assets', rec.id), now);
	assert.deepEqual(await t.api.history('assets', rec.id), hist);
});

test('PUT without a version answers 428 bad_version and changes nothing', async () => {
	const rec = await create({ name: '版なし' });
	for (const [body, headers] of [
		[{ category: 'x' }, {}],
		[{ category: 'x', version: 0 }, {}],
		[{ category: 'x', version: -1 }, {}],
		[{ category: 'x' }, { 'If-Match': '"abc"' }],
		[{ category: 'x' }, { 'If-Match': '""' }],
		[{ category: 'x' }, { 'If-Match': '"0"' }],
	]) {
		const r = await t.api.put(`/api/v1/assets/${rec.id}`, body, { headers });
		assert.equal(r.status, 428, `${JSON.stringify(body)} ${JSON.stringify(headers)}: ${r.text}`);
		assert.equal(r.json.error.code, 'bad_version');
		assert.equal(r.json.error.message, 'version（編集する版）を指定してください。');
	}
	assert.deepEqual(await t.api.record('assets', rec.id), rec);
	assert.equal((await t.api.history('assets', rec.id)).length, 1);
});

test('a version that is not an integer is refused and changes nothing', async () => {
	const rec = await create({ name: '版が文字列' });
	const r = await t.api.put(`/api/v1/assets/${rec.id}`, { category: 'x', version: '1' });
	assert.ok([400, 428].includes(r.status), r.text);
	assert.equal(r.json.error.code, 'bad_version');
	assert.deepEqual(await t.api.record('assets', rec.id), rec);
});

test('PUT of an unknown id answers 404 and creates nothing', async () => {
	const before = await t.api.total('assets');
	const r = await t.api.put('/api/v1/assets/987654', { name: 'x' }, ifMatch(1));
	assert.equal(r.status, 404);
	assert.equal(r.json.error.code, 'not_found');
	assert.equal(await t.api.total('assets'), before);
});

test('PUT that changes nothing answers 200 and makes no new version', async () => {
	const rec = await create({ name: '変更なし', category: '同じ' });
	const r = await t.api.put(`/api/v1/assets/${rec.id}`, { category: '同じ', name: ' 変更なし ' }, ifMatch(1));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.version, 1);
	assert.equal(r.headers.get('etag'), '"1"');
	assert.deepEqual(await t.api.record('assets', rec.id), rec);
	assert.equal((await t.api.history('assets', rec.id)).length, 1);
});

test('PUT with null clears an optional field; an empty body changes nothing', async () => {
	const rec = await create({ name: '消去', category: '消す分類', owner_id: 2, retention_until: '2030-03-31' });
	const r = await t.api.put(`/api/v1/assets/${rec.id}`, { category: null, owner_id: null, retention_until: '' }, ifMatch(1));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.category, null);
	assert.equal(r.json.owner_id, null);
	assert.equal(r.json.retention_until, null);
	assert.equal(r.json.version, 2);
	const e = await t.api.put(`/api/v1/assets/${rec.id}`, {}, ifMatch(2));
	assert.equal(e.status, 200);
	assert.equal(e.json.version, 2);
});

test('POST/PUT bodies that are not a JSON object are refused and write nothing', async () => {
	const before = await t.api.total('assets');
	const rec = await t.api.record('assets', 5);
	const cases = [
		['{"name": "x",', 400, 'bad_json'],
		['', 400, 'bad_json'],
		['{"name":"a"} trailing', 400, 'bad_json'],
		['{"name":"a","name":"b"}', 400, 'bad_json'],
		["{'name':'x'}", 400, 'bad_json'],
		['[]', 400, 'not_object'],
		['[{"name":"x"}]', 400, 'not_object'],
	];
	for (const [body, status, code] of cases) {
		for (const [method, p, headers] of [
			['POST', '/api/v1/assets', {}],
			['PUT', '/api/v1/assets/5', { 'If-Match': `"${rec.version}"` }],
		]) {
			const r = await request(t.srv.url, p, {
				method,
				body,
				headers: { 'Content-Type': 'application/json', ...headers },
			});
			assert.equal(r.status, status, `${method} ${body}: ${r.text}`);
			assert.equal(r.json?.error?.code, code, `${method} ${body}`);
		}
	}
	assert.equal(await t.api.total('assets'), before);
	assert.deepEqual(await t.api.record('assets', 5), rec);
});

test('a JSON scalar body (a string, a number, null) answers 400 not_object and writes nothing', async () => {
	// RFC 8259 makes these valid JSON texts: they are not objects, not malformed.
	const before = await t.api.total('assets');
	const rec = await t.api.record('assets', 5);
	for (const body of ['"text"', '42', 'null', 'true']) {
		for (const [method, p, headers] of [
			['POST', '/api/v1/assets', {}],
			['PUT', '/api/v1/assets/5', { 'If-Match': `"${rec.version}"` }],
		]) {
			const r = await request(t.srv.url, p, {
				method,
				body,
				headers: { 'Content-Type': 'application/json', ...headers },
			});
			assert.equal(r.status, 400, `${method} ${body}: ${r.text}`);
			assert.equal(r.json?.error?.code, 'not_object', `${method} ${body}: ${r.text}`);
		}
	}
	assert.equal(await t.api.total('assets'), before);
	assert.deepEqual(await t.api.record('assets', 5), rec);
});

test('a body that is not UTF-8 answers 400 bad_json and writes nothing', async () => {
	const before = await t.api.total('assets');
	const json = Buffer.from(JSON.stringify(assetInput({ name: 'XX' })));
	const i = json.indexOf('XX');
	json[i] = 0xff; // a byte that never occurs in UTF-8
	json[i + 1] = 0xfe;
	const r = await request(t.srv.url, '/api/v1/assets', {
		method: 'POST',
		body: json,
		headers: { 'Content-Type': 'application/json' },
	});
	assert.equal(r.status, 400, r.text);
	assert.equal(r.json.error.code, 'bad_json');
	// Shift_JIS bytes are not UTF-8 either: 資産 in CP932.
	const sjis = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0x8e, 0x91, 0x8e, 0x59]), Buffer.from('","kind":"data"}')]);
	const r2 = await request(t.srv.url, '/api/v1/assets', {
		method: 'POST',
		body: sjis,
		headers: { 'Content-Type': 'application/json' },
	});
	assert.equal(r2.status, 400, r2.text);
	assert.equal(r2.json.error.code, 'bad_json');
	assert.equal(await t.api.total('assets'), before);
});

test('a body that is not application/json answers 415 bad_media_type and writes nothing', async () => {
	const before = await t.api.total('assets');
	const rec = await t.api.record('assets', 6);
	const body = JSON.stringify(assetInput({ name: '形式違い' }));
	for (const ct of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'text/json', 'multipart/form-data; boundary=x']) {
		const headers = ct ? { 'Content-Type': ct } : {};
		const r = await request(t.srv.url, '/api/v1/assets', { method: 'POST', body: ct ? body : Buffer.from(body), headers });
		if (!ct) {
			// fetch sends no Content-Type for a Buffer body
			assert.equal(r.status, 415, `no content type: ${r.text}`);
		} else {
			assert.equal(r.status, 415, `${ct}: ${r.text}`);
		}
		assert.equal(r.json.error.code, 'bad_media_type');
		const u = await request(t.srv.url, '/api/v1/assets/6', {
			method: 'PUT',
			body: JSON.stringify({ name: '形式違い' }),
			headers: { ...(ct ? { 'Content-Type': ct } : {}), 'If-Match': `"${rec.version}"` },
		});
		if (ct) assert.equal(u.status, 415, `PUT ${ct}`);
	}
	assert.equal(await t.api.total('assets'), before);
	assert.deepEqual(await t.api.record('assets', 6), rec);
	// Parameters after the media type are fine.
	const ok = await request(t.srv.url, '/api/v1/assets', {
		method: 'POST',
		body,
		headers: { 'Content-Type': 'application/json; charset=utf-8' },
	});
	assert.equal(ok.status, 201, ok.text);
});

test('retire: 200 with retired true and a new version; lists hide it by default', async () => {
	const rec = await create({ name: '廃棄する資産' });
	const r = await request(t.srv.url, `/api/v1/assets/${rec.id}/retire`, { method: 'POST', ...ifMatch(1) });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.retired, true);
	assert.equal(r.json.version, 2);
	assert.equal(r.headers.get('etag'), '"2"');
	const q = encodeURIComponent('廃棄する資産');
	assert.equal((await t.api.get(`/api/v1/assets?q=${q}`)).json.total, 0);
	assert.equal((await t.api.get(`/api/v1/assets?q=${q}&status=retired`)).json.total, 1);
	assert.equal((await t.api.get(`/api/v1/assets?q=${q}&status=all`)).json.total, 1);
	// It can still be read by id.
	assert.equal((await t.api.record('assets', rec.id)).retired, true);
});

test('retire takes the version from a JSON body too', async () => {
	const rec = await create({ name: '本文で版指定' });
	const r = await t.api.post(`/api/v1/assets/${rec.id}/retire`, { version: 1 });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.retired, true);
});

test('retiring twice answers 409 already_retired and changes nothing', async () => {
	const rec = await create({ name: '二重廃棄' });
	await t.api.post(`/api/v1/assets/${rec.id}/retire`, { version: 1 });
	const now = await t.api.record('assets', rec.id);
	const r = await t.api.post(`/api/v1/assets/${rec.id}/retire`, { version: 2 });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, 'already_retired');
	assert.equal(r.json.error.message, 'この記録は既に廃止されています。');
	assert.deepEqual(await t.api.record('assets', rec.id), now);
	assert.equal((await t.api.history('assets', rec.id)).length, 2);
});

test('restore brings a retired asset back; restoring an active one is 409 not_retired', async () => {
	const rec = await create({ name: '復元する資産' });
	const bad = await t.api.post(`/api/v1/assets/${rec.id}/restore`, { version: 1 });
	assert.equal(bad.status, 409);
	assert.equal(bad.json.error.code, 'not_retired');
	assert.deepEqual(await t.api.record('assets', rec.id), rec);
	await t.api.post(`/api/v1/assets/${rec.id}/retire`, { version: 1 });
	const r = await request(t.srv.url, `/api/v1/assets/${rec.id}/restore`, { method: 'POST', ...ifMatch(2) });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.retired, false);
	assert.equal(r.json.version, 3);
	const q = encodeURIComponent('復元する資産');
	assert.equal((await t.api.get(`/api/v1/assets?q=${q}`)).json.total, 1);
});

test('retire/restore refusals: stale version 409, no version 428, unknown id 404', async () => {
	const rec = await create({ name: '廃棄の拒否' });
	await t.api.put(`/api/v1/assets/${rec.id}`, { category: 'v2' }, ifMatch(1));
	const now = await t.api.record('assets', rec.id);
	let r = await t.api.post(`/api/v1/assets/${rec.id}/retire`, { version: 1 });
	assert.equal(r.status, 409);
	assert.equal(r.json.error.code, 'conflict');
	r = await t.api.post(`/api/v1/assets/${rec.id}/retire`, {});
	assert.equal(r.status, 428);
	r = await request(t.srv.url, `/api/v1/assets/${rec.id}/retire`, { method: 'POST', body: 'version=2', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
	assert.equal(r.status, 415);
	r = await request(t.srv.url, `/api/v1/assets/${rec.id}/retire`, { method: 'POST', body: '{"version":', headers: { 'Content-Type': 'application/json' } });
	assert.equal(r.status, 400);
	assert.equal(r.json.error.code, 'bad_json');
	assert.deepEqual(await t.api.record('assets', rec.id), now);
	r = await t.api.post('/api/v1/assets/987654/retire', { version: 1 });
	assert.equal(r.status, 404);
	r = await t.api.post('/api/v1/assets/987654/restore', { version: 1 });
	assert.equal(r.status, 404);
});

test('retire/restore with neither If-Match nor a body answers 428 bad_version and changes nothing', async () => {
	const rec = await create({ name: '版も本文もない廃棄' });
	for (const action of ['retire', 'restore']) {
		const r = await request(t.srv.url, `/api/v1/assets/${rec.id}/${action}`, { method: 'POST' });
		assert.equal(r.status, 428, `${action}: ${r.status} ${r.text}`);
		assert.equal(r.json.error.code, 'bad_version', action);
	}
	assert.deepEqual(await t.api.record('assets', rec.id), rec);
	assert.equal((await t.api.history('assets', rec.id)).length, 1);
});

test('a retired asset keeps its 管理番号: a new asset cannot take it', async () => {
	const rec = await create({ name: '番号を持つ廃棄資産' });
	await t.api.post(`/api/v1/assets/${rec.id}/retire`, { version: 1 });
	const r = await t.api.post('/api/v1/assets', assetInput({ code: rec.code }));
	assert.equal(r.status, 422);
	assert.deepEqual(fieldCodes(r.json), [['code', 'duplicate']]);
});

test('an edit that leaves 管理番号 empty keeps the number the asset has', async () => {
	const a = await create({ name: '番号を空に' });
	for (const code of ['', null, '  ']) {
		const r = await t.api.put(`/api/v1/assets/${a.id}`, { code }, ifMatch(1));
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.code, a.code);
		assert.equal(r.json.version, 1);
	}
});

test('changing 管理番号 to one in use is refused; to a free one is allowed', async () => {
	const a = await create({ name: '番号変更A' });
	const b = await create({ name: '番号変更B' });
	const r = await t.api.put(`/api/v1/assets/${b.id}`, { code: a.code }, ifMatch(1));
	assert.equal(r.status, 422);
	assert.deepEqual(fieldCodes(r.json), [['code', 'duplicate']]);
	assert.deepEqual(await t.api.record('assets', b.id), b);
	const ok = await t.api.put(`/api/v1/assets/${b.id}`, { code: 'B-0001' }, ifMatch(1));
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.code, 'B-0001');
	// Keeping its own code is not a duplicate of itself.
	const same = await t.api.put(`/api/v1/assets/${b.id}`, { code: 'B-0001', category: 'x' }, ifMatch(2));
	assert.equal(same.status, 200, same.text);
});
