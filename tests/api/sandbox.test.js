// Least privilege of mamori serve (issue 6): the serving process runs under
// the seccomp filter with no_new_privs, leaves root for the service user
// once its port and database are open, and refuses root without one. What
// the filter refuses (exec, fork, raw sockets, ptrace, setuid, W+X memory)
// is proven on the very same filter by tests/unit/test_sandbox.c; the rest
// of the API suite proves that serving works under it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { MAMORI_BIN, runCli, useServer } from '../lib/server.js';

const t = useServer({ seed: 'empty' });
const IS_ROOT = process.getuid() === 0;
const NOT_ROOT = 'the tests do not run as root: no privileges to drop';

/* The fields of /proc/PID/status as name → text. */
function procStatus(pid) {
	const out = {};
	for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
		const m = /^([A-Za-z_]+):\s*(.*)$/.exec(line);
		if (m) out[m[1]] = m[2].trim();
	}
	return out;
}

/* uid and gid of a user from the password database, or null. */
function account(name) {
	const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
	if (r.status !== 0) return null;
	const f = r.stdout.trim().split(':');
	return { name, uid: Number(f[2]), gid: Number(f[3]) };
}

const NOBODY = account('nobody');

/* Runs mamori serve on db; resolves to {child, url, status, err()} once it
 * serves, or {status, err()} when it exits first. spawnOpts may set uid
 * and gid. */
function serve(db, args = [], { env = {}, spawnOpts = {} } = {}) {
	const child = spawn(MAMORI_BIN, ['serve', '--db', db, '--port', '0', '--listen', '127.0.0.1', ...args], {
		stdio: ['ignore', 'ignore', 'pipe'],
		env: { ...process.env, MAMORI_CONFIG: '/dev/null', ...env },
		...spawnOpts,
	});
	let err = '';
	child.stderr.setEncoding('utf8');
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
	return new Promise((resolve) => {
		const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
		child.stderr.on('data', (c) => {
			err += c;
			const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(err);
			if (m) {
				clearTimeout(timer);
				resolve({
					child,
					url: m[1],
					err: () => err,
					stop: () => (child.kill('SIGTERM'), exited),
				});
			}
		});
		exited.then((status) => {
			clearTimeout(timer);
			resolve({ status, err: () => err });
		});
	});
}

/* A directory owned by the service user with a database made by root, as
 * when an administrator runs 'sudo mamori init'. */
