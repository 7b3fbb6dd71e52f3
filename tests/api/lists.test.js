// Lists: paging, sorting, status, filters, range filters and free-text
// search, checked against the full demo data read once; and the refusal of
// every parameter the list does not understand.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { client, fieldCodes, startServer } from '../lib/server.js';

let srv;
let api;
let all; // every demo asset, retired ones included, by id
let active;

before(async () => {
	srv = await startServer({ seed: 'demo' });
	api = client(srv.url);
	all = await api.all('assets');
	active = all.filter((a) => !a.retired);
});

after(async () => {
	await srv?.stop();
});

/* GET a list and check it is a well-formed 200 page. */
async function list(query, reg = 'assets') {
	const r = await api.get(`/api/v1/${reg}?${query}`);
	assert.equal(r.status, 200, `${query}: ${r.text}`);
	const keys = Object.keys(r.json).filter((k) => k !== 'next').sort();
	assert.deepEqual(keys, ['items', 'limit', 'offset', 'total']);
	// A cursor to the next page exactly when records follow this one.
	assert.equal('next' in r.json, r.json.offset + r.json.items.length < r.json.total, query);
	return r.json;
}

/* GET a list that must be refused with 400 bad_query naming the parameter. */
async function refused(query, field) {
	const r = await api.get(`/api/v1/assets?${query}`);
	assert.equal(r.status, 400, `${query}: ${r.text}`);
	assert.equal(r.json.error.code, 'bad_query', query);
	assert.equal(r.json.error.message, '検索条件の指定が正しくありません。');
	if (field) assert.ok(r.json.error.fields.some((f) => f.field === field), `${query}: ${r.text}`);
	return r.json;
}

const ids = (items) => items.map((x) => x.id);

/* What q should find: the asset fields marked searchable, as substrings. */
const SEARCHABLE = ['code', 'name', 'category', 'description', 'user_scope', 'medium', 'location'];
function matchesQ(a, q) {
	return SEARCHABLE.some((f) => (a[f] ?? '').toLowerCase().includes(q.toLowerCase()));
}

test('the demo data has 26 sections, 59 people, 12 systems and 200 assets, a few retired', async () => {
	assert.equal((await list('status=all', 'sections')).total, 26);
	assert.equal((await list('status=all', 'people')).total, 59);
	assert.equal((await list('status=all', 'systems')).total, 12);
	assert.equal(all.length, 200);
	const retired = all.filter((a) => a.retired).length;
	assert.ok(retired > 0 && retired < 20, `${retired} retired`);
});

test('default list: active records only, by id, 50 a page', async () => {
	const page = await list('');
	assert.equal(page.total, active.length);
	assert.equal(page.offset, 0);
	assert.equal(page.limit, 50);
	assert.deepEqual(ids(page.items), ids(active).slice(0, 50));
	assert.ok(page.items.every((a) => a.retired === false));
});

test('status=retired and status=all', async () => {
	const r = await list('status=retired&limit=1000');
	assert.deepEqual(ids(r.items), ids(all.filter((a) => a.retired)));
	const a = await list('status=all&limit=1000');
	assert.equal(a.total, 200);
	assert.deepEqual(ids(a.items), ids(all));
	assert.deepEqual(ids((await list('status=active&limit=1000')).items), ids(active));
});

test('limit and offset page through the list without gaps or repeats', async () => {
	const seen = [];
	for (let offset = 0; offset < active.length; offset += 37) {
		const p = await list(`limit=37&offset=${offset}`);
		assert.equal(p.limit, 37);
		assert.equal(p.offset, offset);
		assert.equal(p.total, active.length);
		seen.push(...ids(p.items));
	}
	assert.deepEqual(seen, ids(active));
	const past = await list('offset=100000');
	assert.equal(past.items.length, 0);
	assert.equal(past.total, active.length);
});

test('page=N is offset (N-1)×limit', async () => {
	const p = await list('page=3&limit=20');
	assert.equal(p.offset, 40);
	assert.deepEqual(ids(p.items), ids(active).slice(40, 60));
	const p1 = await list('page=1');
	assert.equal(p1.offset, 0);
});

test('limit may be 1 to 1000; anything else is refused', async () => {
	assert.equal((await list('limit=1')).items.length, 1);
	assert.equal((await list('limit=1000&status=all')).items.length, 200);
	for (const v of ['0', '1001', '-1', 'abc', '', '1.5', '10x'])
		await refused(`limit=${v}`, 'limit');
});

test('bad offset or page values are refused', async () => {
	for (const v of ['-1', 'x', ''])
		await refused(`offset=${v}`, 'offset');
	for (const v of ['0', '-2', 'two'])
		await refused(`page=${v}`, 'page');
});

