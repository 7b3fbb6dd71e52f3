// mamori db copy and mamori migrate: a used demo database copied into a new
// one keeps its records, history, grants, accounts, API tokens and a
// verifiable audit log; the copy hands out fresh ids; a copy onto a
// database that is not empty, of a different schema version, onto itself or
// from a URL that names nothing is refused and changes nothing. With a
// PostgreSQL cluster at hand (MAMORI_TEST_DB=postgres runs the whole suite
// on it), a SQLite database goes to PostgreSQL and back, verified each way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
	BACKEND,
	assetInput,
	client,
	newDatabase,
	pgReachable,
	runCli,
	serveDatabase,
	sql,
	useServer,
} from '../lib/server.js';

const t = useServer({ seed: 'demo' });

/* The registers the CLI lists, by verb. */
const VERBS = ['asset', 'system', 'section', 'person', 'role', 'role_holder', 'risk', 'threat',
	'vulnerability', 'risk_assessment'];

function cli(args, env = t.srv.env) {
	return runCli(args, { env });
}

function ok(args, env) {
	const r = cli(args, env);
	assert.equal(r.status, 0, `mamori ${args.join(' ')}: ${r.stderr}`);
	return r;
}

/* What a database holds, read through the CLI: every register's records,
 * the accounts, and the audit log's entries. */
function contents(db) {
	const out = {};
	for (const v of VERBS)
		out[v] = ok([v, 'list', '--db', db, '--json', '--status', 'all', '--limit', '100000']).stdout;
	out.users = ok(['user', 'list', '--db', db]).stdout;
	out.audit = ok(['audit', 'export', '--format', 'jsonl', '--db', db]).stdout.trim().split('\n')
		.map((l) => JSON.parse(l));
	return out;
}

/* The rows printed per table by db copy. */
function tableRows(stdout) {
	return Object.fromEntries(stdout.trim().split('\n').map((l) => l.split('\t'))
		.map(([k, v]) => [k, Number(v)]));
}

let keys;
function signingKey() {
	if (keys) return keys;
	keys = { key: path.join(t.srv.dir, 'signer.key'), pub: path.join(t.srv.dir, 'signer.pub') };
	ok(['audit', 'keygen', '--key', keys.key, '--pubkey', keys.pub, '--name', 'city.example/audit']);
	return keys;
}

