// Stored XSS and spreadsheet formula injection. A corpus of hostile strings
// (and the longest value each field takes) goes into every text field of
// every register (the fields are read from /api/v1/openapi.json, so a new
// field or register is covered without touching this file); then every page
// that shows them must carry them as text, never as markup, and the CSV and
// XLSX exports must not hand a spreadsheet a formula, while an export
// imported back gives the original text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { client, parseCsv, request, startServer, unzip } from '../lib/server.js';

const t = { srv: null, api: null };

const CORPUS = [
	'<script>alert(1)</script>',
	'<img src=x onerror=alert(1)>',
	'"><svg onload=alert(1)>',
	"'><svg onload=alert(1)>",
	'" autofocus onfocus="alert(1)',
	"' autofocus onfocus='alert(1)",
	'javascript:alert(1)',
	'<a href="javascript:alert(1)">x</a>',
	'</textarea><script>alert(1)</script>',
	'</title></option></select><script>alert(1)</script>',
	'<!--<script>-->',
	'&lt;script&gt;&amp;&#60;',
	'a\u2028<script>\u2029b',
	'＜script＞alert(1)＜/script＞',
	'\u202Egpj.exe<b>',
	'{{7*7}}${7*7}<%= 7*7 %>',
	'%3Cscript%3Ealert(1)%3C/script%3E',
	'\\"><script>',
	'<<script>script>',
	'x" style="x:expression(alert(1))',
	// Short enough for the code fields (20 characters).
	'"><b onclick=x>',
	"'><i onclick=x>",
	'</textarea><u>',
	'<s>＜＞\u2028',
	// A NUL may be refused; if taken it must come back whole.
	'nul\u0000<script>',
];

// What a spreadsheet would run: each must come out of a CSV as text.
const FORMULAS = [
	'=1+1',
	'+1+1',
	'-1+1',
	'@SUM(A1)',
	'=HYPERLINK("http://x","y")',
	"=cmd|' /C calc'!A0",
	'\t=1+1',
	'\r=1+1',
	"'=1+1",
	"''=1",
	"'plain",
	'-',
];

let doc; // the OpenAPI document
let viewer; // a page session of 事務局 (the demo's jimukyoku, with TOTP)
const targets = []; // {reg, id, create, fields: [{name, maxLength, label}]}
const accepted = new Map(); // reg.field -> count of corpus strings stored
const ownTags = new Map(); // page -> the BAD_TAGS elements it has of its own

/* Signs in through the form as a demo account with TOTP (a recovery code
 * init printed for it: its current code is spent by the enrolment); returns a
 * tiny browser: get(path) -> {status, text}. */
async function signInTotp(url, login, initStdout) {
	const pw = new RegExp(`^ {2}${login} +(demo-\\S+)`, 'm').exec(initStdout)[1];
	const code = new RegExp(`^ {2}${login} +秘密鍵 [A-Z2-7]+\\n +回復コード ([A-Z2-7]{4}-[A-Z2-7]{4})`, 'm').exec(initStdout)[1];
	let cookie = '';
	let csrf = '';
	async function send(path, form) {
		const headers = cookie ? { Cookie: cookie } : {};
		let body;
		if (form) {
			headers['Content-Type'] = 'application/x-www-form-urlencoded';
			body = new URLSearchParams({ csrf, ...form }).toString();
		}
		const res = await fetch(url + path, { method: form ? 'POST' : 'GET', headers, body, redirect: 'manual' });
		const m = /mm_session=([0-9a-f]+)/.exec(res.headers.get('set-cookie') || '');
		if (m) cookie = `mm_session=${m[1]}`;
		const text = await res.text();
		const c = /name="csrf" value="([0-9a-f]+)"/.exec(text);
		if (c) csrf = c[1];
		return { status: res.status, location: res.headers.get('location'), text };
	}
	let r = await send('/signin', { login, password: pw, next: '/' });
	assert.equal(r.status, 303, `${login} signs in`);
	await send('/signin/totp?next=/');
	r = await send('/signin/totp', { code, next: '/' });
	assert.equal(r.status, 303, `${login} passes the code step`);
	assert.doesNotMatch(r.location, /^\/signin/);
	return { get: (p) => send(p) };
}

/* The text fields of a register's schema: strings that are not choices,
 * dates or derived. */
function textFields(schema) {
	return Object.entries(schema.properties || {})
		.filter(([, p]) => p.type === 'string' && !p.enum && !p.format && !p.readOnly)
		.map(([name, p]) => ({ name, maxLength: p.maxLength ?? 200, label: p.description }));
}

