// The printable pages of risk assessment (3.3) and their JSON, on the demo
// data: the リスク評価書 (sorted by value, counts by band equal to the
// list's, per reader), the リスク対応計画 (due dates in order, a planted
// overdue measure marked in words, a done one and a future one not), the
// comparison of two yearly assessments (a planted new, removed, raised and
// lowered risk, as each reader may see them), band labels in English, the
// OpenAPI entries, and the refusal of every bad parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addApiUser, request, signIn, useServer } from '../lib/server.js';

const t = useServer({
	seed: 'demo',
	config: '[auth]\nrequire_totp_for_privileged = no\n[risk]\norganisation = 試験市\n',
});

const u = {};
let made;
const users = () => (made ??= makeUsers());

async function makeUsers() {
	u.staff = addApiUser(t.srv, { login: 'shokuin.shimin' });
	u.manager = addApiUser(t.srv, { login: 'kacho.shimin' });
	u.secretariat = addApiUser(t.srv, { login: 'jimukyoku' });
	const pw = (login) => new RegExp(`^ {2}${login.replace('.', '\\.')} +(demo-\\S+)`, 'm').exec(t.srv.initStdout)[1];
	u.staffCookie = await signIn(t.srv.url, 'shokuin.shimin', pw('shokuin.shimin'));
	u.secretariatCookie = await signIn(t.srv.url, 'jimukyoku', pw('jimukyoku'));
}

const page = (path, cookie, lang) =>
	request(t.srv.url, path, { headers: { Cookie: lang ? `mm_lang=${lang}; ${cookie}` : cookie } });

async function update(who, id, fields) {
	const rec = (await who.api.get(`/api/v1/risks/${id}`)).json;
	const r = await who.api.put(`/api/v1/risks/${id}`, { ...fields, version: rec.version });
	assert.equal(r.status, 200, r.text);
	return r.json;
}

/* The risks one reader may see and another may not. */
async function splitByReader() {
	const staffSees = new Set((await u.staff.api.all('risks', 'status=active')).map((r) => r.id));
	const all = await u.secretariat.api.all('risks', 'status=active');
	return { shared: all.filter((r) => staffSees.has(r.id)), hidden: all.filter((r) => !staffSees.has(r.id)) };
}

test('the report lists each reader\'s risks by value, with counts by band equal to the list', async () => {
	await users();
	for (const [name, who] of [['staff', u.staff], ['manager', u.manager], ['secretariat', u.secretariat]]) {
		const r = await who.api.get('/api/v1/risks/report');
		assert.equal(r.status, 200, r.text);
		const list = await who.api.get('/api/v1/risks?limit=1');
		assert.equal(r.json.total, list.json.total, name);
		assert.equal(r.json.items.length, r.json.total, name);
		assert.equal(r.json.bands.reduce((s, b) => s + b.count, 0), r.json.total, name);
		for (let i = 1; i < r.json.items.length; i++)
			assert.ok(r.json.items[i - 1].risk_value >= r.json.items[i].risk_value, `${name} sorted at ${i}`);
		for (const b of r.json.bands) {
			const l = await who.api.get(`/api/v1/risks?band=${encodeURIComponent(b.band)}&limit=1`);
			assert.equal(l.json.total, b.count, `${name} band ${b.band}`);
		}
	}
	const r = (await u.secretariat.api.get('/api/v1/risks/report')).json;
	assert.equal(r.organisation, '試験市');
	assert.equal(r.method, 'jipdec');
	assert.equal(r.accept_at, 16);
	const first = r.items[0];
	assert.match(first.threat, /^T\d+ /);
	assert.match(first.vulnerability, /^V\d+ /);
	assert.equal(typeof first.threat_criterion, 'string');
	assert.ok(first.threat_criterion.length > 0);
	// Staff see fewer risks than 事務局.
	const staff = (await u.staff.api.get('/api/v1/risks/report')).json;
	assert.ok(staff.total < r.total);

	// A section's report is the list filtered by that section.
	const section = r.items[0].section_id;
	const bySection = await u.secretariat.api.get(`/api/v1/risks/report?section_id=${section}`);
	assert.equal(bySection.status, 200, bySection.text);
	const list = await u.secretariat.api.get(`/api/v1/risks?section_id=${section}&limit=1`);
	assert.equal(bySection.json.total, list.json.total);
	assert.ok(bySection.json.items.every((i) => i.section_id === section));
});

