// mamori backup and mamori restore: a consistent copy taken while the
// server serves and writes, the restore drill (the copy passes the integrity
// check and holds the same records), and every refusal leaving things as
// they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { BACKEND, MAMORI_BIN, assetInput, client, runCli, useServer } from '../lib/server.js';
import { serveDb } from '../lib/serve_db.js';

/* These tests read and write the SQLite files of backups with sqlite3; a
 * database on a PostgreSQL server is not a file to copy that way. */
const SKIP = BACKEND === 'postgres' && 'backup and restore of SQLite files (PostgreSQL: mamori db copy, db_copy.test.js)';
const t = SKIP ? {} : useServer({ seed: 'demo' });

const file = (name) => path.join(t.srv.dir, name);
const exportCsv = (db) => {
	const r = runCli(['asset', 'export', '--db', db, '--format', 'csv', '--status', 'all'], { env: t.srv.env });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout;
};
/* runCli without blocking the event loop, so that requests go on meanwhile. */
const runCliAsync = (args) => new Promise((resolve) => {
	const p = spawn(MAMORI_BIN, args, { env: t.srv.env });
	let stdout = '', stderr = '';
	p.stdout.on('data', (d) => { stdout += d; });
	p.stderr.on('data', (d) => { stderr += d; });
	p.on('close', (status) => resolve({ status, stdout, stderr }));
});
const sql = (db, q) => spawnSync('sqlite3', [db, q], { encoding: 'utf8' });

test('a backup taken while the server writes is consistent, private, and restores the same records', { skip: SKIP }, async (ctx) => {
	if (sql(t.srv.dbPath, 'SELECT 1').error) return ctx.skip('no sqlite3 to check the copies with');
	// Writes go on during the backup: the copy holds a state the log knows.
	let writing = true;
	const writer = (async () => {
		for (let i = 0; writing && i < 200; i++)
			assert.equal((await t.api.post('/api/v1/assets', assetInput({ name: `書込み中 ${i}` }))).status, 201);
	})();
	const out = file('backup-1.db');
	const r = await runCliAsync(['backup', '--db', t.srv.dbPath, '--out', out]);
	writing = false;
	await writer;
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout.trim(), out);
	assert.equal(statSync(out).mode & 0o777, 0o600, 'only its owner may read a copy of every record');
	assert.equal(sql(out, 'PRAGMA integrity_check').stdout.trim(), 'ok');
	const inCopy = Number(sql(out, 'SELECT count(*) FROM assets').stdout);
	assert.ok(inCopy >= 200, `the copy holds the demo assets (${inCopy})`);

	// The backup is recorded, as a privileged action, in the live log.
	const ev = sql(t.srv.dbPath, "SELECT actor, details FROM audit_events WHERE action = 'backup'").stdout;
	assert.match(ev, /^cli:.*"privileged":true/m);

	// The drill: restore into a fresh database; its records are the copy's.
	const restored = file('restored.db');
	const rs = runCli(['restore', '--db', restored, '--from', out], { env: t.srv.env });
	assert.equal(rs.status, 0, rs.stderr);
	assert.equal(sql(restored, 'PRAGMA integrity_check').stdout.trim(), 'ok');
	assert.equal(exportCsv(restored), exportCsv(out));
	assert.match(sql(restored, "SELECT action FROM audit_events WHERE action = 'restore'").stdout, /restore/);
});

test('backup refuses to write over a file, and says what it needs', { skip: SKIP }, () => {
	const out = file('taken.db');
	writeFileSync(out, 'keep me');
	let r = runCli(['backup', '--db', t.srv.dbPath, '--out', out], { env: t.srv.env });
	assert.equal(r.status, 1);
	assert.match(r.stderr, /exists already/);
	assert.equal(readFileSync(out, 'utf8'), 'keep me');
	r = runCli(['backup', '--db', t.srv.dbPath], { env: t.srv.env });
	assert.equal(r.status, 2);
	assert.match(r.stderr, /--out FILE is required/);
	r = runCli(['backup', '--db', t.srv.dbPath, '--out', file('no/such/dir/x.db')], { env: t.srv.env });
	assert.equal(r.status, 1);
	assert.ok(!existsSync(file('no/such/dir/x.db')));
});

