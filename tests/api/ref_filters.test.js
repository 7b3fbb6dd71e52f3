// The list page's filter by a reference to a register too large for a
// choice list (more than 500 records, as a city's people or a prefecture's
// sections): the reference is typed as its code or name, resolved among what
// the reader sees, and a text that names no record, or several, is reported
// and left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { request, signIn, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

let shimin;
let made;

/* The sections the tests need, made once. */
function setUp() {
	made ??= makeSections();
	return made;
}

async function makeSections() {
	const r = await t.api.get(`/api/v1/sections?q=${encodeURIComponent('市民課')}&limit=2`);
	assert.equal(r.status, 200, r.text);
	shimin = r.json.items.find((s) => s.name === '市民課');
	assert.ok(shimin, r.text);
	// 26 demo sections and 480 more: past the 500 a choice list shows.
	for (let i = 0; i < 480; i++) {
		const c = await t.api.post('/api/v1/sections', { code: `9${String(i).padStart(3, '0')}`, name: `増設係${i}`, kind: 'unit' });
		assert.equal(c.status, 201, c.text);
	}
	for (const code of ['8001', '8002']) {
		const c = await t.api.post('/api/v1/sections', { code, name: '同名課', kind: 'division' });
		assert.equal(c.status, 201, c.text);
	}
}

async function page(query) {
	const r = await request(t.srv.url, `/assets?${query}`);
	assert.equal(r.status, 200, r.text);
	const total = /全 ([0-9,]+) 件/.exec(r.text);
	return { html: r.text, total: total ? Number(total[1].replace(/,/g, '')) : 0 };
}

const rows = (html) => (html.match(/<tr[ >]/g) || []).length;

test('a register past 500 records is filtered by a typed code or name, a small one by a choice list', async () => {
	await setUp();
	const plain = await page('');
	assert.match(plain.html, /<input type="text" id="f-section_id" name="section_id_ref" value=""/);
	assert.doesNotMatch(plain.html, /<select id="f-section_id"/);
	assert.match(plain.html, /<select id="f-system_id" name="system_id">/);
	const byId = await page(`section_id=${shimin.id}`);
	assert.ok(byId.total > 0 && byId.total < plain.total, `${byId.total} of ${plain.total}`);
	// The filter shows the section chosen by id as its code and name.
	assert.match(byId.html, new RegExp(`name="section_id_ref" value="${shimin.code} 市民課"`));
	for (const typed of [shimin.code, '市民課', `${shimin.code} 市民課`]) {
		const got = await page(`section_id_ref=${encodeURIComponent(typed)}`);
		assert.equal(got.total, byId.total, typed);
		assert.equal(rows(got.html), rows(byId.html), typed);
		assert.doesNotMatch(got.html, /検索条件は正しくない/, typed);
		assert.match(got.html, new RegExp(`name="section_id_ref" value="${typed}"`));
	}
});

test('a typed reference that names no section, or two, is reported and left out', async () => {
	await setUp();
	const plain = await page('');
	for (const typed of ['存在しない課', '7777', '同名課']) {
		const got = await page(`section_id_ref=${encodeURIComponent(typed)}`);
		assert.match(got.html, /次の検索条件は正しくないため、使わずに表示しています。[\s\S]*<li>所管課<\/li>/, typed);
		assert.equal(got.total, plain.total, typed);
	}
});

// The record form: a reference to a register past 500 records is typed as
// its code or name too, resolved when the form is saved; one that names no
// record, or several, is reported on the form and nothing is saved.
test('the record form takes a typed section, refuses one that names none or two, and shows the current one', async () => {
	await setUp();
	const pw = new RegExp('^ {2}kacho\\.shimin +(demo-\\S+)', 'm').exec(t.srv.initStdout)[1];
	const cookie = await signIn(t.srv.url, 'kacho.shimin', pw);
	const get = async (p) => {
		const r = await request(t.srv.url, p, { headers: { Cookie: cookie } });
		assert.equal(r.status, 200, r.text);
		return r.text;
	};
	const fresh = await get('/assets/new');
	assert.match(fresh, /<input type="text" id="f-section_id" name="section_id_ref" value=""/);
	assert.doesNotMatch(fresh, /<select id="f-section_id"/);
	const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(fresh)[1];
	const post = (p, fields) => request(t.srv.url, p, {
		method: 'POST',
		body: new URLSearchParams({ csrf, ...fields }).toString(),
		headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: t.srv.url },
	});
	const fields = (section, name = '型入力の資産') => ({
		name, kind: 'data', section_id_ref: section, personal_info: 'none',
		confidentiality: '2', integrity: '2', availability: '1',
	});
	const count = async () => (await t.api.get(`/api/v1/assets?q=${encodeURIComponent('型入力の資産')}&limit=1`)).json.total;

	for (const typed of ['存在しない課', '同名課']) {
		const r = await post('/assets', fields(typed));
		assert.equal(r.status, 422, typed);
		assert.match(r.text, /所管課に指定された項目が見つかりません。/, typed);
		assert.match(r.text, new RegExp(`name="section_id_ref" value="${typed}"`), typed);
		assert.equal(await count(), 0, typed);
	}

	const made = await post('/assets', fields(`${shimin.code}`));
	assert.equal(made.status, 303, made.text);
	const id = /\/assets\/(\d+)$/.exec(made.headers.get('location'))[1];
	const rec = await t.api.get(`/api/v1/assets/${id}`);
	assert.equal(rec.json.section_id, shimin.id);

	// The edit form shows the section as code and name; saved unchanged, it stays.
	const edit = await get(`/assets/${id}/edit`);
	assert.match(edit, new RegExp(`name="section_id_ref" value="${shimin.code} 市民課"`));
	const r = await post(`/assets/${id}`, { ...fields(`${shimin.code} 市民課`, '型入力の資産（改）'), version: String(rec.json.version) });
	assert.equal(r.status, 303, r.text);
	const after = await t.api.get(`/api/v1/assets/${id}`);
	assert.equal(after.json.section_id, shimin.id);
	assert.equal(after.json.name, '型入力の資産（改）');
});
