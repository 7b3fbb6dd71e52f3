// A full or failing disk: with the iofail shim (iofail.c) preloaded, every
// write, sync and truncate on the database's directory fails while a control
// file exists. mamori must then answer every write with an error (503, code
// "storage", a message in Japanese), never a success for what it did not
// store; keep serving reads where it can; store none of the refused writes;
// and write again once the disk does, without a restart. SQLite only: the
// shim acts on files of the server's own process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { BACKEND, MAMORI_BIN, STAFF, client, runCli, signIn, sql } from '../lib/server.js';
import { demoApiToken, serveDb } from '../lib/serve_db.js';
import { Ledger, checkDatabase, writer } from './workload.js';

const SHIM = path.join(path.dirname(MAMORI_BIN), 'tests', 'crash', 'libiofail.so');
/* An ASan build must come first among the libraries, before any preload. */
const asan = () => /libasan/.test(spawnSync('ldd', [MAMORI_BIN], { encoding: 'utf8' }).stdout || '');
const skip = BACKEND !== 'sqlite' ? 'the shim fails the files of SQLite only'
	: !existsSync(SHIM) ? `no shim at ${SHIM} (build it with ninja)`
		: asan() ? 'the shim cannot preload into an ASan build' : false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const s = {};

before(() => {
	if (skip) return;
	s.dir = mkdtempSync(path.join(tmpdir(), 'mamori-iofail-'));
	s.dbDir = path.join(s.dir, 'db');
	mkdirSync(s.dbDir);
	s.db = path.join(s.dbDir, 'iofail.db');
	s.control = path.join(s.dir, 'fail');
	s.env = { TMPDIR: s.dir };
	s.pubkey = path.join(s.dir, 'signer.pub');
	const key = path.join(s.dir, 'signer.key');
	let r = runCli(['init', '--db', s.db, '--demo'], { env: s.env });
	assert.equal(r.status, 0, r.stderr);
	s.token = demoApiToken(s.db, s.env);
	r = runCli(['user', 'add', '--db', s.db, '--login', STAFF.login, '--person', STAFF.person,
		'--password-stdin'], { env: s.env, input: STAFF.password + '\n' });
	assert.equal(r.status, 0, r.stderr);
	r = runCli(['audit', 'keygen', '--key', key, '--pubkey', s.pubkey, '--name', 'iofail.test/audit'], { env: s.env });
	assert.equal(r.status, 0, r.stderr);
	r = runCli(['audit', 'checkpoint', '--db', s.db, '--key', key], { env: s.env });
	assert.equal(r.status, 0, r.stderr);
	// Records every test reads: one 庁外秘 asset (reads are not logged) and
	// one 課外秘 asset (each read is logged, so it needs a write).
	s.plain = Number(sql(s.db, 'SELECT min(id) FROM assets WHERE confidentiality <= 2'));
	s.classified = Number(sql(s.db, 'SELECT min(id) FROM assets WHERE confidentiality = 3'));
	// A 課外秘 asset of the member of staff's own section, which they read.
	s.ownClassified = Number(sql(s.db, 'SELECT min(a.id) FROM assets a JOIN people p ON p.section_id = ' +
		`a.section_id WHERE p.employee_no = '${STAFF.person}' AND a.confidentiality = 3 AND a.retired = 0`));
});

after(() => {
	if (s.dir) rmSync(s.dir, { recursive: true, force: true });
});

/* A server with the shim on the database's directory; ops 'sync' fails only
 * fsync and fdatasync. */
function serveShimmed(ops) {
	return serveDb(s.db, {
		env: { ...s.env, LD_PRELOAD: SHIM, IOFAIL_DIR: s.dbDir, IOFAIL_CONTROL: s.control, ...(ops ? { IOFAIL_OPS: ops } : {}) },
	});
}

