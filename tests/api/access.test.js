// Access control (7.1) over HTTP, on the demo data, as the people of the
// demo: guessed ids of 課外秘 and 極秘 records answer exactly as a missing
// id; lists, counts, searches, exports and option lists never show what the
// reader may not see; grants let a person read, 'named' is what 極秘 needs;
// refused writes answer 403 and change nothing; refusals are in the audit
// log. (The matrix of every role, register, level and action is the unit
// test tests/unit/test_access.c.)
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addAccount, addApiUser, assetInput, request, runCli, signIn, sqlRows, toCsv, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

/* Demo people: 10028 is 市民課's 課長 and data manager (named on its 極秘
 * assets by the demo), 10030 a member of 市民課, 10008 of 事務局 (not named
 * on anything), 10003 the auditor, 10012 the application administrator. */
const u = {};

/* Every asset, as the operator's CLI sees it (the CLI is unrestricted). */
let everything;
let sections;

function cliJson(args) {
	const r = runCli([...args, '--db', t.srv.dbPath, '--json', '--status', 'all', '--limit', '100000'], { env: t.srv.env });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const sectionId = (code) => sections.find((s) => s.code === code).id;

/* Makes the users once, on the first test's call (the server starts in a
 * hook of useServer's). */
let made;
const users = () => (made ??= makeUsers());

async function makeUsers() {
	u.manager = addApiUser(t.srv, { login: 'kacho.shimin' });
	u.staff = addApiUser(t.srv, { login: 'shokuin.shimin' });
	u.secretariat = addApiUser(t.srv, { login: 'jimukyoku' });
	u.auditor = addApiUser(t.srv, { login: 'kansanin' });
	u.appAdmin = addApiUser(t.srv, { login: 'admin' });
	everything = cliJson(['asset', 'list']);
	sections = cliJson(['section', 'list']);
	// A contractor of 市民課 (委託先), with an account of their own.
	const p = await t.api.post('/api/v1/people', {
		name: '委託 次郎', section_id: sectionId('0410'), employment: 'contractor', employment_status: 'employed',
	});
	assert.equal(p.status, 201, p.text);
	u.contractor = addApiUser(t.srv, { login: 'itaku', person: p.json.employee_no });
	u.contractorPerson = p.json;
	addAccount(t.srv, { login: 'itaku.web', person: (await t.api.post('/api/v1/people', {
		name: '委託 三郎', section_id: sectionId('0410'), employment: 'contractor', employment_status: 'employed',
	})).json.employee_no, password: 'a contractor under the bridge' });
}

/* What 市民課's staff may read by the rules: 一般 and 庁外秘 of everyone,
 * 課外秘 of 市民課 and of 市民環境部 above it. */
function staffMayRead(a) {
	if (a.confidentiality <= 2) return true;
	return a.confidentiality === 3 && [sectionId('0410'), sectionId('0400')].includes(a.section_id);
}

const byLevel = (level, section) => everything.find((a) => a.confidentiality === level && a.section_id === sectionId(section));

test('a guessed id of a 課外秘 or 極秘 record answers exactly as an id that does not exist', async () => {
	await users();
	const missing = await u.staff.api.get('/api/v1/assets/999999');
	assert.equal(missing.status, 404);
	const hidden = [byLevel(3, '0310'), byLevel(4, '0310'), byLevel(4, '0410')];
	for (const a of hidden) {
		for (const p of ['', '/history', '/grants']) {
			const r = await u.staff.api.get(`/api/v1/assets/${a.id}${p}`);
			assert.equal(r.status, 404, `${a.code}${p}`);
			assert.equal(r.text, missing.text, `${a.code}${p}: the same body`);
		}
		// Writes too: not 403, not 409 for a stale version.
		const put = await u.staff.api.put(`/api/v1/assets/${a.id}`, { name: 'x' }, { headers: { 'If-Match': '"99"' } });
		assert.equal(put.status, 404, a.code);
		assert.equal(put.text, missing.text);
		const retire = await u.staff.api.post(`/api/v1/assets/${a.id}/retire`, { version: a.version });
		assert.equal(retire.status, 404, a.code);
		const page = await request(t.srv.url, `/assets/${a.id}`);
		assert.equal(page.status, 404, `the page of ${a.code}`);
		assert.doesNotMatch(page.text, new RegExp(a.name.replace(/[()（）]/g, '.')));
	}
	// What they may read, they read: 市民課's 課外秘.
	assert.equal((await u.staff.api.get(`/api/v1/assets/${byLevel(3, '0410').id}`)).status, 200);
});

test('lists, totals and exports hold exactly the records the reader may read', async () => {
	await users();
	const want = everything.filter(staffMayRead).map((a) => a.id).sort((x, y) => x - y);
	assert.ok(want.length > 0 && want.length < everything.length);
	const got = (await u.staff.api.all('assets')).map((a) => a.id).sort((x, y) => x - y);
	assert.deepEqual(got, want);
	assert.equal(await u.staff.api.total('assets'), want.length);
	assert.equal(await u.staff.api.total('assets', 'confidentiality=4'), 0);
	assert.equal(await u.staff.api.total('assets', `confidentiality=3&section_id=${sectionId('0310')}`), 0);
	// The export follows the same rule, row for row.
	const csv = await u.staff.api.get('/api/v1/assets/export.csv?status=all');
	assert.equal(csv.status, 200);
	const rows = csv.text.replace(/^\ufeff/, '').trim().split('\r\n');
	assert.equal(rows.length - 1, want.length);
	const hidden = everything.filter((a) => !staffMayRead(a));
	for (const a of hidden) assert.ok(!rows.some((r) => r.startsWith(`${a.code},`)), `${a.code} exported`);
	const none = await u.staff.api.get('/api/v1/assets/export.csv?confidentiality_min=4');
	assert.equal(none.text.replace(/^\ufeff/, '').trim().split('\r\n').length, 1, 'headings only');
	// 事務局 reads every 課外秘 but no 極秘 it is not named on; the auditor the same.
	for (const who of [u.secretariat, u.auditor]) {
		const total = await who.api.total('assets');
		assert.equal(total, everything.filter((a) => a.confidentiality <= 3).length);
	}
	// The application administrator has no extra rights: like any staff member.
	const admin = await u.appAdmin.api.all('assets');
	assert.ok(admin.every((a) => a.confidentiality <= 2 || a.section_id === sectionId('0122') || a.section_id === sectionId('0120') || a.section_id === sectionId('0100')));
	assert.ok(!admin.some((a) => a.confidentiality === 4));
});

test('a search for a 極秘 record finds nothing for those who are not named on it', async () => {
	await users();
	const name = `極秘の検索試験-${process.pid}`;
	const r = await u.manager.api.post('/api/v1/assets', assetInput({ name, section_id: sectionId('0410'), confidentiality: 4 }));
	assert.equal(r.status, 201, r.text);
	const q = `q=${encodeURIComponent(name)}&status=all`;
	assert.equal(await u.manager.api.total('assets', q), 1, 'the data manager who classified it is named');
	for (const who of [u.staff, u.secretariat, u.auditor, u.appAdmin, u.contractor])
		assert.equal(await who.api.total('assets', q), 0, who.login);
	assert.equal(await t.api.total('assets', q), 0, 'ADMIN is named only on the demo 極秘 assets');
	const csv = await u.secretariat.api.get(`/api/v1/assets/export.csv?${q}`);
	assert.doesNotMatch(csv.text, new RegExp(name));
});

test('grants let a person read; 極秘 needs "named"; taking the grant back hides the record again', async () => {
	await users();
	const top = byLevel(4, '0410');
	const path = `/api/v1/assets/${top.id}`;
	const staffNo = (await t.api.get('/api/v1/people?q=10030')).json.items[0];
	assert.equal((await u.staff.api.get(path)).status, 404);
	// 'read' is not enough for 極秘.
	let g = await u.manager.api.post(`${path}/grants`, { person_id: staffNo.id, kind: 'read' });
	assert.equal(g.status, 201, g.text);
	assert.equal((await u.staff.api.get(path)).status, 404);
	g = await u.manager.api.post(`${path}/grants`, { person_id: staffNo.id, kind: 'named' });
	assert.equal(g.status, 201, g.text);
	assert.equal(g.json.kind, 'named');
	assert.equal(g.json.granted_by, 'kacho.shimin');
	assert.equal((await u.staff.api.get(path)).status, 200);
	assert.ok((await u.staff.api.all('assets')).some((a) => a.id === top.id));
	const list = await u.manager.api.get(`${path}/grants`);
	assert.equal(list.status, 200);
	assert.ok(list.json.items.some((x) => x.id === g.json.id && x.person_id === staffNo.id && x.kind_label === '指名（極秘）'));
	// Those who may read but not grant are refused; the same request twice is refused as a duplicate.
	assert.equal((await u.staff.api.get(`${path}/grants`)).status, 403);
	const dup = await u.manager.api.post(`${path}/grants`, { person_id: staffNo.id, kind: 'named' });
	assert.equal(dup.status, 422);
	assert.equal(dup.json.error.fields[0].code, 'grant_duplicate');
	const del = await u.manager.api.post(`${path}/grants/${g.json.id}/delete`, {});
	assert.equal(del.status, 200, del.text);
	assert.equal((await u.staff.api.get(path)).status, 404);
	assert.equal((await u.manager.api.post(`${path}/grants/${g.json.id}/delete`, {})).status, 404);

	// A contractor reads nothing but what is granted to them.
	assert.equal(await u.contractor.api.total('assets'), 0);
	assert.equal(await u.contractor.api.total('sections'), 0);
	const civic = byLevel(3, '0410');
	g = await u.manager.api.post(`/api/v1/assets/${civic.id}/grants`, { person_id: u.contractorPerson.id, kind: 'read' });
	assert.equal(g.status, 201, g.text);
	assert.equal((await u.contractor.api.get(`/api/v1/assets/${civic.id}`)).status, 200);
	assert.deepEqual((await u.contractor.api.all('assets')).map((a) => a.id), [civic.id]);
});

test('grants are given only by the data manager of the owning section and by 事務局', async () => {
	await users();
	const civic = byLevel(3, '0410');
	const tax = byLevel(3, '0310');
	const person = u.contractorPerson.id;
	const post = (who, a, body) => who.api.post(`/api/v1/assets/${a.id}/grants`, body);
	assert.equal((await post(u.staff, civic, { person_id: person, kind: 'read' })).status, 403);
	assert.equal((await post(u.manager, tax, { person_id: person, kind: 'read' })).status, 404, 'another section: not even seen');
	assert.equal((await post(u.secretariat, tax, { person_id: person, kind: 'edit' })).status, 201);
	assert.equal((await post(u.secretariat, byLevel(4, '0310'), { person_id: person, kind: 'named' })).status, 404);
	const bad = await post(u.manager, civic, { person_id: person, kind: 'owner' });
	assert.equal(bad.status, 422);
	assert.deepEqual(bad.json.error.fields.map((f) => f.code), ['bad_choice']);
	assert.equal((await post(u.manager, civic, { person_id: person })).status, 400);
	assert.equal((await post(u.manager, civic, { person_id: 999999, kind: 'read' })).json.error.fields[0].code, 'bad_ref');
});

test('refused writes answer 403 with a Japanese message and change nothing', async () => {
	await users();
	const civic = byLevel(3, '0410');
	const before = await t.api.record('assets', civic.id);
	const total = await t.api.total('assets');
	const cases = [
		[u.staff, 'PUT', `/api/v1/assets/${civic.id}`, { location: '変更' }],
		[u.staff, 'POST', `/api/v1/assets/${civic.id}/retire`, {}],
		[u.staff, 'POST', '/api/v1/assets', assetInput({ section_id: sectionId('0410') })],
		[u.auditor, 'PUT', `/api/v1/assets/${civic.id}`, { location: '変更' }],
		[u.appAdmin, 'POST', '/api/v1/assets', assetInput({ section_id: sectionId('0410') })],
		// A data manager cannot hand an asset to another section.
		[u.manager, 'PUT', `/api/v1/assets/${civic.id}`, { section_id: sectionId('0310') }],
		[u.manager, 'POST', '/api/v1/assets', assetInput({ section_id: sectionId('0310') })],
		[u.manager, 'POST', '/api/v1/sections', { name: '新設課', kind: 'division' }],
	];
	for (const [who, method, path, body] of cases) {
		const r = await who.api.req(path, { method, json: body, headers: { 'If-Match': `"${before.version}"` } });
		assert.equal(r.status, 403, `${who.login} ${method} ${path}: ${r.text}`);
		assert.equal(r.json.error.code, 'forbidden');
		assert.match(r.json.error.message, /権限がありません/);
	}
	assert.deepEqual(await t.api.record('assets', civic.id), before);
	assert.equal(await t.api.total('assets'), total);
	// What they may do, they do.
	const ok = await u.manager.api.put(`/api/v1/assets/${civic.id}`, { location: '市民課書庫' }, { headers: { 'If-Match': `"${before.version}"` } });
	assert.equal(ok.status, 200, ok.text);
	assert.equal((await u.appAdmin.api.post('/api/v1/sections', { name: '新設課', kind: 'division' })).status, 201);
});

test('an import of rows the importer may not write is refused row by row, nothing written', async () => {
	await users();
	const head = ['名称', '種別', '所管課', '個人情報', '機密性', '完全性', '可用性'];
	const csv = toCsv([head, ['自課の資産', 'データ', '0410', 'なし', '1', '1', '1'], ['他課の資産', 'データ', '0310', 'なし', '1', '1', '1']]);
	const total = await t.api.total('assets');
	const r = await u.manager.api.req('/api/v1/assets/import', { method: 'POST', body: csv, headers: { 'Content-Type': 'text/csv' } });
	assert.equal(r.status, 422, r.text);
	assert.deepEqual(r.json.errors.map((e) => e.row), [3]);
	assert.match(r.json.errors[0].message, /権限がありません/);
	assert.equal(await t.api.total('assets'), total);
});

test('pages: no edit, retire or grants for those who may not; option lists show only what the reader sees', async () => {
	await users();
	const civic = byLevel(3, '0410');
	const asStaff = await request(t.srv.url, `/assets/${civic.id}`);
	assert.equal(asStaff.status, 200);
	assert.doesNotMatch(asStaff.text, new RegExp(`href="/assets/${civic.id}/edit"`));
	assert.doesNotMatch(asStaff.text, /action="\/assets\/\d+\/retire"/);
	assert.doesNotMatch(asStaff.text, /閲覧・編集を許可された人/);
	assert.equal((await request(t.srv.url, `/assets/${civic.id}/edit`)).status, 403);
	assert.equal((await request(t.srv.url, '/assets/new')).status, 403);
	assert.doesNotMatch((await request(t.srv.url, '/assets')).text, /href="\/assets\/new"/);

	const pw = new RegExp('^ {2}kacho\\.shimin +(demo-\\S+)', 'm').exec(t.srv.initStdout)[1];
	const cookie = await signIn(t.srv.url, 'kacho.shimin', pw);
	const asManager = await request(t.srv.url, `/assets/${civic.id}`, { headers: { Cookie: cookie } });
	assert.match(asManager.text, new RegExp(`href="/assets/${civic.id}/edit"`));
	assert.match(asManager.text, /閲覧・編集を許可された人/);
	assert.match(asManager.text, new RegExp(`action="/assets/${civic.id}/grants"`));

	// The contractor's list page offers no section, person or system to filter by.
	const contractor = await signIn(t.srv.url, 'itaku.web', 'a contractor under the bridge');
	const list = await request(t.srv.url, '/assets', { headers: { Cookie: contractor } });
	assert.equal(list.status, 200);
	assert.doesNotMatch(list.text, /0410 市民課/);
	assert.match(list.text, /全 0 件/);
});

test('the detail page grants and takes back through its forms', async () => {
	await users();
	const civic = byLevel(3, '0410');
	const pw = new RegExp('^ {2}kacho\\.shimin +(demo-\\S+)', 'm').exec(t.srv.initStdout)[1];
	const cookie = await signIn(t.srv.url, 'kacho.shimin', pw);
	const page = async () => (await request(t.srv.url, `/assets/${civic.id}`, { headers: { Cookie: cookie } })).text;
	const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(await page())[1];
	const form = (path, fields) => request(t.srv.url, path, {
		method: 'POST',
		body: new URLSearchParams({ csrf, ...fields }).toString(),
		headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: t.srv.url },
	});
	const person = u.contractorPerson;
	// The person is named by employee number in a text input: no list of
	// people to choose from, whatever their number.
	assert.match(await page(), /<input type="text" id="g-person" name="person" required/);
	assert.doesNotMatch(await page(), /<select id="g-person"/);
	let r = await form(`/assets/${civic.id}/grants`, { person: person.employee_no, kind: 'edit' });
	assert.equal(r.status, 303, r.text);
	assert.equal(r.headers.get('location'), `/assets/${civic.id}#grants`);
	const text = await page();
	assert.match(text, new RegExp(`<a href="/people/${person.id}">[^<]*委託 次郎</a></td><td>編集</td>`));
	const gid = new RegExp(`action="/assets/${civic.id}/grants/(\\d+)/delete"`).exec(text)[1];
	assert.equal((await u.contractor.api.get(`/api/v1/assets/${civic.id}`)).status, 200);
	// A kind the register does not offer comes back as a message.
	r = await form(`/assets/${civic.id}/grants`, { person: person.employee_no, kind: 'owner' });
	assert.equal(r.status, 422);
	assert.match(r.text, /許可の種類の値が選択肢にありません/);
	// An unknown number, an empty input, a person who has left: a message
	// each, and no grant.
	const left = await t.api.post('/api/v1/people', {
		name: '退職 五郎', section_id: sectionId('0410'), employment: 'regular', employment_status: 'left',
	});
	assert.equal(left.status, 201, left.text);
	const grantsNow = async () => (await u.manager.api.get(`/api/v1/assets/${civic.id}/grants`)).json.items.map((g) => g.id);
	const before = await grantsNow();
	for (const [who, msg] of [
		['99999', '許可する人に入力された職員番号（または氏名）の職員が見つかりません。'],
		['  ', '許可する人を入力してください。'],
		[left.json.employee_no, '許可する人に指定された職員は離職しているため、許可できません。'],
	]) {
		r = await form(`/assets/${civic.id}/grants`, { person: who, kind: 'read' });
		assert.equal(r.status, 422, who);
		assert.ok(r.text.includes(msg), `${who}: ${msg}`);
	}
	assert.deepEqual(await grantsNow(), before, 'no grant given');
	r = await form(`/assets/${civic.id}/grants/${gid}/delete`, {});
	assert.equal(r.status, 303, r.text);
	assert.doesNotMatch(await page(), new RegExp(`grants/${gid}/delete`));
	// Without the form's token nothing happens.
	r = await request(t.srv.url, `/assets/${civic.id}/grants`, {
		method: 'POST', body: `person=${person.employee_no}&kind=read`,
		headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
	});
	assert.equal(r.status, 403);
});

