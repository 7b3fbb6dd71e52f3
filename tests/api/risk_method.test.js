// A change of [risk] method is applied to the stored risks when the server
// next starts: every risk recomputed in one transaction, audited once; a
// start with the same settings recomputes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { BACKEND_CONFIG, MAMORI_BIN, SERVE_AS, client, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

/* Serves the test server's database a second time with config; resolves
 * to {url, stop()}. */
function serveAgain(config) {
	const file = path.join(t.srv.dir, `again-${Date.now()}.conf`);
	writeFileSync(file, config + BACKEND_CONFIG);
	const child = spawn(MAMORI_BIN, ['serve', '--db', t.srv.dbPath, '--port', '0', '--listen', '127.0.0.1', ...SERVE_AS], {
		stdio: ['ignore', 'ignore', 'pipe'],
		env: { ...process.env, ...t.srv.env, MAMORI_CONFIG: file },
	});
	let err = '';
	child.stderr.setEncoding('utf8');
	const exited = new Promise((resolve) => child.on('exit', resolve));
	return new Promise((resolve, reject) => {
		child.stderr.on('data', (c) => {
			err += c;
			const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(err);
			if (m) resolve({ url: m[1], err: () => err, stop: () => (child.kill('SIGTERM'), exited) });
		});
		exited.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
	});
}

const recomputes = async (api) =>
	(await api.get('/api/v1/audit?action=risk_recompute')).json.items;

test('a change of method recomputes every risk once, audited', async () => {
	const before = await t.api.all('risks', 'status=active');
	assert.ok(before.length > 0);
	assert.ok(before.some((r) => r.risk_value > 9));
	assert.equal((await recomputes(t.api)).length, 0);

	const ipa = await serveAgain('[risk]\nmethod = ipa\n');
	try {
		assert.match(ipa.err(), /risks recomputed/);
		const api = client(ipa.url, t.srv.token);
		const after = await api.all('risks', 'status=active');
		assert.equal(after.length, before.length);
		assert.ok(after.every((r) => r.risk_value >= 1 && r.risk_value <= 9));
		const changed = after.filter((r, i) => r.version !== before[i].version).length;
		assert.ok(changed > 0);
		const ev = await recomputes(api);
		assert.equal(ev.length, 1);
		// Every risk, not only those this reader sees (極秘 ones too).
		assert.ok(ev[0].details.recomputed >= changed);
		assert.match(ev[0].details.from, /method=jipdec/);
		assert.match(ev[0].details.to, /method=ipa/);
	} finally {
		await ipa.stop();
	}
	// The same settings again: nothing to do, nothing audited.
	const again = await serveAgain('[risk]\nmethod = ipa\n');
	try {
		assert.doesNotMatch(again.err(), /recomputed/);
		assert.equal((await recomputes(client(again.url, t.srv.token))).length, 1);
	} finally {
		await again.stop();
	}
});
