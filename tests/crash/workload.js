// The writers of the crash tests and the ledger of what the server
// acknowledged, and the checks that every acknowledged write is stored
// exactly once, with its audit entry, in a database that is intact.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { BACKEND, runCli } from '../lib/server.js';

/* A new asset of the demo data whose name is the client's request id. */
const assetBody = (rid) => ({
	name: rid,
	kind: 'data',
	section_id: 2,
	personal_info: 'none',
	confidentiality: 2,
	integrity: 2,
	availability: 1,
});

/**
 * What the server answered with success, by request id: {kind: 'create' |
 * 'edit', id, version}. A request id is the asset's name (creates) or its
 * new description (edits), so the database shows where each one went.
 */
export class Ledger {
	constructor() {
		this.acked = new Map();
		this.sent = 0;
		this.unknown = 0;
	}
}

async function send(base, token, method, path, body, headers = {}) {
	const res = await fetch(base() + path, {
		method,
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: AbortSignal.timeout(10000),
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, json, text };
}

/**
 * One writer: creates assets and edits its own ones (the version it knows
 * in If-Match) until running() turns false, recording every success in the
 * ledger. An error answer other than 409, or a success that does not hold
 * the write, throws (it is what the tests look for). A failed connection
 * (the server was killed) ends the writer; the outcome of that request is
 * unknown and it is not in the ledger.
 */
export async function writer({ base, token, ledger, tag, running, onAnswer = () => {} }) {
	const mine = []; // [{id, version}]
	let n = 0;
	while (running()) {
		const rid = `crash-${tag}-${n++}`;
		const edit = mine.length > 0 && Math.random() < 0.5;
		const rec = edit ? mine[Math.floor(Math.random() * mine.length)] : null;
		let r;
		ledger.sent++;
		try {
			r = edit
				? await send(base, token, 'PUT', `/api/v1/assets/${rec.id}`, { description: rid },
					{ 'If-Match': `"${rec.version}"` })
				: await send(base, token, 'POST', '/api/v1/assets', assetBody(rid));
		} catch {
			ledger.unknown++;
			return;
		}
		if (onAnswer(r, edit, rid)) continue;
		if (edit && r.status === 409) {
			// The version it knew is stale: an edit whose answer was lost
			// to a kill may have been stored. Learn the current one.
			const g = await send(base, token, 'GET', `/api/v1/assets/${rec.id}`).catch(() => null);
			if (!g) return;
			assert.equal(g.status, 200, g.text);
			rec.version = g.json.version;
			continue;
		}
		if (edit) {
			assert.equal(r.status, 200, `PUT ${rid}: ${r.text}`);
			assert.equal(r.json.description, rid);
			assert.equal(r.json.version, rec.version + 1);
			rec.version = r.json.version;
			ledger.acked.set(rid, { kind: 'edit', id: rec.id, version: rec.version });
		} else {
			assert.equal(r.status, 201, `POST ${rid}: ${r.text}`);
			assert.equal(r.json.name, rid);
			assert.equal(r.json.version, 1);
			mine.push({ id: r.json.id, version: 1 });
			ledger.acked.set(rid, { kind: 'create', id: r.json.id, version: 1 });
		}
	}
}

/* Runs a query with the database's CLI, as sql() of tests/lib does, but
 * with room for the whole audit log of a long soak in its answer (spawnSync
 * kills a child past 1 MB of output by default). */
function query(db, text) {
	const [cmd, args] = BACKEND === 'postgres'
		? ['psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', text]]
		: ['sqlite3', [db, text]];
	const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300000 });
	if (r.error) throw r.error;
	if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
	return r.stdout;
}

/* Rows of a query as arrays of cells ('|' separates them in both CLIs). The
 * last column may hold '|' itself. */
function rows(db, text, cols) {
	const out = query(db, text).split('\n').filter((l) => l !== '');
	return out.map((l) => {
		const p = l.split('|');
		return [...p.slice(0, cols - 1), p.slice(cols - 1).join('|')];
	});
}

/**
 * Checks the database against the ledger with the server stopped: every
 * acknowledged create is one asset (and no request id made two), every
 * acknowledged edit is one version of its asset in the history, each has
 * its audit entry, the database passes its integrity check and the audit
 * log verifies. Returns the number of writes found that had no answer.
 */
export function checkDatabase(db, ledger, { env = {}, pubkey } = {}) {
	if (BACKEND === 'sqlite') {
		const ic = spawnSync('sqlite3', [db, 'PRAGMA integrity_check'], { encoding: 'utf8' });
		assert.equal(ic.stdout.trim(), 'ok', `integrity_check: ${ic.stdout}${ic.stderr}`);
	}
	const created = new Map();
	for (const [id, name] of rows(db, "SELECT id, name FROM assets WHERE name LIKE 'crash-%'", 2)) {
		assert.ok(!created.has(name), `request ${name} made two assets`);
		created.set(name, Number(id));
	}
	const edited = new Map();
	const hist = rows(db, "SELECT record_id, version, changes FROM history WHERE register = 'assets' " +
		"AND action = 'update' AND changes LIKE '%crash-%'", 3);
	for (const [id, version, changes] of hist) {
		const d = JSON.parse(changes).description;
		if (!d || typeof d[1] !== 'string' || !d[1].startsWith('crash-')) continue;
		assert.ok(!edited.has(d[1]), `request ${d[1]} is two versions`);
		edited.set(d[1], `${id}/${version}`);
	}
	const audited = new Set();
	const ev = rows(db, "SELECT object, action, details FROM audit_events WHERE object LIKE 'assets/%' " +
		"AND action IN ('record_create', 'record_update') AND result = 'ok'", 3);
	for (const [object, , details] of ev) audited.add(`${object.slice('assets/'.length)}/${JSON.parse(details).version}`);

	for (const [rid, w] of ledger.acked) {
		const at = `${w.id}/${w.version}`;
		if (w.kind === 'create') assert.equal(created.get(rid), w.id, `acknowledged create ${rid} (asset ${w.id}) is missing`);
		else assert.equal(edited.get(rid), at, `acknowledged edit ${rid} (asset ${at}) is missing`);
		assert.ok(audited.has(at), `acknowledged ${w.kind} ${rid} (asset ${at}) has no audit entry`);
	}
	const args = ['audit', 'verify', '--db', db, ...(pubkey ? ['--pubkey', pubkey] : [])];
	const v = runCli(args, { env });
	assert.equal(v.status, 0, `audit verify: ${v.stdout}${v.stderr}`);
	return created.size + edited.size - ledger.acked.size;
}
