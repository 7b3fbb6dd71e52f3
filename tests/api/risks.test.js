// Risk assessment (3.3) over HTTP on the demo data: the heat map counts
// what each reader's risk list counts (no leakage through counts), each
// cell's link lists as many risks as the cell shows, acceptance is refused
// to the wrong role, the heat map page is an SVG without scripts, and the
// catalogues are 事務局's to edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { addApiUser, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

const u = {};
let made;
const users = () => (made ??= makeUsers());

async function makeUsers() {
	u.staff = addApiUser(t.srv, { login: 'shokuin.shimin' });
	u.manager = addApiUser(t.srv, { login: 'kacho.shimin' });
	u.secretariat = addApiUser(t.srv, { login: 'jimukyoku' });
	u.auditor = addApiUser(t.srv, { login: 'kansanin' });
	u.deputy = addApiUser(t.srv, { login: 'tokatsu' });
	u.ciso = addApiUser(t.srv, { login: 'saiko' });
}

test('heat map counts equal list counts for every reader', async () => {
	await users();
	const totals = [];
	for (const [name, who] of Object.entries(u)) {
		const h = await who.api.get('/api/v1/risks/heatmap');
		assert.equal(h.status, 200, h.text);
		const l = await who.api.get('/api/v1/risks?limit=1');
		assert.equal(l.status, 200, l.text);
		assert.equal(h.json.total, l.json.total, name);
		assert.equal(h.json.cells.reduce((s, c) => s + c.count, 0), h.json.total, name);
		const cell = h.json.cells.find((c) => c.count > 0);
		if (cell) {
			const f = await who.api.get(`/api/v1/risks?importance=${cell.importance}&likelihood=${cell.likelihood}&limit=1`);
			assert.equal(f.json.total, cell.count, `${name} cell`);
		}
		totals.push(h.json.total);
	}
	// Staff see fewer risks than 事務局, who sees no 極秘 risk either.
	assert.ok(totals[0] < totals[2]);
	const all = await t.api.get('/api/v1/risks/heatmap');
	assert.ok(all.json.total > 0);
});

test('the heat map page is an SVG with links and no script', async () => {
	await users();
	const r = await u.secretariat.api.get('/risks/heatmap');
	assert.equal(r.status, 200);
	assert.match(r.text, /<svg class="heatmap"/);
	assert.match(r.text, /href="\/risks\?importance=4&amp;likelihood=4"/);
	assert.doesNotMatch(r.text, /<script/i);
	// Each cell is coloured by the band of its value (JIPDEC by default:
	// 低 1–7, 中 8–15, 高 16 and up), and says the band in words.
	const cells = [...r.text.matchAll(/importance=(\d+)&amp;likelihood=(\d+)"><title>(\S+) (\d+): \d+<\/title><rect class="band-(\d)" [^>]* fill="(#[0-9a-f]{6})"/g)];
	assert.equal(cells.length, 4 * 6, 'asset value 1–4 × threat × vulnerability in 1, 2, 3, 4, 6, 9');
	const fillOf = {};
	for (const [, imp, lik, label, value, band, fill] of cells) {
		assert.equal(Number(value), Number(imp) * Number(lik));
		const want = value >= 16 ? 2 : value >= 8 ? 1 : 0;
		assert.equal(Number(band), want, `cell ${imp}×${lik}`);
		assert.equal(label, ['低', '中', '高'][want]);
		fillOf[band] ??= fill;
		assert.equal(fill, fillOf[band], 'one colour a band');
	}
	assert.equal(new Set(Object.values(fillOf)).size, 3, 'three bands, three colours');
});

test('acceptance is refused to the wrong role and taken by 統括責任者', async () => {
	await users();
	const l = await u.secretariat.api.get('/api/v1/risks?acceptance=yes&state=assessing&limit=1');
	assert.equal(l.status, 200, l.text);
	const risk = l.json.items[0];
	assert.ok(risk, 'a demo risk awaits acceptance');
	const wrong = await u.secretariat.api.post(`/api/v1/risks/${risk.id}/transitions/accept`, { version: risk.version, comment: 'x' });
	assert.equal(wrong.status, 403, wrong.text);
	const ok = await u.deputy.api.post(`/api/v1/risks/${risk.id}/transitions/accept`, { version: risk.version, comment: '受容します' });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.state, 'accepted');
});

test('the catalogues are 事務局\'s to edit', async () => {
	await users();
	const body = { name: '試験の脅威', origin: 'deliberate', threat_group: 'unauthorised', asset_kinds: 'データ、ソフト' };
	const refused = await u.staff.api.post('/api/v1/threats', body);
	assert.equal(refused.status, 403, refused.text);
	const bad = await u.secretariat.api.post('/api/v1/threats', { ...body, asset_kinds: '紙' });
	assert.equal(bad.status, 422, bad.text);
	const made = await u.secretariat.api.post('/api/v1/threats', body);
	assert.equal(made.status, 201, made.text);
});
