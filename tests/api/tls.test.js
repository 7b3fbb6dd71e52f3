// Native TLS: HTTPS with the configured certificate, TLS 1.2 or newer only,
// HSTS on every answer and the session cookie marked Secure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { STAFF, startServer } from '../lib/server.js';

let srv;
let dir;

before(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'mamori-tls-'));
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
		'-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2',
		'-nodes', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
	srv = await startServer({
		seed: 'demo',
		args: ['--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')],
	});
});

after(async () => {
	await srv?.stop();
	rmSync(dir, { recursive: true, force: true });
});

/* One HTTPS request; resolves to {status, headers} or rejects on a TLS error. */
function get(url, { method = 'GET', body, maxVersion } = {}) {
	return new Promise((resolve, reject) => {
		const req = https.request(url, {
			method,
			rejectUnauthorized: false,
			maxVersion,
			headers: body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
		}, (res) => {
			res.resume();
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

test('the server answers over HTTPS with HSTS', async () => {
	assert.match(srv.url, /^https:\/\//);
	const r = await get(`${srv.url}/healthz`);
	assert.equal(r.status, 200);
	assert.match(r.headers['strict-transport-security'], /max-age=\d+/);
});

test('TLS 1.1 is refused', async () => {
	await assert.rejects(get(`${srv.url}/healthz`, { maxVersion: 'TLSv1.1' }));
});

test('the session cookie is Secure over HTTPS', async () => {
	const body = new URLSearchParams({ login: STAFF.login, password: STAFF.password, next: '/' }).toString();
	const r = await get(`${srv.url}/signin`, { method: 'POST', body });
	assert.equal(r.status, 303);
	assert.match(String(r.headers['set-cookie']), /mm_session=[0-9a-f]+;.*HttpOnly.*SameSite=Strict.*Secure/);
});

test('the language cookie is Secure over HTTPS too', async () => {
	const r = await get(`${srv.url}/lang?to=en&next=/`);
	assert.equal(r.status, 303);
	assert.match(String(r.headers['set-cookie']), /^mm_lang=en;.*HttpOnly.*; Secure$/);
});