test('sort=field ascending and sort=-field descending, ties broken by id', async () => {
	const byName = await list('sort=name&limit=1000');
	// SQLite compares text by its UTF-8 bytes, that is by code point.
	const byCodePoint = (a, b) => (Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || a.id - b.id);
	assert.deepEqual(ids(byName.items), ids([...active].sort(byCodePoint)));

	const byC = await list('sort=-confidentiality&limit=1000');
	const cs = byC.items.map((a) => [a.confidentiality, a.id]);
	for (let i = 1; i < cs.length; i++) {
		assert.ok(cs[i - 1][0] >= cs[i][0], `not descending at ${i}`);
		if (cs[i - 1][0] === cs[i][0]) assert.ok(cs[i - 1][1] > cs[i][1], 'ties by id, same direction');
	}
	const byCode = await list('sort=code&limit=1000');
	assert.deepEqual(byCode.items.map((a) => a.code), active.map((a) => a.code).sort());
	const byIdDesc = await list('sort=-id&limit=5');
	assert.deepEqual(ids(byIdDesc.items), ids(active).reverse().slice(0, 5));
	const byRet = await list('sort=retention_until&limit=1000');
	const rs = byRet.items.map((a) => a.retention_until ?? '');
	assert.deepEqual(rs, [...rs].sort());
	const byValue = await list('sort=-asset_value&limit=1000');
	const vs = byValue.items.map((a) => a.asset_value);
	assert.deepEqual(vs, [...vs].sort((a, b) => b - a));
});

test('sort on an unknown or unsortable field is refused', async () => {
	for (const s of ['nope', '-nope', 'description', 'category', 'owner_id', '--name', '+name'])
		await refused(`sort=${encodeURIComponent(s)}`, 'sort');
});

test('status other than active, retired or all is refused', async () => {
	for (const s of ['deleted', 'ACTIVE', '1'])
		await refused(`status=${s}`, 'status');
});

test('equality filters on enum, integer, reference and date fields', async () => {
	const cases = [
		['kind=document', (a) => a.kind === 'document'],
		['personal_info=my_number', (a) => a.personal_info === 'my_number'],
		['confidentiality=4', (a) => a.confidentiality === 4],
		['section_id=2', (a) => a.section_id === 2],
		['owner_id=1', (a) => a.owner_id === 1],
		['system_id=1', (a) => a.system_id === 1],
		['asset_value=3', (a) => a.asset_value === 3],
		['kind=hardware&integrity=2', (a) => a.kind === 'hardware' && a.integrity === 2],
		['category=' + encodeURIComponent('課税'), (a) => a.category === '課税'],
	];
	for (const [q, pred] of cases) {
		const want = active.filter(pred);
		assert.ok(want.length > 0, `${q}: the demo data has matches`);
		const got = await list(`${q}&limit=1000`);
		assert.equal(got.total, want.length, q);
		assert.deepEqual(ids(got.items), ids(want), q);
	}
});

test('a date filter takes any accepted date form', async () => {
	const d = active.find((a) => a.retention_until).retention_until; // e.g. 2031-03-31
	const [y, m, day] = d.split('-').map(Number);
	const want = ids(active.filter((a) => a.retention_until === d));
	for (const form of [d, `R${y - 2018}.${m}.${day}`, `令和${y - 2018}年${m}月${day}日`]) {
		const got = await list(`retention_until=${encodeURIComponent(form)}&limit=1000`);
		assert.deepEqual(ids(got.items), want, form);
	}
	const min = await list(`retention_until_min=${d}&limit=1000`);
	assert.deepEqual(ids(min.items), ids(active.filter((a) => a.retention_until && a.retention_until >= d)));
});

test('range filters _min and _max on integer fields', async () => {
	const cases = [
		['confidentiality_min=3', (a) => a.confidentiality >= 3],
		['confidentiality_max=2', (a) => a.confidentiality <= 2],
		['confidentiality_min=2&confidentiality_max=3', (a) => a.confidentiality >= 2 && a.confidentiality <= 3],
		['availability_min=3', (a) => a.availability >= 3],
		['asset_value_max=2', (a) => a.asset_value <= 2],
		['confidentiality_min=5', () => false],
	];
	for (const [q, pred] of cases) {
		const got = await list(`${q}&limit=1000`);
		assert.deepEqual(ids(got.items), ids(active.filter(pred)), q);
	}
	const both = await list('confidentiality_min=3&status=all&limit=1000');
	assert.deepEqual(ids(both.items), ids(all.filter((a) => a.confidentiality >= 3)));
});

test('filters apply before paging: total counts every match', async () => {
	const want = active.filter((a) => a.kind === 'data');
	const p = await list('kind=data&limit=5&offset=5');
	assert.equal(p.total, want.length);
	assert.deepEqual(ids(p.items), ids(want).slice(5, 10));
	let sum = 0;
	for (const k of ['data', 'document', 'infrastructure', 'hardware', 'software'])
		sum += (await list(`kind=${k}&limit=1`)).total;
	assert.equal(sum, active.length);
});

