// The account page in a real browser (Debian's chromium through
// playwright-core), JavaScript off. A member of 事務局, whose role requires
// TOTP, signs in with the password alone, is held on the account page until
// they enrol an authenticator (the test computes its codes), signs out, and
// signs in again with password and code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchChromium } from '../lib/browser.js';

import { addAccount, startServer } from '../lib/server.js';
import { freshStep, totp } from '../lib/totp.js';

const SCREENSHOT = '/tmp/mamori-account.png';
const USER = { login: 'jimu.browser', person: '10009', password: 'harbour lights in winter' };

let srv;
let browser;
let page;
let secret;
let enrolStep;

before(async () => {
	srv = await startServer({ seed: 'demo' });
	addAccount(srv, USER);
	browser = await launchChromium();
	const context = await browser.newContext({
		baseURL: srv.url,
		javaScriptEnabled: false,
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

async function click(selector) {
	const [resp] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
	return resp;
}

async function signInWithPassword() {
	await page.goto('/signin');
	await page.fill('input[name="login"]', USER.login);
	await page.fill('input[name="password"]', USER.password);
	await click('form.signin button[type="submit"]');
}

test('with the password alone, a 事務局 member is held on the account page with a notice', async () => {
	await signInWithPassword();
	assert.equal(new URL(page.url()).pathname, '/account');
	assert.equal((await page.textContent('h1')).trim(), 'アカウント');
	assert.equal(
		(await page.locator('.msg.warn').innerText()).trim(),
		'この役割では二要素認証の登録が必要です。登録が終わるまで他の画面は使えません。',
	);
	assert.match(await page.locator('#roles').innerText(), /事務局/);
	assert.match(await page.locator('header.site').innerText(), /ログアウト/);
	await page.goto('/assets');
	assert.equal(new URL(page.url()).pathname, '/account', 'the registers wait');
	assert.equal(await page.locator('script').count(), 0);
});

test('enrolling: the QR code and the secret, a first code, and ten recovery codes once', async () => {
	await click('#totp form[action="/account/totp/start"] button');
	assert.equal((await page.textContent('h1')).trim(), '二要素認証の登録');
	const qr = await page.locator('figure.qr svg').boundingBox();
	assert.ok(qr && qr.width > 150 && Math.abs(qr.width - qr.height) < 1, 'a square QR code of a readable size');
	secret = (await page.textContent('#totp-secret')).replace(/\s/g, '');
	assert.match(secret, /^[A-Z2-7]{32}$/);
	enrolStep = await freshStep();
	await page.fill('input[name="code"]', totp(secret, enrolStep));
	await click('form[action="/account/totp/confirm"] button');
	assert.equal((await page.textContent('h1')).trim(), '二要素認証を登録しました');
	assert.equal(await page.locator('#recovery-codes li').count(), 10);
	assert.match(await page.locator('.msg.warn').innerText(), /今しか表示されません/);
	await page.screenshot({ path: SCREENSHOT, fullPage: true });
	await click('a[href="/account"]');
	assert.equal(await page.locator('.msg.warn').count(), 0, 'no notice any more');
	assert.match(await page.locator('#totp').innerText(), /登録済み/);
});

test('sign out, then sign in with the password and the code from the app', async () => {
	await click('form.signout button');
	assert.equal(new URL(page.url()).pathname, '/signin');
	await page.goto('/account');
	assert.equal(new URL(page.url()).pathname, '/signin', 'signed out');

	await signInWithPassword();
	assert.equal(new URL(page.url()).pathname, '/signin/totp');
	// The code of enrolment is spent; the app shows the next one.
	const step = Math.max(await freshStep(), enrolStep + 1);
	await page.fill('input[name="code"]', totp(secret, step));
	await click('form.signin button[type="submit"]');
	// 事務局's home page: the state of the audit log's inspection.
	assert.equal(new URL(page.url()).pathname, '/', 'the home page');
	assert.match(await page.locator('h1').innerText(), /ホーム/);
	await page.goto('/account');
	assert.match(await page.locator('dl.fields').innerText(), /jimu\.browser/);
	assert.match(await page.locator('#tokens h2').innerText(), /個人用 API トークン/);

	await click('form.signout button');
	await page.goto('/account');
	assert.equal(new URL(page.url()).pathname, '/signin');
});
