// The organisation of 付表1 over HTTP: the roles and their holders as
// registers, the separation of duties (2.2) refused from both sides with
// nothing written, and the org chart page.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { request, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

const SOD = 'sod_infra_data';

async function byKey(reg, field, value) {
	const r = await t.api.get(`/api/v1/${reg}?${field}=${encodeURIComponent(value)}&limit=2`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.items.length, 1, `${reg} ${field}=${value}`);
	return r.json.items[0];
}

const section = (code) => byKey('sections', 'q', code);
const person = (no) => byKey('people', 'q', no);
const role = (code) => byKey('roles', 'q', code);

test('the default profile: 11 roles in the order of 付表1, the demo people hold them', async () => {
	const roles = await t.api.all('roles');
	assert.deepEqual(roles.map((r) => r.code), ['ciso', 'deputy', 'systems', 'data_manager', 'facilities', 'documents',
		'secretariat', 'staff', 'contractor', 'auditor', 'app_admin']);
	assert.deepEqual(roles.slice(0, 7).map((r) => r.appointed_title), ['副市長', '総務部次長', '行政管理課長', '各所管課長',
		'総務課長', '総務課長', '行政管理課 行政情報係']);
	assert.equal(roles.find((r) => r.code === 'data_manager').scope, 'section');
	// Every 課 has its data manager, its head.
	const dm = roles.find((r) => r.code === 'data_manager');
	const holders = await t.api.all('role_holders', `role_id=${dm.id}`);
	const divisions = await t.api.all('sections', 'kind=division');
	assert.equal(holders.length, divisions.length);
	for (const h of holders) assert.equal((await t.api.record('people', h.person_id)).section_id, h.section_id);
});

test('a holding is checked against its role: section per scope, period in order', async () => {
	const before = await t.api.total('role_holders');
	const p = await person('10002');
	const cases = [
		[{ role_id: (await role('data_manager')).id }, 'section_id', 'role_needs_section'],
		[{ role_id: (await role('secretariat')).id, section_id: (await section('0110')).id }, 'section_id', 'role_no_section'],
		[{ role_id: (await role('auditor')).id, valid_from: '2025-04-01', valid_until: '2025-03-31' }, 'valid_until', 'until_before_from'],
	];
	for (const [input, field, code] of cases) {
		const r = await t.api.post('/api/v1/role_holders', { person_id: p.id, ...input });
		assert.equal(r.status, 422, r.text);
		assert.deepEqual(r.json.error.fields.map((f) => [f.field, f.code]), [[field, code]]);
		assert.ok(r.json.error.fields[0].message.length > 0);
	}
	assert.equal(await t.api.total('role_holders'), before);
});

test('separation of duties: an infrastructure administrator is not made data manager of the assets on the system', async () => {
	// 10011 administers 住民情報システム, which carries assets of 0410 市民課.
	const admin = await person('10011');
	const civic = await section('0410');
	const before = await t.api.total('role_holders');
	const r = await t.api.post('/api/v1/role_holders', { person_id: admin.id, role_id: (await role('data_manager')).id, section_id: civic.id });
	assert.equal(r.status, 422, r.text);
	assert.deepEqual(r.json.error.fields.map((f) => [f.field, f.code]), [['person_id', SOD]]);
	assert.match(r.json.error.fields[0].message, /職務の分離/);
	assert.equal(await t.api.total('role_holders'), before);
});

test('separation of duties: a data manager is not made infrastructure administrator of a system with the section\'s assets', async () => {
	const head = await person('10028'); // 市民課長, data manager of 0410
	const sys = await byKey('systems', 'q', '住民情報システム');
	const r = await t.api.put(`/api/v1/systems/${sys.id}`, { infra_admin_id: head.id }, { headers: { 'If-Match': `"${sys.version}"` } });
	assert.equal(r.status, 422, r.text);
	assert.deepEqual(r.json.error.fields.map((f) => [f.field, f.code]), [['infra_admin_id', SOD]]);
	const after = await t.api.record('systems', sys.id);
	assert.equal(after.version, sys.version);
	assert.equal(after.infra_admin_id, sys.infra_admin_id);
});

test('the org chart lists the roles with their holders and the section tree', async () => {
	const r = await request(t.srv.url, '/org');
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^text\/html/);
	for (const text of ['情報管理最高責任者', '副市長', '情報化推進及び情報セキュリティに対するの総責任者', '0410 市民課', '0121 行政情報係'])
		assert.ok(r.text.includes(text), text);
	const ciso = await byKey('role_holders', 'role_id', (await role('ciso')).id);
	assert.ok(r.text.includes(`<a href="/people/${ciso.person_id}">`));
	assert.ok(!/<script|style=/.test(r.text), 'no script, no inline style');
	const en = await request(t.srv.url, '/org', { headers: { Cookie: 'mm_lang=en' } });
	assert.match(en.text, /<h1>Security organisation<\/h1>/);
});

test('the org chart escapes what it shows', async () => {
	const c = await t.api.post('/api/v1/roles', { code: 'x_test', name: '<b>役</b>', duties: 'a&b\n<i>', scope: 'organisation', privileged: 'no' });
	assert.equal(c.status, 201, c.text);
	const r = await request(t.srv.url, '/org');
	assert.ok(r.text.includes('&lt;b&gt;役&lt;/b&gt;'));
	assert.ok(r.text.includes('a&amp;b<br>&lt;i&gt;'));
	assert.ok(!r.text.includes('<b>役'));
});
