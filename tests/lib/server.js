// Starts the real mamori binary on loopback for one test file, and small
// helpers the API and browser tests share: a JSON client, a CLI runner and a
// reader for the ZIP container of XLSX files.
//
// The binary is $MAMORI_BIN, or ../build/mamori relative to this tests
// directory. Every server gets its own temporary directory holding its
// database (and its TMPDIR, so that leftover export files can be seen).
import { spawn, spawnSync } from 'node:child_process';
import { after, before } from 'node:test';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export const TESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MAMORI_BIN = process.env.MAMORI_BIN
	? path.resolve(process.env.MAMORI_BIN)
	: path.join(TESTS_DIR, '..', 'build', 'mamori');

const START_TIMEOUT_MS = 15000;

/* Test servers run as whoever runs the tests. mamori serve refuses root
 * without a service user to switch to (sandbox.test.js tests the switch), so
 * as root they say so explicitly. */
export const SERVE_AS = process.getuid && process.getuid() === 0 ? ['--allow-root'] : [];

/* The database backend the tests run on: SQLite files by default, or with
 * MAMORI_TEST_DB=postgres a new database per server on the PostgreSQL
 * cluster at MAMORI_PG_URL (scripts/pg-cluster start prints it). */
export const BACKEND = process.env.MAMORI_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
const PG_URL = process.env.MAMORI_PG_URL || 'postgresql://mamori@127.0.0.1:54329/postgres';

function psql(sql, url = PG_URL) {
	const r = spawnSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], {
		encoding: 'utf8',
		timeout: 60000,
		maxBuffer: 256 << 20,
	});
	if (r.error) throw r.error;
	if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
	return r.stdout;
}

/**
 * A new empty database for one test server: a file in dir for SQLite, a new
 * PostgreSQL database otherwise. Resolves to {url, drop()}; url is what
 * --db takes.
 */
