// Two mamori servers on one PostgreSQL database, as behind a load balancer:
// what one server does to a session, a token or an account's failures
// counts on the other at once (nothing kept per process decides access),
// and writes from both at the same time all land, in one gap-free,
// verifiable audit log. SQLite is one machine's database: there the test
// is skipped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import {
	BACKEND,
	STAFF,
	addAccount,
	addApiUser,
	assetInput,
	client,
	request,
	runCli,
	serveDatabase,
	signIn,
	sqlRows,
	startServer,
} from '../lib/server.js';

const SKIP = BACKEND !== 'postgres' && 'two servers share a database only on PostgreSQL (MAMORI_TEST_DB=postgres)';

// Failures lock an account at the fourth; sign-ins per address are counted
// per minute, and this file stays under the limit except where it tests it.
const CONFIG = '[auth]\nmax_failures = 4\nsignin_attempts_per_ip = 1000\n';

let A;
let B;

before(async () => {
	if (SKIP) return;
	A = await startServer({ seed: 'demo', config: CONFIG });
	B = await serveDatabase({ dbPath: A.dbPath, env: A.env });
});

after(async () => {
	await B?.stop();
	await A?.stop();
});

/* A page request with a session cookie; 200 when it is accepted. */
async function page(base, cookie, p = '/account') {
	return request(base, p, { anonymous: true, headers: { Cookie: cookie } });
}

/* The CSRF token of the session's account page. */
async function csrfOf(base, cookie) {
	const r = await page(base, cookie);
	assert.equal(r.status, 200);
	return /name="csrf" value="([0-9a-f]+)"/.exec(r.text)[1];
}

async function postForm(base, p, cookie, fields) {
	return request(base, p, {
		anonymous: true,
		method: 'POST',
		headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields).toString(),
	});
}

async function signInStatus(base, login, password) {
	const r = await postForm(base, '/signin', '', { login, password, next: '/' });
	return r.status;
}

test('a session made on one server works on the other; signing out on one ends it on both', { skip: SKIP }, async () => {
	const cookie = await signIn(A.url, STAFF.login, STAFF.password);
	assert.equal((await page(B.url, cookie)).status, 200);
	assert.match((await page(B.url, cookie)).text, /<dd>staff1<\/dd>/);
	// B has the session's principal cached now; A ends the session.
	const csrf = await csrfOf(A.url, cookie);
	const out = await postForm(A.url, '/signout', cookie, { csrf });
	assert.equal(out.status, 303);
	const r = await page(B.url, cookie);
	assert.equal(r.status, 303, 'B refuses the ended session at once');
	assert.match(r.headers.get('location'), /^\/signin/);
	assert.equal((await page(A.url, cookie)).status, 303);
});

test("a form of one server is accepted by the other: the session's CSRF token is in the database", { skip: SKIP }, async () => {
	const cookie = await signIn(B.url, STAFF.login, STAFF.password);
	const csrf = await csrfOf(A.url, cookie);
	assert.equal((await postForm(B.url, '/signout', cookie, { csrf: 'f'.repeat(64) })).status, 403);
	assert.equal((await page(A.url, cookie)).status, 200, 'a forged form ends nothing');
	assert.equal((await postForm(B.url, '/signout', cookie, { csrf })).status, 303);
	assert.equal((await page(A.url, cookie)).status, 303);
});

test('a token revoked through one server is refused by the other at once', { skip: SKIP }, async () => {
	const u = addApiUser(A, { login: 'two.api', person: '10031' });
	const onB = client(B.url, u.token);
	assert.equal((await onB.get('/api/v1/assets?limit=1')).status, 200);
	assert.equal((await client(A.url, u.token).get('/api/v1/assets?limit=1')).status, 200);
	// Revoked on A's account page by its owner.
	const cookie = await signIn(A.url, 'two.api', 'a kettle on the seventh shelf');
	const acct = await page(A.url, cookie);
	const id = /action="\/account\/tokens\/(\d+)\/revoke"/.exec(acct.text)?.[1];
	const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(acct.text)[1];
	assert.ok(id, 'the token is listed');
	const rv = await postForm(A.url, `/account/tokens/${id}/revoke`, cookie, { csrf });
	assert.equal(rv.status, 303);
	assert.equal((await onB.get('/api/v1/assets?limit=1')).status, 401);
	assert.equal((await client(A.url, u.token).get('/api/v1/assets?limit=1')).status, 401);
});

