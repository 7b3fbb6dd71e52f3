// HTTP-level behaviour of the API: health, routing, methods, languages,
// headers, request bodies the server must refuse, and a clean shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { assetInput, request, startServer, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

/* Sends raw bytes over one connection and returns the raw response text. */
function rawRequest(url, bytes) {
	const { hostname, port } = new URL(url);
	return new Promise((resolve, reject) => {
		// write, not end: a client that half-closes at once races libmicrohttpd,
		// which may drop the request when it sees the end before the headers.
		const sock = net.connect({ host: hostname, port: Number(port) }, () => sock.write(bytes));
		const chunks = [];
		sock.on('data', (c) => chunks.push(c));
		sock.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
		sock.on('error', reject);
		sock.setTimeout(10000, () => sock.destroy(new Error('timeout')));
	});
}

test('GET /healthz answers 200 {"status":"ok"} as JSON', async () => {
	const r = await t.api.get('/healthz');
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^application\/json/);
	assert.deepEqual(r.json, { status: 'ok' });
});

test('HEAD on a GET route answers the headers without a body', async () => {
	const r = await request(t.srv.url, '/healthz', { method: 'HEAD' });
	assert.equal(r.status, 200);
	assert.equal(r.bytes.length, 0);
});

test('every response carries the security headers and a request id', async () => {
	const seen = new Set();
	for (const p of ['/healthz', '/api/v1/assets?limit=1', '/api/v1/nothing', '/api/v1/assets/999999']) {
		const r = await t.api.get(p);
		const csp = r.headers.get('content-security-policy') || '';
		assert.match(csp, /default-src 'self'/, p);
		assert.match(csp, /frame-ancestors 'none'/, p);
		assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
		assert.equal(r.headers.get('x-frame-options'), 'DENY', p);
		assert.equal(r.headers.get('cache-control'), 'no-store', p);
		const id = r.headers.get('x-request-id');
		assert.ok(id, `${p}: no X-Request-Id`);
		assert.ok(!seen.has(id), `${p}: request id ${id} repeated`);
		seen.add(id);
	}
});

test('an unknown API route answers 404 not_found as JSON', async () => {
	for (const p of ['/api/v1/nothing', '/api/v1/assets/1/nothing', '/api/v2/assets', '/api/v1/', '/api/v1/assets/export.json']) {
		const r = await t.api.get(p);
		assert.equal(r.status, 404, p);
		assert.equal(r.json?.error?.code, 'not_found', p);
	}
});

test('an unknown page outside the API answers 404 as an HTML page', async () => {
	for (const p of ['/no/such/page/here', '/nothing', '/assets/1/nothing']) {
		const r = await t.api.get(p);
		assert.equal(r.status, 404, p);
		assert.match(r.headers.get('content-type'), /^text\/html/, p);
	}
});

test('a record id that is not a positive integer is not a route (404)', async () => {
	for (const id of ['0', '-1', '+1', 'abc', '1.5', '1e3', '99999999999999999999999']) {
		const r = await t.api.get(`/api/v1/assets/${id}`);
		assert.equal(r.status, 404, id);
		assert.equal(r.json?.error?.code, 'not_found', id);
	}
});

test('a wrong method on a known path answers 405, and writes nothing', async () => {
	const before = await t.api.total('assets');
	const cases = [
		['DELETE', '/api/v1/assets/1'],
		['PATCH', '/api/v1/assets/1'],
		['PUT', '/api/v1/assets'],
		['DELETE', '/api/v1/assets'],
		['GET', '/api/v1/assets/1/retire'],
		['GET', '/api/v1/assets/import'],
		['POST', '/api/v1/assets/1/history'],
		['POST', '/healthz'],
		['POST', '/api/v1/openapi.json'],
	];
	for (const [method, p] of cases) {
		const r = await request(t.srv.url, p, {
			method,
			body: method === 'GET' ? undefined : '{"name":"x"}',
			headers: method === 'GET' ? {} : { 'Content-Type': 'application/json' },
		});
		assert.equal(r.status, 405, `${method} ${p}`);
		assert.equal(r.json?.error?.code, 'method_not_allowed', `${method} ${p}`);
	}
	assert.equal(await t.api.total('assets'), before);
	const one = await t.api.record('assets', 1);
	assert.equal(one.version, 1);
	assert.equal(one.retired, false);
});

test('messages are Japanese by default', async () => {
	const r = await t.api.get('/api/v1/assets/999999');
	assert.equal(r.status, 404);
	assert.equal(r.json.error.message, '指定された記録が見つかりません。');
});

