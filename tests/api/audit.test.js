// The audit log over HTTP (7.6), on the demo data: what is recorded (record
// changes with digests, reads of 課外秘/極秘 records, exports, imports,
// refusals), the read-only viewer of 事務局 and 監査人 with its filters,
// "who viewed this" on classified records, inspections signed off by
// 統括責任者 or 最高責任者 (never the inspector), the home page's notice of an
// overdue inspection, the refusal and off-hours reports, and that no
// password, token, TOTP seed or cookie ever reaches the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import path from 'node:path';

import { addApiUser, assetInput, parseCsv, runCli, sql as sqlText, sqlRows, toCsv, useServer } from '../lib/server.js';
import { stepOf, totp } from '../lib/totp.js';

const t = useServer({ seed: 'demo' });

/* The demo accounts' passwords and TOTP seeds, as init printed them. */
function demo(login) {
	const out = t.srv.initStdout;
	const pw = new RegExp(`^\\s+${login.replace('.', '\\.')}\\s+(demo-[a-z0-9-]+)`, 'm').exec(out)?.[1];
	const seed = new RegExp(`^\\s+${login.replace('.', '\\.')}\\s+秘密鍵 ([A-Z2-7]+)`, 'm').exec(out)?.[1];
	assert.ok(pw, `demo password of ${login}`);
	return { pw, seed };
}

/* A browser without the browser (see account.test.js). */
class Visitor {
	constructor() {
		this.cookie = '';
		this.csrf = '';
	}

	async send(path, { method = 'GET', form } = {}) {
		const h = {};
		if (this.cookie) h.Cookie = this.cookie;
		let body;
		if (form) {
			h['Content-Type'] = 'application/x-www-form-urlencoded';
			body = new URLSearchParams(form).toString();
		}
		const res = await fetch(t.srv.url + path, { method, headers: h, body, redirect: 'manual' });
		const m = /mm_session=([0-9a-f]*)/.exec(res.headers.get('set-cookie') || '');
		if (m) this.cookie = m[1] ? `mm_session=${m[1]}` : '';
		const text = await res.text();
		const c = /name="csrf" value="([0-9a-f]+)"/.exec(text);
		if (c) this.csrf = c[1];
		return { status: res.status, location: res.headers.get('location'), text };
	}

	get(path) {
		return this.send(path);
	}

	post(path, fields = {}) {
		return this.send(path, { method: 'POST', form: { csrf: this.csrf, ...fields } });
	}
}

let lastStep = 0;
/* Signs a demo account in through the forms (with a fresh TOTP code when
 * the account has a seed). */
async function session(login) {
	const { pw, seed } = demo(login);
	const v = new Visitor();
	let r = await v.send('/signin', { method: 'POST', form: { login, password: pw, next: '/' } });
	assert.equal(r.status, 303, `sign-in ${login}`);
	if (seed) {
		// init --demo used the step it ran in: the first code must be later.
		if (!lastStep)
			lastStep = stepOf();
		let step = stepOf();
		while (step <= lastStep) {
			await new Promise((ok) => setTimeout(ok, 1000));
			step = stepOf();
		}
		lastStep = step;
		await v.get('/signin/totp?next=/');
		r = await v.post('/signin/totp', { code: totp(seed, step), next: '/' });
		assert.equal(r.status, 303, `code of ${login}: ${r.text.slice(0, 3000)}`);
	}
	return v;
}

const u = {};
let made;
const users = () => (made ??= makeUsers());

async function makeUsers() {
	for (const login of ['kansanin', 'jimukyoku', 'shokuin.shimin', 'kacho.shimin', 'admin', 'tokatsu', 'saiko'])
		u[login] = addApiUser(t.srv, { login });
	const shimin = await section('市民課');
	const c = await t.api.post('/api/v1/people', {
		employee_no: '90001', name: '委託 一郎', section_id: shimin.id, employment: 'contractor', employment_status: 'employed',
	});
	assert.equal(c.status, 201, c.text);
	u.contractor = addApiUser(t.srv, { login: 'itaku1', person: '90001' });
	// An auditor who is also 統括責任者: may inspect and sign off, but not
	// their own inspection.
	u.both = addApiUser(t.srv, { login: 'kansa.tokatsu', person: '10020', roles: ['auditor', 'deputy'] });
}

