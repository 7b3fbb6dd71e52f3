// Privileges (7.2(2)) and separation of duties (2.2) over HTTP, on the demo
// data: a privileged role is granted only by a request that 情報システム管理
// 責任者 approves, never by the requester or the grantee; direct privileged
// holdings are refused; the CLI's bootstrap is audited; the privileged
// accounts page and the conflicts report are for those who oversee; rules
// are data that 事務局 turns on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addApiUser, request, runCli, signIn, sqlRows, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

/* Demo people: 10004 is 情報システム管理責任者 (sysadmin), 10030 a member of
 * 市民課 (shokuin.shimin), 10028 市民課長 and its data manager, 10008 of
 * 事務局, 10011 the infrastructure administrator of every system. */
const u = {};
let made;
const users = () => (made ??= makeUsers());

async function makeUsers() {
	u.sysadmin = addApiUser(t.srv, { login: 'sysadmin' });
	u.staff = addApiUser(t.srv, { login: 'shokuin.shimin' });
	u.manager = addApiUser(t.srv, { login: 'kacho.shimin' });
	u.secretariat = addApiUser(t.srv, { login: 'jimukyoku' });
	u.auditor = addApiUser(t.srv, { login: 'kansanin' });
	u.appAdmin = addApiUser(t.srv, { login: 'admin' });
	u.deputy = addApiUser(t.srv, { login: 'tokatsu' });
	u.ciso = addApiUser(t.srv, { login: 'saiko' });
	// A second 情報システム管理責任者, bootstrapped by the operator's CLI.
	u.sysadmin2 = addApiUser(t.srv, { login: 'sys2', person: '10005', roles: ['systems'] });
}

async function one(reg, query) {
	const r = await t.api.get(`/api/v1/${reg}?${query}&limit=2`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.items.length, 1, `${reg}?${query}`);
	return r.json.items[0];
}

const person = (no) => one('people', `q=${no}`);
const role = (code) => one('roles', `q=${code}`);

function audit(action) {
	return sqlRows(t.srv.dbPath,
		`SELECT actor, action, object, result, details FROM audit_events WHERE action = '${action}' ORDER BY seq DESC LIMIT 50`);
}

const future = '2099-03-31';

async function ask(who, body) {
	const r = await who.api.post('/api/v1/privilege_requests', { valid_until: future, reason: '人事異動のため', ...body });
	assert.equal(r.status, 201, r.text);
	return r.json;
}

const step = (who, req, name, body = {}) =>
	who.api.post(`/api/v1/privilege_requests/${req.id}/transitions/${name}`, { version: req.version, ...body });

test('a request: the requester is the signed-in person, the state is 申請中 and changes by no edit', async () => {
	await users();
	const me = await person('10030');
	const other = await person('10029');
	const sec = await role('secretariat');
	const forged = await u.staff.api.post('/api/v1/privilege_requests', {
		grantee_id: me.id, role_id: sec.id, valid_until: future, reason: 'x', requester_id: other.id, state: 'approved',
	});
	assert.equal(forged.status, 422, forged.text);
	assert.deepEqual(forged.json.error.fields.map((f) => [f.field, f.code]).sort(), [['requester_id', 'read_only'], ['state', 'read_only']]);
	const req = await ask(u.staff, { grantee_id: me.id, role_id: sec.id });
	assert.equal(req.requester_id, me.id);
	assert.equal(req.state, 'requested');
	// Not a privileged role, no expiry: refused.
	const plain = await u.staff.api.post('/api/v1/privilege_requests', { grantee_id: me.id, role_id: (await role('auditor')).id, reason: 'x' });
	assert.equal(plain.status, 422);
	assert.deepEqual(plain.json.error.fields.map((f) => [f.field, f.code]), [['valid_until', 'required']]);
	const notPriv = await u.staff.api.post('/api/v1/privilege_requests', { grantee_id: me.id, role_id: (await role('auditor')).id, reason: 'x', valid_until: future });
	assert.equal(notPriv.status, 422);
	assert.deepEqual(notPriv.json.error.fields.map((f) => [f.field, f.code]), [['role_id', 'privilege_not_privileged']]);
	const past = await u.staff.api.post('/api/v1/privilege_requests', { grantee_id: me.id, role_id: sec.id, reason: 'x', valid_until: '2020-03-31' });
	assert.deepEqual(past.json.error.fields.map((f) => [f.field, f.code]), [['valid_until', 'until_past']]);
	// 事務局 may not approve by editing the state.
	const put = await t.api.put(`/api/v1/privilege_requests/${req.id}`, { state: 'approved' }, { headers: { 'If-Match': `"${req.version}"` } });
	assert.ok([403, 422].includes(put.status), put.text);
	assert.equal((await t.api.record('privilege_requests', req.id)).state, 'requested');
});

