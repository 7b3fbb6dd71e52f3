// The assets pages in a real browser (Debian's chromium through
// playwright-core), with JavaScript switched off: the UI must work without
// it. One page walks through a user's task: register an asset (first with a
// mistake), find it in the list, export it, and switch the language.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { launchChromium } from '../lib/browser.js';

import { client, parseCsv, startServer } from '../lib/server.js';

const SCREENSHOT = '/tmp/mamori-list.png';

let srv;
let api;
/* Assets are registered by the data manager of the owning section (7.1): the
 * demo account of 市民課's 課長, whose password init --demo printed. */
const MANAGER = { login: 'kacho.shimin', password: null };
let browser;
let context;
let page;
const NAME = `ブラウザ登録資産-${process.pid}`;
let assetId;

before(async () => {
	srv = await startServer({ seed: 'demo' });
	api = client(srv.url);
	MANAGER.password = new RegExp(`^ {2}${MANAGER.login} +(demo-\\S+)`, 'm').exec(srv.initStdout)[1];
	browser = await launchChromium();
	context = await browser.newContext({
		baseURL: srv.url,
		javaScriptEnabled: false,
		acceptDownloads: true,
		locale: 'ja-JP',
		viewport: { width: 1280, height: 900 },
	});
	page = await context.newPage();
	page.setDefaultTimeout(15000);
});

after(async () => {
	await browser?.close();
	await srv?.stop();
});

/* The error text shown next to a form field. */
function fieldError(name) {
	return page.locator(`#e-${name}`);
}

/* Fills the parts of the new-asset form that are right. */
async function fillValidParts() {
	await page.fill('input[name="name"]', NAME);
	await page.selectOption('select[name="kind"]', 'data');
	await page.selectOption('select[name="section_id"]', { label: '0410 市民課' });
	await page.selectOption('select[name="personal_info"]', 'personal');
	await page.check('input[name="integrity"][value="2"]');
	await page.check('input[name="availability"][value="1"]');
	await page.fill('input[name="location"]', '本庁舎1階 市民課執務室');
}

async function submit() {
	const [resp] = await Promise.all([
		page.waitForNavigation(),
		page.click('form.record button[type="submit"]'),
	]);
	return resp;
}

test('a visitor signs in first: a wrong password is refused in Japanese, the right one leads on', async () => {
	await page.goto('/assets/new');
	assert.match(new URL(page.url()).pathname, /^\/signin$/);
	assert.equal(new URL(page.url()).searchParams.get('next'), '/assets/new');
	await page.fill('input[name="login"]', MANAGER.login);
	await page.fill('input[name="password"]', 'not the password at all');
	await Promise.all([page.waitForNavigation(), page.click('form.signin button[type="submit"]')]);
	assert.match(await page.locator('.msg.error').innerText(), /ログイン名またはパスワードが正しくありません/);
	await page.fill('input[name="login"]', MANAGER.login);
	await page.fill('input[name="password"]', MANAGER.password);
	await Promise.all([page.waitForNavigation(), page.click('form.signin button[type="submit"]')]);
	assert.equal(new URL(page.url()).pathname, '/assets/new');
	assert.match(await page.locator('header.site').innerText(), /ログアウト/);
});

test('the new-asset form is Japanese, with radio buttons for the levels and no scripts', async () => {
	const r = await page.goto('/assets/new');
	assert.equal(r.status(), 200);
	assert.equal(await page.getAttribute('html', 'lang'), 'ja');
	assert.equal((await page.textContent('h1')).trim(), '情報資産の新規登録');
	assert.equal(await page.locator('script').count(), 0);
	for (const [name, n] of [['confidentiality', 4], ['integrity', 3], ['availability', 3]]) {
		const radios = page.locator(`input[type="radio"][name="${name}"]`);
		assert.equal(await radios.count(), n, name);
		for (let v = 1; v <= n; v++) assert.equal(await radios.nth(v - 1).getAttribute('value'), String(v));
	}
	assert.match(await page.textContent('form.record'), /機密性/);
	assert.match(await page.textContent('form.record'), /極秘/);
	for (const sel of ['input[name="name"]', 'select[name="kind"]', 'select[name="section_id"]', 'select[name="personal_info"]'])
		assert.equal(await page.locator(sel).count(), 1, sel);
});

