// The account page over HTTP: changing the password, personal API tokens,
// enrolling TOTP and signing in with it, the privileged account that must
// enrol first, and the demo accounts init --demo prints. Each refusal is
// shown to change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { STAFF, addAccount, addApiUser, request, runCli, sql, useServer } from '../lib/server.js';
import { freshStep, hotp, stepOf, totp } from '../lib/totp.js';

// Many sign-ins from one address: more than the default limit per window.
const t = useServer({ seed: 'demo', config: '[auth]\nsignin_attempts_per_ip = 500\n' });

/* A browser without the browser: one session cookie, and forms posted with
 * the CSRF token of the last page read. */
class Visitor {
	constructor(url) {
		this.url = url;
		this.cookie = '';
		this.csrf = '';
	}

	async send(path, { method = 'GET', form, headers = {} } = {}) {
		const h = { ...headers };
		if (this.cookie) h.Cookie = this.cookie;
		let body;
		if (form) {
			h['Content-Type'] = 'application/x-www-form-urlencoded';
			body = new URLSearchParams(form).toString();
		}
		const res = await fetch(this.url + path, { method, headers: h, body, redirect: 'manual' });
		const m = /mm_session=([0-9a-f]*)/.exec(res.headers.get('set-cookie') || '');
		if (m) this.cookie = m[1] ? `mm_session=${m[1]}` : '';
		const text = await res.text();
		const c = /name="csrf" value="([0-9a-f]+)"/.exec(text);
		if (c) this.csrf = c[1];
		return { status: res.status, location: res.headers.get('location'), text };
	}

	get(path) {
		return this.send(path);
	}

	post(path, fields = {}, headers = {}) {
		return this.send(path, { method: 'POST', form: { csrf: this.csrf, ...fields }, headers });
	}

	signIn(login, password) {
		return this.send('/signin', { method: 'POST', form: { login, password, next: '/' } });
	}

	/* The second step: reads the code form (for its CSRF token), sends code. */
	async code(code) {
		const page = await this.get('/signin/totp?next=/');
		assert.equal(page.status, 200, 'the code form is shown');
		return this.post('/signin/totp', { code, next: '/' });
	}
}

const visitor = () => new Visitor(t.srv.url);

/* The message shown for a field of the account page's forms. */
function fieldError(text, id) {
	const m = new RegExp(`id="e-${id}">([^<]*)<`).exec(text);
	return m ? m[1] : null;
}

/* Signs in with a password and, when asked, a code; asserts success. */
async function signedIn(login, password, code) {
	const v = visitor();
	let r = await v.signIn(login, password);
	assert.equal(r.status, 303, `${login} signs in`);
	if (code !== undefined) {
		assert.match(r.location, /^\/signin\/totp/);
		r = await v.code(code);
		assert.equal(r.status, 303, `${login} passes the code step`);
	}
	assert.doesNotMatch(r.location, /^\/signin/);
	return v;
}

/* A six-digit code that is none of the codes of secret near now. */
function wrongCode(secret) {
	const s = stepOf();
	const valid = new Set([-2, -1, 0, 1, 2].map((d) => totp(secret, s + d)));
	for (let n = 0; ; n++) {
		const c = String((123456 + n * 7919) % 1000000).padStart(6, '0');
		if (!valid.has(c)) return c;
	}
}

test('the TOTP of these tests matches the test vectors of RFC 6238 (SHA-1)', () => {
	const key = Buffer.from('12345678901234567890');
	for (const [time, code] of [
		[59, '94287082'],
		[1111111109, '07081804'],
		[1111111111, '14050471'],
		[1234567890, '89005924'],
		[2000000000, '69279037'],
		[20000000000, '65353130'],
	])
		assert.equal(hotp(key, Math.floor(time / 30), 8), code);
	assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1), hotp(key, 1));
});