test('the privilege flow: wrong approver, requester and grantee refused; approval grants the role', async () => {
	await users();
	const staff = await person('10030');
	const sysadmin = await person('10004');
	const sec = await role('secretariat');
	const holdingsBefore = await t.api.total('role_holders');
	// Before: a member of staff may not read the conflicts report (事務局's).
	assert.equal((await u.staff.api.get('/api/v1/sod/conflicts')).status, 403);

	const req = await ask(u.staff, { grantee_id: staff.id, role_id: sec.id, valid_until: '2099-12-31' });
	// A data manager is not 情報システム管理責任者: 403, nothing changes.
	const wrong = await step(u.manager, req, 'approve');
	assert.equal(wrong.status, 403, wrong.text);
	assert.equal(wrong.json.error.code, 'wf_forbidden');
	assert.match(wrong.json.error.message, /権限がありません/);

	// sysadmin asks on behalf of staff, then tries to approve it: requester ≠ approver.
	const own = await ask(u.sysadmin, { grantee_id: staff.id, role_id: (await role('app_admin')).id });
	assert.equal(own.requester_id, sysadmin.id);
	const selfApprove = await step(u.sysadmin, own, 'approve');
	assert.equal(selfApprove.status, 422, selfApprove.text);
	assert.deepEqual(selfApprove.json.error.fields.map((f) => [f.field, f.code]), [['requester_id', 'sod_requester_approver']]);
	assert.match(selfApprove.json.error.fields[0].message, /申請者と承認者の分離/);
	// Another 情報システム管理責任者 may reject it.
	const rejected = await step(u.sysadmin2, own, 'reject', { comment: '不要' });
	assert.equal(rejected.status, 200, rejected.text);
	assert.equal(rejected.json.state, 'rejected');

	// A request for sysadmin's own privilege: grantee ≠ approver.
	const forMe = await ask(u.staff, { grantee_id: sysadmin.id, role_id: sec.id });
	const grantee = await step(u.sysadmin, forMe, 'approve');
	assert.equal(grantee.status, 422, grantee.text);
	assert.deepEqual(grantee.json.error.fields.map((f) => [f.field, f.code]), [['grantee_id', 'sod_grantee_approver']]);

	// A stale version is a conflict; the right approver approves.
	const stale = await step(u.sysadmin, { ...req, version: req.version + 5 }, 'approve');
	assert.equal(stale.status, 409);
	assert.equal(stale.json.error.code, 'conflict');
	const ok = await step(u.sysadmin, req, 'approve', { comment: '異動に伴い承認' });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.state, 'approved');
	assert.equal(ok.json.decided_by, sysadmin.id);
	assert.equal(ok.json.decision_comment, '異動に伴い承認');
	assert.equal(ok.json.version, req.version + 1);
	const holding = await t.api.record('role_holders', ok.json.holding_id);
	assert.deepEqual([holding.person_id, holding.role_id, holding.valid_until], [staff.id, sec.id, '2099-12-31']);
	assert.ok(holding.note.includes(req.code));
	assert.equal(await t.api.total('role_holders'), holdingsBefore + 1);
	// Decided once: a second approval is refused for its state.
	const again = await step(u.sysadmin, ok.json, 'approve');
	assert.equal(again.status, 409);
	assert.equal(again.json.error.code, 'wf_wrong_state');
	// The history says who, what and why.
	const hist = await t.api.history('privilege_requests', req.id);
	const last = hist[hist.length - 1];
	assert.deepEqual([last.action, last.actor, last.changes.state, last.changes.comment],
		['approve', 'sysadmin', ['requested', 'approved'], '異動に伴い承認']);
	// The grantee now holds 事務局: the conflicts report opens.
	assert.equal((await u.staff.api.get('/api/v1/sod/conflicts')).status, 200);

	// Approvals and refused attempts are in the audit log.
	const done = audit('transition');
	assert.ok(done.some((e) => e.object === `privilege_requests/${req.id}` && JSON.parse(e.details).privileged === true));
	const refused = audit('transition_refused');
	assert.ok(refused.some((e) => e.object === `privilege_requests/${own.id}` && e.actor === 'sysadmin' &&
		JSON.parse(e.details).reason === 'sod_requester_approver'));
	assert.ok(refused.some((e) => e.actor === 'kacho.shimin' && JSON.parse(e.details).reason === 'wf_forbidden'));
});