async function audit(who, query) {
	const r = await who.api.get(`/api/v1/audit?${query}`);
	assert.equal(r.status, 200, r.text);
	return r.json.items;
}

async function section(name) {
	const r = await t.api.get(`/api/v1/sections?q=${encodeURIComponent(name)}&limit=5`);
	assert.equal(r.status, 200);
	const s = r.json.items.find((x) => x.name === name);
	assert.ok(s, name);
	return s;
}

/* The rows of the audit table, straight from the database. */
function sql(query) {
	return sqlRows(t.srv.dbPath, query);
}

/* Writes entries by hand, behind the server's back. */
function plant(statements) {
	sqlText(t.srv.dbPath, statements);
}

test('the viewer is for 事務局 and 監査人 only; every other refusal is recorded', async () => {
	await users();
	for (const who of [u.kansanin, u.jimukyoku])
		assert.equal((await who.api.get('/api/v1/audit?limit=5')).status, 200, who.login);
	for (const who of [u['shokuin.shimin'], u.contractor, u.admin, u.tokatsu, u['kacho.shimin']]) {
		for (const p of ['/api/v1/audit', '/api/v1/audit/refused', '/api/v1/audit/off-hours']) {
			const r = await who.api.get(p);
			assert.equal(r.status, 403, `${who.login} ${p}`);
			assert.equal(r.json.error.code, 'forbidden');
		}
	}
	const refused = await audit(u.kansanin, 'action=access_denied&object=audit&limit=200');
	for (const login of ['shokuin.shimin', 'itaku1', 'admin', 'tokatsu', 'kacho.shimin'])
		assert.ok(refused.some((e) => e.actor === login && e.result === 'refused'), login);
	const noAuth = await fetch(t.srv.url + '/api/v1/audit');
	assert.equal(noAuth.status, 401);
});