test('the report page is a document for 決裁: organisation, year, method, bands, seals, rows', async () => {
	await users();
	const r = await page('/risks/report', u.staffCookie);
	assert.equal(r.status, 200, r.text);
	assert.match(r.text, /<p class="org">試験市<\/p>/);
	assert.match(r.text, /<h1>\d{4}年度 リスク評価書<\/h1>/);
	assert.match(r.text, /基準日<\/dt><dd>\d{4}-\d\d-\d\d（令和/);
	assert.match(r.text, /JIPDEC 方式/);
	assert.match(r.text, /<caption>決裁欄<\/caption>/);
	assert.match(r.text, /16 以上/);
	assert.doesNotMatch(r.text, /<script/i);
	const total = (await u.staff.api.get('/api/v1/risks?limit=1')).json.total;
	assert.match(r.text, new RegExp(`id="risk-total">${total.toLocaleString('en')}<`));
	const rows = r.text.split('<table class="grid report" id="risks">')[1].split('</table>')[0];
	assert.equal((rows.match(/<tr><td class="num">/g) || []).length, total);
	// Values in the page's order never rise.
	const values = [...rows.matchAll(/<td class="num value">(\d+)<\/td>/g)].map((m) => Number(m[1]));
	assert.equal(values.length, total);
	for (let i = 1; i < values.length; i++) assert.ok(values[i - 1] >= values[i]);
	// The links of the heat map page lead here.
	const heat = await page('/risks/heatmap', u.staffCookie);
	for (const href of ['/risks/report', '/risks/plan', '/risk_assessments/compare'])
		assert.match(heat.text, new RegExp(`href="${href}"`));
	const list = await page('/risks', u.staffCookie);
	assert.match(list.text, /href="\/risks\/report"/);
});

test('the English switch shows band labels in English', async () => {
	await users();
	const r = await page('/risks/report', u.staffCookie, 'en');
	assert.equal(r.status, 200);
	assert.match(r.text, /Risk assessment report, fiscal \d{4}/);
	assert.match(r.text, /<td class="band">High<\/td>/);
	assert.doesNotMatch(r.text, /<td class="band">[低中高]<\/td>/);
	assert.match(r.text, /<th scope="row">High<\/th><td>16 and above<\/td>/);
	const list = await page('/risks', u.staffCookie, 'en');
	assert.match(list.text, /<td>High<\/td>/);
	assert.doesNotMatch(list.text, /<td>高<\/td>/);
	const ja = await page('/risks', u.staffCookie);
	assert.match(ja.text, /<td>高<\/td>/);
	const api = await u.staff.api.get('/api/v1/risks/report', { headers: { 'Accept-Language': 'en' } });
	assert.equal(api.json.items[0].band, '高');
	assert.equal(api.json.items[0].band_label, 'High');
	// The band filter still takes the stored label.
	const filtered = await u.staff.api.get(`/api/v1/risks?band=${encodeURIComponent('高')}&limit=1`);
	assert.equal(filtered.status, 200, filtered.text);
});