const failOn = (how = 'ENOSPC') => writeFileSync(s.control, `${how}\n`);
const failOff = () => rmSync(s.control, { force: true });
const asset = (name) => ({ name, kind: 'data', section_id: 2, personal_info: 'none', confidentiality: 2, integrity: 2, availability: 1 });
const named = (name) => Number(sql(s.db, `SELECT count(*) FROM assets WHERE name = '${name}'`));

function assertStorageError(r, what) {
	assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
	assert.equal(r.json?.error?.code, 'storage', what);
	assert.match(r.json.error.message, /^保存できませんでした（記憶装置の空き容量不足または障害）/);
}

test('a full disk: writes are refused with 503, reads go on, and writes work again without a restart', { skip }, async () => {
	const srv = await serveShimmed();
	try {
		const api = client(srv.url, s.token);
		const cookie = await signIn(srv.url, STAFF.login, STAFF.password);
		// A session and a token last seen over a minute ago: their use
		// writes when they were seen, which a full disk must not turn into
		// a refused read.
		const stale = await signIn(srv.url, STAFF.login, STAFF.password);
		sql(s.db, 'UPDATE sessions SET last_seen = last_seen - 120');
		const t2 = runCli(['token', 'create', '--db', s.db, '--login', 'tester', '--label', 'stale'], { env: s.env });
		assert.equal(t2.status, 0, t2.stderr);
		const staleApi = client(srv.url, t2.stdout.trim().split('\n').pop());
		const first = await api.post('/api/v1/assets', asset('iofail-before'));
		assert.equal(first.status, 201, first.text);

		for (const how of ['ENOSPC', 'EIO']) {
			failOn(how);
			assertStorageError(await api.post('/api/v1/assets', asset(`iofail-refused-${how}`)), `create (${how})`);
			assertStorageError(await api.put(`/api/v1/assets/${first.json.id}`, { description: `refused-${how}` },
				{ headers: { 'If-Match': '"1"' } }), `edit (${how})`);
			// Reads that need no write go on.
			const list = await api.get('/api/v1/assets?limit=5');
			assert.equal(list.status, 200, list.text);
			const one = await api.get(`/api/v1/assets/${s.plain}`);
			assert.equal(one.status, 200, one.text);
			const page = await fetch(`${srv.url}/assets`, { headers: { Cookie: cookie } });
			assert.equal(page.status, 200);
			if (how === 'ENOSPC') {
				const p2 = await fetch(`${srv.url}/assets`, { headers: { Cookie: stale } });
				assert.equal(p2.status, 200, 'a session seen long ago reads');
				const l2 = await staleApi.get('/api/v1/assets?limit=5');
				assert.equal(l2.status, 200, `a token seen long ago reads: ${l2.text}`);
			}
			// A 課外秘 read must be logged (7.6); unlogged, it is refused.
			assertStorageError(await api.get(`/api/v1/assets/${s.classified}`), `classified read (${how})`);
			// A page says so in Japanese, with its own title.
			const html = await fetch(`${srv.url}/assets/${s.ownClassified}`, { headers: { Cookie: cookie } });
			assert.equal(html.status, 503);
			assert.match(await html.text(), /<h1>保存できませんでした<\/h1>/);
		}

		failOff();
		const again = await api.post('/api/v1/assets', asset('iofail-after'));
		assert.equal(again.status, 201, again.text);
		const edit = await api.put(`/api/v1/assets/${first.json.id}`, { description: 'after' },
			{ headers: { 'If-Match': '"1"' } });
		assert.equal(edit.status, 200, edit.text);
		assert.equal(edit.json.version, 2, 'no refused edit took a version');
		assert.equal((await api.get(`/api/v1/assets/${s.classified}`)).status, 200);
		const own = await fetch(`${srv.url}/assets/${s.ownClassified}`, { headers: { Cookie: cookie } });
		assert.equal(own.status, 200, 'the member of staff reads it again');
		await srv.stop();
	} finally {
		failOff();
		await srv.kill();
	}
	for (const how of ['ENOSPC', 'EIO']) assert.equal(named(`iofail-refused-${how}`), 0, `a refused create (${how}) was stored`);
	assert.equal(named('iofail-after'), 1);
	const ledger = new Ledger();
	checkDatabase(s.db, ledger, { env: s.env, pubkey: s.pubkey });
});

