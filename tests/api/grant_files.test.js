// The grants of records in spreadsheets (7.1): the 個別の権限 column of an
// asset export names who may read, edit or is named on each record, and an
// import gives and takes grants as the column says, in the same
// all-or-nothing transaction, refusing bad entries and importers who may not
// grant. On the demo data, as the people of the demo: 10028 is 市民課's data
// manager, 10030 a member of 市民課, 10029 another.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addApiUser, parseCsv, request, runCli, sqlRows, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });
const u = {};
let made;
const users = () => (made ??= makeUsers());
const GRANTS = 18; // the column of 個別の権限 in an asset export
const LOCATION = 9; // 所在

async function makeUsers() {
	u.manager = addApiUser(t.srv, { login: 'kacho.shimin' });
	u.staff = addApiUser(t.srv, { login: 'shokuin.shimin' });
	const r = runCli(['asset', 'list', '--db', t.srv.dbPath, '--json', '--status', 'all', '--limit', '100000'], { env: t.srv.env });
	u.assets = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
	const sections = (await t.api.get('/api/v1/sections?limit=1000')).json.items;
	u.shimin = sections.find((s) => s.code === '0410').id;
	u.people = (await t.api.get('/api/v1/people?limit=1000&status=all')).json.items;
}

const person = (no) => u.people.find((p) => p.employee_no === no);
/* A 課外秘 asset of 市民課, different for each test. */
const civic = (i) => u.assets.filter((a) => a.confidentiality === 3 && a.section_id === u.shimin)[i];

async function exportRows(who, asset) {
	const r = await who.api.get(`/api/v1/assets/export.csv?status=all&q=${encodeURIComponent(asset.code)}`);
	assert.equal(r.status, 200, r.text);
	const rows = parseCsv(r.bytes.subarray(3).toString('utf8'));
	assert.equal(rows[0][GRANTS], '個別の権限');
	assert.equal(rows.length, 2);
	return rows;
}