test('Accept-Language: en gives English messages', async () => {
	const r = await t.api.get('/api/v1/assets/999999', { headers: { 'Accept-Language': 'en' } });
	assert.equal(r.status, 404);
	assert.equal(r.json.error.message, 'The record was not found.');
	const v = await t.api.post('/api/v1/assets', assetInput({ confidentiality: 9 }), {
		headers: { 'Accept-Language': 'en-GB,en;q=0.9' },
	});
	assert.equal(v.status, 422);
	assert.equal(v.json.error.message, 'Some fields are invalid.');
	const f = v.json.error.fields.find((x) => x.field === 'confidentiality');
	assert.equal(f.message, 'Confidentiality must be between 1 and 4.');
});

test('the mm_lang cookie chooses the language and wins over Accept-Language', async () => {
	const en = await t.api.get('/api/v1/assets/999999', { headers: { Cookie: 'mm_lang=en' } });
	assert.equal(en.json.error.message, 'The record was not found.');
	const ja = await t.api.get('/api/v1/assets/999999', {
		headers: { Cookie: 'other=1; mm_lang=ja', 'Accept-Language': 'en' },
	});
	assert.equal(ja.json.error.message, '指定された記録が見つかりません。');
});

test('a query string that is not UTF-8 is refused with 400 bad_query', async () => {
	const r = await t.api.get('/api/v1/assets?q=%ff%fe');
	assert.equal(r.status, 400);
	assert.equal(r.json?.error?.code, 'bad_query');
	const name = await t.api.get('/api/v1/assets?%c3=1');
	assert.equal(name.status, 400);
	assert.equal(name.json?.error?.code, 'bad_query');
});

test('a body over the 32 MiB cap answers 413 too_big and writes nothing', async () => {
	const before = await t.api.total('assets');
	// A valid JSON object, padded past the cap with a long description.
	const pad = Buffer.alloc(33 << 20, 0x61);
	const body = Buffer.concat([
		Buffer.from(JSON.stringify(assetInput({ name: '大きすぎる資産' })).slice(0, -1) + ',"description":"'),
		pad,
		Buffer.from('"}'),
	]);
	const r = await request(t.srv.url, '/api/v1/assets', {
		method: 'POST',
		body,
		headers: { 'Content-Type': 'application/json' },
	});
	assert.equal(r.status, 413);
	assert.equal(r.json?.error?.code, 'too_big');
	assert.equal(await t.api.total('assets'), before);
	const found = await t.api.get('/api/v1/assets?q=' + encodeURIComponent('大きすぎる資産') + '&status=all');
	assert.equal(found.json.total, 0);
	// The server is still well after it.
	assert.equal((await t.api.get('/healthz')).status, 200);
});

test('an import body over the cap answers 413 too_big and writes nothing', async () => {
	const before = await t.api.total('assets');
	const head = Buffer.from('名称,種別,所管課,個人情報,機密性,完全性,可用性\r\n');
	const row = Buffer.from('取り込み過大,データ,0110,なし,1,1,1\r\n');
	const rows = Buffer.alloc((33 << 20) + row.length);
	for (let o = 0; o + row.length <= rows.length; o += row.length) row.copy(rows, o);
	const r = await request(t.srv.url, '/api/v1/assets/import', {
		method: 'POST',
		body: Buffer.concat([head, rows]),
		headers: { 'Content-Type': 'text/csv' },
	});
	assert.equal(r.status, 413);
	assert.equal(r.json?.error?.code, 'too_big');
	assert.equal(await t.api.total('assets'), before);
});

