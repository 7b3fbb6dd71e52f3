// 'mamori audit verify-archive': an archive file checked with the public key
// alone (the database is gone for these tests). A clean archive verifies, a
// second one (starting from a frontier) too; every kind of tampering is
// refused naming the seq or the reason, and input mamori never writes is
// refused with exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { BACKEND, runCli, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

const file = (name) => path.join(t.srv.dir, name);
const audit = (...args) => runCli(['audit', ...args, '--db', t.srv.dbPath]);

let made;
/* Two archives of the demo log (the second starts after the first), and
 * a second key pair of the same name and one of another name. */
function archives() {
	if (made) return made;
	const [key, pub] = [file('a.key'), file('a.pub')];
	let r = audit('keygen', '--key', key, '--pubkey', pub, '--name', 'city.example/audit');
	assert.equal(r.status, 0, r.stderr);
	for (const [k, p, name] of [['b.key', 'b.pub', 'city.example/audit'], ['c.key', 'c.pub', 'other/audit']]) {
		r = audit('keygen', '--key', file(k), '--pubkey', file(p), '--name', name);
		assert.equal(r.status, 0, r.stderr);
	}
	for (const out of ['one.jsonl', 'two.jsonl']) {
		r = runCli(['token', 'create', '--db', t.srv.dbPath, '--login', 'tester', '--label', out]);
		assert.equal(r.status, 0, r.stderr);
		r = audit('checkpoint', '--key', key);
		assert.equal(r.status, 0, r.stderr);
		r = audit('archive', '--before', '2999-01-01', '--out', file(out));
		assert.equal(r.status, 0, r.stderr);
	}
	made = { pub, text: readFileSync(file('one.jsonl'), 'utf8') };
	return made;
}

/* Runs verify-archive on text (written to a file) with the key pub. */
function check(text, pub = archives().pub) {
	const f = file('check.jsonl');
	rmSync(f, { force: true });
	writeFileSync(f, text);
	return runCli(['audit', 'verify-archive', '--in', f, '--pubkey', pub]);
}

/* The archive's lines (each without its newline) and the line of seq. */
function lines() {
	return archives().text.slice(0, -1).split('\n');
}
const join = (ls) => ls.join('\n') + '\n';
const at = (ls, seq) => seq - JSON.parse(ls[0]).first + 1;

/* Flips one byte of the value of key in a raw JSON line. */
function flip(line, key) {
	const i = line.indexOf(`"${key}":"`) + key.length + 4;
	return line.slice(0, i) + (line[i] === 'X' ? 'Y' : 'X') + line.slice(i + 1);
}

function refused(r, status, re) {
	assert.equal(r.status, status, r.stdout + r.stderr);
	assert.match(r.stdout + r.stderr, re);
}

test('a clean archive verifies with the public key alone, and so does the next one', () => {
	const { pub } = archives();
	const first = JSON.parse(lines()[0]);
	assert.equal(first.first, 1);
	// No database needed: a SQLite one is removed (a PostgreSQL one is not
	// named to the command, which cannot reach it then either).
	if (BACKEND === 'sqlite') rmSync(t.srv.dbPath);
	let r = runCli(['audit', 'verify-archive', '--in', file('one.jsonl'), '--pubkey', pub]);
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, new RegExp(`^.*one\\.jsonl: ok: archived entries 1\\.\\.${first.last} verified: chain, ` +
		`Merkle tree and the signed checkpoint of ${first.last + 1} entries`));
	assert.equal(r.stdout.split('\n').length, 2, 'one line');
	const two = readFileSync(file('two.jsonl'), 'utf8');
	const head = JSON.parse(two.split('\n')[0]);
	assert.equal(head.first, first.last + 1);
	assert.ok(head.prev_frontier.length > 0);
	r = check(two);
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, new RegExp(`ok: archived entries ${head.first}\\.\\.${head.last} verified`));
});

test('a changed byte in an entry is refused naming its seq', () => {
	const ls = lines();
	ls[at(ls, 5)] = flip(ls[at(ls, 5)], 'action');
	refused(check(join(ls)), 1, /FAILED: seq 5: entry or its chain value changed/);
});

test('a changed chain value is refused naming its seq', () => {
	const ls = lines();
	ls[at(ls, 9)] = ls[at(ls, 9)].replace(/"chain":"[^"]+"/, `"chain":"${'A'.repeat(43)}="`);
	refused(check(join(ls)), 1, /FAILED: seq 9: entry or its chain value changed/);
});

test('a deleted entry line is refused naming its seq', () => {
	const ls = lines();
	ls.splice(at(ls, 7), 1);
	refused(check(join(ls)), 1, /FAILED: seq 7: entry missing or out of order/);
	const last = JSON.parse(ls[0]).last;
	const ls2 = lines();
	ls2.splice(at(ls2, last), 1);
	refused(check(join(ls2)), 1, new RegExp(`FAILED: seq ${last}: entry missing`));
});