test('the requester withdraws their request; someone else may not', async () => {
	await users();
	const staff = await person('10030');
	const req = await ask(u.staff, { grantee_id: staff.id, role_id: (await role('app_admin')).id });
	const other = await step(u.manager, req, 'withdraw');
	assert.equal(other.status, 403);
	const mine = await step(u.staff, req, 'withdraw');
	assert.equal(mine.status, 200, mine.text);
	assert.equal(mine.json.state, 'withdrawn');
});

test('the detail page offers the approval to 情報システム管理責任者 only, and the form takes it', async () => {
	await users();
	const staff = await person('10030');
	const req = await ask(u.staff, { grantee_id: staff.id, role_id: (await role('ciso')).id });
	// The staff session of the test server (10029) sees no approve button.
	const page = await request(t.srv.url, `/privilege_requests/${req.id}`);
	assert.equal(page.status, 200);
	assert.ok(!page.text.includes('transitions/approve'));
	assert.ok(!/<script/.test(page.text));
	// Posting it anyway is refused with the reason.
	const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
	assert.ok(csrf, 'the page carries a CSRF token');
	const post = await request(t.srv.url, `/privilege_requests/${req.id}/transitions/approve`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: t.srv.url },
		body: new URLSearchParams({ csrf, version: String(req.version), comment: '' }).toString(),
	});
	assert.equal(post.status, 403, post.text.slice(0, 300));
	assert.match(post.text, /権限がありません/);
	assert.equal((await t.api.record('privilege_requests', req.id)).state, 'requested');
});

test('privileged holdings are not created, edited or restored directly; revoking stays open', async () => {
	await users();
	const p = await person('10031');
	const before = await t.api.total('role_holders');
	const direct = await t.api.post('/api/v1/role_holders', { person_id: p.id, role_id: (await role('secretariat')).id });
	assert.equal(direct.status, 403, direct.text);
	assert.equal(direct.json.error.code, 'privilege_via_request');
	assert.match(direct.json.error.message, /特権の申請/);
	assert.equal(await t.api.total('role_holders'), before);
	// A role that is no privilege is still 事務局's to assign.
	const plain = await t.api.post('/api/v1/role_holders', { person_id: p.id, role_id: (await role('auditor')).id });
	assert.equal(plain.status, 201, plain.text);
	// Moving it to a privileged role is a direct grant too.
	const moved = await t.api.put(`/api/v1/role_holders/${plain.json.id}`, { role_id: (await role('ciso')).id }, { headers: { 'If-Match': `"${plain.json.version}"` } });
	assert.equal(moved.status, 403);
	// The CISO's holding (privileged, from the demo's bootstrap): revoke yes, restore no.
	const ciso = await one('role_holders', `role_id=${(await role('ciso')).id}`);
	const edit = await t.api.put(`/api/v1/role_holders/${ciso.id}`, { note: 'x' }, { headers: { 'If-Match': `"${ciso.version}"` } });
	assert.equal(edit.status, 403);
	const revoke = await t.api.post(`/api/v1/role_holders/${ciso.id}/retire`, { version: ciso.version });
	assert.equal(revoke.status, 200, revoke.text);
	const restore = await t.api.post(`/api/v1/role_holders/${ciso.id}/restore`, { version: revoke.json.version });
	assert.equal(restore.status, 403);
	assert.equal(restore.json.error.code, 'privilege_via_request');
	// The operator's CLI brings it back (bootstrap), audited.
	const no = (await t.api.record('people', ciso.person_id)).employee_no;
	const cli = runCli(['role_holder', 'add', '--db', t.srv.dbPath, '--set', `person_id=${no}`, '--set', 'role_id=ciso'], { env: t.srv.env });
	assert.equal(cli.status, 0, cli.stderr);
	const boot = audit('privilege_bootstrap');
	assert.ok(boot.some((e) => JSON.parse(e.details).via === 'cli' && JSON.parse(e.details).person_id === ciso.person_id));
	// sys2's bootstrap by `mamori user add --role systems` is there too.
	const sys2 = await person('10005');
	assert.ok(boot.some((e) => JSON.parse(e.details).person_id === sys2.id && JSON.parse(e.details).privileged === true));
});