test('bodies held at once have a budget (4 caps): past it a body answers 413, and it frees when they end', async () => {
	// Bodies are read before the request is authenticated: without a
	// budget, anonymous connections could each make the server hold a
	// body of the cap. With a 1 MiB cap, four connections hold ~4 MiB.
	const s = await startServer({ seed: 'empty', config: '[server]\nmax_body_mb = 1\n' });
	const { hostname, port } = new URL(s.url);
	const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
	let held = [];
	const hold = async () => {
		for (let i = 0; i < 4; i++) {
			const sock = net.connect({ host: hostname, port: Number(port) });
			await new Promise((resolve, reject) => sock.once('connect', resolve).once('error', reject));
			sock.on('error', () => {});
			sock.write(`POST /signin HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
				`Content-Type: application/octet-stream\r\nContent-Length: ${1 << 20}\r\n\r\n`);
			sock.write(Buffer.alloc((1 << 20) - 1024, 0x61)); // never finished
			held.push(sock);
		}
	};
	try {
		const probe = () => request(s.url, '/api/v1/assets', {
			method: 'POST',
			body: JSON.stringify({ name: 'x', description: 'a'.repeat(300 << 10) }),
			headers: { 'Content-Type': 'application/json' },
		});
		// The held bodies are counted as the server reads them. A probe
		// that arrives while it still reads them can push one of them,
		// not itself, past the budget: that body is then dropped, and the
		// other three and the probe fit. It happened on a loaded machine
		// (the ASan server, tests in parallel). So the probes wait for the
		// held bodies to arrive, and the whole is tried again with a
		// longer wait.
		let r;
		for (let attempt = 1; attempt <= 5 && r?.status !== 413; attempt++) {
			for (const sock of held) sock.destroy();
			held = [];
			await hold();
			await sleep(1000 * attempt);
			for (let i = 0; i < 30; i++) {
				r = await probe();
				if (r.status === 413) break;
				await sleep(100);
			}
		}
		assert.equal(r.status, 413, r.text);
		assert.equal(r.json?.error?.code, 'too_big');
		// Requests without a body are served all the while.
		assert.equal((await request(s.url, '/healthz')).status, 200);
		for (const sock of held) sock.destroy();
		for (let i = 0; i < 300; i++) {
			r = await probe();
			if (r.status !== 413) break;
			await sleep(100);
		}
		// Read whole again: refused for what it says (a description
		// too long), not for its size.
		assert.equal(r.status, 422, r.text);
	} finally {
		for (const sock of held) sock.destroy();
		await s.stop();
	}
});

test('a body just under the cap is read whole (not refused as too big)', async () => {
	// 1 MiB of description is far under the cap but over the 2000-character
	// limit: the answer must be the field error, proving the body was parsed.
	const r = await t.api.post('/api/v1/assets', assetInput({ description: 'x'.repeat(1 << 20) }));
	assert.equal(r.status, 422);
	assert.deepEqual(
		r.json.error.fields.map((f) => [f.field, f.code]),
		[['description', 'too_long']],
	);
});

test('a malformed HTTP request does not bring the server down', async () => {
	const text = await rawRequest(t.srv.url, Buffer.from('GARBAGE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
	assert.match(text, /^HTTP\/1\.[01] [45]\d\d /);
	const text2 = await rawRequest(t.srv.url, Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
	assert.match(text2, /^HTTP\/1\.1 200 /);
	assert.match(text2, /\{"status":"ok"\}/);
});

test('many concurrent requests are all answered', async () => {
	const rs = await Promise.all(
		Array.from({ length: 64 }, (_, i) => t.api.get(`/api/v1/assets/${(i % 50) + 1}`)),
	);
	for (const r of rs) assert.equal(r.status, 200);
	const ids = rs.map((r) => r.json.id);
	assert.deepEqual(ids, Array.from({ length: 64 }, (_, i) => (i % 50) + 1));
});

test('concurrent edits of one record: exactly one wins, the others get 409', async () => {
	const created = await t.api.post('/api/v1/assets', assetInput({ name: '同時編集テスト' }));
	assert.equal(created.status, 201);
	const id = created.json.id;
	const rs = await Promise.all(
		Array.from({ length: 8 }, (_, i) =>
			t.api.put(`/api/v1/assets/${id}`, { location: `場所${i}` }, { headers: { 'If-Match': '"1"' } }),
		),
	);
	const codes = rs.map((r) => r.status).sort();
	assert.equal(codes.filter((c) => c === 200).length, 1, `statuses: ${codes}`);
	assert.equal(codes.filter((c) => c === 409).length, 7, `statuses: ${codes}`);
	const rec = await t.api.record('assets', id);
	assert.equal(rec.version, 2);
	assert.equal((await t.api.history('assets', id)).length, 2);
});

test('SIGTERM stops the server cleanly (exit 0) and frees the port', async () => {
	const s = await startServer({ seed: 'empty' });
	const { port } = new URL(s.url);
	assert.equal((await request(s.url, '/healthz')).status, 200);
	const res = await s.stop();
	assert.deepEqual(res, { code: 0, signal: null });
	assert.match(s.stderr(), /stopping/);
	await assert.rejects(fetch(`${s.url}/healthz`));
	// The port can be bound again at once.
	await new Promise((resolve, reject) => {
		const l = net.createServer().once('error', reject).listen(Number(port), '127.0.0.1', () => l.close(resolve));
	});
});