test('the account page says who is signed in, with the roles from the roles register', async () => {
	const r = await request(t.srv.url, '/account');
	assert.equal(r.status, 200);
	assert.match(r.text, /<dd>staff1<\/dd>/);
	assert.match(r.text, /<dd>小林 拓也<\/dd>/, 'demo person 10029');
	assert.match(r.text, /<dd>0410 市民課<\/dd>/);
	assert.match(r.text, /<dd id="roles"><span class="role">職員<\/span><\/dd>/);
	assert.match(r.text, /id="password"/);
	assert.match(r.text, /id="totp"/);
	assert.match(r.text, /id="tokens"/);
	assert.doesNotMatch(r.text, /二要素認証の登録が必要です/);
	assert.doesNotMatch(r.text, /<script|style=/);
	// Every form carries the session's CSRF token.
	const forms = r.text.match(/<form [^>]*method="post"/g).length;
	assert.equal((r.text.match(/name="csrf" value="[0-9a-f]{64}"/g) || []).length, forms);

	const anon = await request(t.srv.url, '/account', { anonymous: true });
	assert.equal(anon.status, 303, 'nobody signed in: to the sign-in page');
	assert.match(anon.headers.get('location'), /^\/signin\?next=(%2F|\/)account$/);
});

test('a data manager sees the role with its section', async () => {
	addAccount(t.srv, { login: 'kacho.kankyo', person: '10031', password: 'green leaves in the park' });
	const v = await signedIn('kacho.kankyo', 'green leaves in the park');
	const r = await v.get('/account');
	assert.match(r.text, /データ管理責任者（0420 環境課）/);
	assert.match(r.text, /<span class="role">職員<\/span>/);
	// Under the English switch: English names and brackets, on the account
	// page and on the org chart.
	const en = await request(t.srv.url, '/account', { headers: { Cookie: `${v.cookie}; mm_lang=en` } });
	assert.match(en.text, /<span class="role">Data Manager \(0420 環境課\)<\/span>, <span class="role">Staff member<\/span>/);
	const org = await request(t.srv.url, '/org', { headers: { Cookie: `${v.cookie}; mm_lang=en` } });
	assert.match(org.text, />Chief Information Security Officer<\/a>/);
	assert.doesNotMatch(org.text, />情報管理最高責任者<\/a>/);
});

/* The number of access refusals in the audit log. */
function refusals() {
	return Number(sql(t.srv.dbPath, "SELECT count(*) FROM audit_events WHERE action = 'access_denied'").trim());
}

test('a contractor, who may not read the roles register, sees their own role and section by name, and nothing is refused', async () => {
	const sections = (await t.api.get('/api/v1/sections?limit=1000')).json.items;
	const p = await t.api.post('/api/v1/people', {
		name: '委託 四郎', section_id: sections.find((s) => s.code === '0410').id, employment: 'contractor', employment_status: 'employed',
	});
	assert.equal(p.status, 201, p.text);
	addAccount(t.srv, { login: 'itaku.account', person: p.json.employee_no, password: 'a lantern by the harbour' });
	const v = await signedIn('itaku.account', 'a lantern by the harbour');
	// The contractor reads nothing of the roles register itself.
	assert.doesNotMatch((await v.get('/roles')).text, /外部委託者/);
	const before = refusals();
	let r = await v.get('/account');
	assert.equal(r.status, 200);
	assert.match(r.text, /<dd id="roles"><span class="role">外部委託者<\/span><\/dd>/);
	assert.match(r.text, /<dd>0410 市民課<\/dd>/);
	assert.doesNotMatch(r.text, /contractor/, 'no bare role code');
	// The English switch (the lang cookie).
	r = await request(t.srv.url, '/account', { headers: { Cookie: `${v.cookie}; mm_lang=en` } });
	assert.match(r.text, /<dt>Section<\/dt><dd>0410 市民課<\/dd>/);
	assert.match(r.text, /<dd id="roles"><span class="role">Contractor<\/span><\/dd>/);
	assert.equal(refusals(), before, 'viewing /account records no refusal');
});

