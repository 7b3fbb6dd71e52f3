// kill -9 loses nothing: writers create and edit assets over the API while
// the server is killed with SIGKILL at a random moment, ROUNDS times (50 by
// default; `make soak` runs 1000), restarting it on the same database. After
// every round each acknowledged write is stored exactly once with its audit
// entry, the database passes its integrity check (SQLite) and `mamori audit
// verify` passes; at the end the API lists and finds every one of them.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { BACKEND, MAMORI_BIN, client, newDatabase, runCli } from '../lib/server.js';
import { demoApiToken, serveDb } from '../lib/serve_db.js';
import { Ledger, checkDatabase, writer } from './workload.js';

const ROUNDS = Number(process.env.ROUNDS || 50);
const WRITERS = Number(process.env.WRITERS || 6);
/* The longest a round lets the writers write before the kill, in ms. */
const MAX_DELAY = Number(process.env.MAX_DELAY || 300);
/* A checkpoint is signed every CHECKPOINT_EVERY rounds, while writes go on. */
const CHECKPOINT_EVERY = 10;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test(`${ROUNDS} rounds of kill -9 under ${WRITERS} writers lose no acknowledged write`, { timeout: 60000 + ROUNDS * 5000 }, async (t) => {
	const dir = mkdtempSync(path.join(tmpdir(), 'mamori-crash-'));
	const database = newDatabase(dir, 'crash');
	const db = database.url;
	const env = { TMPDIR: dir };
	if (BACKEND === 'postgres') {
		// No file beside a PostgreSQL database to keep the sealing key in.
		env.MAMORI_CONFIG = path.join(dir, 'mamori.conf');
		writeFileSync(env.MAMORI_CONFIG, `[security]\nkey_file = ${path.join(dir, 'seal.key')}\n`);
	}
	const key = path.join(dir, 'signer.key');
	const pubkey = path.join(dir, 'signer.pub');
	let srv = null;
	let watchdog = null;
	try {
		// The demo data takes a while on a busy PostgreSQL: more than
		// runCli's minute.
		let r = spawnSync(MAMORI_BIN, ['init', '--db', db, '--demo'], {
			env: { ...process.env, MAMORI_CONFIG: '/dev/null', ...env },
			encoding: 'utf8',
			timeout: 600000,
		});
		assert.equal(r.status, 0, r.stderr);
		const token = demoApiToken(db, env);
		r = runCli(['audit', 'keygen', '--key', key, '--pubkey', pubkey, '--name', 'crash.test/audit'], { env });
		assert.equal(r.status, 0, r.stderr);
		// verify wants a signed checkpoint; later ones are signed under load.
		r = runCli(['audit', 'checkpoint', '--db', db, '--key', key], { env });
		assert.equal(r.status, 0, r.stderr);

		const ledger = new Ledger();
		let kills = 0;
		let stored = 0;
		// A request cut off by a kill may wait on nothing but undici's
		// unreferenced socket or its abort timer, and node's test runner
		// cancels a test whose event loop has emptied. This interval keeps
		// the loop alive and names a phase that stalls (the test's timeout
		// fails it).
		let phase = 'start';
		let since = Date.now();
		const at = (p) => {
			phase = p;
			since = Date.now();
		};
		watchdog = setInterval(() => {
			if (Date.now() - since > 30000) {
				t.diagnostic(`crash: stalled for 30 s in ${phase}`);
				since = Date.now();
			}
		}, 1000);
		for (let round = 0; round < ROUNDS; round++) {
			at(`start of round ${round}`);
			srv = await serveDb(db, { env });
			at(`writes of round ${round}`);
			let running = true;
			const base = () => srv.url;
			const writers = Array.from({ length: WRITERS }, (_, w) =>
				writer({ base, token, ledger, tag: `${round}-${w}`, running: () => running }));
			const signing = round % CHECKPOINT_EVERY === CHECKPOINT_EVERY - 1;
			const checkpoint = signing
				? new Promise((resolve) => setTimeout(() =>
					resolve(runCli(['audit', 'checkpoint', '--db', db, '--key', key], { env })),
				Math.random() * MAX_DELAY))
				: null;
			await sleep(Math.random() * MAX_DELAY);
			await srv.kill('SIGKILL');
			kills++;
			running = false;
			at(`the writers' end in round ${round}`);
			await Promise.all(writers);
			at(`checks of round ${round}`);
			if (checkpoint) assert.equal((await checkpoint).status, 0, 'audit checkpoint failed');
			assert.doesNotMatch(srv.stderr(), /Sanitizer|runtime error:/);
			srv = null;
			stored = checkDatabase(db, ledger, { env, pubkey });
		}

		// The server's own view: a listing holds every acknowledged create
		// once with the last acknowledged edit at most as new as its
		// version, and the search finds a sample of them.
		srv = await serveDb(db, { env });
		const api = client(srv.url, token);
		const items = await api.all('assets', 'status=all&q=crash');
		const byName = new Map(items.map((a) => [a.name, a]));
		const creates = [...ledger.acked].filter(([, w]) => w.kind === 'create');
		assert.ok(creates.length > ROUNDS, `too few writes were acknowledged (${creates.length})`);
		for (const [rid, w] of creates) assert.equal(byName.get(rid)?.id, w.id, `${rid} is not listed`);
		for (const [rid, w] of ledger.acked) {
			if (w.kind !== 'edit') continue;
			const a = items.find((x) => x.id === w.id);
			assert.ok(a && a.version >= w.version, `asset ${w.id} lost its version ${w.version} (${rid})`);
		}
		for (let i = 0; i < 20; i++) {
			const [rid, w] = creates[Math.floor(Math.random() * creates.length)];
			const found = await api.get(`/api/v1/assets?status=all&q=${encodeURIComponent(rid)}`);
			assert.equal(found.status, 200, found.text);
			assert.deepEqual(found.json.items.filter((a) => a.name === rid).map((a) => a.id), [w.id], rid);
		}
		await srv.stop();
		srv = null;
		t.diagnostic(`crash: ${kills} kills, ${ledger.sent} writes sent, ${ledger.acked.size} acknowledged, ` +
			`${ledger.unknown} cut off by a kill (${stored} of these were stored)`);
	} finally {
		clearInterval(watchdog);
		if (srv) await srv.kill('SIGKILL');
		database.drop();
		rmSync(dir, { recursive: true, force: true });
	}
});