/*
 * Writers go on while the disk fails on and off. Every answer is a success
 * that holds the write, a 409, or a 503 "storage"; every success is stored
 * once with its audit entry; no refused write is stored.
 */
async function flapping(ops, rounds) {
	const srv = await serveShimmed(ops);
	const ledger = new Ledger();
	const refused = [];
	let running = true;
	try {
		const writers = Array.from({ length: 4 }, (_, w) => writer({
			base: () => srv.url,
			token: s.token,
			ledger,
			tag: `flap-${ops || 'all'}-${w}`,
			running: () => running,
			onAnswer(r, edit, rid) {
				if (r.status !== 503) return false;
				assertStorageError(r, rid);
				refused.push(rid);
				return true;
			},
		}));
		for (let i = 0; i < rounds; i++) {
			await sleep(30 + Math.random() * 80);
			failOn(i % 2 ? 'EIO' : 'ENOSPC');
			await sleep(30 + Math.random() * 80);
			failOff();
		}
		running = false;
		await Promise.all(writers);
		await srv.stop();
	} finally {
		running = false;
		failOff();
		await srv.kill();
	}
	assert.ok(refused.length > 0, 'no write met the failing disk');
	assert.ok(ledger.acked.size > 0, 'no write got through');
	checkDatabase(s.db, ledger, { env: s.env, pubkey: s.pubkey });
	const stored = new Set(sql(s.db, "SELECT name FROM assets WHERE name LIKE 'crash-flap-%'").split('\n'));
	for (const line of sql(s.db, "SELECT changes FROM history WHERE register = 'assets' AND action = 'update'").split('\n'))
		if (line.includes('crash-flap-')) stored.add(JSON.parse(line).description[1]);
	for (const rid of refused) assert.ok(!stored.has(rid), `refused write ${rid} was stored`);
	return { acked: ledger.acked.size, refused: refused.length };
}

test('a disk failing on and off under writers: no refused write is stored, no acknowledged one lost', { skip }, async (t) => {
	const r = await flapping(undefined, 20);
	t.diagnostic(`iofail: ${r.acked} writes acknowledged, ${r.refused} refused`);
});

test('fsync failing on and off: the same, the data having reached the file each time', { skip }, async (t) => {
	const r = await flapping('sync', 20);
	t.diagnostic(`iofail sync: ${r.acked} writes acknowledged, ${r.refused} refused`);
});

/*
 * An fsync that fails leaves the write in the file, unconfirmed: the live
 * server never shows it, but a kill -9 before the next write lets SQLite's
 * recovery find it (the message asks the user to check the record for this
 * reason). Whatever surfaces is whole: the record with its audit entry, and
 * the database and the audit log stay intact.
 */
test('fsync failing, then kill -9: a refused write surfaces whole or not at all', { skip }, async () => {
	const srv = await serveShimmed('sync');
	const api = client(srv.url, s.token);
	try {
		failOn('EIO');
		assertStorageError(await api.post('/api/v1/assets', asset('iofail-sync-kill')), 'create');
		assert.equal((await api.get('/api/v1/assets?status=all&q=iofail-sync-kill')).json.total, 0,
			'the live server does not show it');
		failOff();
	} finally {
		failOff();
		await srv.kill('SIGKILL');
	}
	const n = named('iofail-sync-kill');
	assert.ok(n <= 1);
	const audited = Number(sql(s.db, "SELECT count(*) FROM audit_events WHERE action = 'record_create' AND object = " +
		"(SELECT 'assets/' || id FROM assets WHERE name = 'iofail-sync-kill')"));
	assert.equal(audited, n, 'the record and its audit entry go together');
	checkDatabase(s.db, new Ledger(), { env: s.env, pubkey: s.pubkey });
});