test('password changes are refused with Japanese messages, and nothing changes', async () => {
	const pw = 'river stones and maple';
	addAccount(t.srv, { login: 'pw.user', person: '10002', password: pw });
	const v = await signedIn('pw.user', pw);
	await v.get('/account');
	const cases = [
		[{ current: 'not my password at all', password: 'a fresh new passphrase', confirm: 'a fresh new passphrase' },
			'pw-current', '現在のパスワードが正しくありません。'],
		[{ current: '', password: 'a fresh new passphrase', confirm: 'a fresh new passphrase' },
			'pw-current', '現在のパスワードを入力してください。'],
		[{ current: pw, password: 'short one', confirm: 'short one' },
			'pw-new', 'パスワードは12文字以上で入力してください。'],
		[{ current: pw, password: 'password1234', confirm: 'password1234' },
			'pw-new', 'このパスワードはよく使われていて推測されやすいため、使用できません。別のパスワードを設定してください。'],
		[{ current: pw, password: 'my pw.user passphrase', confirm: 'my pw.user passphrase' },
			'pw-new', 'パスワードにログイン名や氏名を含めることはできません。'],
		[{ current: pw, password: 'a fresh new passphrase', confirm: 'a fresh new passphrase!' },
			'pw-confirm', '新しいパスワードが、確認用の入力と一致しません。'],
	];
	for (const [form, id, msg] of cases) {
		const r = await v.post('/account/password', form);
		assert.equal(r.status, 422, `${id}: ${msg}`);
		assert.equal(fieldError(r.text, id), msg);
		assert.match(r.text, new RegExp(`id="f-${id}"[^>]*aria-invalid="true"`));
		// The form never shows a password back.
		for (const value of Object.values(form)) if (value) assert.ok(!r.text.includes(value), 'no password in the page');
	}
	// Still the old password.
	const again = visitor();
	assert.equal((await again.signIn('pw.user', pw)).status, 303);
	assert.equal((await again.get('/account')).status, 200);
	assert.equal((await v.get('/account')).status, 200);
});

test('a password change ends the other sessions, keeps this one, and the old password stops working', async () => {
	const pw = 'river stones and maple', next = 'quiet lanterns over water';
	const v = await signedIn('pw.user', pw);
	const other = await signedIn('pw.user', pw);
	await v.get('/account');
	const r = await v.post('/account/password', { current: pw, password: next, confirm: next });
	assert.equal(r.status, 303);
	assert.equal(r.location, '/account?done=password');
	const page = await v.get('/account?done=password');
	assert.equal(page.status, 200, 'this session goes on');
	assert.match(page.text, /パスワードを変更しました。/);
	const o = await other.get('/account');
	assert.equal(o.status, 303, 'the other session ended');
	assert.match(o.location, /^\/signin/);
	assert.equal((await visitor().signIn('pw.user', pw)).status, 401, 'the old password is refused');
	await signedIn('pw.user', next);
});

test('account forms need the CSRF token and the same origin', async () => {
	const v = await signedIn(STAFF.login, STAFF.password);
	await v.get('/account');
	const form = { current: STAFF.password, password: 'another long passphrase', confirm: 'another long passphrase' };
	let r = await v.send('/account/password', { method: 'POST', form });
	assert.equal(r.status, 403, 'no CSRF token');
	r = await v.post('/account/password', form, { Origin: 'http://evil.example' });
	assert.equal(r.status, 403, 'another site');
	r = await v.post('/account/tokens', { label: 'x', days: '30' }, { 'Sec-Fetch-Site': 'cross-site' });
	assert.equal(r.status, 403);
	r = await v.get('/account');
	assert.doesNotMatch(r.text, /<td>x<\/td>/, 'no token was made');
});

test('a personal API token: shown once, works as Bearer, listed, revoked → 401', async () => {
	const v = await signedIn(STAFF.login, STAFF.password);
	await v.get('/account');
	const made = await v.post('/account/tokens', { label: '集計スクリプト <b>', days: '30' });
	assert.equal(made.status, 200);
	const token = /<code class="secret" id="new-token">(mmt_[A-Za-z0-9_-]{43})<\/code>/.exec(made.text)?.[1];
	assert.ok(token, 'the token is shown');
	assert.match(made.text, /今しか表示されません/);
	assert.match(made.text, /集計スクリプト &lt;b&gt;/);

	const bearer = { headers: { Authorization: `Bearer ${token}` } };
	let api = await request(t.srv.url, '/api/v1/assets?limit=1', bearer);
	assert.equal(api.status, 200);

	const page = await v.get('/account');
	assert.ok(!page.text.includes(token), 'never shown again');
	assert.match(page.text, /<td>集計スクリプト &lt;b&gt;<\/td>/);
	assert.doesNotMatch(page.text, /<b>/);
	const id = /action="\/account\/tokens\/(\d+)\/revoke"/.exec(page.text)?.[1];
	assert.ok(id);

	// Another account cannot revoke it.
	const pw = await signedIn('pw.user', 'quiet lanterns over water');
	await pw.get('/account');
	assert.equal((await pw.post(`/account/tokens/${id}/revoke`)).status, 404);
	assert.equal((await request(t.srv.url, '/api/v1/assets?limit=1', bearer)).status, 200);

	const rv = await v.post(`/account/tokens/${id}/revoke`);
	assert.equal(rv.status, 303);
	assert.equal(rv.location, '/account?done=token_revoked');
	api = await request(t.srv.url, '/api/v1/assets?limit=1', bearer);
	assert.equal(api.status, 401);
	const after = await v.get('/account?done=token_revoked');
	assert.match(after.text, /トークンを失効させました。/);
	assert.match(after.text, /<td>失効<\/td>/);
	assert.ok(!after.text.includes(`action="/account/tokens/${id}/revoke"`));
});