test('the log is read only: no route writes, changes or deletes an entry', async () => {
	await users();
	const before = sql('SELECT count(*) AS n FROM audit_events')[0].n;
	for (const [m, p] of [['POST', '/api/v1/audit'], ['PUT', '/api/v1/audit'], ['DELETE', '/api/v1/audit'],
		['PATCH', '/api/v1/audit'], ['POST', '/api/v1/audit/refused'], ['POST', '/api/v1/audit/off-hours']]) {
		const r = await fetch(t.srv.url + p, {
			method: m, headers: { Authorization: `Bearer ${u.jimukyoku.token}`, 'Content-Type': 'application/json' }, body: '{}',
		});
		assert.ok([404, 405].includes(r.status), `${m} ${p}: ${r.status}`);
	}
	for (const p of ['/api/v1/audit/1', '/api/v1/audit/1/delete'])
		assert.equal((await u.jimukyoku.api.post(p, {})).status, 404, p);
	const v = await session('kansanin');
	assert.equal((await v.post('/audit', { seq: '1' })).status, 405);
	const page = await v.get('/audit');
	assert.equal(page.status, 200);
	assert.doesNotMatch(page.text, /method="post"[^>]*action="\/audit/);
	// Nobody changed anything above but the records of the refusals.
	const rows = sql(`SELECT action FROM audit_events WHERE seq > ${before}`);
	assert.ok(rows.every((r) => ['access_denied', 'signin'].includes(r.action)), JSON.stringify(rows));
});

test('changes are recorded with the digests of the record before and after', async () => {
	await users();
	const made = await t.api.post('/api/v1/assets', assetInput({ name: '監査ログ試験の資産' }));
	assert.equal(made.status, 201, made.text);
	const obj = `assets/${made.json.id}`;
	let ev = await audit(u.kansanin, `object=${obj}&action=record_create`);
	assert.equal(ev.length, 1);
	assert.equal(ev[0].details.register, 'assets');
	assert.equal(ev[0].details.version, 1);
	assert.equal(ev[0].details.before_sha256, null);
	assert.match(ev[0].details.after_sha256, /^[0-9a-f]{64}$/);
	assert.ok(ev[0].details.fields.includes('name'));
	assert.ok(!JSON.stringify(ev[0]).includes('監査ログ試験の資産'), 'no field values in the log');
	assert.equal(ev[0].actor, 'tester');
	assert.match(ev[0].request_id, /\S/);
	const created = ev[0].details.after_sha256;

	const upd = await t.api.put(`/api/v1/${obj}`, { name: '名前を変えた資産', version: 1 });
	assert.equal(upd.status, 200, upd.text);
	ev = await audit(u.kansanin, `object=${obj}&action=record_update`);
	assert.equal(ev.length, 1);
	assert.equal(ev[0].details.before_sha256, created);
	assert.notEqual(ev[0].details.after_sha256, created);
	assert.deepEqual(ev[0].details.fields, ['name']);

	const ret = await t.api.post(`/api/v1/${obj}/retire`, { version: 2 });
	assert.equal(ret.status, 200, ret.text);
	ev = await audit(u.kansanin, `object=${obj}&action=record_retire`);
	assert.equal(ev.length, 1);
	assert.equal(ev[0].details.retired, true);

	// A refused change leaves no record_update, only the refusal.
	const bad = await u['shokuin.shimin'].api.put(`/api/v1/${obj}`, { name: 'x', version: 3 });
	assert.ok([403, 404].includes(bad.status));
	assert.equal((await audit(u.kansanin, `object=${obj}&action=record_update`)).length, 1);
	// A create that fails validation leaves no entry at all.
	const n = sql("SELECT count(*) AS n FROM audit_events WHERE action = 'record_create'")[0].n;
	assert.equal((await t.api.post('/api/v1/assets', assetInput({ name: '' }))).status, 422);
	assert.equal(sql("SELECT count(*) AS n FROM audit_events WHERE action = 'record_create'")[0].n, n);
});

test('the filters: person by login or employee number, action, object prefix, result, period', async () => {
	await users();
	const byLogin = await audit(u.kansanin, 'person=tester&limit=20');
	const byNumber = await audit(u.kansanin, 'person=10007&limit=20');
	assert.ok(byLogin.length > 0);
	assert.deepEqual(byLogin.map((e) => e.seq), byNumber.map((e) => e.seq));
	assert.ok(byLogin.every((e) => e.actor === 'tester'));
	const refused = await audit(u.kansanin, 'result=refused&limit=50');
	assert.ok(refused.length > 0 && refused.every((e) => e.result === 'refused'));
	const prefix = await audit(u.kansanin, 'object=assets/&limit=50');
	assert.ok(prefix.length > 0 && prefix.every((e) => e.object.startsWith('assets/')));
	const creates = await audit(u.kansanin, 'action=record_create&limit=5');
	assert.ok(creates.every((e) => e.action === 'record_create' && e.action_label === '記録の登録'));
	// Newest first, paged.
	const p1 = await u.kansanin.api.get('/api/v1/audit?limit=2');
	const p2 = await u.kansanin.api.get('/api/v1/audit?limit=2&offset=2');
	assert.equal(p1.json.more, true);
	assert.ok(p1.json.items[0].seq > p1.json.items[1].seq && p1.json.items[1].seq > p2.json.items[0].seq);
	// Period in JST dates, 和暦 accepted.
	assert.equal((await audit(u.kansanin, 'from=2099-01-01')).length, 0);
	assert.ok((await audit(u.kansanin, 'from=令和6年4月1日&limit=5')).length > 0);
	assert.equal((await audit(u.kansanin, 'to=2020-01-01')).length, 0);
	// Bad input is refused clearly and changes nothing.
	for (const [q, field] of [['result=maybe', 'result'], ['from=2024-13-45', 'from'], ['from=2024-05-01&to=2024-04-01', 'to'],
		['action=Drop%20table', 'action'], ['object=a%01b', 'object']]) {
		const r = await u.kansanin.api.get(`/api/v1/audit?${q}`);
		assert.equal(r.status, 422, q);
		assert.equal(r.json.error.fields[0].field, field, q);
	}
	for (const q of ['limit=0', 'limit=201', 'offset=-1', 'sort=seq'])
		assert.equal((await u.kansanin.api.get(`/api/v1/audit?${q}`)).status, 400, q);
	const v = await session('kansanin');
	const page = await v.get('/audit?person=tester&action=record_create');
	assert.equal(page.status, 200);
	assert.match(page.text, /記録の登録/);
	assert.equal((await v.get('/audit?from=2024-13-45')).status, 400);
	assert.equal((await (await session('shokuin.shimin')).get('/audit')).status, 403);
});

test('reads of 課外秘 records are recorded, and who viewed them is shown to the right people only', async () => {
	await users();
	const shimin = await section('市民課');
	const made = await t.api.post('/api/v1/assets', assetInput({ name: '住民票の写し（課外秘）', section_id: shimin.id, confidentiality: 3 }));
	assert.equal(made.status, 201, made.text);
	const obj = `assets/${made.json.id}`;
	const plain = await t.api.post('/api/v1/assets', assetInput({ name: '庁外秘の資産', section_id: shimin.id, confidentiality: 2 }));
	assert.equal(plain.status, 201);

	assert.equal((await u['shokuin.shimin'].api.get(`/api/v1/${obj}`)).status, 200);
	assert.equal((await u['shokuin.shimin'].api.get(`/api/v1/${obj}/history`)).status, 200);
	assert.equal((await u['shokuin.shimin'].api.get(`/api/v1/assets/${plain.json.id}`)).status, 200);
	const reads = await audit(u.kansanin, `action=record_read&object=${obj}`);
	assert.deepEqual(reads.map((e) => [e.actor, e.details.via, e.details.level]), [['shokuin.shimin', 'history', 3], ['shokuin.shimin', 'api', 3]]);
	assert.equal((await audit(u.kansanin, `action=record_read&object=assets/${plain.json.id}`)).length, 0, 'level 2 reads are not logged');

	// A member of the section reads the page but is not told who else did.
	const staff = await session('shokuin.shimin');
	let page = await staff.get(`/${obj}`);
	assert.equal(page.status, 200);
	assert.doesNotMatch(page.text, /閲覧の記録/);
	for (const login of ['kacho.shimin', 'kansanin', 'jimukyoku']) {
		const v = await session(login);
		page = await v.get(`/${obj}`);
		assert.equal(page.status, 200, login);
		assert.match(page.text, /閲覧の記録（誰が見たか）/, login);
		assert.match(page.text, /shokuin\.shimin/, login);
	}
	// Not on a level 2 record, for anyone.
	page = await (await session('kansanin')).get(`/assets/${plain.json.id}`);
	assert.doesNotMatch(page.text, /閲覧の記録/);
	// Someone who may not read the record learns nothing of it.
	assert.equal((await u.contractor.api.get(`/api/v1/${obj}`)).status, 404);
});

test('exports and imports are recorded with their counts and filters', async () => {
	await users();
	const r = await t.api.get('/api/v1/assets/export.csv?kind=data');
	assert.equal(r.status, 200);
	const [ex] = await audit(u.kansanin, 'action=export&limit=1');
	assert.equal(ex.object, 'assets');
	assert.equal(ex.details.format, 'csv');
	assert.ok(ex.details.rows > 0);
	assert.deepEqual(ex.details.filters, [{ field: 'kind', op: 'eq', value: 'data' }]);
	const csv = '\ufeff名称,種別,所管課,個人情報,機密性,完全性,可用性\r\n監査の試験,data,0120,none,1,1,1\r\n';
	const dry = await fetch(`${t.srv.url}/api/v1/assets/import?dry_run=true`, {
		method: 'POST', headers: { Authorization: `Bearer ${u.jimukyoku.token}`, 'Content-Type': 'text/csv' }, body: csv,
	});
	assert.ok([200, 422].includes(dry.status), await dry.text());
	const [im] = await audit(u.kansanin, 'action=import&limit=1');
	assert.equal(im.object, 'assets');
	assert.equal(im.details.dry_run, true);
	assert.equal(im.result, dry.status === 200 ? 'ok' : 'failed');
});

const future = (days) => new Date(Date.now() + 9 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);

test('inspections: recorded by 監査人 or 事務局, signed off by 統括責任者 or 最高責任者, never the inspector', async () => {
	await users();
	const body = { period_from: '2024-04-01', period_to: '2024-04-30', findings: '特記事項なし', result: 'no_issue' };
	assert.equal((await u['shokuin.shimin'].api.post('/api/v1/inspections', body)).status, 403);
	assert.equal((await u.admin.api.post('/api/v1/inspections', body)).status, 403);
	let bad = await u.kansanin.api.post('/api/v1/inspections', { ...body, period_to: future(3) });
	assert.equal(bad.status, 422);
	assert.equal(bad.json.error.fields[0].code, 'inspection_future');
	bad = await u.kansanin.api.post('/api/v1/inspections', { ...body, period_to: '2024-03-01' });
	assert.equal(bad.status, 422);
	bad = await u.kansanin.api.post('/api/v1/inspections', { ...body, inspector_id: 1 });
	assert.equal(bad.status, 422, 'the inspector is who signs in');
	const ins = (await u.kansanin.api.post('/api/v1/inspections', body)).json;
	assert.equal(ins.state, 'recorded');
	const me = await t.api.get('/api/v1/people?q=吉田&limit=5');
	assert.ok(me.json.items.some((p) => p.id === ins.inspector_id));

	const step = (who, rec) => who.api.post(`/api/v1/inspections/${rec.id}/transitions/sign_off`, { version: rec.version, comment: '確認しました' });
	for (const who of [u.kansanin, u.jimukyoku, u['shokuin.shimin']])
		assert.equal((await step(who, ins)).status, 403, who.login);
	// An auditor who is also 統括責任者 may not sign off their own.
	const own = (await u.both.api.post('/api/v1/inspections', body)).json;
	const self = await step(u.both, own);
	assert.equal(self.status, 422, self.text);
	assert.equal((await step(u.both, ins)).status, 200, 'but another inspector’s');
	const other = (await u.kansanin.api.post('/api/v1/inspections', body)).json;
	const signed = await step(u.saiko, other);
	assert.equal(signed.status, 200, signed.text);
	assert.equal(signed.json.state, 'signed_off');
	// Signed off: frozen.
	assert.equal((await u.kansanin.api.put(`/api/v1/inspections/${other.id}`, { findings: 'x', version: signed.json.version })).status, 403);
	const tr = await audit(u.kansanin, `action=record_transition&object=inspections/${other.id}`);
	assert.equal(tr.length, 1);
	assert.equal(tr[0].details.transition, 'sign_off');
	assert.equal((await audit(u.kansanin, `action=transition_refused&object=inspections/${own.id}`)).length, 1);
});

test('the home page warns of an overdue inspection, and stops once a recent one is signed off', async () => {
	await users();
	const v = await session('kansanin');
	let home = await v.get('/');
	assert.equal(home.status, 200);
	assert.match(home.text, /id="inspection-overdue"/);
	assert.match(home.text, /2024-04-30/);
	const staff = await session('shokuin.shimin');
	home = await staff.get('/');
	assert.equal(home.status, 303, 'staff are not told');
	const body = { period_from: future(-30), period_to: future(0), findings: '今月分の確認', result: 'action', follow_up: '課へ連絡' };
	const ins = (await u.jimukyoku.api.post('/api/v1/inspections', body)).json;
	// Recorded but not signed off: still overdue.
	assert.match((await v.get('/')).text, /id="inspection-overdue"/);
	const s = await u.tokatsu.api.post(`/api/v1/inspections/${ins.id}/transitions/sign_off`, { version: ins.version });
	assert.equal(s.status, 200, s.text);
	home = await v.get('/');
	assert.doesNotMatch(home.text, /id="inspection-overdue"/);
	assert.match(home.text, /id="inspection-ok"/);
	const deputy = await session('tokatsu');
	assert.match((await deputy.get('/')).text, /id="inspection-ok"/);
});

test('the home page warns when entries wait too long for a signed checkpoint, until one is made', async () => {
	await users();
	const v = await session('kansanin');
	const signer = path.join(t.srv.dir, 'home-signer.key');
	assert.equal(runCli(['audit', 'keygen', '--key', signer, '--name', 'city.example/audit']).status, 0);
	const sign = () => {
		const r = runCli(['audit', 'checkpoint', '--key', signer, '--db', t.srv.dbPath], { env: t.srv.env });
		assert.equal(r.status, 0, r.stderr);
	};
	sign();
	assert.doesNotMatch((await v.get('/')).text, /id="checkpoint-overdue"/);
	// More than 1000 entries unsigned (one import of 1001 new records, each
	// recorded): the signer is not running.
	const exported = runCli(['asset', 'export', '--db', t.srv.dbPath, '--format', 'csv'], { env: t.srv.env });
	assert.equal(exported.status, 0, exported.stderr);
	const [head, row] = parseCsv(exported.stdout.replace(/^\uFEFF/, ''));
	const key = head.indexOf('管理番号');
	const name = head.indexOf('名称');
	const rows = [head];
	for (let i = 0; i < 1001; i++)
		rows.push(row.map((c, j) => (j === key ? '' : j === name ? `署名待ちの試験 ${i}` : c)));
	const imported = runCli(['asset', 'import', '-', '--db', t.srv.dbPath], { env: t.srv.env, input: toCsv(rows) });
	assert.equal(imported.status, 0, imported.stderr);
	const home = await v.get('/');
	assert.match(home.text, /id="checkpoint-overdue"/);
	assert.match(home.text, /mamori-checkpoint\.timer/);
	const staff = await session('shokuin.shimin');
	assert.equal((await staff.get('/')).status, 303, 'staff are not told');
	sign();
	assert.doesNotMatch((await v.get('/')).text, /id="checkpoint-overdue"/);
});

/* Unix seconds of a JST wall-clock time. */
const jst = (iso) => Math.floor(Date.parse(`${iso}+09:00`) / 1000);

test('the reports list refused access, failed sign-ins and activity outside working hours', async () => {
	await users();
	for (let i = 0; i < 3; i++) {
		const r = await fetch(`${t.srv.url}/signin`, {
			method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ login: 'no.such.user', password: 'guess' + i, next: '/' }).toString(), redirect: 'manual',
		});
		assert.notEqual(r.status, 303);
	}
	const rep = await u.jimukyoku.api.get('/api/v1/audit/refused');
	assert.equal(rep.status, 200, rep.text);
	const guess = rep.json.items.find((g) => g.actor === 'no.such.user' || g.actor === '');
	assert.ok(guess && guess.count >= 3, JSON.stringify(rep.json.items));
	assert.ok(rep.json.items.some((g) => g.actor === 'shokuin.shimin' && g.count >= 1));
	assert.equal((await u.jimukyoku.api.get('/api/v1/audit/refused?from=2099-01-01')).json.items.length, 0);

	// Planted events: a Sunday noon, a weekday night, a weekday morning.
	// Written by hand after today's entries, they go back in time, as
	// entries made before times were kept in order (migration 14) may:
	// audit_order is told so, as the migration would have found.
	const ins = (at, actor) => `INSERT INTO audit_events(seq, at, actor, action, object, result) VALUES((SELECT max(seq) + 1 FROM audit_events), ${at}, '${actor}', 'record_read', 'assets/1', 'ok');`;
	const legacy = 'UPDATE audit_order SET legacy_last = (SELECT max(seq) FROM audit_events), legacy_slack = (SELECT max(at) - min(at) FROM audit_events);';
	plant(ins(jst('2024-06-02T12:00:00'), 'plant.sunday') + ins(jst('2024-06-04T23:30:00'), 'plant.night') +
		ins(jst('2024-06-04T10:00:00'), 'plant.day') + ins(jst('2024-06-04T07:59:00'), 'plant.early') + legacy);
	const off = await u.kansanin.api.get('/api/v1/audit/off-hours?from=2024-06-01&to=2024-06-30');
	assert.equal(off.status, 200, off.text);
	assert.deepEqual(off.json.items.map((e) => e.actor).sort(), ['plant.early', 'plant.night', 'plant.sunday']);
	const v = await session('kansanin');
	const page = await v.get('/audit/off-hours?from=R6.6.1&to=2024-06-30');
	assert.equal(page.status, 200);
	assert.match(page.text, /plant\.sunday/);
	assert.doesNotMatch(page.text, /plant\.day/);
	const refusedPage = await v.get('/audit/refused');
	assert.equal(refusedPage.status, 200);
	assert.match(refusedPage.text, /shokuin\.shimin/);
});