/* Registers: the paths /api/v1/{reg} with both list and create. */
function registers() {
	return Object.keys(doc.paths)
		.map((p) => /^\/api\/v1\/([a-z_]+)$/.exec(p)?.[1])
		.filter((reg) => reg && doc.paths[`/api/v1/${reg}`].get && doc.components.schemas[reg]);
}

// ---- an HTML reader good enough to see what a browser would see ----------

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);

/* The start tags of html as {name, attrs: [[name, value]]}, read the way a
 * browser tokenises: quoted attribute values may hold '>', comments are
 * skipped, and the content of textarea/title/script/style runs to their end
 * tag. Also counts the end tags of the raw-text elements. */
function tags(html) {
	const out = [];
	let i = 0;
	while ((i = html.indexOf('<', i)) >= 0) {
		if (html.startsWith('<!--', i)) {
			const e = html.indexOf('-->', i + 4);
			i = e < 0 ? html.length : e + 3;
			continue;
		}
		const m = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(i, i + 64));
		if (!m) {
			i++;
			continue;
		}
		const tag = { name: m[1].toLowerCase(), attrs: [] };
		let j = i + m[0].length;
		for (;;) {
			while (j < html.length && /[\s/]/.test(html[j])) j++;
			if (j >= html.length || html[j] === '>') break;
			const a = /^[^\s/>=]+/.exec(html.slice(j, j + 256));
			const name = a ? a[0].toLowerCase() : html[j];
			j += a ? a[0].length : 1;
			let value = '';
			while (j < html.length && /\s/.test(html[j])) j++;
			if (html[j] === '=') {
				j++;
				while (j < html.length && /\s/.test(html[j])) j++;
				const q = html[j];
				if (q === '"' || q === "'") {
					const e = html.indexOf(q, j + 1);
					value = html.slice(j + 1, e < 0 ? html.length : e);
					j = e < 0 ? html.length : e + 1;
				} else {
					const v = /^[^\s>]*/.exec(html.slice(j))[0];
					value = v;
					j += v.length;
				}
			}
			tag.attrs.push([name, decode(value)]);
		}
		out.push(tag);
		i = j + 1;
		if (RAW_TEXT.has(tag.name)) {
			const e = html.toLowerCase().indexOf(`</${tag.name}`, i);
			i = e < 0 ? html.length : e;
		}
	}
	return out;
}

/* Undoes HTML character references. */
function decode(s) {
	return s.replace(/&(#x[0-9a-f]+|#[0-9]+|lt|gt|amp|quot|apos);/gi, (_, e) => {
		const l = e.toLowerCase();
		if (l === 'lt') return '<';
		if (l === 'gt') return '>';
		if (l === 'amp') return '&';
		if (l === 'quot') return '"';
		if (l === 'apos') return "'";
		return String.fromCodePoint(l[1] === 'x' ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10));
	});
}

// Elements and attributes no page of mamori has (it has no JavaScript), so
// one that appears came from data.
const BAD_TAGS = new Set(['script', 'svg', 'img', 'iframe', 'object', 'embed', 'math', 'base', 'style', 'frame', 'video', 'audio', 'b', 'i', 'u', 's']);
// (autofocus is not among them: the sign-in form has it.)
const BAD_ATTRS = new Set(['style', 'formaction', 'srcdoc']);

/* What in page html would run or change the page: a list of findings.
 * allowed: elements of BAD_TAGS the page has of its own (the heat map is
 * an <svg>); their attributes are checked all the same. */
function dangers(html, where, allowed = new Set()) {
	const found = [];
	for (const tag of tags(html)) {
		if (BAD_TAGS.has(tag.name) && !allowed.has(tag.name)) found.push(`<${tag.name}> element`);
		for (const [name, value] of tag.attrs) {
			if (name.startsWith('on')) found.push(`${name}= on <${tag.name}>`);
			if (BAD_ATTRS.has(name)) found.push(`${name} on <${tag.name}>`);
			if (/^(href|src|action|formaction|xlink:href)$/.test(name) && /^\s*javascript:/i.test(value))
				found.push(`${name}="${value}" on <${tag.name}>`);
		}
	}
	const lower = html.toLowerCase();
	for (const el of ['textarea', 'title', 'select', 'option'])
		if (lower.split(`<${el}`).length < lower.split(`</${el}`).length) found.push(`a stray </${el}>`);
	return found.map((f) => `${where}: ${f}`);
}

