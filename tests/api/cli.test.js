// The command line and the server share one database: what the CLI writes
// the API serves, with the same validation, and the CLI's own refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { runCli, toCsv, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

const db = () => ['--db', t.srv.dbPath];

test('mamori version prints the version', () => {
	const r = runCli(['version']);
	assert.equal(r.status, 0);
	assert.match(r.stdout, /^mamori \d+\.\d+\.\d+\n$/);
});

test('init --demo on a database that already has data is refused and changes nothing', async () => {
	const before = await t.api.total('sections');
	const r = runCli(['init', ...db(), '--demo']);
	assert.notEqual(r.status, 0);
	assert.match(r.stderr, /demo data failed/);
	assert.equal(await t.api.total('sections'), before);
	assert.equal(await t.api.total('assets'), 200);
});

test('init on an existing database is harmless', async () => {
	const r = runCli(['init', ...db()]);
	assert.equal(r.status, 0, r.stderr);
	assert.equal(await t.api.total('assets'), 200);
});

test('an asset added with the CLI is served by the running server', async () => {
	const r = runCli(['asset', 'add', ...db(), '--set', 'name=CLIで登録した資産', '--set', 'kind=データ',
		'--set', 'section_id=0410', '--set', 'personal_info=個人情報', '--set', 'confidentiality=3',
		'--set', 'integrity=2', '--set', 'availability=1', '--set', 'retention_until=令和9年3月31日']);
	assert.equal(r.status, 0, r.stderr);
	const list = await t.api.get(`/api/v1/assets?q=${encodeURIComponent('CLIで登録した資産')}`);
	assert.equal(list.json.total, 1);
	const a = list.json.items[0];
	assert.equal(a.kind, 'data');
	assert.equal(a.personal_info, 'personal');
	assert.equal(a.retention_until, '2027-03-31');
	assert.equal(a.asset_value, 3);
	const sec = await t.api.record('sections', a.section_id);
	assert.equal(sec.code, '0410');
	const [h] = await t.api.history('assets', a.id);
	assert.match(h.actor, /^cli:/);
});

test('a record made with "asset add" has the history action create, not import', async () => {
	const r = runCli(['asset', 'add', ...db(), '--set', 'name=CLIの履歴', '--set', 'kind=data',
		'--set', 'section_id=0110', '--set', 'personal_info=none', '--set', 'confidentiality=1',
		'--set', 'integrity=1', '--set', 'availability=1']);
	assert.equal(r.status, 0, r.stderr);
	const [a] = (await t.api.get(`/api/v1/assets?q=${encodeURIComponent('CLIの履歴')}`)).json.items;
	const h = await t.api.history('assets', a.id);
	assert.deepEqual(h.map((x) => x.action), ['create']);
});

test('the CLI refuses what the API refuses, with the same Japanese message, and writes nothing', async () => {
	const before = await t.api.total('assets');
	const r = runCli(['asset', 'add', ...db(), '--set', 'name=範囲外', '--set', 'kind=データ', '--set', 'section_id=0110',
		'--set', 'personal_info=なし', '--set', 'confidentiality=9', '--set', 'integrity=1', '--set', 'availability=1']);
	assert.notEqual(r.status, 0);
	assert.match(r.stderr + r.stdout, /機密性は1から4までの値を入力してください。/);
	assert.equal(await t.api.total('assets'), before);
});

test('CLI import from standard input, all or nothing', async () => {
	const before = await t.api.total('assets');
	const good = toCsv([
		['名称', '種別', '所管課', '個人情報', '機密性', '完全性', '可用性'],
		['標準入力A', 'データ', '0110', 'なし', '1', '1', '1'],
		['標準入力B', 'データ', '0110', 'なし', '2', '2', '2'],
	]);
	const bad = good + '標準入力C,データ,0110,なし,1,1,7\r\n';
	const refused = runCli(['asset', 'import', '-', ...db()], { input: bad });
	assert.notEqual(refused.status, 0);
	assert.match(refused.stderr + refused.stdout, /可用性/);
	assert.equal(await t.api.total('assets'), before);
	const dry = runCli(['asset', 'import', '-', '--dry-run', ...db()], { input: good });
	assert.equal(dry.status, 0, dry.stderr);
	assert.equal(await t.api.total('assets'), before);
	const ok = runCli(['asset', 'import', '-', ...db()], { input: good });
	assert.equal(ok.status, 0, ok.stderr);
	assert.equal(await t.api.total('assets'), before + 2);
});

test('the CLI export equals the API export', async () => {
	const cli = runCli(['asset', 'export', ...db(), '--format', 'csv', '--status', 'all']);
	assert.equal(cli.status, 0, cli.stderr);
	const http = await t.api.get('/api/v1/assets/export.csv?status=all');
	assert.equal(cli.stdout, http.text);
});

test('serve refuses bad options with exit status 2', () => {
	for (const args of [['--port', '70000'], ['--port', 'x'], ['--threads', '1'], ['--nope']]) {
		const r = runCli(['serve', ...db(), ...args]);
		assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
		assert.ok(r.stderr.length > 0);
	}
	const listen = runCli(['serve', ...db(), '--listen', 'not-an-address', '--port', '0']);
	assert.notEqual(listen.status, 0);
});

test('an unknown command exits non-zero', () => {
	const r = runCli(['bogus']);
	assert.notEqual(r.status, 0);
	assert.match(r.stderr, /bogus/);
});

test('a database URL needs the key file named: refused without it, taken from MAMORI_KEY_FILE', () => {
	// Port 1 on loopback: nothing listens, so only the key decides what is said first.
	const url = 'postgresql://nobody@127.0.0.1:1/none';
	const env = { MAMORI_CONFIG: '/dev/null', MAMORI_KEY_FILE: '' };
	const r = runCli(['asset', 'list', '--db', url], { env });
	assert.equal(r.status, 1);
	assert.match(r.stderr, /\[security\] key_file/);
	const dir = mkdtempSync(path.join(tmpdir(), 'mamori-key-'));
	try {
		const k = runCli(['asset', 'list', '--db', url], { env: { ...env, MAMORI_KEY_FILE: path.join(dir, 'seal.key') } });
		assert.notEqual(k.status, 0);
		assert.doesNotMatch(k.stderr, /key_file/, 'past the key, the connection is what fails');
		assert.match(k.stderr, /cannot open database/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