test('without a start date the viewer and the reports cover the last 31 days, and say so', async () => {
	await users();
	const day = 86400;
	const now = Math.floor(Date.now() / 1000);
	// Entries 40 days and 2 days old, as a log made before times were kept
	// in order may hold them after newer ones (see the reports test).
	const ins = (at, actor, result) => `INSERT INTO audit_events(seq, at, actor, action, object, result) VALUES((SELECT max(seq) + 1 FROM audit_events), ${at}, '${actor}', 'record_read', 'assets/1', '${result}');`;
	const legacy = 'UPDATE audit_order SET legacy_last = (SELECT max(seq) FROM audit_events), legacy_slack = (SELECT max(at) - min(at) FROM audit_events);';
	plant(ins(now - 40 * day, 'plant.old', 'refused') + ins(now - 2 * day, 'plant.recent', 'refused') + legacy);
	const r = await u.kansanin.api.get('/api/v1/audit?limit=5');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.period, { from: future(-30), to: null, default: true, default_days: 31 });
	assert.deepEqual((await audit(u.kansanin, 'person=plant.recent')).map((e) => e.actor), ['plant.recent']);
	assert.equal((await audit(u.kansanin, 'person=plant.old')).length, 0);
	assert.equal((await audit(u.kansanin, `person=plant.old&from=${future(-45)}`)).length, 1);
	const given = await u.kansanin.api.get(`/api/v1/audit?from=${future(-45)}&to=${future(-1)}`);
	assert.deepEqual(given.json.period, { from: future(-45), to: future(-1), default: false, default_days: 31 });
	// Only an end date: the 31 days up to it.
	const ended = await u.kansanin.api.get('/api/v1/audit?to=2024-06-30');
	assert.deepEqual(ended.json.period, { from: '2024-05-31', to: '2024-06-30', default: true, default_days: 31 });
	const rep = await u.jimukyoku.api.get('/api/v1/audit/refused');
	assert.equal(rep.json.period.default, true);
	assert.ok(rep.json.items.some((g) => g.actor === 'plant.recent'));
	assert.ok(!rep.json.items.some((g) => g.actor === 'plant.old'));
	const old = await u.jimukyoku.api.get(`/api/v1/audit/refused?from=${future(-45)}`);
	assert.ok(old.json.items.some((g) => g.actor === 'plant.old'));
	const v = await session('kansanin');
	for (const p of ['/audit', '/audit/refused', '/audit/off-hours']) {
		const page = await v.get(p);
		assert.equal(page.status, 200, p);
		assert.match(page.text, new RegExp(`id="audit-period">期間: ${future(-30)} – 現在（開始日の指定がないため、直近 31 日間`), p);
	}
	const page = await v.get('/audit?from=2024-06-01&to=2024-06-30');
	assert.match(page.text, /id="audit-period">期間: 2024-06-01 – 2024-06-30<\/p>/);
});

