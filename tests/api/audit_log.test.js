// The tamper-evident audit log from the command line: keys and their file
// permissions, signed checkpoints, verify (clean, tampered, wrong key),
// proofs, exports, archive, the syslog streamer, and that no secret of the
// sign-in and token flows ever lands in an entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import path from 'node:path';

import { ADMIN, STAFF, runCli, signIn, sql as sqlText, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

const db = () => ['--db', t.srv.dbPath];
const file = (name) => path.join(t.srv.dir, name);
const audit = (...args) => runCli(['audit', ...args, ...db()]);

function sql(q) {
	return sqlText(t.srv.dbPath, q).trim();
}

function exportJsonl() {
	const r = audit('export', '--format', 'jsonl');
	assert.equal(r.status, 0, r.stderr);
	return r.stdout;
}

let keys;
function keygen() {
	if (keys) return keys;
	const key = file('signer.key');
	const pub = file('signer.pub');
	const r = runCli(['audit', 'keygen', '--key', key, '--pubkey', pub, '--name', 'city.example/audit']);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /^city\.example\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+\n$/);
	assert.equal(statSync(key).mode & 0o777, 0o600);
	assert.equal(readFileSync(pub, 'utf8'), r.stdout);
	keys = { key, pub };
	return keys;
}

test('sign-in, failed sign-in and token flows leave entries without any secret', async () => {
	const cookie = await signIn(t.srv.url, STAFF.login, STAFF.password);
	const bad = await fetch(t.srv.url + '/signin', {
		method: 'POST',
		redirect: 'manual',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: `login=${STAFF.login}&password=WRONG-secret-password-4711`,
	});
	assert.ok(bad.status >= 200);
	const tok = runCli(['token', 'create', ...db(), '--login', ADMIN.login, '--label', 'audit test']);
	assert.equal(tok.status, 0, tok.stderr);
	const token = tok.stdout.trim().split('\n').pop();
	const text = exportJsonl();
	const entries = text.trim().split('\n').map((l) => JSON.parse(l));
	assert.ok(entries.some((e) => e.action === 'signin' && e.result === 'ok'));
	assert.ok(entries.some((e) => e.action === 'signin' && e.result !== 'ok'));
	const seeds = t.srv.initStdout.match(/[A-Z2-7]{16,}/g) ?? [];
	for (const secret of [STAFF.password, ADMIN.password, 'WRONG-secret-password-4711', token,
		cookie.split('=')[1], ...seeds])
		assert.ok(!text.includes(secret), `a secret is in the log: ${secret.slice(0, 6)}…`);
	// Sequence numbers have no gaps.
	entries.forEach((e, i) => assert.equal(e.seq, i + 1));
});

test('a signing key readable by others is refused; the right one signs and verify passes', () => {
	const { key, pub } = keygen();
	chmodSync(key, 0o640);
	let r = audit('checkpoint', '--key', key);
	assert.equal(r.status, 1);
	assert.match(r.stderr, /readable by its owner only/);
	assert.equal(sql('SELECT count(*) FROM audit_checkpoints'), '0');
	chmodSync(key, 0o600);
	r = audit('checkpoint', '--key', key);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /checkpoint signed: \d+ entries/);
	r = audit('verify', '--pubkey', pub);
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /^ok: entries 1\.\.\d+ verified, 1 checkpoint signatures/);
	r = audit('status');
	assert.equal(r.status, 0, r.stdout);
	assert.match(r.stdout, /unsigned entries: 0/);
});

test('verify needs a public key and refuses another one', () => {
	const { pub } = keygen();
	let r = audit('verify');
	assert.equal(r.status, 2);
	assert.match(r.stderr, /--pubkey/);
	const other = runCli(['audit', 'keygen', '--key', file('other.key'), '--name', 'city.example/audit']);
	assert.equal(other.status, 0, other.stderr);
	writeFileSync(file('other.pub'), other.stdout);
	r = audit('verify', '--pubkey', file('other.pub'));
	assert.equal(r.status, 1);
	assert.match(r.stdout, /FAILED: checkpoint of size \d+: signature does not verify/);
	r = audit('verify', '--pubkey', pub);
	assert.equal(r.status, 0, r.stdout);
});

test('inclusion and consistency proofs verify', () => {
	const { key, pub } = keygen();
	const first = Number(sql('SELECT max(size) FROM audit_checkpoints'));
	runCli(['user', 'disable', ...db(), '--login', STAFF.login]);
	runCli(['user', 'enable', ...db(), '--login', STAFF.login]);
	let r = audit('checkpoint', '--key', key);
	assert.equal(r.status, 0, r.stderr);
	r = audit('prove', '2', '--pubkey', pub);
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /^leaf [A-Za-z0-9+/=]{44}$/m);
	assert.match(r.stdout, /inclusion proof verified/);
	r = audit('consistency', '--from', String(first), '--pubkey', pub);
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /consistency proof verified/);
	r = audit('prove', '999999', '--pubkey', pub);
	assert.equal(r.status, 1);
	r = audit('prove', 'x', '--pubkey', pub);
	assert.equal(r.status, 2);
});