/* A scratch directory and the databases made in it, dropped at the end. */
function scratch() {
	const dir = mkdtempSync(path.join(tmpdir(), 'mamori-copy-'));
	const made = [];
	return {
		dir,
		db(name, backend) {
			const d = newDatabase(dir, name, backend);
			made.push(d);
			return d.url;
		},
		done() {
			for (const d of made) d.drop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/* Some of everything: a created, edited and retired record, a grant, an
 * account, an API token, and a signed checkpoint. Returns the new asset. */
async function activity() {
	const c = await t.api.post('/api/v1/assets', assetInput({ name: 'コピー前の資産', location: '一階' }));
	assert.equal(c.status, 201);
	const id = c.json.id;
	let r = await t.api.put(`/api/v1/assets/${id}`, { location: '二階' }, { headers: { 'If-Match': '"1"' } });
	assert.equal(r.status, 200);
	r = await t.api.post(`/api/v1/assets/${id}/retire`, { version: 2 });
	assert.equal(r.status, 200);
	ok(['asset', 'grant', String(id), '--db', t.srv.dbPath, '--person', '10030', '--kind', 'read']);
	const u = runCli(['user', 'add', '--db', t.srv.dbPath, '--login', 'copy.user', '--person', '10031',
		'--password-stdin'], { env: t.srv.env, input: 'a lantern by the river gate\n' });
	assert.equal(u.status, 0, u.stderr);
	const { key } = signingKey();
	ok(['audit', 'checkpoint', '--key', key, '--db', t.srv.dbPath]);
	return id;
}

test('a used database copied into a new one: same records, history, accounts and a verifiable log', async () => {
	const s = scratch();
	try {
		const id = await activity();
		const before = contents(t.srv.dbPath);
		const to = s.db('copy');
		const r = runCli(['db', 'copy', '--from', t.srv.dbPath, '--to', to], { env: t.srv.env });
		assert.equal(r.status, 0, r.stderr);
		const rows = tableRows(r.stdout);
		assert.equal(rows.assets, JSON.parse(`[${before.asset.trim().split('\n').join(',')}]`).length);
		assert.equal(rows.audit_checkpoints, 1);
		assert.ok(rows.history > 1000 && rows.grants > 0 && rows.tokens >= 1, r.stdout);
		assert.ok(!('schema_migrations' in rows));

		const { pub } = signingKey();
		const v = runCli(['audit', 'verify', '--pubkey', pub, '--db', to]);
		assert.equal(v.status, 0, v.stderr + v.stdout);
		assert.match(v.stdout, /^ok: entries 1\.\.\d+ verified, 1 checkpoint signatures/);

		const after = contents(to);
		for (const k of [...VERBS, 'users']) assert.equal(after[k], before[k], k);
		// The copy's log is the source's, then one entry recording the copy.
		assert.deepEqual(after.audit.slice(0, before.audit.length), before.audit);
		assert.equal(after.audit.length, before.audit.length + 1);
		const last = after.audit.at(-1);
		assert.equal(last.action, 'db_copy');
		assert.equal(JSON.parse(last.details).privileged, true);

		// A server on the copy takes the source's API token, shows the same
		// history and grants, and hands out a new id.
		const srv = await serveDatabase({ dbPath: to, env: t.srv.env });
		try {
			const api = client(srv.url, t.srv.token);
			const src = client(t.srv.url, t.srv.token);
			assert.deepEqual(await api.history('assets', id), await src.history('assets', id));
			assert.deepEqual(await api.record('assets', id), await src.record('assets', id));
			const g = await api.get(`/api/v1/assets/${id}/grants`);
			assert.equal(g.status, 200);
			assert.deepEqual(g.json, (await src.get(`/api/v1/assets/${id}/grants`)).json);
			// The search index is rebuilt on the copy.
			const found = await api.get(`/api/v1/assets?q=${encodeURIComponent('コピー前の資産')}&status=all`);
			assert.deepEqual(found.json.items.map((a) => a.id), [id]);
			const made = await api.post('/api/v1/assets', assetInput({ name: 'コピー後の資産' }));
			assert.equal(made.status, 201, made.text);
			assert.equal(made.json.id, id + 1);
			assert.notEqual(made.json.code, (await api.record('assets', id)).code);
			const bad = client(srv.url, 'mm_not-a-token');
			assert.equal((await bad.get('/api/v1/assets')).status, 401);
		} finally {
			await srv.stop();
		}
		// What the source's server did meanwhile is not in the copy.
		assert.equal((await t.api.get(`/api/v1/assets/${id + 1}`)).status, 404);
	} finally {
		s.done();
	}
});

test('a destination that is not empty is refused and left as it was', () => {
	const s = scratch();
	try {
		const to = s.db('full');
		ok(['db', 'copy', '--from', t.srv.dbPath, '--to', to]);
		const count = () => sql(to, 'SELECT count(*) FROM audit_events').trim();
		const n = count();
		const r = cli(['db', 'copy', '--from', t.srv.dbPath, '--to', to]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /コピー先が空ではありません/);
		assert.equal(r.stdout, '');
		assert.equal(count(), n);
		const en = cli(['db', 'copy', '--from', t.srv.dbPath, '--to', to, '--lang', 'en']);
		assert.equal(en.status, 1);
		assert.match(en.stderr, /the destination is not empty \(\w+ holds rows\); nothing was changed/);

		// A database made by init holds records (the default profile).
		const inited = s.db('inited');
		ok(['init', '--db', inited]);
		const i = cli(['db', 'copy', '--from', t.srv.dbPath, '--to', inited]);
		assert.equal(i.status, 1);
		assert.match(i.stderr, /空ではありません/);
		assert.equal(sql(inited, 'SELECT count(*) FROM accounts').trim(), '0');
	} finally {
		s.done();
	}
});

test('copying a database onto itself is refused', () => {
	const r = cli(['db', 'copy', '--from', t.srv.dbPath, '--to', t.srv.dbPath]);
	assert.equal(r.status, 1);
	assert.match(r.stderr, /同じデータベース/);
	if (BACKEND === 'sqlite') {
		// The same file under another name.
		const alias = cli(['db', 'copy', '--from', t.srv.dbPath, '--to', `sqlite:${t.srv.dbPath}`]);
		assert.equal(alias.status, 1);
		assert.match(alias.stderr, /同じデータベース/);
	}
});

test('bad URLs are refused without creating anything', () => {
	const s = scratch();
	try {
		const missing = path.join(s.dir, 'missing.db');
		let r = cli(['db', 'copy', '--from', missing, '--to', s.db('a', 'sqlite')]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /コピー元のファイルがありません/);
		assert.ok(!existsSync(missing));
		r = cli(['db', 'copy', '--from', t.srv.dbPath, '--to', 'mysql://localhost/x']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /データベースを開けません.*unknown database URL scheme/);
		r = cli(['db', 'copy', '--from', t.srv.dbPath, '--to', path.join(s.dir, 'no/such/dir/x.db')]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /データベースを開けません/);
		r = cli(['db', 'copy', '--from', t.srv.dbPath]);
		assert.equal(r.status, 2);
		assert.match(r.stderr, /--from URL と --to URL が必要です/);
		r = cli(['db', 'move', '--from', t.srv.dbPath]);
		assert.equal(r.status, 2);
		// A file that is no mamori database is refused as a source.
		const plain = s.db('plain', 'sqlite');
		sql(plain, 'CREATE TABLE x(y)');
		const to = s.db('b', 'sqlite');
		r = cli(['db', 'copy', '--from', plain, '--to', to]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /mamori のデータベースではありません/);
	} finally {
		s.done();
	}
});

test('migrate makes an empty database at the current version; another version is refused', () => {
	const s = scratch();
	try {
		const older = s.db('older');
		const m = ok(['migrate', '--db', older]);
		const version = Number(/スキーマのバージョン (\d+)/.exec(m.stdout)?.[1]);
		assert.ok(version >= 14, m.stdout);
		assert.equal(sql(older, 'SELECT count(*) FROM accounts').trim(), '0');
		// As if made by an older mamori: its last migration not applied.
		sql(older, `DELETE FROM schema_migrations WHERE version = ${version}`);
		const to = s.db('newer');
		const r = cli(['db', 'copy', '--from', older, '--to', to]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, new RegExp(`バージョンが異なります（コピー元 ${version - 1}、コピー先 ${version}）`));
		assert.equal(sql(to, 'SELECT count(*) FROM audit_events').trim(), '0');
		// The source was only read: still one migration short.
		assert.equal(sql(older, 'SELECT max(version) FROM schema_migrations').trim(), String(version - 1));
	} finally {
		s.done();
	}
});

/* Whether this build has the PostgreSQL backend and a cluster answers. */
function postgresAvailable(dir) {
	if (!pgReachable()) return false;
	const probe = newDatabase(dir, 'probe', 'postgres');
	try {
		return runCli(['migrate', '--db', probe.url]).status === 0;
	} finally {
		probe.drop();
	}
}

test('SQLite to PostgreSQL and back: verified each way, the same contents at the end', async (ctx) => {
	const s = scratch();
	try {
		if (!postgresAvailable(s.dir))
			return ctx.skip('no PostgreSQL: this build has no backend for it or no cluster answers');
		const { pub } = signingKey();
		// The test server's database (whichever backend it is on) to a
		// SQLite file, then to PostgreSQL, then to SQLite again.
		const first = s.db('first', 'sqlite');
		const pg = s.db('pg', 'postgres');
		const last = s.db('last', 'sqlite');
		ok(['db', 'copy', '--from', t.srv.dbPath, '--to', first]);
		const a = ok(['db', 'copy', '--from', first, '--to', pg]);
		const b = ok(['db', 'copy', '--from', pg, '--to', last]);
		for (const db of [first, pg, last]) {
			const v = runCli(['audit', 'verify', '--pubkey', pub, '--db', db]);
			assert.equal(v.status, 0, `${db}: ${v.stderr}${v.stdout}`);
		}
		const ra = tableRows(a.stdout);
		const rb = tableRows(b.stdout);
		for (const k of Object.keys(ra))
			assert.equal(rb[k], k === 'audit_events' ? ra[k] + 1 : ra[k], k);
		const [c1, c3] = [contents(first), contents(last)];
		for (const k of [...VERBS, 'users']) assert.equal(c3[k], c1[k], k);
		assert.deepEqual(c3.audit.slice(0, c1.audit.length), c1.audit);
		// The PostgreSQL copy serves and hands out fresh ids (with a key
		// file named: a database on a server has none beside it).
		const conf = path.join(s.dir, 'pg.conf');
		writeFileSync(conf, `[security]\nkey_file = ${path.join(s.dir, 'pg.key')}\n`);
		const srv = await serveDatabase({ dbPath: pg, env: { ...t.srv.env, MAMORI_CONFIG: conf } });
		try {
			const api = client(srv.url, t.srv.token);
			const total = await api.total('assets');
			const made = await api.post('/api/v1/assets', assetInput({ name: 'PostgreSQL の資産' }));
			assert.equal(made.status, 201, made.text);
			assert.ok(made.json.id > total);
			assert.equal((await api.record('assets', made.json.id)).name, 'PostgreSQL の資産');
		} finally {
			await srv.stop();
		}
	} finally {
		s.done();
	}
});

test('db copy and migrate have help', () => {
	for (const [verb, re] of [['db', /mamori db copy --from URL --to URL/], ['migrate', /mamori migrate --db URL/]]) {
		const r = runCli(['help', verb]);
		assert.equal(r.status, 0);
		assert.match(r.stdout, re);
	}
	assert.match(runCli(['help']).stdout, /db copy/);
});
