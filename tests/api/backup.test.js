// mamori backup and mamori restore: a consistent copy taken while the
// server serves and writes, the restore drill (the copy passes the integrity
// check and holds the same records), and every refusal leaving things as
// they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { BACKEND, MAMORI_BIN, assetInput, runCli, useServer } from '../lib/server.js';

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