test('no password, token, TOTP seed or cookie reaches the log', async () => {
	await users();
	const { pw, seed } = demo('jimukyoku');
	const v = await session('jimukyoku');
	await v.get('/account');
	const made = await v.post('/account/tokens', { label: '監査の試験', days: '30' });
	const token = /id="new-token">(mmt_[A-Za-z0-9_-]+)</.exec(made.text)?.[1];
	assert.ok(token, `${made.status} ${made.text.slice(0, 2000)}`);
	const wrong = 'wrong-password-of-jimukyoku-42';
	await fetch(`${t.srv.url}/signin`, {
		method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ login: 'jimukyoku', password: wrong, next: '/' }).toString(), redirect: 'manual',
	});
	const rows = JSON.stringify(sql('SELECT * FROM audit_events'));
	const cookie = v.cookie.replace('mm_session=', '');
	for (const secret of [pw, seed, token, token.slice(4), cookie, wrong, demo('kansanin').pw])
		assert.ok(!rows.includes(secret), `a secret in the log: ${secret.slice(0, 6)}…`);
	assert.ok(rows.includes('token_create'));
	assert.ok(rows.includes('signin_totp'));
});

test('the server records its start with a digest of the effective settings', async () => {
	const rows = sql("SELECT action, actor, details FROM audit_events WHERE action IN ('config_load', 'server_start') ORDER BY seq");
	assert.deepEqual(rows.map((r) => r.action), ['config_load', 'server_start']);
	assert.match(JSON.parse(rows[0].details).settings_sha256, /^[0-9a-f]{64}$/);
	assert.equal(rows[0].actor, 'server');
});