/* The audit events of action, newest first, read from the database. */
function audit(action) {
	return sqlRows(t.srv.dbPath,
		`SELECT actor, action, object, result, details FROM audit_events WHERE action = '${action}' ORDER BY seq DESC LIMIT 50`);
}

test('refusals and grants are in the audit log', async () => {
	await users();
	const tax = byLevel(4, '0310');
	assert.equal((await u.staff.api.get(`/api/v1/assets/${tax.id}`)).status, 404);
	let e = audit('access_denied')[0];
	assert.deepEqual([e.actor, e.object, e.result, JSON.parse(e.details).op], ['shokuin.shimin', `assets/${tax.id}`, 'refused', 'read']);
	const civic = byLevel(3, '0410');
	assert.equal((await u.staff.api.put(`/api/v1/assets/${civic.id}`, { location: 'x' }, { headers: { 'If-Match': '"1"' } })).status, 403);
	e = audit('access_denied')[0];
	assert.deepEqual([e.actor, e.object, JSON.parse(e.details).op], ['shokuin.shimin', `assets/${civic.id}`, 'edit']);
	const grants = audit('grant');
	assert.ok(grants.some((g) => g.actor === 'kacho.shimin' && JSON.parse(g.details).kind === 'named'));
	assert.ok(audit('ungrant').some((g) => g.actor === 'kacho.shimin'));
});

