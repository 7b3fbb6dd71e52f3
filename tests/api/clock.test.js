// The clock (7.7) without the internet: `mamori clock` and the server's
// background check against a real NTP server on loopback (chronyd serving
// on an unprivileged port, never touching the clock) and against small UDP
// responders that answer wrongly, late or not at all; the clock page and
// API for the administrators, 事務局 and 監査人 only; and the warning
// banner they see, and only they, when the clock is off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ADMIN, MAMORI_BIN, STAFF, addAccount, addApiUser, request, signIn, startServer } from '../lib/server.js';

const NTP_EPOCH = 2208988800n;

/* The NTP timestamp of now plus shift seconds, as a BigInt (32.32). */
function ntpNow(shift = 0) {
	const ms = BigInt(Date.now() + Math.round(shift * 1000));
	return ((ms / 1000n + NTP_EPOCH) << 32n) | (((ms % 1000n) << 32n) / 1000n);
}

/* A UDP responder on loopback. how: 'good' (its clock shift seconds off),
 * 'mode' (answers in client mode), 'zero' (zero transmit time), 'other'
 * (an originate that is not the request's), 'silent'. Resolves to
 * {port, close()}. */
async function responder(how, shift = 0) {
	const sock = dgram.createSocket('udp4');
	sock.on('message', (msg, rinfo) => {
		if (how === 'silent' || msg.length < 48) return;
		const p = Buffer.alloc(48);
		p[0] = (0 << 6) | (4 << 3) | (how === 'mode' ? 3 : 4);
		p[1] = 2;
		const xmt = msg.readBigUInt64BE(40);
		p.writeBigUInt64BE(how === 'other' ? xmt ^ 0xffn : xmt, 24);
		p.writeBigUInt64BE(ntpNow(shift), 32);
		p.writeBigUInt64BE(how === 'zero' ? 0n : ntpNow(shift), 40);
		sock.send(p, rinfo.port, rinfo.address);
	});
	await new Promise((resolve) => sock.bind(0, '127.0.0.1', resolve));
	return { port: sock.address().port, close: () => new Promise((r) => sock.close(r)) };
}

/* Runs the CLI without blocking the event loop (the responders live on
 * it). Resolves to {status, stdout, stderr}. */