test('the plan lists measures by due date and marks the overdue one in words', async () => {
	await users();
	const { shared, hidden } = await splitByReader();
	assert.ok(shared.length >= 3 && hidden.length >= 1);
	const person = shared[0].owner_id;
	const [late, done, future] = shared;
	await update(u.secretariat, late.id, { measures: '手順書を整備する', measure_due: '2020-04-01', measure_by: person, clause: '6.1', treatment: 'reduce', measure_status: 'in_progress' });
	await update(u.secretariat, done.id, { measures: '済んだ対策', measure_due: '2020-01-15', measure_by: person, clause: '6.4', treatment: 'reduce', measure_status: 'done' });
	await update(u.secretariat, future.id, { measures: '将来の対策', measure_due: '2099-03-31', clause: '7.1', treatment: 'reduce' });
	await update(u.secretariat, hidden[0].id, { measures: '見えない対策', measure_due: '2019-12-01', treatment: 'reduce' });

	const all = await u.secretariat.api.get('/api/v1/risks/plan');
	assert.equal(all.status, 200, all.text);
	assert.deepEqual(all.json.items.map((i) => i.code), [hidden[0].code, done.code, late.code, future.code]);
	assert.deepEqual(all.json.items.map((i) => i.overdue), [true, false, true, false]);
	assert.equal(all.json.overdue, 2);
	const l = all.json.items.find((i) => i.id === late.id);
	assert.equal(l.clause, '6.1');
	assert.equal(l.measure_by, person);
	assert.equal(l.measure_status, 'in_progress');
	assert.ok(l.days_overdue > 365);

	// Staff see only the measures of the risks they may read; the total is
	// their list's.
	const staff = await u.staff.api.get('/api/v1/risks/plan');
	assert.deepEqual(staff.json.items.map((i) => i.code), [done.code, late.code, future.code]);
	assert.equal(staff.json.overdue, 1);
	const list = await u.staff.api.get('/api/v1/risks?measure_due_min=1900-01-01&limit=1');
	assert.equal(staff.json.total, list.json.total);

	const overdue = await u.secretariat.api.get('/api/v1/risks/plan?overdue=1');
	assert.deepEqual(overdue.json.items.map((i) => i.code), [hidden[0].code, late.code]);
	const mine = await u.secretariat.api.get(`/api/v1/risks/plan?measure_by=${person}`);
	assert.deepEqual(mine.json.items.map((i) => i.code), [done.code, late.code]);

	const p = await page('/risks/plan', u.staffCookie);
	assert.equal(p.status, 200, p.text);
	assert.match(p.text, /<h1>リスク対応計画<\/h1>/);
	const rows = p.text.split('<table class="grid report plan" id="plan">')[1].split('</table>')[0].split('<tr').slice(2);
	assert.equal(rows.length, 3);
	assert.match(rows[1], /^ class="overdue">/);
	assert.match(rows[1], /期限超過 \d+ 日/);
	assert.match(rows[1], new RegExp(late.code));
	assert.doesNotMatch(rows[0], /overdue|期限超過/);
	assert.doesNotMatch(rows[2], /overdue|期限超過/);
	assert.doesNotMatch(p.text, /見えない対策/);
	assert.match(p.text, /id="plan-overdue">1</);
	const en = await page('/risks/plan?overdue=1', u.staffCookie, 'en');
	assert.match(en.text, /Overdue by \d+ days/);
	assert.match(en.text, /id="plan-total">1</);
});

test('two yearly assessments compare as new, removed, raised and lowered, per reader', async () => {
	await users();
	const snap = (year) => u.secretariat.api.post('/api/v1/risk_assessments', { fiscal_year: year });
	assert.equal((await snap(2024)).status, 201);
	const { shared, hidden } = await splitByReader();
	const raise = shared.find((r) => r.threat_level === 2);
	const lower = shared.find((r) => r.threat_level === 2 && r.id !== raise.id);
	const gone = shared.find((r) => r.id !== raise.id && r.id !== lower.id);
	await update(u.secretariat, raise.id, { threat_level: 3 });
	await update(u.secretariat, lower.id, { threat_level: 1 });
	await update(u.secretariat, hidden[0].id, { threat_level: hidden[0].threat_level === 3 ? 1 : 3 });
	const rec = (await u.secretariat.api.get(`/api/v1/risks/${gone.id}`)).json;
	assert.equal((await u.secretariat.api.post(`/api/v1/risks/${gone.id}/retire`, { version: rec.version })).status, 200);
	const made = await u.secretariat.api.post('/api/v1/risks', {
		asset_id: raise.asset_id, threat_id: raise.threat_id, vulnerability_id: raise.vulnerability_id,
		threat_level: 1, vulnerability_level: 1,
	});
	assert.equal(made.status, 201, made.text);
	assert.equal((await snap(2025)).status, 201);

	const c = await u.secretariat.api.get('/api/v1/risk_assessments/compare?from=2024&to=2025');
	assert.equal(c.status, 200, c.text);
	assert.deepEqual(c.json.new.map((d) => d.code), [made.json.code]);
	assert.deepEqual(c.json.removed.map((d) => d.code), [gone.code]);
	assert.ok(c.json.raised.some((d) => d.code === raise.code && d.after > d.before));
	assert.ok(c.json.lowered.some((d) => d.code === lower.code && d.after < d.before));
	assert.ok([...c.json.raised, ...c.json.lowered].some((d) => d.code === hidden[0].code));
	assert.deepEqual(c.json.counts, { new: 1, removed: 1, raised: c.json.raised.length, lowered: c.json.lowered.length });

	// Staff compare only what they may read: the hidden risk's change is not theirs.
	const s = await u.staff.api.get('/api/v1/risk_assessments/compare?from=2024&to=2025');
	assert.equal(s.status, 200, s.text);
	assert.ok(![...s.json.raised, ...s.json.lowered].some((d) => d.code === hidden[0].code));
	assert.ok(s.json.raised.some((d) => d.code === raise.code));
	assert.deepEqual(s.json.removed.map((d) => d.code), [gone.code]);

	const p = await page('/risk_assessments/compare?from=2024&to=2025', u.staffCookie);
	assert.equal(p.status, 200, p.text);
	assert.match(p.text, /data-part="new">1</);
	assert.match(p.text, /data-part="removed">1</);
	assert.match(p.text, new RegExp(`href="/risks\\?status=all&amp;q=${gone.code}"`));
	assert.match(p.text, /<section id="raised">/);
	assert.doesNotMatch(p.text, new RegExp(hidden[0].code));
	const form = await page('/risk_assessments/compare', u.staffCookie);
	assert.equal(form.status, 200);
	assert.match(form.text, /<option value="2025" selected>/);
});