function assertClean(html, where, allowed) {
	assert.deepEqual(dangers(html, where, allowed), []);
}

// ---- setting the corpus ---------------------------------------------------

/* A record of reg to write to: the first one the viewer may read and the
 * API user may change, or one made from the seed below. */
const SEEDS = {
	inspections: () => ({
		period_from: '2024-04-01',
		period_to: '2024-04-30',
		findings: 'x',
		result: doc.components.schemas.inspections.properties.result.enum[0],
	}),
	privilege_requests: async (api) => {
		const people = (await api.get('/api/v1/people?limit=5')).json.items;
		const roles = (await api.get('/api/v1/roles?limit=100')).json.items.filter((r) => r.privileged);
		return { grantee_id: people.at(-1).id, role_id: roles[0].id, valid_until: '2030-03-31', reason: 'x' };
	},
};

/* The record of reg the corpus goes into: the first one the viewer may
 * read and the API user may change. A register whose records are frozen once
 * made (a privilege request) takes a new record per write, from its seed.
 * Returns {id, create} or null. */
async function pickTarget(api, reg) {
	const list = await api.get(`/api/v1/${reg}?limit=20`);
	assert.equal(list.status, 200, `${reg}: ${list.text}`);
	for (const rec of list.json.items) {
		if ((await viewer.get(`/${reg}/${rec.id}`)).status !== 200) continue;
		// A harmless update tells whether the API user may write it.
		const r = await api.put(`/api/v1/${reg}/${rec.id}`, { version: rec.version });
		if (r.status === 200) return { id: rec.id, create: false };
	}
	if (!SEEDS[reg]) return null;
	const r = await api.post(`/api/v1/${reg}`, await SEEDS[reg](api));
	assert.equal(r.status, 201, `seed of ${reg}: ${r.text}`);
	const put = await api.put(`/api/v1/${reg}/${r.json.id}`, { version: r.json.version });
	return { id: r.json.id, create: put.status !== 200 };
}

/* Sends fields to the record (or a new one); answers {status, json}. */
async function send(api, target, fields) {
	if (target.create) {
		const r = await api.post(`/api/v1/${target.reg}`, { ...(await SEEDS[target.reg](api)), ...fields });
		if (r.status === 201) target.id = r.json.id;
		return r.status === 201 ? { ...r, status: 200 } : r;
	}
	const cur = await api.get(`/api/v1/${target.reg}/${target.id}`);
	return api.put(`/api/v1/${target.reg}/${target.id}`, { version: cur.json.version, ...fields });
}

/* Writes values (field -> string) into the target's record; a field whose
 * value is refused (422) is left as it was. A refusal by a rule across
 * fields (a risk has an asset or an asset group, not both) is met by
 * writing the fields one at a time. Returns the names of the fields stored. */
async function writeValues(api, target, values) {
	let fields = { ...values };
	for (;;) {
		const r = await send(api, target, fields);
		if (r.status === 200) return Object.keys(fields);
		// A NUL is refused by the JSON reader as a whole: 400, nothing stored.
		if (r.status === 400 && Object.values(fields).some((v) => v.includes('\u0000'))) {
			assert.equal(r.json.error.code, 'bad_json', r.text);
			fields = Object.fromEntries(Object.entries(fields).filter(([, v]) => !v.includes('\u0000')));
			continue;
		}
		assert.equal(r.status, 422, `write ${target.reg}/${target.id}: ${r.status} ${r.text}`);
		const bad = new Set((r.json.error.fields || []).map((f) => f.field));
		assert.ok(bad.size, `422 without fields: ${r.text}`);
		const before = Object.keys(fields).length;
		fields = Object.fromEntries(Object.entries(fields).filter(([k]) => !bad.has(k)));
		if (Object.keys(fields).length === before) {
			const stored = [];
			for (const [k, v] of Object.entries(fields))
				if ((await send(api, target, { [k]: v })).status === 200) stored.push(k);
			return target.create ? stored.slice(-1) : stored;
		}
		if (!Object.keys(fields).length) return [];
	}
}

/* Round k gives field j the corpus string (j + k) mod n that fits it. */
function roundValues(fields, k, corpus) {
	const out = {};
	fields.forEach((f, j) => {
		for (let d = 0; d < corpus.length; d++) {
			const s = corpus[(j + k + d) % corpus.length];
			if ([...s].length <= f.maxLength) {
				out[f.name] = s;
				return;
			}
		}
	});
	return out;
}