function cli(args, config) {
	const env = { ...process.env, MAMORI_CONFIG: '/dev/null' };
	let dir;
	if (config !== undefined) {
		dir = mkdtempSync(path.join(tmpdir(), 'mamori-clock-'));
		env.MAMORI_CONFIG = path.join(dir, 'mamori.conf');
		writeFileSync(env.MAMORI_CONFIG, config);
	}
	return new Promise((resolve, reject) => {
		const child = spawn(MAMORI_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.on('error', reject);
		child.on('exit', (status) => {
			if (dir) rmSync(dir, { recursive: true, force: true });
			resolve({ status, stdout, stderr });
		});
	});
}

/* chronyd serving NTP on a free unprivileged loopback port, with -x (it
 * never sets the clock) and its own configuration. Resolves to {port,
 * stop()}, or null when chronyd is not installed or does not answer. */
async function startChrony() {
	const bin = ['/usr/sbin/chronyd', '/usr/bin/chronyd'].find((p) => spawnSync(p, ['-v']).status === 0);
	if (!bin) return null;
	const probe = dgram.createSocket('udp4');
	await new Promise((r) => probe.bind(0, '127.0.0.1', r));
	const port = probe.address().port;
	await new Promise((r) => probe.close(r));
	const dir = mkdtempSync(path.join(tmpdir(), 'mamori-chrony-'));
	const conf = path.join(dir, 'chrony.conf');
	writeFileSync(conf, [`port ${port}`, 'bindaddress 127.0.0.1', 'cmdport 0', 'local stratum 8',
		'allow 127.0.0.1', `pidfile ${dir}/chronyd.pid`, ''].join('\n'));
	const child = spawn(bin, ['-x', '-d', '-f', conf], { stdio: 'ignore' });
	const stop = async () => {
		if (child.exitCode === null) {
			const gone = new Promise((r) => child.on('exit', r));
			child.kill('SIGTERM');
			await gone;
		}
		rmSync(dir, { recursive: true, force: true });
	};
	for (let i = 0; i < 50; i++) {
		if (child.exitCode !== null) break;
		if (await answers(port)) return { port, stop };
		await new Promise((r) => setTimeout(r, 100));
	}
	await stop();
	return null;
}

/* Whether an NTP server answers on loopback port within 200 ms. */
function answers(port) {
	return new Promise((resolve) => {
		const s = dgram.createSocket('udp4');
		const done = (v) => {
			clearTimeout(timer);
			s.close();
			resolve(v);
		};
		const timer = setTimeout(() => done(false), 200);
		s.on('message', () => done(true));
		s.on('error', () => done(false));
		const q = Buffer.alloc(48);
		q[0] = (4 << 3) | 3;
		q.writeBigUInt64BE(ntpNow(), 40);
		s.send(q, port, '127.0.0.1');
	});
}

/* Polls the clock API until the server's first question to its time server
 * is done. */
async function firstCheck(url, token) {
	for (let i = 0; i < 100; i++) {
		const r = await request(url, '/api/v1/clock', { headers: { Authorization: `Bearer ${token}` } });
		assert.equal(r.status, 200, r.text);
		if (r.json.ntp.asked) return r.json;
		await new Promise((res) => setTimeout(res, 100));
	}
	throw new Error('the server never asked its time server');
}

let chrony = null;
before(async () => {
	chrony = await startChrony();
});
after(async () => {
	await chrony?.stop();
});

const BANNER = /class="msg error clock-warning"/;

describe('mamori clock', () => {
	test('prints the kernel state; exits 1 when the kernel is unsynchronised and that is required', async () => {
		const r = await cli(['clock']);
		assert.match(r.stdout, /^clock (synced|unsynchronised) maxerror=\d+us esterror=\d+us\n$/);
		assert.equal(r.status, /unsynchronised/.test(r.stdout) ? 1 : 0, r.stderr);
		if (r.status) assert.match(r.stderr, /警告: 同期していません/);
		const relaxed = await cli(['clock'], '[clock]\nrequire_kernel_sync = no\n');
		assert.equal(relaxed.status, 0, relaxed.stderr);
	});

	test('against chronyd on loopback: offset and delay, exit 0', async (t) => {
		if (!chrony) return t.skip('chronyd is not available');
		const r = await cli(['clock', '--ntp', `127.0.0.1:${chrony.port}`], '[clock]\nrequire_kernel_sync = no\n');
		assert.equal(r.status, 0, r.stderr);
		const m = new RegExp(`ntp=127\\.0\\.0\\.1:${chrony.port} offset=([+-]\\d+)us delay=(\\d+)us$`).exec(r.stdout.trim());
		assert.ok(m, r.stdout);
		assert.ok(Math.abs(Number(m[1])) < 100000, 'the same clock: a tiny offset');
		// The configured server is used when --ntp is not given.
		const c = await cli(['clock'], `[clock]\nrequire_kernel_sync = no\nntp_server = 127.0.0.1:${chrony.port}\n`);
		assert.equal(c.status, 0, c.stderr);
		assert.match(c.stdout, /offset=/);
	});

	test('a clock 5 s off is a warning', async () => {
		const srv = await responder('good', 5);
		try {
			const r = await cli(['clock', '--ntp', `127.0.0.1:${srv.port}`], '[clock]\nrequire_kernel_sync = no\n');
			assert.equal(r.status, 1);
			const off = Number(/offset=\+(\d+)us/.exec(r.stdout)[1]);
			assert.ok(off > 4800000 && off < 5200000, r.stdout);
			assert.match(r.stderr, /警告: ずれが大きい/);
			const loose = await cli(['clock', '--ntp', `127.0.0.1:${srv.port}`], '[clock]\nrequire_kernel_sync = no\nmax_offset_ms = 6000\n');
			assert.equal(loose.status, 0, loose.stderr);
		} finally {
			await srv.close();
		}
	});

	for (const [how, reason] of [['mode', /not in server mode/], ['zero', /zero receive or transmit/],
		['other', /originate timestamp is not ours/], ['silent', /no answer within 2000 ms/]]) {
		test(`a reply refused: ${how}`, async () => {
			const srv = await responder(how);
			try {
				const r = await cli(['clock', '--ntp', `127.0.0.1:${srv.port}`, '--lang', 'en'], '[clock]\nrequire_kernel_sync = no\n');
				assert.equal(r.status, 1);
				assert.match(r.stdout, / no-answer$/m);
				assert.match(r.stderr, reason);
				assert.match(r.stderr, /warning: the time server does not answer/);
			} finally {
				await srv.close();
			}
		});
	}

	test('bad settings are refused at start-up with the line', async () => {
		for (const bad of ['max_offset_ms = 0', 'max_offset_ms = many', 'check_every_s = 5',
			'ntp_server = host:99999', 'ntp_server = ::1', 'require_kernel_sync = maybe', 'offset = 3']) {
			const r = await cli(['clock'], `[clock]\n${bad}\n`);
			assert.equal(r.status, 1, bad);
			assert.match(r.stderr, /mamori\.conf:2: unknown setting or bad value/, bad);
		}
		assert.equal((await cli(['clock', '--ntp', 'a b'])).status, 2);
		assert.equal((await cli(['help', 'clock'])).status, 0);
	});
});

/* Accounts of the three roles that see the clock, signed in to the pages
 * (a password alone: the test servers do not ask privileged accounts for a
 * second factor), with tokens for the API. */
function roleUsers(srv) {
	const users = {};
	for (const [login, person, role] of [['c.admin', '10040', 'app_admin'], ['c.jimu', '10041', 'secretariat'],
		['c.kansa', '10042', 'auditor']]) {
		addAccount(srv, { login, person, password: 'clock tower at noon', roles: [role] });
		users[role] = addApiUser(srv, { login });
	}
	return users;
}

const RELAXED_AUTH = '[auth]\nrequire_totp_for_privileged = no\n';

describe('a server whose time server is 5 s ahead', () => {
	let ntp, srv, users;
	before(async () => {
		ntp = await responder('good', 5);
		srv = await startServer({ config: `${RELAXED_AUTH}[clock]\nntp_server = 127.0.0.1:${ntp.port}\nrequire_kernel_sync = no\n` });
		users = roleUsers(srv);
		users.staff = addApiUser(srv, { login: STAFF.login });
	});
	after(async () => {
		await srv?.stop();
		await ntp?.close();
	});

	test('the API: the offset, the verdict, for the three roles only', async () => {
		const j = await firstCheck(srv.url, users.app_admin.token);
		assert.equal(j.verdict, 'offset');
		assert.equal(j.message, '警告: ずれが大きい');
		assert.equal(j.ntp.server, `127.0.0.1:${ntp.port}`);
		assert.equal(j.ntp.answered, true);
		assert.ok(j.ntp.offset_us > 4800000 && j.ntp.offset_us < 5200000);
		assert.equal(j.ntp.stratum, 2);
		assert.match(j.ntp.checked_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.equal(j.max_offset_ms, 1000);
		assert.equal(typeof j.kernel.synced, 'boolean');
		assert.match(j.line, /^clock .* offset=\+\d+us delay=\d+us$/);
		for (const role of ['secretariat', 'auditor'])
			assert.equal((await users[role].api.get('/api/v1/clock')).status, 200, role);
		assert.equal((await request(srv.url, '/api/v1/clock')).status, 200, '事務局 (the test token)');
		const staff = await users.staff.api.get('/api/v1/clock');
		assert.equal(staff.status, 403);
		assert.equal(staff.json.error.code, 'forbidden');
		assert.equal((await request(srv.url, '/api/v1/clock', { anonymous: true })).status, 401);
	});

	test('the page and the banner: the three roles see both, staff neither', async () => {
		await firstCheck(srv.url, users.app_admin.token);
		for (const login of ['c.admin', 'c.jimu', 'c.kansa']) {
			const cookie = await signIn(srv.url, login, 'clock tower at noon');
			const page = await request(srv.url, '/admin/clock', { headers: { Cookie: cookie } });
			assert.equal(page.status, 200, login);
			assert.match(page.text, /<h1>時刻同期の状態<\/h1>/);
			assert.match(page.text, /警告: ずれが大きい/);
			assert.match(page.text, new RegExp(`127\\.0\\.0\\.1:${ntp.port}`));
			assert.match(page.text, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST/);
			assert.match(page.text, /1000\.000 ms/, 'the threshold');
			const home = await request(srv.url, '/assets', { headers: { Cookie: cookie } });
			assert.equal(home.status, 200);
			assert.match(home.text, BANNER, `${login} sees the banner`);
			assert.match(home.text, /時刻同期の警告/);
		}
		assert.equal((await request(srv.url, '/admin/clock')).status, 403, 'staff');
		const list = await request(srv.url, '/assets');
		assert.equal(list.status, 200);
		assert.doesNotMatch(list.text, BANNER, 'staff see no banner');
		const anon = await request(srv.url, '/admin/clock', { anonymous: true });
		assert.equal(anon.status, 303);
		assert.match(anon.headers.get('location'), /^\/signin/);
	});

	test('in English too', async () => {
		const r = await request(srv.url, '/api/v1/clock', { headers: { 'Accept-Language': 'en' } });
		assert.equal(r.json.message, 'Warning: the offset is too large');
	});
});

describe('a server whose time server is silent', () => {
	let ntp, srv;
	before(async () => {
		ntp = await responder('silent');
		srv = await startServer({ seed: 'empty', config: `${RELAXED_AUTH}[clock]\nntp_server = 127.0.0.1:${ntp.port}\nrequire_kernel_sync = no\n` });
	});
	after(async () => {
		await srv?.stop();
		await ntp?.close();
	});

	test('is a warning on the API, the page and the banner; requests never wait for it', async () => {
		const started = Date.now();
		const early = await request(srv.url, '/api/v1/clock');
		assert.ok(Date.now() - started < 1500, 'the API answers at once');
		assert.equal(early.status, 200);
		const j = await firstCheck(srv.url, srv.token);
		assert.equal(j.verdict, 'no_answer');
		assert.equal(j.ntp.answered, false);
		assert.equal(j.ntp.error, 'no answer within 2000 ms');
		const cookie = await signIn(srv.url, ADMIN.login, ADMIN.password);
		const page = await request(srv.url, '/org', { headers: { Cookie: cookie } });
		assert.match(page.text, BANNER);
		assert.match(page.text, /警告: 時刻サーバーが応答しません/);
	});
});

describe('a server whose clock is right', () => {
	let srv;
	before(async () => {
		const server = chrony ? `ntp_server = 127.0.0.1:${chrony.port}\n` : '';
		srv = await startServer({ seed: 'empty', config: `${RELAXED_AUTH}[clock]\n${server}require_kernel_sync = no\nmax_offset_ms = 50\n` });
	});
	after(async () => {
		await srv?.stop();
	});

	test('says 正常 and shows no banner', async () => {
		const j = chrony ? await firstCheck(srv.url, srv.token) : (await request(srv.url, '/api/v1/clock')).json;
		assert.equal(j.verdict, 'ok', JSON.stringify(j));
		if (chrony) assert.equal(j.ntp.answered, true);
		else assert.equal(j.ntp.server, null);
		assert.equal(j.max_offset_ms, 50);
		const cookie = await signIn(srv.url, ADMIN.login, ADMIN.password);
		const page = await request(srv.url, '/admin/clock', { headers: { Cookie: cookie } });
		assert.equal(page.status, 200);
		assert.match(page.text, /<strong>正常<\/strong>/);
		assert.doesNotMatch(page.text, BANNER);
		assert.doesNotMatch((await request(srv.url, '/org', { headers: { Cookie: cookie } })).text, BANNER);
	});
});
