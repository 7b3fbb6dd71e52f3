// Serves a database that exists already (a restored copy, or the database
// of a server the crash tests killed), where startServer() would make a new
// one. Also makes the API account such a database needs.
import { spawn } from 'node:child_process';

import { ADMIN, MAMORI_BIN, SERVE_AS, runCli } from './server.js';

const START_TIMEOUT_MS = 15000;
const SANITIZER = /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|UndefinedBehaviorSanitizer/;

/* The environment of the server: no proxies (loopback only), no machine
 * configuration, plus the caller's additions (an LD_PRELOAD, say). */
function serveEnv(extra) {
	const env = { ...process.env, MAMORI_CONFIG: '/dev/null', ...extra };
	for (const k of Object.keys(env))
		if (/^(https?|no|all)_proxy$/i.test(k)) delete env[k];
	return env;
}

/**
 * Starts `mamori serve` on dbUrl (a file or a PostgreSQL URL) on a port the
 * kernel picks. Resolves once it says where it serves, to {url, pid,
 * stderr(), exited (a promise of {code, signal}), alive(), kill(signal),
 * stop()}. stop() sends SIGTERM and rejects when the server had died, did
 * not exit 0 or printed a sanitizer report; kill() only signals and waits.
 */
export async function serveDb(dbUrl, { env = {}, args = [] } = {}) {
	const child = spawn(MAMORI_BIN, ['serve', '--db', dbUrl, '--port', '0', '--listen', '127.0.0.1', ...SERVE_AS, ...args], {
		stdio: ['ignore', 'ignore', 'pipe'],
		env: serveEnv(env),
	});
	let err = '';
	let status = null;
	const exited = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			status = { code, signal };
			resolve(status);
		});
	});
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (chunk) => {
		err += chunk;
		if (err.length > 1 << 20) err = err.slice(-(1 << 19));
	});
	const url = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`mamori serve did not report its address: ${err}`));
		}, START_TIMEOUT_MS);
		const look = () => {
			const m = /mamori: serving (https?:\/\/127\.0\.0\.1:\d+)\//.exec(err);
			if (m) {
				clearTimeout(timer);
				resolve(m[1]);
			}
		};
		child.stderr.on('data', look);
		exited.then(({ code, signal }) => {
			clearTimeout(timer);
			reject(new Error(`mamori serve exited (${code ?? signal}) before serving: ${err}`));
		});
	});
	return {
		url,
		pid: child.pid,
		stderr: () => err,
		exited,
		alive: () => status === null,
		async kill(signal = 'SIGKILL') {
			if (status === null) child.kill(signal);
			return exited;
		},
		async stop() {
			const crashed = status !== null;
			if (!crashed) {
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
				await exited;
				clearTimeout(timer);
			}
			const why = crashed
				? `exited before it was stopped (${status.code ?? status.signal})`
				: status.code !== 0
					? `exited with ${status.code ?? status.signal} on SIGTERM`
					: SANITIZER.test(err)
						? 'reported a sanitizer error'
						: null;
			if (why) throw new Error(`mamori serve ${why}:\n${err.slice(-4000)}`);
			return status;
		},
	};
}

/**
 * Gives a demo database (init --demo) the API account the tests use: ADMIN
 * on its demo person (事務局), with a personal token. Returns the token.
 */
export function demoApiToken(dbUrl, env = {}) {
	const u = runCli(['user', 'add', '--db', dbUrl, '--login', ADMIN.login, '--person', ADMIN.person,
		'--password-stdin'], { env, input: ADMIN.password + '\n' });
	if (u.status !== 0) throw new Error(`mamori user add failed: ${u.stderr}`);
	const t = runCli(['token', 'create', '--db', dbUrl, '--login', ADMIN.login, '--label', 'tests'], { env });
	if (t.status !== 0) throw new Error(`mamori token create failed: ${t.stderr}`);
	return t.stdout.trim().split('\n').pop();
}