function csv(rows) {
	return rows.map((r) => r.map((c) => `"${String(c).replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
}

function importAs(who, rows, query = '') {
	return who.api.req(`/api/v1/assets/import${query ? `?${query}` : ''}`, {
		method: 'POST', body: csv(rows), headers: { 'Content-Type': 'text/csv' },
	});
}

/* The grants of an asset as [employee number, kind], sorted. */
async function grantsOf(asset) {
	const r = await u.manager.api.get(`/api/v1/assets/${asset.id}/grants`);
	assert.equal(r.status, 200, r.text);
	const no = new Map(u.people.map((p) => [p.id, p.employee_no]));
	return r.json.items.map((g) => [no.get(g.person_id), g.kind]).sort();
}

function audit(action) {
	return sqlRows(t.srv.dbPath,
		`SELECT actor, object, details FROM audit_events WHERE action = '${action}' ORDER BY seq DESC LIMIT 50`);
}

test('an imported 個別の権限 cell gives and takes grants; なし takes all; an empty cell leaves them', async () => {
	await users();
	const a = civic(0);
	const rows = await exportRows(u.manager, a);
	rows[1][GRANTS] = '閲覧:10030 編集:10029';
	let r = await importAs(u.manager, rows);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.json.updated, r.json.unchanged], [1, 0], 'only the grants changed: the row updated');
	assert.deepEqual(await grantsOf(a), [['10029', 'edit'], ['10030', 'read']]);
	assert.equal((await exportRows(u.manager, a))[1][GRANTS], '閲覧:10030 編集:10029', 'exported as imported');
	// The codes, English labels, a full-width colon and 、 are read too;
	// a grant no longer listed is taken back.
	rows[1][GRANTS] = 'read:10030、Named：10029';
	r = await importAs(u.manager, rows);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(await grantsOf(a), [['10029', 'named'], ['10030', 'read']]);
	const taken = audit('ungrant');
	if (taken) assert.ok(taken.some((e) => e.actor === 'kacho.shimin' && e.object === `assets/${a.id}` && JSON.parse(e.details).kind === 'edit'));
	// An empty cell changes nothing.
	rows[1][GRANTS] = '';
	r = await importAs(u.manager, rows);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.json.updated, r.json.unchanged], [0, 1]);
	assert.deepEqual(await grantsOf(a), [['10029', 'named'], ['10030', 'read']]);
	rows[1][GRANTS] = 'なし';
	r = await importAs(u.manager, rows);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(await grantsOf(a), []);
});

test('bad 個別の権限 entries are reported by row and column in the dry run, and nothing changes', async () => {
	await users();
	const a = civic(1);
	const before = await grantsOf(a);
	const left = await t.api.post('/api/v1/people', {
		name: '退職 一郎', section_id: u.shimin, employment: 'regular', employment_status: 'left',
	});
	assert.equal(left.status, 201, left.text);
	const rows = await exportRows(u.manager, a);
	const good = [...rows[1]];
	rows[1][GRANTS] = '閲覧:99999 所有:10030 10030 閲覧:10029';
	rows.push(good);
	rows[2][0] = '';
	rows[2][1] = '権限の誤りのある新規';
	rows[2][GRANTS] = `閲覧:${left.json.employee_no}`;
	const r = await importAs(u.manager, rows, 'dry_run=1');
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.dry_run, true);
	const errs = r.json.errors.map((e) => [e.row, e.column, e.message]);
	assert.deepEqual(errs, [
		[2, '個別の権限', '個別の権限「閲覧:99999」の職員番号の職員が見つかりません。'],
		[2, '個別の権限', '個別の権限「所有:10030」の種類が正しくありません。閲覧・編集・指名のいずれかを書いてください。'],
		[2, '個別の権限', '個別の権限「10030」は「種類:職員番号」の形（例: 閲覧:10007）で書いてください。'],
		[3, '個別の権限', `個別の権限「閲覧:${left.json.employee_no}」の職員は離職しているか無効のため、新たに許可できません。`],
	]);
	// The same without dry_run: refused as a whole, nothing written.
	const total = (await t.api.get('/api/v1/assets?limit=1&status=all')).json.total;
	const real = await importAs(u.manager, rows);
	assert.equal(real.status, 422);
	assert.deepEqual(await grantsOf(a), before);
	assert.equal((await t.api.get('/api/v1/assets?limit=1&status=all')).json.total, total);
	// In English the messages are English.
	const en = await u.manager.api.req('/api/v1/assets/import?dry_run=1', {
		method: 'POST', body: csv(rows), headers: { 'Content-Type': 'text/csv', 'Accept-Language': 'en' },
	});
	assert.match(en.json.errors[0].message, /^The grant "閲覧:99999": no person has this employee number\.$/);
});

test('a dry run of good grants writes nothing', async () => {
	await users();
	const a = civic(2);
	const before = await grantsOf(a);
	const rows = await exportRows(u.manager, a);
	rows[1][GRANTS] = '閲覧:10029';
	const r = await importAs(u.manager, rows, 'dry_run=1');
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(await grantsOf(a), before);
});

test('an importer who may not grant on a record is refused a change of its grants', async () => {
	await users();
	const a = civic(3);
	// 10030 may edit the record, not grant on it.
	const g = await u.manager.api.post(`/api/v1/assets/${a.id}/grants`, { person_id: person('10030').id, kind: 'edit' });
	assert.equal(g.status, 201, g.text);
	const rows = await exportRows(u.staff, a);
	assert.equal(rows[1][GRANTS], '', 'who may not grant does not see the grants');
	// The file as exported imports: an empty cell leaves the grants.
	rows[1][LOCATION] = '書庫A';
	let r = await importAs(u.staff, rows);
	assert.equal(r.status, 200, r.text);
	assert.equal((await t.api.get(`/api/v1/assets/${a.id}`)).json.location, '書庫A');
	rows[1][LOCATION] = '書庫B';
	rows[1][GRANTS] = '編集:10030 閲覧:10029';
	r = await importAs(u.staff, rows);
	assert.equal(r.status, 422, r.text);
	assert.deepEqual(r.json.errors.map((e) => [e.row, e.column, e.message]),
		[[2, '個別の権限', 'この行の記録の個別の権限を変更する権限がありません。']]);
	assert.equal((await t.api.get(`/api/v1/assets/${a.id}`)).json.location, '書庫A', 'the row is not written either');
	assert.deepEqual(await grantsOf(a), [['10030', 'edit']]);
	const denied = audit('access_denied');
	if (denied) assert.ok(denied.some((e) => e.actor === 'shokuin.shimin' && JSON.parse(e.details).op === 'import'));
});

test('registers without a classification per record have no 個別の権限 column', async () => {
	const r = await request(t.srv.url, '/api/v1/sections/export.csv');
	assert.ok(!r.text.includes('個別の権限'));
	const bad = await t.api.req('/api/v1/sections/import', {
		method: 'POST', body: '課コード,名称,区分,個別の権限\r\n0999,試験課,課,閲覧:10030\r\n', headers: { 'Content-Type': 'text/csv' },
	});
	assert.equal(bad.status, 422);
	assert.match(bad.json.errors[0].message, /見出し「個別の権限」は台帳の項目にありません/);
});