test('leaving 機密性 unchosen shows "機密性を入力してください。" next to it; nothing is saved', async () => {
	const before = await api.total('assets');
	await page.goto('/assets/new');
	await fillValidParts();
	const resp = await submit();
	assert.equal(resp.status(), 422);
	assert.equal((await fieldError('confidentiality').textContent()).trim(), '機密性を入力してください。');
	// The message sits inside the 機密性 fieldset, which is marked invalid.
	const fs = page.locator('fieldset', { has: page.locator('#e-confidentiality') });
	assert.match(await fs.locator('legend').textContent(), /機密性/);
	assert.match(await fs.getAttribute('class'), /invalid/);
	assert.match(await page.locator('[role="alert"]').textContent(), /入力内容に誤りがあります。/);
	// What was typed is kept.
	assert.equal(await page.inputValue('input[name="name"]'), NAME);
	assert.equal(await page.inputValue('select[name="kind"]'), 'data');
	assert.ok(await page.isChecked('input[name="integrity"][value="2"]'));
	assert.equal(await api.total('assets'), before);
});

test('a tampered level (9) shows "機密性は1から4までの値を入力してください。"; nothing is saved', async () => {
	const before = await api.total('assets');
	// A radio button cannot offer an out-of-range level, so change the
	// value of the 4 button to 9 as a tampering client would.
	const radio = page.locator('#f-confidentiality-4');
	await radio.evaluate((el) => {
		el.value = '9';
	});
	assert.equal(await radio.getAttribute('value'), '9');
	await radio.check();
	const resp = await submit();
	assert.equal(resp.status(), 422);
	assert.equal((await fieldError('confidentiality').textContent()).trim(), '機密性は1から4までの値を入力してください。');
	assert.equal(await page.locator('[aria-invalid="true"][name="confidentiality"]').count(), 4);
	assert.equal(await page.locator('#e-name').count(), 0, 'no message on the fields that were right');
	assert.equal(await api.total('assets'), before);
	const q = await api.get(`/api/v1/assets?status=all&q=${encodeURIComponent(NAME)}`);
	assert.equal(q.json.total, 0);
});

test('fixing the level and saving lands on the detail page of the new asset', async () => {
	await page.check('input[name="confidentiality"][value="3"]');
	const resp = await submit();
	assert.equal(resp.status(), 200);
	const m = /\/assets\/(\d+)$/.exec(new URL(page.url()).pathname);
	assert.ok(m, `detail URL: ${page.url()}`);
	assetId = Number(m[1]);
	assert.match(await page.textContent('h1'), new RegExp(NAME));
	const dd = async (label) => (await page.locator('dl.fields div.row', { has: page.locator(`dt:text-is("${label}")`) }).locator('dd').textContent()).trim();
	assert.equal(await dd('名称'), NAME);
	assert.equal(await dd('種別'), 'データ');
	assert.equal(await dd('所管課'), '0410 市民課');
	assert.equal(await dd('個人情報'), '個人情報');
	assert.match(await dd('機密性'), /^3 課外秘/);
	assert.match(await dd('完全性'), /^2 中/);
	assert.equal(await dd('資産価値'), '3');
	// The API agrees.
	const rec = await api.record('assets', assetId);
	assert.equal(rec.name, NAME);
	assert.deepEqual([rec.kind, rec.personal_info, rec.confidentiality, rec.integrity, rec.availability, rec.asset_value], ['data', 'personal', 3, 2, 1, 3]);
	assert.equal((await api.record('sections', rec.section_id)).code, '0410');
	assert.equal(rec.version, 1);
});