test('swapped entry lines are refused naming the first seq out of place', () => {
	const ls = lines();
	[ls[at(ls, 3)], ls[at(ls, 4)]] = [ls[at(ls, 4)], ls[at(ls, 3)]];
	refused(check(join(ls)), 1, /FAILED: seq 3: entry missing or out of order/);
});

/* The canonical bytes of an entry (store/auditlog.h) and its leaf hash. */
function leaf(e) {
	const parts = [Buffer.from([0])];
	for (const v of [e.seq, e.at_unix, e.account_id, e.person_id]) {
		const b = Buffer.alloc(8);
		b.writeBigInt64BE(BigInt(v));
		parts.push(b);
	}
	for (const k of ['actor', 'ip', 'request_id', 'action', 'object', 'result', 'details']) {
		const s = Buffer.from(e[k], 'utf8');
		const n = Buffer.alloc(4);
		n.writeUInt32BE(s.length);
		parts.push(n, s);
	}
	return createHash('sha256').update(Buffer.concat(parts)).digest();
}

test('a changed entry with every chain value recomputed is refused by the Merkle root', () => {
	const ls = lines();
	const i = at(ls, 12);
	ls[i] = flip(ls[i], 'object');
	let chain = Buffer.from(JSON.parse(ls[i - 1]).chain, 'base64');
	for (let j = i; j < ls.length - 1; j++) {
		chain = createHash('sha256').update(chain).update(leaf(JSON.parse(ls[j]))).digest();
		ls[j] = ls[j].replace(/"chain":"[^"]+"/, `"chain":"${chain.toString('base64')}"`);
	}
	refused(check(join(ls)), 1, /FAILED: the entries' Merkle tree is not part of the checkpoint's/);
	const ls2 = lines();
	const tail = JSON.parse(ls2.at(-1));
	ls2[ls2.length - 1] = ls2.at(-1).replace(tail.consistency[0], tail.consistency[1]);
	refused(check(join(ls2)), 1, /Merkle tree is not part of the checkpoint's/);
});

test('a forged or changed checkpoint is refused', () => {
	const ls = lines();
	const tail = ls.at(-1);
	const size = JSON.parse(tail).checkpoint.split('\n')[1];
	ls[ls.length - 1] = tail.replace(`\\n${size}\\n`, `\\n${Number(size) + 1}\\n`);
	refused(check(join(ls)), 1, /FAILED: checkpoint refused: no signature of the key verifies/);
	ls[ls.length - 1] = tail.replace(/\\n\\n\u2014 [^ ]+ [^\\]+\\n/, '\\n\\n');
	refused(check(join(ls)), 1, /FAILED: checkpoint refused: its note is malformed/);
});

test('the wrong public key is refused', () => {
	refused(check(archives().text, file('b.pub')), 1, /FAILED: checkpoint refused: no signature of the key verifies/);
	refused(check(archives().text, file('c.pub')), 1, /FAILED: checkpoint refused: its origin is not the key's name/);
});

test('a truncated file is refused', () => {
	const text = archives().text;
	refused(check(text.slice(0, text.length - 40)), 1, /FAILED: line \d+: file truncated \(the last line has no end\)/);
	const ls = lines();
	refused(check(join(ls.slice(0, -1))), 1, /FAILED: line \d+: file truncated \(it ends before its checkpoint line\)/);
	refused(check(join(ls.slice(0, 20))), 1, /file truncated/);
});

test('input mamori never writes is refused with exit 2', () => {
	const ls = lines();
	refused(check(''), 2, /line 1: empty file/);
	refused(check('not json\n'), 2, /line 1: not a JSON object/);
	refused(check(join([ls[0].replace('"first":1', '"first":1,"x":2'), ...ls.slice(1)])), 2,
		/line 1: head line not as mamori writes it/);
	refused(check(join([ls[0], ls[1].replace('{', '{ '), ...ls.slice(2)])), 2, /line 2: entry line not as mamori writes it/);
	refused(check(join([ls[0], ls[1].replace(/"at":"[^"]+"/, '"at":"2001-01-01T00:00:00Z"'), ...ls.slice(2)])), 2,
		/line 2: entry line not as mamori writes it/);
	refused(check(join([...ls, ls.at(-1)])), 2, /text after the checkpoint line/);
	refused(check(join([ls[0], '{"seq":1}', ...ls.slice(2)])), 2, /line 2: bad entry line/);
	let r = runCli(['audit', 'verify-archive', '--in', file('missing.jsonl'), '--pubkey', archives().pub]);
	refused(r, 2, /cannot read/);
	r = runCli(['audit', 'verify-archive', '--in', file('one.jsonl')]);
	refused(r, 2, /--pubkey FILE is required/);
	r = runCli(['audit', 'verify-archive', '--pubkey', archives().pub]);
	refused(r, 2, /usage: mamori audit verify-archive --in FILE --pubkey FILE/);
});