// Pages that show records of other registers: choices in forms, the org
// chart, reports, the audit viewer.
const GLOBAL_PAGES = ['/', '/org', '/privileges', '/sod/conflicts', '/risks/heatmap', '/risks/report', '/risks/plan', '/audit', '/audit/refused', '/account'];

before(async () => {
	t.srv = await startServer({ seed: 'demo' });
	t.api = client(t.srv.url);
	doc = (await t.api.get('/api/v1/openapi.json')).json;
	viewer = await signInTotp(t.srv.url, 'jimukyoku', t.srv.initStdout);
	// The elements each page has before any hostile text is stored.
	for (const p of GLOBAL_PAGES) {
		const page = await viewer.get(p);
		ownTags.set(p, new Set(tags(page.text).map((x) => x.name).filter((n) => BAD_TAGS.has(n))));
	}
	for (const reg of registers()) {
		const fields = textFields(doc.components.schemas[reg]);
		if (!fields.length) continue;
		const picked = await pickTarget(t.api, reg);
		targets.push({ reg, fields, id: picked?.id ?? null, create: picked?.create ?? false });
	}
});

after(async () => {
	await t.srv?.stop();
});

test('every register with text fields has a record the corpus can be written to', () => {
	assert.ok(targets.length >= 10, `registers found: ${targets.map((x) => x.reg)}`);
	// Written only through other records (a yearly assessment copies the
	// risks, a snapshot keeps what was assessed): covered through those.
	const readOnly = ['risk_assessments', 'risk_snapshot'];
	const none = targets.filter((x) => !x.id).map((x) => x.reg);
	assert.deepEqual(none.sort(), readOnly.sort());
	// Frozen once made: each write is a new record.
	assert.deepEqual(targets.filter((x) => x.create).map((x) => x.reg), ['privilege_requests']);
});

test('the corpus in every text field shows as text on the detail, edit and list pages', async () => {
	for (let k = 0; k < CORPUS.length; k++) {
		for (const target of targets) {
			const { reg, fields } = target;
			if (!target.id) continue;
			const stored = await writeValues(t.api, target, roundValues(fields, k, CORPUS));
			const id = target.id;
			const rec = (await t.api.get(`/api/v1/${reg}/${id}`)).json;
			for (const name of stored) {
				const key = `${reg}.${name}`;
				accepted.set(key, (accepted.get(key) || 0) + 1);
			}
			const detail = await viewer.get(`/${reg}/${id}`);
			// A frozen record has no edit form: its detail page stands in.
			const edit = target.create ? detail : await viewer.get(`/${reg}/${id}/edit`);
			const list = await viewer.get(`/${reg}?sort=-updated_at`);
			for (const [p, page] of [['detail', detail], ['edit', edit], ['list', list]]) {
				assert.equal(page.status, 200, `${reg} ${p}`);
				assertClean(page.text, `/${reg}/${id} ${p}, round ${k}`);
			}
			// The pages really carry the values (else the test proves
			// nothing): the detail page and the edit form show each one.
			const shown = decode(detail.text);
			const form = decode(edit.text);
			for (const name of stored) {
				const v = rec[name];
				assert.equal(typeof v, 'string', `${reg}.${name}`);
				assert.ok(shown.includes(v), `${reg}/${id} detail shows ${name} ${JSON.stringify(v)}`);
				assert.ok(form.includes(v), `${reg}/${id} edit form holds ${name} ${JSON.stringify(v)}`);
			}
		}
		for (const p of GLOBAL_PAGES) {
			const page = await viewer.get(p);
			assert.ok(page.status === 200 || page.status === 303, `${p}: ${page.status}`);
			assertClean(page.text, `${p}, round ${k}`, ownTags.get(p));
		}
		for (const { reg } of targets) assertClean((await viewer.get(`/${reg}/new`)).text, `/${reg}/new, round ${k}`);
	}
	// Every text field took hostile markup, unless its own format refuses
	// it (an e-mail address, a list of codes): then the refusal is the
	// defence.
	for (const { reg, id, fields } of targets) {
		if (!id) continue;
		const took = fields.filter((f) => accepted.get(`${reg}.${f.name}`));
		assert.ok(took.length >= fields.length - 2, `${reg}: only ${took.map((f) => f.name)} took the corpus`);
	}
});