const dirs = [];
function rootMadeDatabase() {
	const dir = mkdtempSync(path.join(tmpdir(), 'mamori-sandbox-'));
	dirs.push(dir);
	const db = path.join(dir, 'mamori.db');
	const r = runCli(['init', '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	return { dir, db };
}
function chownAll(dir, who) {
	chownSync(dir, who.uid, who.gid);
	for (const f of readdirSync(dir)) chownSync(path.join(dir, f), who.uid, who.gid);
}
after(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('the serving process runs under the seccomp filter with no_new_privs', async () => {
	const s = procStatus(t.srv.pid);
	assert.equal(s.Seccomp, '2', 'seccomp mode 2 (filter)');
	assert.ok(Number(s.Seccomp_filters) >= 1, `Seccomp_filters: ${s.Seccomp_filters}`);
	assert.equal(s.NoNewPrivs, '1');
	// It serves under the filter: pages, the API and an XLSX export (a
	// temporary file) all answer.
	assert.equal((await t.api.get('/healthz')).status, 200);
	assert.equal((await t.api.get('/api/v1/assets')).status, 200);
	const x = await t.api.get('/api/v1/assets/export.xlsx');
	assert.equal(x.status, 200);
	assert.equal(x.bytes.subarray(0, 2).toString(), 'PK');
	assert.equal(procStatus(t.srv.pid).Seccomp, '2', 'still alive under the filter');
});

test('[server] seccomp = off and --seccomp off leave the filter out, and only that', async () => {
	const { db } = rootMadeDatabase();
	const asRoot = IS_ROOT ? ['--allow-root'] : [];
	const file = path.join(path.dirname(db), 'off.conf');
	writeFileSync(file, '[server]\nseccomp = off\n');
	for (const [args, env] of [[['--seccomp', 'off'], {}], [[], { MAMORI_CONFIG: file }]]) {
		const s = await serve(db, [...asRoot, ...args], { env });
		assert.ok(s.child, s.err());
		const st = procStatus(s.child.pid);
		assert.equal(st.Seccomp, '0');
		assert.equal(st.NoNewPrivs, '1');
		assert.equal(await s.stop(), 0);
	}
});

test('a seccomp setting other than on or off is refused before serving', async () => {
	const { db } = rootMadeDatabase();
	const bad = runCli(['serve', '--db', db, '--port', '0', '--seccomp', 'maybe']);
	assert.equal(bad.status, 2);
	assert.match(bad.stderr, /--seccomp must be on or off/);
	const file = path.join(path.dirname(db), 'bad.conf');
	writeFileSync(file, '[server]\nseccomp = maybe\n');
	const conf = runCli(['serve', '--db', db, '--port', '0'], { env: { MAMORI_CONFIG: file } });
	assert.equal(conf.status, 1);
	assert.match(conf.stderr, /bad\.conf:2: unknown setting or bad value/);
});

test('started as root with no service user, serve refuses (unless --allow-root)', { skip: !IS_ROOT && NOT_ROOT }, async () => {
	const { db } = rootMadeDatabase();
	const s = await serve(db);
	assert.equal(s.status, 1);
	assert.match(s.err(), /root では動作しません.*--user/);
	assert.doesNotMatch(s.err(), /serving/);
	const en = await serve(db, ['--lang', 'en']);
	assert.match(en.err(), /refusing to serve as root: name a service user with \[server\] user or --user/);
	const allowed = await serve(db, ['--allow-root']);
	assert.ok(allowed.child, allowed.err());
	assert.match(allowed.err(), /警告: root のまま動作します/);
	assert.equal(procStatus(allowed.child.pid).Uid.split(/\s+/)[0], '0');
	assert.equal(await allowed.stop(), 0);
});

test('--user leaves root: ids, groups and capabilities of the service user; files stay its own', { skip: !(IS_ROOT && NOBODY) && (IS_ROOT ? 'no user nobody' : NOT_ROOT) }, async () => {
	const { dir, db } = rootMadeDatabase();
	// A database made by root is refused with the command that fixes it,
	// before anything is served.
	const refused = await serve(db, ['--user', 'nobody']);
	assert.equal(refused.status, 1);
	assert.match(refused.err(), /user nobody cannot write .*mamori\.db .*chown nobody: /);
	assert.doesNotMatch(refused.err(), /serving/);

	chownAll(dir, NOBODY);
	const s = await serve(db, ['--user', 'nobody']);
	assert.ok(s.child, s.err());
	const st = procStatus(s.child.pid);
	const ids = (v) => v.split(/\s+/).map(Number);
	assert.deepEqual(ids(st.Uid), [NOBODY.uid, NOBODY.uid, NOBODY.uid, NOBODY.uid]);
	assert.deepEqual(ids(st.Gid), [NOBODY.gid, NOBODY.gid, NOBODY.gid, NOBODY.gid]);
	assert.ok(!ids(st.Groups).includes(0), `no root group: ${st.Groups}`);
	for (const cap of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'])
		assert.match(st[cap], /^0+$/, `${cap} ${st[cap]}`);
	assert.equal(st.Seccomp, '2');
	assert.equal(st.NoNewPrivs, '1');

	// It writes as the user: a refused sign-in is recorded in the audit
	// log, and the WAL files SQLite made are the user's.
	const res = await fetch(`${s.url}/signin`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: 'login=nobody-here&password=wrong-password-123&next=/',
		redirect: 'manual',
	});
	assert.ok(res.status < 500, `sign-in answered ${res.status}`);
	for (const f of readdirSync(dir))
		assert.equal(statSync(path.join(dir, f)).uid, NOBODY.uid, `${f} belongs to nobody`);
	assert.ok(existsSync(`${db}-wal`));
	assert.equal(await s.stop(), 0, s.err());
	const rows = spawnSync('sqlite3', [db, "SELECT action FROM audit_events WHERE action IN ('signin_failed', 'server_stop') ORDER BY seq"], { encoding: 'utf8' });
	assert.match(rows.stdout, /server_stop/, rows.stdout + rows.stderr);
});

test('root, unknown users and a switch without root are refused', { skip: !(IS_ROOT && NOBODY) && (IS_ROOT ? 'no user nobody' : NOT_ROOT) }, async () => {
	const { dir, db } = rootMadeDatabase();
	const root = await serve(db, ['--user', 'root']);
	assert.equal(root.status, 1);
	assert.match(root.err(), /user root is root; name an unprivileged user/);
	const none = await serve(db, ['--user', 'no-such-user-mamori']);
	assert.equal(none.status, 1);
	assert.match(none.err(), /no such user: no-such-user-mamori/);

	// Started as the user itself (systemd's User=), serve needs no switch;
	// asked to switch to another user, it cannot and says so.
	chownAll(dir, NOBODY);
	const as = { spawnOpts: { uid: NOBODY.uid, gid: NOBODY.gid } };
	const other = await serve(db, ['--user', 'daemon'], as);
	assert.equal(other.status, 1);
	assert.match(other.err(), /cannot switch to user daemon: not started as root/);
	const self = await serve(db, [], as);
	assert.ok(self.child, self.err());
	assert.equal(procStatus(self.child.pid).Uid.split(/\s+/)[0], String(NOBODY.uid));
	assert.equal(procStatus(self.child.pid).Seccomp, '2');
	assert.equal(await self.stop(), 0);
});

test('[server] user in the configuration file does what --user does', { skip: !(IS_ROOT && NOBODY) && (IS_ROOT ? 'no user nobody' : NOT_ROOT) }, async () => {
	const { dir, db } = rootMadeDatabase();
	const file = path.join(dir, 'user.conf');
	writeFileSync(file, '[server]\nuser = nobody\n');
	chownAll(dir, NOBODY);
	const s = await serve(db, [], { env: { MAMORI_CONFIG: file } });
	assert.ok(s.child, s.err());
	assert.equal(procStatus(s.child.pid).Uid.split(/\s+/)[0], String(NOBODY.uid));
	assert.equal(await s.stop(), 0);
});