export function newDatabase(dir, name = 't', backend = BACKEND) {
	if (backend !== 'postgres') return { url: path.join(dir, `${name}.db`), drop() {} };
	const db = `mm_${name}_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
	psql(`CREATE DATABASE ${db}`);
	const u = new URL(PG_URL);
	u.pathname = `/${db}`;
	return {
		url: u.toString(),
		drop() {
			// A session the cluster itself has on it (autovacuum) can make
			// the drop fail for a moment: try again before giving up.
			for (let i = 0; ; i++) {
				try {
					psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
					return;
				} catch (e) {
					if (i === 4) throw e;
					Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
				}
			}
		},
	};
}

/**
 * Whether the PostgreSQL cluster of the tests answers (for tests that copy
 * between the backends whichever one the suite runs on).
 */
export function pgReachable() {
	try {
		return psql('SELECT 1').trim() === '1';
	} catch {
		return false;
	}
}

/* A database on a server has no file to keep the sealing key of TOTP seeds
 * beside: on PostgreSQL every CLI run and server of this process reads one
 * key file named by a configuration ([security] key_file). BACKEND_CONFIG
 * is the text a test's own configuration file must add; '' on SQLite. */
const PG_KEY_DIR = BACKEND === 'postgres' ? mkdtempSync(path.join(tmpdir(), 'mamori-pg-key-')) : null;
export const BACKEND_CONFIG = PG_KEY_DIR ? `\n[security]\nkey_file = ${path.join(PG_KEY_DIR, 'seal.key')}\n` : '';
const DEFAULT_CONFIG = PG_KEY_DIR ? path.join(PG_KEY_DIR, 'mamori.conf') : '/dev/null';
if (PG_KEY_DIR) {
	writeFileSync(DEFAULT_CONFIG, BACKEND_CONFIG);
	process.on('exit', () => rmSync(PG_KEY_DIR, { recursive: true, force: true }));
}

/** Runs SQL on a test database (SQLite file or PostgreSQL URL); returns rows as text. */
export function sql(dbUrl, text) {
	if (/^postgres(ql)?:\/\//.test(dbUrl)) return psql(text, dbUrl);
	const r = spawnSync('sqlite3', [dbUrl, text], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
	return r.stdout;
}
/**
 * Runs a query on a test database and returns its rows as objects (numbers
 * for integer columns), the same on both backends.
 */
export function sqlRows(dbUrl, query) {
	if (/^postgres(ql)?:\/\//.test(dbUrl))
		return JSON.parse(psql(`SELECT coalesce(json_agg(q), '[]') FROM (${query}) AS q`, dbUrl).trim() || '[]');
	const r = spawnSync('sqlite3', ['-json', dbUrl, query], { encoding: 'utf8', maxBuffer: 256 << 20 });
	if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
	return JSON.parse(r.stdout.trim() || '[]');
}
const SANITIZER = /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|UndefinedBehaviorSanitizer/;
const STOP_TIMEOUT_MS = 10000;

/* The environment the binary runs with: no proxy settings (everything is on
 * loopback), no configuration file of the machine's (/dev/null, or on
 * PostgreSQL one naming the key file, unless the test gives one), and, when
 * given, a TMPDIR of the test's own. */
function childEnv(extra = {}) {
	const env = { ...process.env, MAMORI_CONFIG: DEFAULT_CONFIG, ...extra };
	for (const k of Object.keys(env))
		if (/^(https?|no|all)_proxy$/i.test(k)) delete env[k];
	return env;
}

/**
 * Runs the CLI synchronously. Returns {status, stdout, stderr}; stdout and
 * stderr are UTF-8 text. Throws when the CLI printed a sanitizer report.
 */
export function runCli(args, { input, env, cwd } = {}) {
	const r = spawnSync(MAMORI_BIN, args, {
		input,
		env: childEnv(env),
		cwd,
		encoding: 'utf8',
		timeout: 60000,
		maxBuffer: 64 << 20,
	});
	if (r.error) throw r.error;
	if (SANITIZER.test(r.stderr)) throw new Error(`mamori ${args[0]} reported a sanitizer error:\n${r.stderr}`);
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/* The accounts every test server has: an API user of 事務局 (a personal API
 * token, which needs no second factor) and a member of staff who signs in
 * to the pages with a password. */
export const ADMIN = { login: 'tester', name: '試験 太郎', person: '10007', password: 'correct horse battery staple' };
export const STAFF = { login: 'staff1', name: '職員 花子', person: '10029', password: 'blue bicycle under the bridge' };
const CREDENTIALS = new Map();
/* The code of ADMIN's 事務局 holding on an empty database. */
export const ADMIN_HOLDING = 'T-ADMIN';

/* On the demo data the accounts belong to demo people (10007 is in 事務局,
 * 10029 a member of 市民課), so the demo's counts stay as they are; an empty
 * database gets two people of its own, ADMIN's in 事務局. */
function makeAccounts(dbPath, env, demo) {
	for (const who of [ADMIN, STAFF]) {
		// No role on an empty database: its role holders would take codes
		// (RH-000001…) that imported files use for other holdings.
		const whom = demo ? ['--person', who.person] : ['--name', who.name, '--section', '0121'];
		const r = runCli(['user', 'add', '--db', dbPath, '--login', who.login, ...whom,
			'--password-stdin'], { env, input: who.password + '\n' });
		if (r.status !== 0) throw new Error(`mamori user add ${who.login} failed: ${r.stderr}`);
	}
	if (!demo) {
		// ADMIN is of 事務局 on an empty database too, which it needs to
		// write the registers (7.1). The holding's own code (not RH-…)
		// leaves the codes of imported holdings free.
		const h = runCli(['role_holder', 'add', '--db', dbPath, '--set', `code=${ADMIN_HOLDING}`,
			'--set', `person_id=${ADMIN.name}`, '--set', 'role_id=secretariat'], { env });
		if (h.status !== 0) throw new Error(`mamori role_holder add failed: ${h.stderr}`);
	}
	const t = runCli(['token', 'create', '--db', dbPath, '--login', ADMIN.login, '--label', 'tests'], { env });
	if (t.status !== 0) throw new Error(`mamori token create failed: ${t.stderr}`);
	if (demo) {
		// 事務局 reads no 極秘 record it is not named on (7.1). The tests
		// of the registers, lists and exports count and round-trip all the
		// demo data as ADMIN, so the operator names ADMIN on the demo's
		// 極秘 assets; access.test.js tests the rule with other accounts.
		const g = runCli(['asset', 'grant', '--db', dbPath, '--person', ADMIN.person, '--kind', 'named',
			'--where', 'confidentiality=4', '--status', 'all'], { env });
		if (g.status !== 0) throw new Error(`mamori asset grant failed: ${g.stderr}`);
	}
	return { token: t.stdout.trim().split('\n').pop() };
}

/**
 * Gives a person of a test server's database an account with the CLI, as
 * its operator would: {login, person (employee number or id), password,
 * roles (codes or names)}. Returns the CLI's {status, stdout, stderr}; throws
 * when it fails.
 */
export function addAccount(srv, { login, person, password, roles = [] }) {
	const args = ['user', 'add', '--db', srv.dbPath, '--login', login, '--person', String(person)];
	for (const r of roles) args.push('--role', r);
	const r = runCli([...args, '--password-stdin'], { env: srv.env, input: password + '\n' });
	if (r.status !== 0) throw new Error(`mamori user add ${login} failed: ${r.stderr}`);
	return r;
}

/**
 * An API user of a test server: a personal API token, made with the CLI, for
 * the account login, which is first made for person (employee number or id)
 * when a person is given (the demo accounts of init --demo exist already).
 * Returns {login, token, api}, api being a client (see client()) that sends
 * the token.
 */
export function addApiUser(srv, { login, person, roles = [] }) {
	if (person !== undefined)
		addAccount(srv, { login, person, password: 'a kettle on the seventh shelf', roles });
	const t = runCli(['token', 'create', '--db', srv.dbPath, '--login', login, '--label', 'tests'], { env: srv.env });
	if (t.status !== 0) throw new Error(`mamori token create ${login} failed: ${t.stderr}`);
	const token = t.stdout.trim().split('\n').pop();
	return { login, token, api: client(srv.url, token) };
}

/* Signs in through the form and returns the Cookie header value. */
export async function signIn(url, login, password) {
	const res = await fetch(url + '/signin', {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ login, password, next: '/' }).toString(),
		redirect: 'manual',
	});
	const set = res.headers.get('set-cookie') || '';
	const m = /mm_session=([0-9a-f]+)/.exec(set);
	if (res.status !== 303 || !m) throw new Error(`sign-in as ${login} failed: ${res.status}`);
	return `mm_session=${m[1]}`;
}

/**
 * Serves an existing database (a second server on a test server's database,
 * or a copy) on 127.0.0.1 with a port the kernel picks. env as runCli takes
 * it (a test server's srv.env). Resolves to {url, pid, stderr(), stop()};
 * stop() sends SIGTERM and resolves to {code, signal}, rejecting when the
 * server had died before, did not exit 0, or printed a sanitizer report.
 * The database is left as it is.
 */
export async function serveDatabase({ dbPath, env = {}, args = [] }) {
	if (!existsSync(MAMORI_BIN))
		throw new Error(`mamori binary not found at ${MAMORI_BIN} (build it, or set MAMORI_BIN)`);
	const child = spawn(
		MAMORI_BIN,
		['serve', '--db', dbPath, '--port', '0', '--listen', '127.0.0.1', ...SERVE_AS, ...args],
		{ stdio: ['ignore', 'ignore', 'pipe'], env: childEnv(env) },
	);
	let err = '';
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		});
	});
	child.stderr.setEncoding('utf8');

	const url = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`mamori serve did not report its address: ${err}`));
		}, START_TIMEOUT_MS);
		child.stderr.on('data', (chunk) => {
			err += chunk;
			if (err.length > 1 << 20) err = err.slice(-(1 << 19));
			const m = /mamori: serving (https?:\/\/127\.0\.0\.1:(\d+))\//.exec(err);
			if (m) {
				clearTimeout(timer);
				resolve(m[1]);
			}
		});
		exitPromise.then(({ code, signal }) => {
			clearTimeout(timer);
			reject(new Error(`mamori serve exited (${code ?? signal}) before serving: ${err}`));
		});
	});

	let stopped = null;
	async function stop() {
		if (stopped) return stopped;
		stopped = (async () => {
			const crashed = exited !== null;
			if (!exited) {
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
				await exitPromise;
				clearTimeout(timer);
			}
			// A server that died on its own, did not stop cleanly, or had a
			// sanitizer report fails the test file that ran it.
			const why = crashed
				? `exited (${exited.code ?? exited.signal}) before it was stopped`
				: exited.code !== 0
					? `exited with ${exited.code ?? exited.signal} on SIGTERM`
					: SANITIZER.test(err)
						? 'reported a sanitizer error'
						: null;
			if (why) throw new Error(`mamori serve ${why}:\n${err.slice(-4000)}`);
			return exited;
		})();
		return stopped;
	}
	return { url, pid: child.pid, stderr: () => err, stop };
}

/**
 * Creates a database (with the demo data when seed is 'demo') and serves it
 * on 127.0.0.1 with a port the kernel picks. config, when given, is the text
 * of the INI configuration file both init and serve read. Resolves to
 * {url, dbPath, dir, tmpDir, pid, env, initStdout, stderr(), tmpFiles(),
 * stop()} (initStdout: what init printed, the demo accounts among it); url has
 * no trailing slash. stop() sends SIGTERM, waits for the exit, removes the
 * directory and resolves to {code, signal}; it rejects when the server had
 * died before, did not exit 0, or printed a sanitizer report.
 */
export async function startServer({ seed = 'demo', args = [], config } = {}) {
	if (!existsSync(MAMORI_BIN))
		throw new Error(`mamori binary not found at ${MAMORI_BIN} (build it, or set MAMORI_BIN)`);
	const dir = mkdtempSync(path.join(tmpdir(), 'mamori-test-'));
	const database = newDatabase(dir);
	const dbPath = database.url;
	const tmpDir = path.join(dir, 'tmp');
	mkdirSync(tmpDir);
	const env = { TMPDIR: tmpDir };
	if (config !== undefined) {
		env.MAMORI_CONFIG = path.join(dir, 'mamori.conf');
		writeFileSync(env.MAMORI_CONFIG, config + BACKEND_CONFIG);
	}
	// seed: 'demo', 'demo-N' (the demo with N assets) or anything else for
	// an empty database.
	const many = /^demo-(\d+)$/.exec(seed);
	const demo = seed === 'demo' || many !== null;
	const seedArgs = many ? ['--demo-assets', many[1]] : demo ? ['--demo'] : [];
	const init = runCli(['init', '--db', dbPath, ...seedArgs], { env });
	if (init.status !== 0) {
		database.drop();
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`mamori init failed (${init.status}): ${init.stderr}`);
	}

	let creds;
	try {
		creds = makeAccounts(dbPath, env, demo);
	} catch (e) {
		database.drop();
		rmSync(dir, { recursive: true, force: true });
		throw e;
	}

	let served;
	try {
		served = await serveDatabase({ dbPath, env, args });
	} catch (e) {
		database.drop();
		rmSync(dir, { recursive: true, force: true });
		throw e;
	}
	const { url } = served;

	let stopped = null;
	async function stop() {
		if (stopped) return stopped;
		stopped = (async () => {
			try {
				return await served.stop();
			} finally {
				database.drop();
				rmSync(dir, { recursive: true, force: true });
			}
		})();
		return stopped;
	}

	try {
		// (Over HTTPS the test certificate is self-signed: fetch would refuse
		// it, so such servers get no ready-made page session.)
		if (url.startsWith('http:')) creds.cookie = await signIn(url, STAFF.login, STAFF.password);
	} catch (e) {
		// A server that died meanwhile says why (its stderr, its signal).
		const died = await stop().then(
			() => null,
			(why) => why,
		);
		throw died ? new Error(`${e.message}; ${died.message}`) : e;
	}
	CREDENTIALS.set(url, creds);

	return {
		url,
		token: creds.token,
		cookie: creds.cookie,
		dbPath,
		dir,
		tmpDir,
		pid: served.pid,
		env,
		initStdout: init.stdout,
		stderr: () => served.stderr(),
		tmpFiles: () => readdirSync(tmpDir),
		stop,
	};
}

/**
 * Sends one request to the server. opts: method, json (sent as
 * application/json), body (string or bytes, with headers as given),
 * headers. Resolves to {status, headers, bytes, text, json} where json is
 * the parsed body when it is JSON, else undefined.
 */
export async function request(base, pathname, opts = {}) {
	const headers = { ...(opts.headers || {}) };
	// Requests go as the test server's users unless opts.anonymous: the API
	// with the personal token, pages with the staff member's session.
	const creds = CREDENTIALS.get(base);
	const named = (h) => Object.keys(headers).some((k) => k.toLowerCase() === h);
	if (creds && !opts.anonymous) {
		const cookieKey = Object.keys(headers).find((k) => k.toLowerCase() === 'cookie');
		if (pathname.startsWith('/api/')) {
			if (!named('authorization')) headers.Authorization = `Bearer ${creds.token}`;
		} else if (!cookieKey) {
			headers.Cookie = creds.cookie;
		} else if (!/mm_session=/.test(headers[cookieKey])) {
			headers[cookieKey] += `; ${creds.cookie}`;
		}
	}
	let body = opts.body;
	if (opts.json !== undefined) {
		body = JSON.stringify(opts.json);
		if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
			headers['Content-Type'] = 'application/json';
	}
	const res = await fetch(base + pathname, {
		method: opts.method || (body !== undefined ? 'POST' : 'GET'),
		headers,
		body,
		redirect: 'manual',
	});
	const bytes = Buffer.from(await res.arrayBuffer());
	const text = bytes.toString('utf8');
	let json;
	if ((res.headers.get('content-type') || '').includes('application/json')) {
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
	}
	return { status: res.status, headers: res.headers, bytes, text, json };
}

/**
 * A client bound to one server: api.get('/api/v1/assets'), api.post(path,
 * json), … It sends the test server's own credentials, or the personal API
 * token given (see addApiUser).
 */
export function client(base, token) {
	const send = (b, p, o = {}) =>
		request(b, p, token ? { ...o, headers: { Authorization: `Bearer ${token}`, ...(o.headers || {}) } } : o);
	return {
		req: (p, o) => send(base, p, o),
		get: (p, o = {}) => send(base, p, { ...o, method: 'GET' }),
		post: (p, json, o = {}) => send(base, p, { ...o, method: 'POST', json }),
		put: (p, json, o = {}) => send(base, p, { ...o, method: 'PUT', json }),
		/* The number of records of reg, retired ones included. */
		async total(reg, query = 'status=all') {
			const r = await send(base, `/api/v1/${reg}?${query}&limit=1`);
			if (r.status !== 200) throw new Error(`list ${reg}: ${r.status} ${r.text}`);
			return r.json.total;
		},
		/* Every record of reg (retired ones included), by id. */
		async all(reg, query = 'status=all') {
			const out = [];
			for (let offset = 0; ; offset += 1000) {
				const r = await send(base, `/api/v1/${reg}?${query}&limit=1000&offset=${offset}`);
				if (r.status !== 200) throw new Error(`list ${reg}: ${r.status} ${r.text}`);
				out.push(...r.json.items);
				if (out.length >= r.json.total || r.json.items.length === 0) return out;
			}
		},
		async record(reg, id) {
			const r = await send(base, `/api/v1/${reg}/${id}`);
			if (r.status !== 200) throw new Error(`get ${reg}/${id}: ${r.status} ${r.text}`);
			return r.json;
		},
		async history(reg, id) {
			const r = await send(base, `/api/v1/${reg}/${id}/history`);
			if (r.status !== 200) throw new Error(`history ${reg}/${id}: ${r.status} ${r.text}`);
			return r.json.items;
		},
	};
}

/** A valid new asset of the demo data, with overrides. */
export function assetInput(overrides = {}) {
	return {
		name: 'テスト用資産',
		kind: 'data',
		section_id: 2,
		personal_info: 'none',
		confidentiality: 2,
		integrity: 2,
		availability: 1,
		...overrides,
	};
}

/** The field error list of an error body as [field, code] pairs, sorted. */
export function fieldCodes(body) {
	return (body?.error?.fields || []).map((f) => [f.field, f.code]).sort();
}

/** Splits CSV text into rows of cells (RFC 4180 quoting, CRLF or LF). */
export function parseCsv(text) {
	const rows = [];
	let row = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (c === '"') {
				quoted = false;
			} else {
				cell += c;
			}
		} else if (c === '"') {
			quoted = true;
		} else if (c === ',') {
			row.push(cell);
			cell = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			// the \n ends the row
		} else if (c === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
		} else {
			cell += c;
		}
	}
	if (cell !== '' || row.length) {
		row.push(cell);
		rows.push(row);
	}
	return rows;
}

/** Quotes one CSV cell when it needs it. */
export function csvCell(s) {
	s = String(s ?? '');
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Joins rows of cells into CSV text with CRLF line ends. */
export function toCsv(rows) {
	return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * Reads the entries of a ZIP file (as XLSX files are) through its central
 * directory. Returns a Map of name -> Buffer of the uncompressed content.
 */
export function unzip(buf) {
	let eocd = -1;
	for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--)
		if (buf.readUInt32LE(i) === 0x06054b50) {
			eocd = i;
			break;
		}
	if (eocd < 0) throw new Error('not a zip file: no end of central directory');
	const count = buf.readUInt16LE(eocd + 10);
	let p = buf.readUInt32LE(eocd + 16);
	const out = new Map();
	for (let n = 0; n < count; n++) {
		if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
		const method = buf.readUInt16LE(p + 10);
		const csize = buf.readUInt32LE(p + 20);
		const nameLen = buf.readUInt16LE(p + 28);
		const extraLen = buf.readUInt16LE(p + 30);
		const commentLen = buf.readUInt16LE(p + 32);
		const local = buf.readUInt32LE(p + 42);
		const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
		if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
		const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
		const data = buf.subarray(start, start + csize);
		out.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
		p += 46 + nameLen + extraLen + commentLen;
	}
	return out;
}

/* Starts one server for the test file before its tests and stops it after
 * them. The returned object's srv and api are set once the server is up. */
export function useServer(opts) {
	const ctx = { srv: null, api: null };
	before(async () => {
		ctx.srv = await startServer(opts);
		ctx.api = client(ctx.srv.url);
	});
	after(async () => {
		await ctx.srv?.stop();
	});
	return ctx;
}