test('the values come back from the API exactly as they were sent', async () => {
	for (const target of targets) {
		const { reg, fields } = target;
		if (!target.id) continue;
		const values = roundValues(fields, 0, CORPUS.filter((s) => !s.includes('\u0000')));
		const stored = await writeValues(t.api, target, values);
		const id = target.id;
		const rec = (await t.api.get(`/api/v1/${reg}/${id}`)).json;
		for (const name of stored) assert.equal(rec[name], values[name], `${reg}.${name}`);
	}
});

test('a value of the longest length a field takes, all markup characters, shows as text; one more is refused', async () => {
	for (const target of targets) {
		const { reg, fields, id } = target;
		if (!id || target.create) continue;
		for (const f of fields) {
			const long = '<"\'&>'.repeat(Math.ceil(f.maxLength / 5)).slice(0, f.maxLength);
			const cur = (await t.api.get(`/api/v1/${reg}/${id}`)).json;
			const over = await t.api.put(`/api/v1/${reg}/${id}`, { version: cur.version, [f.name]: long + 'x' });
			assert.equal(over.status, 422, `${reg}.${f.name} over ${f.maxLength}: ${over.status}`);
			assert.ok(over.json.error.fields.some((e) => e.field === f.name), over.text);
			const stored = await writeValues(t.api, target, { [f.name]: long });
			if (!stored.length) continue; // its format refuses markup
			const page = await viewer.get(`/${reg}/${id}`);
			assertClean(page.text, `/${reg}/${id} with ${f.maxLength} characters in ${f.name}`);
			assert.ok(decode(page.text).includes(long), `${reg}.${f.name} shown whole`);
		}
	}
});

test('the history of a record shows every old value as text', async () => {
	for (const { reg, id } of targets) {
		if (!id) continue;
		const page = await viewer.get(`/${reg}/${id}`);
		assert.match(page.text, /class="history"/, `${reg}/${id} has its history`);
		assertClean(page.text, `/${reg}/${id} history`);
	}
});

test('a yearly assessment copies the hostile risk texts and shows them as text', async () => {
	const risks = targets.find((x) => x.reg === 'risks');
	assert.ok(risks?.id, 'a risk holds the corpus');
	const r = await t.api.post('/api/v1/risk_assessments', { fiscal_year: 2031, note: CORPUS.slice(0, 12).join(' ') });
	assert.equal(r.status, 201, r.text);
	for (const p of [`/risk_assessments/${r.json.id}`, '/risk_assessments', '/risk_snapshot?sort=-updated_at']) {
		const page = await viewer.get(p);
		assert.equal(page.status, 200, p);
		assertClean(page.text, p);
	}
	const snap = (await t.api.get('/api/v1/risk_snapshot?limit=1&sort=-updated_at')).json.items[0];
	assertClean((await viewer.get(`/risk_snapshot/${snap.id}`)).text, `/risk_snapshot/${snap.id}`);
});

test('HTML error pages and the sign-in page do not echo hostile input as markup', async () => {
	for (const p of [
		`/assets?q=${encodeURIComponent(CORPUS[0])}`,
		`/assets?sort=${encodeURIComponent(CORPUS[2])}`,
		`/assets?kind=${encodeURIComponent(CORPUS[4])}`,
		`/signin?next=${encodeURIComponent('javascript:alert(1)')}`,
		`/signin?next=${encodeURIComponent('"><script>alert(1)</script>')}`,
		`/nothing${encodeURIComponent(CORPUS[1])}`,
	]) {
		const page = await viewer.get(p);
		assertClean(page.text, p);
		const anon = await request(t.srv.url, p, { anonymous: true });
		assertClean(anon.text, `${p} signed out`);
	}
});

// ---- spreadsheets ---------------------------------------------------------

/* The CSV export of reg as rows, with its headings. */
async function csvOf(reg, query = 'status=all') {
	const r = await request(t.srv.url, `/api/v1/${reg}/export.csv?${query}`);
	assert.equal(r.status, 200, `${reg} export: ${r.text}`);
	return parseCsv(r.text.replace(/^\uFEFF/, ''));
}

const FORMULA_START = /^[=+\-@\t\r]/;