test('the privileged accounts page: who may see it, and what it lists', async () => {
	await users();
	for (const who of ['secretariat', 'auditor', 'appAdmin', 'deputy', 'ciso', 'sysadmin']) {
		const r = await u[who].api.get('/api/v1/privileges');
		assert.equal(r.status, 200, `${who}: ${r.text}`);
	}
	for (const who of ['manager']) assert.equal((await u[who].api.get('/api/v1/privileges')).status, 403, who);
	const r = await u.auditor.api.get('/api/v1/privileges');
	const sysadmin = await person('10004');
	const sa = r.json.items.find((x) => x.person_id === sysadmin.id);
	assert.deepEqual([sa.login, sa.granted_by, sa.request_id], ['sysadmin', 'bootstrap', null]);
	// The grant approved above lists its request and approver.
	const staff = await person('10030');
	const granted = r.json.items.find((x) => x.person_id === staff.id && x.granted_by === 'request');
	assert.ok(granted, 'the approved grant is listed');
	assert.equal(granted.approver, sysadmin.name);
	assert.equal(granted.login, 'shokuin.shimin');
	// Nobody lists a role that is no privilege.
	assert.ok(!r.json.items.some((x) => x.role === '監査人'));
	// The page: the test's staff session may not; 事務局 signs in and sees it.
	assert.equal((await request(t.srv.url, '/privileges')).status, 403);
	const org = await request(t.srv.url, '/org');
	assert.ok(org.text.includes('href="/privileges"'));
});

test('separation-of-duties rules are data: off, a conflicting assignment passes; on again, the report lists it', async () => {
	await users();
	const rule = await one('sod_rules', 'q=infra_vs_data');
	assert.equal(rule.enabled, 'yes');
	const head = await person('10028'); // data manager of 市民課
	const sys = await one('systems', `q=${encodeURIComponent('住民情報システム')}`);
	const put = (body, v) => u.secretariat.api.put(`/api/v1/systems/${sys.id}`, body, { headers: { 'If-Match': `"${v}"` } });
	const refused = await put({ infra_admin_id: head.id }, sys.version);
	assert.equal(refused.status, 422);
	assert.match(refused.json.error.fields[0].message, /基盤管理者とデータ管理責任者の分離/);
	// Only 事務局 edits the rules.
	const notYours = await u.manager.api.put(`/api/v1/sod_rules/${rule.id}`, { enabled: 'no' }, { headers: { 'If-Match': `"${rule.version}"` } });
	assert.equal(notYours.status, 403);
	const off = await u.secretariat.api.put(`/api/v1/sod_rules/${rule.id}`, { enabled: 'no' }, { headers: { 'If-Match': `"${rule.version}"` } });
	assert.equal(off.status, 200, off.text);
	const planted = await put({ infra_admin_id: head.id }, sys.version);
	assert.equal(planted.status, 200, planted.text);
	assert.equal((await u.secretariat.api.get('/api/v1/sod/conflicts')).json.items.filter((c) => c.duty_a === 'system_admin').length, 0);
	const on = await u.secretariat.api.put(`/api/v1/sod_rules/${rule.id}`, { enabled: 'yes' }, { headers: { 'If-Match': `"${off.json.version}"` } });
	assert.equal(on.status, 200);
	const report = await u.auditor.api.get('/api/v1/sod/conflicts');
	assert.equal(report.status, 200);
	const c = report.json.items.find((x) => x.person_id === head.id && x.scope_id === sys.id);
	assert.ok(c, JSON.stringify(report.json));
	assert.deepEqual([c.duty_a, c.duty_b, c.scope_register, c.rule], ['system_admin', 'data_manager', 'systems', rule.name]);
	assert.match(c.detail, /市民課/);
	assert.equal((await u.manager.api.get('/api/v1/sod/conflicts')).status, 403);
	assert.equal((await u.deputy.api.get('/api/v1/sod/conflicts')).status, 200);
	// The HTML report, for 事務局 signed in.
	assert.equal((await request(t.srv.url, '/sod/conflicts')).status, 403);
	// The rule's history keeps both changes; the audit log has them.
	assert.equal((await t.api.history('sod_rules', rule.id)).length, 3);
	const changes = audit('sod_rule_change');
	if (changes !== null) assert.ok(changes.filter((e) => e.object === `sod_rules/${rule.id}`).length >= 2);
	// Put the system back for the other tests.
	const now = await t.api.record('systems', sys.id);
	assert.equal((await put({ infra_admin_id: sys.infra_admin_id }, now.version)).status, 200);
});