test('token creation refuses a bad label or validity, and a token without expiry says so', async () => {
	const v = await signedIn(STAFF.login, STAFF.password);
	await v.get('/account');
	let r = await v.post('/account/tokens', { label: 'x'.repeat(101), days: '30' });
	assert.equal(r.status, 422);
	assert.match(fieldError(r.text, 'label'), /100 文字以内/);
	r = await v.post('/account/tokens', { label: 'ok', days: '7' });
	assert.equal(r.status, 422);
	assert.match(r.text, /有効期間を選んでください。/);
	assert.doesNotMatch(r.text, /mmt_/);
	r = await v.post('/account/tokens', { label: '無期限のトークン', days: '0' });
	assert.equal(r.status, 200);
	assert.match(r.text, /<dd>無期限<\/dd>/);
});

/* What the enrolment test leaves for the tests after it. */
const totpUser = { pw: '', secret: '', codes: [] };

test('TOTP: enrol with the QR code page, then sign-in asks for a code; wrong, replayed and spent codes are refused', async () => {
	const pw = 'seven swans a swimming';
	addAccount(t.srv, { login: 'totp.user', person: '10005', password: pw });
	const v = await signedIn('totp.user', pw);
	let page = await v.get('/account');
	assert.match(page.text, /<dd>未登録<\/dd>/);

	const start = await v.post('/account/totp/start');
	assert.equal(start.status, 200);
	assert.match(start.text, /<figure class="qr"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
	const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(start.text)?.[1].replace(/ /g, '');
	assert.equal(secret?.length, 32, 'the seed in base32');

	let r = await v.post('/account/totp/confirm', { code: wrongCode(secret) });
	assert.equal(r.status, 422);
	assert.match(fieldError(r.text, 'code'), /確認コードが正しくないか/);
	assert.match(r.text, /登録の途中です/);

	let step = await freshStep();
	r = await v.post('/account/totp/confirm', { code: totp(secret, step) });
	assert.equal(r.status, 200);
	assert.match(r.text, /二要素認証を登録しました/);
	const codes = [...r.text.matchAll(/<li><code>([A-Z2-7]{4}-[A-Z2-7]{4})<\/code><\/li>/g)].map((m) => m[1]);
	assert.equal(codes.length, 10, 'ten recovery codes, shown once');
	assert.match(r.text, /安全な場所に保管してください/);
	page = await v.get('/account');
	assert.match(page.text, /<dd>登録済み<\/dd>/);
	assert.ok(!page.text.includes(codes[0]) && !page.text.includes(secret));
	assert.equal((await v.post('/signout')).status, 303);

	// A wrong code: refused, and the half-made session is gone.
	let w = visitor();
	assert.match((await w.signIn('totp.user', pw)).location, /^\/signin\/totp/);
	assert.equal((await w.get('/account')).status, 303, 'the password alone grants nothing');
	r = await w.code(wrongCode(secret));
	assert.equal(r.status, 401);
	assert.match(r.text, /確認コードが正しくないか、期限が切れています。/);
	assert.equal((await w.get('/account')).status, 303);

	// The right code (the next step's: the one used to enrol is spent).
	step = await freshStep();
	const code = totp(secret, step + 1);
	const ok = await signedIn('totp.user', pw, code);
	assert.equal((await ok.get('/assets')).status, 200);

	// The same code again: a replay.
	w = visitor();
	await w.signIn('totp.user', pw);
	r = await w.code(code);
	assert.equal(r.status, 401, 'a code is accepted once');

	// A recovery code works once.
	await signedIn('totp.user', pw, codes[3].toLowerCase());
	w = visitor();
	await w.signIn('totp.user', pw);
	assert.equal((await w.code(codes[3])).status, 401, 'a spent recovery code');
	Object.assign(totpUser, { pw, secret, codes });
});

test('TOTP: new recovery codes and removal need the current password', async () => {
	const { pw, codes } = totpUser;
	const v = await signedIn('totp.user', pw, codes[5]);
	await v.get('/account');
	let r = await v.post('/account/totp/recovery', { current: 'not the password at all' });
	assert.equal(r.status, 422);
	assert.match(r.text, /現在のパスワードが正しくありません。/);
	r = await v.post('/account/totp/recovery', { current: pw });
	assert.equal(r.status, 200);
	const fresh = [...r.text.matchAll(/<li><code>([A-Z2-7]{4}-[A-Z2-7]{4})<\/code><\/li>/g)].map((m) => m[1]);
	assert.equal(fresh.length, 10);
	assert.match(r.text, /今までの回復コードは使えなくなりました。/);
	let w = visitor();
	await w.signIn('totp.user', pw);
	assert.equal((await w.code(codes[6])).status, 401, 'an old recovery code no longer works');

	r = await v.post('/account/totp/remove', { current: 'not the password at all' });
	assert.equal(r.status, 422);
	assert.match((await v.get('/account')).text, /<dd>登録済み<\/dd>/);
	r = await v.post('/account/totp/remove', { current: pw });
	assert.equal(r.status, 303);
	assert.equal(r.location, '/account?done=totp_removed');
	assert.match((await v.get('/account?done=totp_removed')).text, /二要素認証の登録を解除しました。/);
	w = visitor();
	r = await w.signIn('totp.user', pw);
	assert.equal(r.status, 303);
	assert.equal(r.location, '/', 'no code asked any more');
});

test('current-password checks are limited per account', async () => {
	const pw = 'patient gardener of bonsai';
	addAccount(t.srv, { login: 'guess.user', person: '10006', password: pw });
	const v = await signedIn('guess.user', pw);
	await v.get('/account');
	const form = (current) => ({ current, password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
	for (let i = 0; i < 10; i++)
		assert.equal((await v.post('/account/password', form(`guess number ${i}`))).status, 422);
	const r = await v.post('/account/password', form(pw));
	assert.equal(r.status, 429, 'even the right password, once over the limit');
	assert.match(r.text, /確認の回数が多すぎます/);
	await signedIn('guess.user', pw);
});

test('a privileged account without TOTP is sent to /account and reaches nothing else until it enrols', async () => {
	const pw = 'lighthouse keeper at dawn';
	addAccount(t.srv, { login: 'priv.user', person: '10009', password: pw });
	const v = visitor();
	let r = await v.signIn('priv.user', pw);
	assert.equal(r.status, 303);
	assert.equal(r.location, '/account');
	for (const path of ['/', '/assets', '/org', '/people/1'])
		assert.equal((await v.get(path)).location, '/account', `${path} leads to /account`);
	const api = await fetch(t.srv.url + '/api/v1/assets', { headers: { Cookie: v.cookie } });
	assert.equal(api.status, 403);
	assert.equal((await api.json()).error.code, 'enrol_totp');

	const page = await v.get('/account');
	assert.equal(page.status, 200);
	assert.match(page.text, /この役割では二要素認証の登録が必要です。登録が終わるまで他の画面は使えません。/);
	assert.match(page.text, /<span class="role">事務局<\/span>/);
	assert.doesNotMatch(page.text, /id="tokens"/, 'no API tokens before enrolling');
	r = await v.post('/account/tokens', { label: 'escape hatch', days: '30' });
	assert.equal(r.status, 403, 'a token would get round the second factor');
	assert.doesNotMatch(r.text, /mmt_/);

	const start = await v.post('/account/totp/start');
	const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(start.text)[1].replace(/ /g, '');
	assert.match(start.text, /二要素認証の登録が必要です/);
	const step = await freshStep();
	r = await v.post('/account/totp/confirm', { code: totp(secret, step) });
	assert.equal(r.status, 200);
	assert.match(r.text, /これで他の画面も使えます。/);
	assert.doesNotMatch(r.text, /登録が終わるまで他の画面は使えません/);
	assert.equal((await v.get('/assets')).status, 200, 'the same session now reaches the registers');

	// Its roles require TOTP: removal is refused, even with the password.
	const acct = await v.get('/account');
	assert.match(acct.text, /この役割では二要素認証が必要なため、登録を解除できません。/);
	assert.doesNotMatch(acct.text, /action="\/account\/totp\/remove"/);
	r = await v.post('/account/totp/remove', { current: pw });
	assert.equal(r.status, 403);
	assert.match((await v.get('/account')).text, /<dd>登録済み<\/dd>/);
	const w = visitor();
	assert.match((await w.signIn('priv.user', pw)).location, /^\/signin\/totp/);
});

test('init --demo printed one account per kind of user, and each signs in', async () => {
	const out = t.srv.initStdout;
	const rows = [...out.matchAll(/^ {2}(\S+) +(demo-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}) +(.*)$/gm)];
	const accounts = new Map(rows.map((m) => [m[1], { password: m[2], line: m[3] }]));
	const expected = {
		jimukyoku: '事務局',
		'kacho.shimin': 'データ管理責任者（市民課）',
		'shokuin.shimin': '職員',
		kansanin: '監査人',
		admin: 'アプリケーション管理者',
		sysadmin: '情報システム管理責任者',
		tokatsu: '情報管理統括責任者',
		saiko: '情報管理最高責任者',
	};
	assert.deepEqual([...accounts.keys()].sort(), Object.keys(expected).sort());
	const privileged = ['jimukyoku', 'admin', 'sysadmin', 'tokatsu', 'saiko'];
	for (const [login, role] of Object.entries(expected)) {
		const a = accounts.get(login);
		assert.ok(a.line.startsWith(role), `${login}: ${a.line}`);
		assert.equal(a.line.endsWith('[TOTP]'), privileged.includes(login), `${login} [TOTP]`);
		if (!privileged.includes(login)) continue;
		const sec = new RegExp(`^ {2}${login.replace('.', '\\.')} +秘密鍵 ([A-Z2-7]{32})\\n((?: +回復コード .*\\n)+)`, 'm').exec(out);
		assert.ok(sec, `${login}: secret and recovery codes`);
		a.secret = sec[1];
		a.codes = sec[2].match(/[A-Z2-7]{4}-[A-Z2-7]{4}/g);
		assert.equal(a.codes.length, 10);
	}
	assert.equal(new Set([...accounts.values()].map((a) => a.password)).size, 8, 'a password each');

	for (const [login, role] of Object.entries(expected)) {
		const a = accounts.get(login);
		// jimukyoku uses the app's code (the next step's: init's is spent),
		// the others a recovery code.
		let code = a.codes?.[0];
		if (login === 'jimukyoku') code = totp(a.secret, (await freshStep()) + 1);
		const v = await signedIn(login, a.password, code);
		const page = await v.get('/account');
		assert.equal(page.status, 200);
		assert.doesNotMatch(page.text, /登録が終わるまで/, `${login} has all it needs`);
		assert.match(page.text, new RegExp(`<dd>${login.replace('.', '\\.')}</dd>`));
		assert.ok(page.text.includes(role.replace('市民課', '0410 市民課')), `${login}: ${role}`);
	}
});

test('mamori user disable, run beside the server, ends its sessions and tokens at once', async () => {
	const api = addApiUser(t.srv, { login: 'cli.off', person: '10034' });
	const v = visitor();
	assert.equal((await v.signIn('cli.off', 'a kettle on the seventh shelf')).status, 303);
	// Asked twice each, so that the server has the principal in memory.
	for (let i = 0; i < 2; i++) {
		assert.equal((await v.get('/assets')).status, 200);
		assert.equal((await api.api.get('/api/v1/assets?limit=1')).status, 200);
	}
	const r = runCli(['user', 'disable', '--db', t.srv.dbPath, '--login', 'cli.off'], { env: t.srv.env });
	assert.equal(r.status, 0, r.stderr);
	assert.equal((await api.api.get('/api/v1/assets?limit=1')).status, 401);
	const page = await v.get('/assets');
	assert.equal(page.status, 303);
	assert.match(page.location, /^\/signin/);
});