test('restore refuses what is not an intact mamori database, and changes nothing', { skip: SKIP }, async (ctx) => {
	if (sql(t.srv.dbPath, 'SELECT 1').error) return ctx.skip('no sqlite3 to make the bad copies with');
	const target = file('target.db');
	assert.equal(runCli(['init', '--db', target], { env: t.srv.env }).status, 0);
	assert.equal(runCli(['section', 'add', '--db', target, '--set', 'code=9001', '--set', 'name=残る課',
		'--set', 'kind=division'], { env: t.srv.env }).status, 0);
	const before = exportCsv(target);
	const junk = file('junk.db');
	writeFileSync(junk, 'this is not a database at all, only text');
	const other = file('other.db');
	sql(other, 'CREATE TABLE t(x); INSERT INTO t VALUES (1);');
	const cases = [
		[junk, /not an intact database/],
		[other, /not a mamori database/],
		[file('missing.db'), /no such file/],
	];
	for (const [from, msg] of cases) {
		const r = runCli(['restore', '--db', target, '--from', from], { env: t.srv.env });
		assert.equal(r.status, 1, from);
		assert.match(r.stderr, msg);
	}
	// A copy from a newer mamori.
	const newer = file('newer.db');
	assert.equal(runCli(['backup', '--db', t.srv.dbPath, '--out', newer], { env: t.srv.env }).status, 0);
	sql(newer, 'INSERT INTO schema_migrations(version, applied_at) VALUES (9999, 0)');
	const r = runCli(['restore', '--db', target, '--from', newer], { env: t.srv.env });
	assert.equal(r.status, 1);
	assert.match(r.stderr, /newer version of mamori/);
	assert.equal(exportCsv(target), before);
	assert.match(sql(target, "SELECT name FROM sections WHERE code = '9001'").stdout, /残る課/);
});

test('the restore drill: a copy taken under writes restores to a database that verifies and serves the same records', async (ctx) => {
	if (BACKEND !== 'sqlite') return ctx.skip('PostgreSQL is backed up with its own tools (docs/backup.md)');
	if (sql(t.srv.dbPath, 'SELECT 1').error) return ctx.skip('no sqlite3 to check the copies with');
	const key = file('drill.key');
	const pub = file('drill.pub');
	let r = runCli(['audit', 'keygen', '--key', key, '--pubkey', pub, '--name', 'drill.test/audit'], { env: t.srv.env });
	assert.equal(r.status, 0, r.stderr);
	r = runCli(['audit', 'checkpoint', '--db', t.srv.dbPath, '--key', key], { env: t.srv.env });
	assert.equal(r.status, 0, r.stderr);

	// Writers create and edit while the copy is taken; what was
	// acknowledged before the backup began must be in it.
	const before = [];
	let backingUp = false;
	let writing = true;
	const writer = (async () => {
		for (let i = 0; writing && i < 400; i++) {
			const c = await t.api.post('/api/v1/assets', assetInput({ name: `訓練 ${i}` }));
			assert.equal(c.status, 201, c.text);
			const e = await t.api.put(`/api/v1/assets/${c.json.id}`, { description: `版2 ${i}` },
				{ headers: { 'If-Match': '"1"' } });
			assert.equal(e.status, 200, e.text);
			if (!backingUp) before.push(e.json);
		}
	})();
	while (before.length < 5) await new Promise((res) => setTimeout(res, 20));
	backingUp = true;
	const copy = file('drill-copy.db');
	r = await runCliAsync(['backup', '--db', t.srv.dbPath, '--out', copy]);
	writing = false;
	await writer;
	assert.equal(r.status, 0, r.stderr);

	const restored = file('drill-restored.db');
	r = runCli(['restore', '--db', restored, '--from', copy], { env: t.srv.env });
	assert.equal(r.status, 0, r.stderr);
	assert.equal(sql(restored, 'PRAGMA integrity_check').stdout.trim(), 'ok');
	r = runCli(['audit', 'verify', '--db', restored, '--pubkey', pub], { env: t.srv.env });
	assert.equal(r.status, 0, `audit verify of the restored database: ${r.stdout}${r.stderr}`);
	// Its log is the live log up to the copy, then the restore's own entry.
	const chain = (db, n) => sql(db, `SELECT seq, hex(chain) FROM audit_events ORDER BY seq LIMIT ${n}`).stdout;
	const copied = Number(sql(copy, 'SELECT count(*) FROM audit_events').stdout);
	assert.equal(chain(restored, copied), chain(t.srv.dbPath, copied));

	// Served, it lists what the live server lists of the records the copy
	// holds: every one acknowledged before the backup, none changed since
	// (the drill's records stop at the copy; the demo's are untouched).
	const srv2 = await serveDb(restored, { env: t.srv.env });
	try {
		const api2 = client(srv2.url, t.srv.token);
		for (const reg of ['assets', 'sections', 'people', 'risks', 'systems']) {
			const got = await api2.all(reg);
			const live = new Map((await t.api.all(reg)).map((x) => [x.id, x]));
			assert.ok(got.length > 0, reg);
			for (const x of got) {
				const y = live.get(x.id);
				assert.ok(y, `${reg} ${x.id} of the copy is not live`);
				if (y.version === x.version) assert.deepEqual(x, y, `${reg} ${x.id}`);
			}
		}
		const got = new Map((await api2.all('assets')).map((x) => [x.id, x]));
		for (const w of before) assert.deepEqual(got.get(w.id), w, `asset ${w.id}, written before the backup`);
		// And nothing of the copy is half a write: a drill asset is at
		// version 1 with no description, or at version 2 with its own.
		for (const x of got.values()) {
			const m = /^訓練 (\d+)$/.exec(x.name);
			if (!m) continue;
			assert.ok(x.version === 1 ? x.description === null : x.description === `版2 ${m[1]}`, x.name);
		}
	} finally {
		await srv2.stop();
	}
});