test('an asset is not saved when its system\'s administrator is its data manager', async () => {
	await users();
	const sys = await one('systems', `q=${encodeURIComponent('住民情報システム')}`);
	const asset = (await t.api.get(`/api/v1/assets?system_id=${sys.id}&limit=1`)).json.items[0];
	const full = await t.api.record('assets', asset.id);
	const r = await t.api.put(`/api/v1/assets/${asset.id}`, { owner_id: sys.infra_admin_id }, { headers: { 'If-Match': `"${full.version}"` } });
	assert.equal(r.status, 422, r.text);
	assert.deepEqual(r.json.error.fields.map((f) => [f.field, f.code]), [['system_id', 'sod_asset_admin']]);
	assert.match(r.json.error.fields[0].message, /職務の分離/);
	assert.equal((await t.api.record('assets', asset.id)).version, full.version);
});

test('the privileged accounts and conflicts pages for 事務局 signed in', async () => {
	await users();
	const out = runCli(['user', 'password', '--db', t.srv.dbPath, '--login', 'kansanin'], { env: t.srv.env, input: 'an auditor reads the ledger twice\n' });
	assert.equal(out.status, 0, out.stderr);
	const cookie = await signIn(t.srv.url, 'kansanin', 'an auditor reads the ledger twice');
	const page = await request(t.srv.url, '/privileges', { headers: { Cookie: cookie } });
	assert.equal(page.status, 200, page.text.slice(0, 300));
	assert.match(page.text, /特権を持つアカウント/);
	assert.match(page.text, /CLI による初期設定/);
	assert.match(page.text, /href="\/privilege_requests\/\d+"/);
	const rep = await request(t.srv.url, '/sod/conflicts', { headers: { Cookie: cookie } });
	assert.equal(rep.status, 200);
	assert.match(rep.text, /職務分離の違反/);
});

test('a transition refuses a body that is not what it takes, and changes nothing', async () => {
	await users();
	const me = await person('10030');
	const req = await ask(u.staff, { grantee_id: me.id, role_id: (await role('secretariat')).id });
	const url = `/api/v1/privilege_requests/${req.id}/transitions/withdraw`;
	const send = (body) => request(t.srv.url, url, {
		method: 'POST', headers: { Authorization: `Bearer ${u.staff.token}`, 'Content-Type': 'application/json' }, body,
	});
	let r = await send('[1, 2]');
	assert.equal(r.status, 400);
	assert.equal(r.json.error.code, 'not_object');
	r = await send('{"comment": "x",');
	assert.equal(r.status, 400);
	assert.equal(r.json.error.code, 'bad_json');
	r = await send(JSON.stringify({ version: req.version, state: 'approved' }));
	assert.equal(r.status, 422);
	assert.deepEqual(r.json.error.fields.map((f) => [f.field, f.code]), [['state', 'unknown_field']]);
	r = await send(JSON.stringify({ version: req.version, comment: 5 }));
	assert.equal(r.status, 400);
	assert.equal(r.json.error.code, 'bad_comment');
	r = await send(JSON.stringify({ version: req.version, comment: 'あ'.repeat(2001) }));
	assert.equal(r.status, 422);
	assert.match(r.text, /2000文字以内/);
	r = await u.staff.api.post(`/api/v1/privilege_requests/${req.id}/transitions/no_such_step`, { version: req.version });
	assert.equal(r.status, 404);
	const after = await t.api.record('privilege_requests', req.id);
	assert.equal(after.state, 'requested');
	assert.equal(after.version, req.version);
});

test('the OpenAPI document describes the transitions and the reports', async () => {
	const doc = (await t.api.get('/api/v1/openapi.json')).json;
	for (const name of ['approve', 'reject', 'withdraw'])
		assert.ok(doc.paths[`/api/v1/privilege_requests/{id}/transitions/${name}`]?.post, name);
	assert.ok(doc.paths['/api/v1/privileges']?.get);
	assert.ok(doc.paths['/api/v1/sod/conflicts']?.get);
	assert.ok(doc.components.schemas.TransitionInput);
});