test('bad parameters are refused with 400 (or 404 for a year without an assessment) and change nothing', async () => {
	await users();
	const before = await u.secretariat.api.all('risks', 'status=all');
	const years = await u.secretariat.api.total('risk_assessments');
	const bad = [
		['/api/v1/risks/report?section_id=abc', 'section_id'],
		['/api/v1/risks/report?section_id=999999', 'section_id'],
		['/api/v1/risks/report?section_id=-3', 'section_id'],
		['/api/v1/risks/report?sort=risk_value', 'sort'],
		['/api/v1/risks/report?overdue=1', 'overdue'],
		['/api/v1/risks/plan?overdue=maybe', 'overdue'],
		['/api/v1/risks/plan?measure_by=0', 'measure_by'],
		['/api/v1/risks/plan?measure_by=99999999', 'measure_by'],
		['/api/v1/risk_assessments/compare', 'from'],
		['/api/v1/risk_assessments/compare?from=2024', 'to'],
		['/api/v1/risk_assessments/compare?from=1999&to=2025', 'from'],
		['/api/v1/risk_assessments/compare?from=2024&to=20x5', 'to'],
		['/api/v1/risk_assessments/compare?from=2024&to=2025&x=1', 'x'],
	];
	for (const [path, field] of bad) {
		const r = await u.secretariat.api.get(path);
		assert.equal(r.status, 400, path);
		assert.equal(r.json.error.code, 'bad_query', path);
		assert.ok(r.json.error.fields.some((f) => f.field === field), `${path}: ${r.text}`);
	}
	const missing = await u.secretariat.api.get('/api/v1/risk_assessments/compare?from=2030&to=2031');
	assert.equal(missing.status, 404);
	assert.equal(missing.json.error.code, 'risk_no_year');
	for (const path of ['/risks/report?section_id=abc', '/risks/plan?overdue=maybe', '/risk_assessments/compare?from=2024&to=x']) {
		const r = await page(path, u.staffCookie);
		assert.equal(r.status, 400, path);
		assert.match(r.text, /role="alert"/);
	}
	assert.equal((await page('/risk_assessments/compare?from=2030&to=2031', u.staffCookie)).status, 404);
	const en = await u.secretariat.api.get('/api/v1/risk_assessments/compare?from=1999&to=2025', { headers: { 'Accept-Language': 'en' } });
	assert.match(en.json.error.fields[0].message, /fiscal year from 2000 to 2200/);
	// Nothing changed.
	assert.deepEqual(await u.secretariat.api.all('risks', 'status=all'), before);
	assert.equal(await u.secretariat.api.total('risk_assessments'), years);
	// Signed-out readers get nothing.
	const anon = await request(t.srv.url, '/api/v1/risks/report', { anonymous: true });
	assert.equal(anon.status, 401);
});

test('the OpenAPI document describes the heat map, report, plan and comparison', async () => {
	const doc = (await t.api.get('/api/v1/openapi.json')).json;
	for (const p of ['/api/v1/risks/heatmap', '/api/v1/risks/report', '/api/v1/risks/plan', '/api/v1/risk_assessments/compare'])
		assert.ok(doc.paths[p]?.get, p);
	const names = doc.paths['/api/v1/risks/plan'].get.parameters.map((p) => p.name);
	assert.deepEqual(names, ['section_id', 'measure_by', 'overdue']);
	const cmp = doc.paths['/api/v1/risk_assessments/compare'].get.parameters;
	assert.ok(cmp.every((p) => p.required));
	assert.deepEqual(doc.components.schemas.risks.properties.band.enum, ['低', '中', '高']);
});