test('exports: JSON lines and CSV with BOM; bad dates are refused', () => {
	let r = audit('export', '--format', 'csv', '--since', '2000-01-01', '--until', '2999-12-31');
	assert.equal(r.status, 0, r.stderr);
	assert.ok(r.stdout.startsWith('\ufeffseq,at,account_id,person_id,actor,ip,request_id,action,object,result,details\r\n'));
	assert.match(r.stdout, /\r\n1,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,/);
	r = audit('export', '--since', '2999-01-01');
	assert.equal(r.status, 0);
	assert.equal(r.stdout, '');
	r = audit('export', '--since', '2024/13/01');
	assert.equal(r.status, 2);
	r = audit('export', '--format', 'xml');
	assert.equal(r.status, 2);
});

test('a changed byte is found at its sequence number, and the signer refuses to sign', () => {
	const { key, pub } = keygen();
	runCli(['user', 'disable', ...db(), '--login', STAFF.login]);
	const seq = Number(sql('SELECT max(seq) FROM audit_events'));
	const saved = sql(`SELECT result FROM audit_events WHERE seq = ${seq}`);
	assert.match(saved, /^[a-z_]+$/);
	sql(`UPDATE audit_events SET result = 'Ok' WHERE seq = ${seq}`);
	let r = audit('verify', '--pubkey', pub);
	assert.equal(r.status, 1);
	assert.match(r.stdout, new RegExp(`FAILED: seq ${seq}: entry changed`));
	r = audit('checkpoint', '--key', key);
	assert.equal(r.status, 1);
	assert.match(r.stderr, new RegExp(`not signed: seq ${seq}`));
	sql(`UPDATE audit_events SET result = '${saved}' WHERE seq = ${seq}`);
	r = audit('verify', '--pubkey', pub);
	assert.equal(r.status, 0, r.stdout);
	runCli(['user', 'enable', ...db(), '--login', STAFF.login]);
});

test('streams entries to syslog once each, across runs', async () => {
	const sock = dgram.createSocket('udp4');
	const got = [];
	sock.on('message', (m) => got.push(m.toString('utf8')));
	await new Promise((resolve) => sock.bind(0, '127.0.0.1', resolve));
	// A burst of hundreds of datagrams: room for all of them on loopback.
	sock.setRecvBufferSize(8 << 20);
	const dest = `udp:127.0.0.1:${sock.address().port}`;
	const total = Number(sql('SELECT count(*) FROM audit_events'));
	let r = audit('stream', '--dest', dest, '--once');
	assert.equal(r.status, 0, r.stderr);
	r = audit('stream', '--dest', dest, '--once');
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /^0 entries sent/);
	await new Promise((resolve) => setTimeout(resolve, 200));
	sock.close();
	assert.equal(got.length, total);
	assert.match(got[0], /^<8[45]>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ mamori - audit \[audit@32473 seq="1" /);
	const seqs = got.map((m) => Number(/seq="(\d+)"/.exec(m)[1]));
	assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
	r = audit('stream', '--dest', 'tcp:nowhere');
	assert.equal(r.status, 2);
});

test('archive writes a verifiable file, removes the entries, logs it, and verify still passes', () => {
	const { key, pub } = keygen();
	let r = audit('checkpoint', '--key', key);
	assert.equal(r.status, 0, r.stderr);
	const head = Number(sql('SELECT max(seq) FROM audit_events'));
	r = audit('archive', '--before', '2999-01-01', '--out', file('archive.jsonl'));
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, new RegExp(`archived and removed entries 1\\.\\.${head - 1}`));
	const lines = readFileSync(file('archive.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
	assert.equal(lines[0].mamori_audit_archive, 1);
	assert.equal(lines.length, head - 1 + 2);
	assert.match(lines.at(-1).checkpoint, /^city\.example\/audit\n/);
	assert.equal(sql('SELECT min(seq) FROM audit_events'), String(head));
	assert.equal(sql("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1"), 'audit_archive');
	r = audit('verify', '--pubkey', pub);
	assert.equal(r.status, 0, r.stdout);
	assert.match(r.stdout, new RegExp(`^ok: entries ${head}\\.\\.${head + 1} verified`));
	r = audit('archive', '--before', '2999-01-01', '--out', file('archive.jsonl'));
	assert.equal(r.status, 1, 'an existing file is never overwritten');
});