test('the list, searched by name, shows the asset in its table', async () => {
	await page.goto('/assets');
	assert.equal((await page.textContent('h1')).trim(), '情報資産台帳');
	assert.ok((await page.locator('table.grid tbody tr').count()) > 10);
	await page.screenshot({ path: SCREENSHOT, fullPage: true }); // for people to look at
	await page.fill('input[name="q"]', NAME);
	await Promise.all([page.waitForNavigation(), page.click('form.filters button[type="submit"]')]);
	assert.equal(new URL(page.url()).searchParams.get('q'), NAME);
	const rows = page.locator('table.grid tbody tr');
	assert.equal(await rows.count(), 1);
	const text = await rows.first().textContent();
	assert.match(text, new RegExp(NAME));
	assert.match(text, /0410 市民課/);
	assert.match(text, /3 課外秘/);
	assert.ok((await rows.first().locator(`a[href="/assets/${assetId}"]`).count()) > 0);
});

test('the CSV export link downloads the filtered list with the asset in it', async () => {
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.click('a.btn:text-is("CSV出力")'),
	]);
	assert.equal(download.suggestedFilename(), 'assets.csv');
	const bytes = await readFile(await download.path());
	assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
	const rows = parseCsv(bytes.subarray(3).toString('utf8'));
	assert.equal(rows[0][0], '管理番号');
	assert.equal(rows.length, 2, 'the export follows the search');
	assert.equal(rows[1][1], NAME);
	assert.equal(rows[1][5], '0410 市民課');

	const [sjis] = await Promise.all([
		page.waitForEvent('download'),
		page.click('a.btn:text-is("CSV出力（Shift_JIS）")'),
	]);
	const text = new TextDecoder('shift_jis', { fatal: true }).decode(await readFile(await sjis.path()));
	assert.match(text, new RegExp(NAME));
});

test('editing from the detail page saves a new version with its history', async () => {
	await page.goto(`/assets/${assetId}`);
	await Promise.all([page.waitForNavigation(), page.click(`a[href="/assets/${assetId}/edit"]`)]);
	await page.fill('input[name="location"]', '第2庁舎 書庫');
	const resp = await submit();
	assert.equal(resp.status(), 200);
	assert.equal(new URL(page.url()).pathname, `/assets/${assetId}`);
	assert.match(await page.textContent('dl.fields'), /第2庁舎 書庫/);
	assert.equal(await page.locator('section.history tbody tr').count(), 2);
	const rec = await api.record('assets', assetId);
	assert.equal(rec.location, '第2庁舎 書庫');
	assert.equal(rec.version, 2);
});

test('the language switch shows English labels, and switches back', async () => {
	await page.goto('/assets/new');
	await Promise.all([page.waitForNavigation(), page.click('a.lang')]);
	assert.equal(new URL(page.url()).pathname, '/assets/new');
	assert.equal(await page.getAttribute('html', 'lang'), 'en');
	const form = await page.textContent('form.record');
	for (const label of ['Name', 'Kind', 'Owning section', 'Confidentiality', 'Integrity', 'Availability'])
		assert.ok(form.includes(label), label);
	assert.ok(!form.includes('機密性'), 'no Japanese label left');
	await page.goto('/assets');
	assert.equal((await page.textContent('h1')).trim(), 'Information asset register');
	// The English UI validates in English.
	await page.goto('/assets/new');
	await page.fill('input[name="name"]', 'English form');
	const resp = await submit();
	assert.equal(resp.status(), 422);
	assert.equal((await fieldError('confidentiality').textContent()).trim(), 'Confidentiality is required.');
	// And back to Japanese.
	await Promise.all([page.waitForNavigation(), page.click('a.lang')]);
	assert.equal(await page.getAttribute('html', 'lang'), 'ja');
});