test('the grant form reaches any person of a city with thousands of staff', async () => {
	await users();
	// 520 more people than the demo has: past any list a form could show.
	const rows = [['職員番号', '氏名', '所属', '雇用区分', '在職状況']];
	for (let i = 1; i <= 520; i++) rows.push([String(20000 + i), `大勢 ${i}号`, '0410', '常勤', '在職']);
	const imp = await request(t.srv.url, '/api/v1/people/import', { method: 'POST', body: toCsv(rows), headers: { 'Content-Type': 'text/csv' } });
	assert.equal(imp.status, 200, imp.text);
	const civic = byLevel(3, '0410');
	const pw = new RegExp('^ {2}kacho\\.shimin +(demo-\\S+)', 'm').exec(t.srv.initStdout)[1];
	const cookie = await signIn(t.srv.url, 'kacho.shimin', pw);
	const page = (await request(t.srv.url, `/assets/${civic.id}`, { headers: { Cookie: cookie } })).text;
	assert.doesNotMatch(page, /20520/, 'the page lists no people');
	const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(page)[1];
	const r = await request(t.srv.url, `/assets/${civic.id}/grants`, {
		method: 'POST',
		body: new URLSearchParams({ csrf, person: '20520 大勢 520号', kind: 'read' }).toString(),
		headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: t.srv.url },
	});
	assert.equal(r.status, 303, r.text);
	const list = await u.manager.api.get(`/api/v1/assets/${civic.id}/grants`);
	assert.ok(list.json.items.some((g) => g.person === '20520 大勢 520号' && g.kind === 'read'));
});