test('CSV export: no text cell starts a formula, and import gives back the original text', async () => {
	let neutralised = 0;
	for (const target of targets) {
		const { reg, fields, id } = target;
		// A frozen record cannot be updated by an import either.
		if (!id || target.create) continue;
		for (let k = 0; k < FORMULAS.length; k++) {
			const values = roundValues(fields, k, FORMULAS);
			const stored = await writeValues(t.api, target, values);
			if (!stored.length) continue;
			const before = (await t.api.get(`/api/v1/${reg}/${id}`)).json;
			const rows = await csvOf(reg);
			const head = rows[0];
			// The columns of this register's text fields.
			const cols = fields.map((f) => head.indexOf(f.label)).filter((c) => c >= 0);
			assert.ok(cols.length, `${reg}: text columns found by their headings`);
			for (const row of rows.slice(1))
				for (const c of cols)
					assert.doesNotMatch(row[c] ?? '', FORMULA_START, `${reg} ${head[c]}: ${JSON.stringify(row[c])}`);
			// Our record's row: the one whose cells are the stored values
			// with the neutralising quote.
			const want = stored.map((n) => [head.indexOf(fields.find((f) => f.name === n).label), before[n]]);
			const mine = rows.filter((row) => want.every(([c, v]) => c < 0 || row[c] === (/^'*[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
			assert.equal(mine.length, 1, `${reg} round ${k}: the record's row, as ${JSON.stringify(want)}`);
			neutralised += want.filter(([, v]) => /^'*[=+\-@\t\r]/.test(v)).length;
			// Imported back, the row changes nothing.
			const body = [head, mine[0]].map((r) => r.map(csvQuote).join(',')).join('\r\n') + '\r\n';
			const imp = await request(t.srv.url, `/api/v1/${reg}/import`, { method: 'POST', body, headers: { 'Content-Type': 'text/csv' } });
			assert.equal(imp.status, 200, `${reg} import: ${imp.text}`);
			assert.deepEqual([imp.json.created, imp.json.updated, imp.json.unchanged], [0, 0, 1], `${reg} round ${k}: ${imp.text}`);
			const after = (await t.api.get(`/api/v1/${reg}/${id}`)).json;
			assert.equal(after.version, before.version, `${reg}: the import changed nothing`);
			for (const n of stored) assert.equal(after[n], before[n], `${reg}.${n}`);
		}
	}
	assert.ok(neutralised > 50, `formula values seen: ${neutralised}`);
});

function csvQuote(s) {
	return /[",\r\n]/.test(s) || /^[ \t]|[ \t]$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

test('a hand-made CSV: a quote before a formula is Excel\'s text mark and is dropped; other quotes stay', async () => {
	const sec = targets.find((x) => x.reg === 'sections');
	const label = (n) => sec.fields.find((f) => f.name === n).label;
	assert.equal((await writeValues(t.api, sec, { name: '手作りの課', code: 'HAND-1' })).length, 2);
	const rows = await csvOf('sections');
	const head = rows[0];
	const row = rows.find((r) => r[head.indexOf(label('code'))] === 'HAND-1');
	assert.ok(row, 'the section is in the export');
	for (const [cell, want] of [["'=SUM(1)", '=SUM(1)'], ["'-1", '-1'], ["'plain", "'plain"], ["''=x", "'=x"], ['=raw', '=raw']]) {
		row[head.indexOf(label('name'))] = cell;
		const body = [head, row].map((r) => r.map(csvQuote).join(',')).join('\r\n') + '\r\n';
		const imp = await request(t.srv.url, '/api/v1/sections/import', { method: 'POST', body, headers: { 'Content-Type': 'text/csv' } });
		assert.equal(imp.status, 200, imp.text);
		assert.equal((await t.api.get(`/api/v1/sections/${sec.id}`)).json.name, want, cell);
	}
});

test('XLSX export: text cells are strings, never formulas, and hold the exact text', async () => {
	for (const target of targets) {
		const { reg, fields } = target;
		if (!target.id || target.create) continue;
		const values = roundValues(fields, 0, FORMULAS);
		const stored = await writeValues(t.api, target, values);
		const id = target.id;
		if (!stored.length) continue;
		const rec = (await t.api.get(`/api/v1/${reg}/${id}`)).json;
		const r = await request(t.srv.url, `/api/v1/${reg}/export.xlsx?status=all`);
		assert.equal(r.status, 200, reg);
		const xml = unzip(r.bytes).get('xl/worksheets/sheet1.xml').toString('utf8');
		assert.doesNotMatch(xml, /<f[\s>]/, `${reg}: a formula cell`);
		const strings = new Set([...xml.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => decode(m[1])));
		for (const n of stored)
			if (!/[\t\r]/.test(rec[n])) assert.ok(strings.has(rec[n]), `${reg}.${n} ${JSON.stringify(rec[n])} in the sheet`);
	}
});

test('the hostile texts leave the server answering', async () => {
	const r = await client(t.srv.url).get('/healthz');
	assert.equal(r.status, 200);
});