test('failed sign-ins on both servers add up to one lockout', { skip: SKIP }, async () => {
	const pw = 'mountains beyond the harbour';
	addAccount(A, { login: 'two.lock', person: '10032', password: pw });
	// Two wrong passwords on each server: four in all, the limit.
	for (const base of [A.url, B.url, A.url, B.url])
		assert.equal(await signInStatus(base, 'two.lock', 'not the password at all'), 401);
	// Neither server saw four itself; the account is locked on both.
	assert.equal(await signInStatus(B.url, 'two.lock', pw), 401);
	assert.equal(await signInStatus(A.url, 'two.lock', pw), 401);
	const log = runCli(['audit', 'export', '--format', 'jsonl', '--db', A.dbPath], { env: A.env });
	assert.equal(log.status, 0, log.stderr);
	const locks = log.stdout.trim().split('\n').map((l) => JSON.parse(l))
		.filter((e) => e.action === 'lockout' && e.details.includes('two.lock'));
	assert.equal(locks.length, 1);
	assert.match(locks[0].details, /"failures":"4"/);
});

test('200 records created through both servers at once: all stored, fresh ids, a gap-free verifiable log', { skip: SKIP }, async () => {
	const apis = [client(A.url, A.token), client(B.url, A.token)];
	const before = await apis[0].total('assets');
	const made = [];
	const worker = async (w) => {
		for (let i = w; i < 200; i += 16) {
			const r = await apis[w % 2].post('/api/v1/assets', assetInput({ name: `並行 ${i}` }));
			made.push(r);
		}
	};
	await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
	assert.equal(made.length, 200);
	for (const r of made) assert.equal(r.status, 201, r.text);
	const ids = new Set(made.map((r) => r.json.id));
	const codes = new Set(made.map((r) => r.json.code));
	assert.equal(ids.size, 200);
	assert.equal(codes.size, 200);
	assert.equal(await apis[1].total('assets'), before + 200);
	assert.equal(await apis[0].total('assets'), before + 200);

	const key = path.join(A.dir, 'signer.key');
	const pub = path.join(A.dir, 'signer.pub');
	const cli = (args) => {
		const r = runCli(args, { env: A.env });
		assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
		return r;
	};
	cli(['audit', 'keygen', '--key', key, '--pubkey', pub, '--name', 'city.example/audit']);
	cli(['audit', 'checkpoint', '--key', key, '--db', A.dbPath]);
	const v = cli(['audit', 'verify', '--pubkey', pub, '--db', A.dbPath]);
	assert.match(v.stdout, /^ok: entries 1\.\.\d+ verified/);
	const entries = cli(['audit', 'export', '--format', 'jsonl', '--db', A.dbPath]).stdout.trim().split('\n')
		.map((l) => JSON.parse(l));
	entries.forEach((e, i) => assert.equal(e.seq, i + 1));
	const objects = new Set([...ids].map((id) => `assets/${id}`));
	const creates = entries.filter((e) => e.action === 'record_create' && objects.has(e.object));
	assert.equal(creates.length, 200);
});

// The per-level counts lists read their totals from (level_counts) stay
// right when both servers move records between levels at once, in opposite
// directions, and retire some: each move is in the statement of its update.
test('records moved between levels through both servers at once: the counts agree with the records', { skip: SKIP }, async () => {
	const apis = [client(A.url, A.token), client(B.url, A.token)];
	const made = [];
	for (let i = 0; i < 40; i++) {
		const r = await apis[i % 2].post('/api/v1/assets', assetInput({ name: `移動 ${i}`, confidentiality: 2 + (i % 2) }));
		assert.equal(r.status, 201, r.text);
		made.push(r.json);
	}
	const before = await apis[0].total('assets', 'status=active');
	// Level 2 → 3 and 3 → 2 together, every fourth one retired too.
	await Promise.all(made.map(async (rec, i) => {
		const r = await apis[(i >> 1) % 2].put(`/api/v1/assets/${rec.id}`, {
			...assetInput({ name: rec.name, confidentiality: rec.confidentiality === 2 ? 3 : 2 }),
			version: rec.version,
		});
		assert.equal(r.status, 200, r.text);
		if (i % 4 === 0) {
			const x = await apis[i % 2].post(`/api/v1/assets/${rec.id}/retire`, { version: r.json.version });
			assert.equal(x.status, 200, x.text);
		}
	}));
	const counted = sqlRows(A.dbPath, "SELECT level, active, retired FROM level_counts WHERE register = 'assets' "
		+ 'AND (active <> 0 OR retired <> 0) ORDER BY level');
	const rows = sqlRows(A.dbPath, 'SELECT coalesce(confidentiality, 4) AS level, '
		+ 'count(*) FILTER (WHERE retired = 0) AS active, count(*) FILTER (WHERE retired <> 0) AS retired '
		+ 'FROM assets GROUP BY 1 ORDER BY 1');
	assert.deepEqual(counted, rows);
	// The ten retired leave the list of 事務局, read from those counts.
	assert.equal(await apis[1].total('assets', 'status=active'), before - 10);
});