test('an unknown parameter is refused as unknown_field, naming it', async () => {
	const body = await refused('colour=red', 'colour');
	assert.deepEqual(fieldCodes(body), [['colour', 'unknown_field']]);
	await refused('q=x&bogus=1', 'bogus');
	await refused('Kind=data', 'Kind');
});

test('filters on fields that are not filterable, or ranges on non-integers, are refused', async () => {
	await refused('name=' + encodeURIComponent('起案文書'), 'name'); // text, not a filter field
	await refused('description=x', 'description');
	await refused('kind_min=data', 'kind_min');
	await refused('section_id_max=3', 'section_id_max');
	await refused('id=1', 'id');
});

test('filter values that do not fit the field are refused', async () => {
	await refused('kind=server', 'kind');
	await refused('kind=' + encodeURIComponent('データ'), 'kind');
	await refused('confidentiality=high', 'confidentiality');
	await refused('confidentiality_min=x', 'confidentiality_min');
	await refused('section_id=abc', 'section_id');
	await refused('retention_until=2024-02-30', 'retention_until');
});

test('export-only parameters with bad values are refused by the JSON list too', async () => {
	// The list shares the export's parameter set; a value that the export
	// would refuse must not be silently ignored here.
	await refused('encoding=latin1', 'encoding');
});

test('the refused list names every bad parameter at once', async () => {
	const body = await refused('limit=0&sort=nope&status=x&colour=1');
	assert.deepEqual(new Set(body.error.fields.map((f) => f.field)), new Set(['limit', 'sort', 'status', 'colour']));
});

test('q searches the text fields (3+ characters and shorter)', async () => {
	const cases = ['住民基本台帳', '台帳', '税', 'サーバ室', '施錠保管庫', 'デモ用のサンプル', 'DB'];
	for (const q of cases) {
		const want = active.filter((a) => matchesQ(a, q));
		assert.ok(want.length > 0, q);
		const got = await list(`q=${encodeURIComponent(q)}&limit=1000`);
		assert.deepEqual(ids(got.items), ids(want), q);
	}
});

test('q finds a record by its 管理番号', async () => {
	const a = active[10];
	const got = await list(`q=${encodeURIComponent(a.code)}`);
	assert.deepEqual(ids(got.items), [a.id]);
});

test('q treats % _ \\ and quotes as plain characters', async () => {
	for (const q of ['%', '_', '%%', '\\', '"', "'", '" OR 1=1 --', 'a"b', '*', 'NEAR(', '住民"']) {
		const got = await list(`q=${encodeURIComponent(q)}&status=all`);
		assert.equal(got.total, 0, `q=${q}`);
	}
});

test('q matches within one field, never across two; a control character in q is refused', async () => {
	const a = active.find((x) => x.code && x.name);
	const q = a.code.slice(-2) + a.name.slice(0, 2);
	const got = await list(`q=${encodeURIComponent(q)}&limit=1000`);
	assert.deepEqual(ids(got.items), ids(active.filter((x) => matchesQ(x, q))), q);
	assert.ok(!got.items.some((x) => x.id === a.id), q);
	for (const c of ['\x1f', '\t', '\n', '\x7f'])
		await refused(`q=${encodeURIComponent(a.code.slice(0, 2) + c + a.code.slice(2))}`, 'q');
});

test('q combines with filters and sort', async () => {
	const want = active.filter((a) => matchesQ(a, 'データ') && a.confidentiality === 4).sort((x, y) => y.id - x.id);
	assert.ok(want.length > 0);
	const got = await list(`q=${encodeURIComponent('データ')}&confidentiality=4&sort=-id&limit=1000`);
	assert.deepEqual(ids(got.items), ids(want));
});

test('an empty filter value filters nothing', async () => {
	const got = await list('kind=&q=&limit=1000');
	assert.equal(got.total, active.length);
});

test('the other registers list, sort and filter the same way', async () => {
	const secs = await list('limit=100&sort=code', 'sections');
	assert.equal(secs.total, 26);
	const codes = secs.items.map((s) => s.code);
	assert.deepEqual(codes, [...codes].sort());
	assert.equal(codes[0], '0100');
	const depts = await list('kind=department', 'sections');
	assert.equal(depts.total, 7);
	assert.ok(depts.items.every((s) => s.parent_id === null));
	const kids = await list('parent_id=1', 'sections');
	assert.deepEqual(kids.items.map((s) => s.code), ['0110', '0120', '0130']);

	const partTime = await list('employment=part_time&limit=100', 'people');
	assert.ok(partTime.total > 0);
	assert.ok(partTime.items.every((p) => p.employment === 'part_time'));
	const sys = await list(`q=${encodeURIComponent('システム')}&limit=100`, 'systems');
	assert.ok(sys.total >= 10);
	const r = await api.get('/api/v1/people?confidentiality=1');
	assert.equal(r.status, 400);
	assert.deepEqual(fieldCodes(r.json), [['confidentiality', 'unknown_field']]);
});
