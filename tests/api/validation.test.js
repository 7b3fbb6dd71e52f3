// Field validation of the assets register through the JSON API. Every refusal
// is checked for its status, error code, per-field codes and message, and
// for having written nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { assetInput, fieldCodes, request, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

/* Everything a refused request could have changed: the number of assets and
 * the last id in use (a refused create must not even burn an id), and the
 * state of asset 1 with its history. */
async function snapshot() {
	const last = await t.api.get('/api/v1/assets?status=all&sort=-id&limit=1');
	return {
		total: last.json.total,
		lastId: last.json.items[0].id,
		one: await t.api.record('assets', 1),
		hist: (await t.api.history('assets', 1)).length,
	};
}

/* Posts a new asset that must be refused with 422 and the given field
 * codes; checks that nothing was written and returns the body. */
async function refusedCreate(input, expected, headers = {}) {
	const before = await snapshot();
	const r = await t.api.post('/api/v1/assets', input, { headers });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.error.code, 'validation');
	assert.equal(r.json.error.message, headers['Accept-Language'] === 'en' ? 'Some fields are invalid.' : '入力内容に誤りがあります。');
	assert.deepEqual(fieldCodes(r.json), [...expected].sort());
	assert.deepEqual(await snapshot(), before);
	return r.json;
}

function fieldMessage(body, field) {
	return body.error.fields.find((f) => f.field === field)?.message;
}

test('a valid asset is accepted (the baseline the refusals differ from)', async () => {
	const r = await t.api.post('/api/v1/assets', assetInput());
	assert.equal(r.status, 201, r.text);
});

test('each required field missing is reported as required, with a Japanese message', async () => {
	const body = await refusedCreate({}, [
		['name', 'required'],
		['kind', 'required'],
		['section_id', 'required'],
		['personal_info', 'required'],
		['confidentiality', 'required'],
		['integrity', 'required'],
		['availability', 'required'],
	]);
	assert.equal(fieldMessage(body, 'name'), '名称を入力してください。');
	assert.equal(fieldMessage(body, 'confidentiality'), '機密性を入力してください。');
	assert.equal(fieldMessage(body, 'section_id'), '所管課を入力してください。');
	for (const f of body.error.fields) assert.ok(f.message && !f.message.includes('{'), f.message);
});

test('null, an empty string or blanks count as missing for a required field', async () => {
	await refusedCreate(assetInput({ name: null }), [['name', 'required']]);
	await refusedCreate(assetInput({ name: '' }), [['name', 'required']]);
	await refusedCreate(assetInput({ name: '   \t ' }), [['name', 'required']]);
	await refusedCreate(assetInput({ kind: '' }), [['kind', 'required']]);
	await refusedCreate(assetInput({ confidentiality: null }), [['confidentiality', 'required']]);
});

test('too_long: 名称 over 200 characters (counted as characters, not bytes)', async () => {
	const body = await refusedCreate(assetInput({ name: 'あ'.repeat(201) }), [['name', 'too_long']]);
	assert.equal(fieldMessage(body, 'name'), '名称は200文字以内で入力してください。');
	const ok = await t.api.post('/api/v1/assets', assetInput({ name: 'あ'.repeat(200) }));
	assert.equal(ok.status, 201, ok.text);
	assert.equal(ok.json.name, 'あ'.repeat(200));
	// Characters outside the BMP count once each too.
	const emoji = await t.api.post('/api/v1/assets', assetInput({ name: '🍣'.repeat(200) }));
	assert.equal(emoji.status, 201, emoji.text);
	await refusedCreate(assetInput({ name: '🍣'.repeat(201) }), [['name', 'too_long']]);
});

test('too_long: 説明・備考 over 2000 characters; exactly 2000 is accepted', async () => {
	await refusedCreate(assetInput({ description: '説'.repeat(2001) }), [['description', 'too_long']]);
	const ok = await t.api.post('/api/v1/assets', assetInput({ description: '説'.repeat(2000) }));
	assert.equal(ok.status, 201, ok.text);
});

test('out_of_range: levels outside 1–4 / 1–3, with the exact Japanese message', async () => {
	let body = await refusedCreate(assetInput({ confidentiality: 5 }), [['confidentiality', 'out_of_range']]);
	assert.equal(fieldMessage(body, 'confidentiality'), '機密性は1から4までの値を入力してください。');
	body = await refusedCreate(assetInput({ confidentiality: 0 }), [['confidentiality', 'out_of_range']]);
	assert.equal(fieldMessage(body, 'confidentiality'), '機密性は1から4までの値を入力してください。');
	body = await refusedCreate(assetInput({ integrity: 4 }), [['integrity', 'out_of_range']]);
	assert.equal(fieldMessage(body, 'integrity'), '完全性は1から3までの値を入力してください。');
	body = await refusedCreate(assetInput({ availability: -1 }), [['availability', 'out_of_range']]);
	assert.equal(fieldMessage(body, 'availability'), '可用性は1から3までの値を入力してください。');
	await refusedCreate(assetInput({ confidentiality: 2 ** 53 }), [['confidentiality', 'out_of_range']]);
	await refusedCreate(assetInput({ confidentiality: -(2 ** 53) }), [['confidentiality', 'out_of_range']]);
});

test('out_of_range in English', async () => {
	const body = await refusedCreate(assetInput({ integrity: 9 }), [['integrity', 'out_of_range']], {
		'Accept-Language': 'en',
	});
	assert.equal(fieldMessage(body, 'integrity'), 'Integrity must be between 1 and 3.');
});

test('not_integer: JSON strings, fractions and booleans for a level', async () => {
	const body = await refusedCreate(assetInput({ confidentiality: '3' }), [['confidentiality', 'not_integer']]);
	assert.equal(fieldMessage(body, 'confidentiality'), '機密性は整数で入力してください。');
	await refusedCreate(assetInput({ integrity: 2.5 }), [['integrity', 'not_integer']]);
	await refusedCreate(assetInput({ availability: true }), [['availability', 'not_integer']]);
	await refusedCreate(assetInput({ availability: [1] }), [['availability', 'not_integer']]);
});

test('bad_choice: values outside the enumeration (the API takes codes, not labels)', async () => {
	const body = await refusedCreate(assetInput({ kind: 'server' }), [['kind', 'bad_choice']]);
	assert.equal(fieldMessage(body, 'kind'), '種別の値が選択肢にありません。');
	await refusedCreate(assetInput({ kind: 'DATA' }), [['kind', 'bad_choice']]);
	await refusedCreate(assetInput({ personal_info: 'yes' }), [['personal_info', 'bad_choice']]);
	await refusedCreate(assetInput({ personal_info: 1 }), [['personal_info', 'bad_choice']]);
	await refusedCreate(assetInput({ kind: 'データ' }), [['kind', 'bad_choice']]);
});

test('every enumeration code is accepted', async () => {
	for (const kind of ['data', 'document', 'infrastructure', 'hardware', 'software']) {
		const r = await t.api.post('/api/v1/assets', assetInput({ kind, name: `種別${kind}` }));
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.kind, kind);
	}
	for (const personal_info of ['none', 'personal', 'sensitive', 'my_number']) {
		const r = await t.api.post('/api/v1/assets', assetInput({ personal_info }));
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.personal_info, personal_info);
	}
});

test('dates: ISO, 和暦 and R6.4.1 forms are accepted and stored as ISO', async () => {
	const cases = [
		['2024-04-01', '2024-04-01'],
		['令和6年4月1日', '2024-04-01'],
		['R6.4.1', '2024-04-01'],
		['令和元年5月1日', '2019-05-01'],
		['平成31年4月30日', '2019-04-30'],
		['2024/4/1', '2024-04-01'],
	];
	for (const [input, iso] of cases) {
		const r = await t.api.post('/api/v1/assets', assetInput({ retention_until: input }));
		assert.equal(r.status, 201, `${input}: ${r.text}`);
		assert.equal(r.json.retention_until, iso, input);
		assert.equal((await t.api.record('assets', r.json.id)).retention_until, iso);
	}
});

test('bad_date: impossible days, wrong eras and non-dates are refused', async () => {
	for (const bad of ['2024-02-30', '2023-02-29', '令和6年13月1日', '平成31年5月1日', 'tomorrow', '2024-04-01x', '12345']) {
		const body = await refusedCreate(assetInput({ retention_until: bad }), [['retention_until', 'bad_date']]);
		assert.match(fieldMessage(body, 'retention_until'), /^保存期限は日付/);
	}
	await refusedCreate(assetInput({ retention_until: 20240401 }), [['retention_until', 'bad_date']]);
});

test('bad_ref: references to records that do not exist', async () => {
	let body = await refusedCreate(assetInput({ section_id: 99999 }), [['section_id', 'bad_ref']]);
	assert.equal(fieldMessage(body, 'section_id'), '所管課に指定された項目が見つかりません。');
	body = await refusedCreate(assetInput({ owner_id: 99999 }), [['owner_id', 'bad_ref']]);
	body = await refusedCreate(assetInput({ system_id: 0 }), [['system_id', 'bad_ref']]);
	// JSON gives references as ids: a code string is not one.
	await refusedCreate(assetInput({ section_id: '0110' }), [['section_id', 'bad_ref']]);
	await refusedCreate(assetInput({ owner_id: -3 }), [['owner_id', 'bad_ref']]);
});

test('retired_ref: a new reference to a retired record is refused', async () => {
	const sec = await t.api.post('/api/v1/sections', { code: '9901', name: '廃止予定課', kind: 'division' });
	assert.equal(sec.status, 201, sec.text);
	// An asset made while the section was active keeps it after retirement.
	const keep = await t.api.post('/api/v1/assets', assetInput({ section_id: sec.json.id, name: '残る資産' }));
	assert.equal(keep.status, 201);
	const ret = await t.api.post(`/api/v1/sections/${sec.json.id}/retire`, { version: 1 });
	assert.equal(ret.status, 200, ret.text);

	const body = await refusedCreate(assetInput({ section_id: sec.json.id }), [['section_id', 'retired_ref']]);
	assert.equal(fieldMessage(body, 'section_id'), '所管課に指定された項目は廃止されています。');

	// Editing another field of the asset that already points there is fine.
	const upd = await t.api.put(`/api/v1/assets/${keep.json.id}`, { location: '倉庫' }, { headers: { 'If-Match': '"1"' } });
	assert.equal(upd.status, 200, upd.text);
	assert.equal(upd.json.section_id, sec.json.id);
	// Moving another asset to it is not.
	const v = await t.api.record('assets', 1);
	const moved = await t.api.put('/api/v1/assets/1', { section_id: sec.json.id }, { headers: { 'If-Match': `"${v.version}"` } });
	assert.equal(moved.status, 422);
	assert.deepEqual(fieldCodes(moved.json), [['section_id', 'retired_ref']]);
	assert.deepEqual(await t.api.record('assets', 1), v);
});

test('not_text: numbers, booleans, arrays and objects for text fields', async () => {
	const body = await refusedCreate(assetInput({ name: 123 }), [['name', 'not_text']]);
	assert.equal(fieldMessage(body, 'name'), '名称は文字列で入力してください。');
	await refusedCreate(assetInput({ category: true }), [['category', 'not_text']]);
	await refusedCreate(assetInput({ location: ['本庁舎'] }), [['location', 'not_text']]);
	await refusedCreate(assetInput({ medium: { a: 1 } }), [['medium', 'not_text']]);
	await refusedCreate(assetInput({ code: 1 }), [['code', 'not_text']]);
});

test('bad_text: control characters are refused; line breaks only in multi-line fields', async () => {
	const body = await refusedCreate(assetInput({ name: 'ベル\u0007' }), [['name', 'bad_text']]);
	assert.equal(fieldMessage(body, 'name'), '名称に使えない文字（制御文字）が含まれています。');
	await refusedCreate(assetInput({ name: '削除\u007f' }), [['name', 'bad_text']]);
	await refusedCreate(assetInput({ name: '二行\n目' }), [['name', 'bad_text']]);
	await refusedCreate(assetInput({ location: 'a\u001bb' }), [['location', 'bad_text']]);
	await refusedCreate(assetInput({ description: 'esc\u001b[31m' }), [['description', 'bad_text']]);
	const ok = await t.api.post('/api/v1/assets', assetInput({ description: '一行目\n二行目\r\n三行目' }));
	assert.equal(ok.status, 201, ok.text);
	assert.equal(ok.json.description, '一行目\n二行目\r\n三行目');
});

test('a NUL character in a string is refused (400 bad_json or 422 bad_text)', async () => {
	const before = await snapshot();
	const r = await request(t.srv.url, '/api/v1/assets', {
		method: 'POST',
		body: JSON.stringify(assetInput()).replace('"テスト用資産"', '"a\\u0000b"'),
		headers: { 'Content-Type': 'application/json' },
	});
	assert.ok(
		(r.status === 400 && r.json?.error?.code === 'bad_json') ||
			(r.status === 422 && fieldCodes(r.json).some(([f, c]) => f === 'name' && c === 'bad_text')),
		`${r.status} ${r.text}`,
	);
	assert.deepEqual(await snapshot(), before);
});

test('unknown_field: a field the register does not have', async () => {
	const body = await refusedCreate(assetInput({ colour: 'red' }), [['colour', 'unknown_field']]);
	assert.equal(fieldMessage(body, 'colour'), 'colourという項目はありません。');
	await refusedCreate(assetInput({ Name: 'x' }), [['Name', 'unknown_field']]);
});

test('read_only: derived and system fields cannot be set', async () => {
	const body = await refusedCreate(assetInput({ asset_value: 4 }), [['asset_value', 'read_only']]);
	assert.equal(fieldMessage(body, 'asset_value'), '資産価値は自動で設定される項目のため、変更できません。');
	for (const f of ['id', 'created_at', 'updated_at', 'updated_by', 'retired']) {
		const v = f === 'id' ? 5 : f === 'retired' ? true : '2024-01-01T00:00:00Z';
		await refusedCreate(assetInput({ [f]: v }), [[f, 'read_only']]);
	}
});

test('duplicate: a 管理番号 already used (by an active or a retired asset)', async () => {
	const body = await refusedCreate(assetInput({ code: 'A-000001' }), [['code', 'duplicate']]);
	assert.equal(fieldMessage(body, 'code'), 'この管理番号は既に使われています。');
	// A-000037 is one of the demo assets that is retired.
	const retired = await t.api.get('/api/v1/assets?status=retired&limit=1&sort=id');
	assert.ok(retired.json.total > 0);
	await refusedCreate(assetInput({ code: retired.json.items[0].code }), [['code', 'duplicate']]);
	// Blanks around the code do not make it a different code.
	await refusedCreate(assetInput({ code: ' A-000002 ' }), [['code', 'duplicate']]);
});

test('several problems in one request are all reported at once', async () => {
	await refusedCreate(
		{ name: 'x'.repeat(201), kind: 'nope', section_id: 99999, personal_info: 'none', confidentiality: 7, integrity: 'high', availability: 1, colour: 1, asset_value: 1 },
		[
			['name', 'too_long'],
			['kind', 'bad_choice'],
			['section_id', 'bad_ref'],
			['confidentiality', 'out_of_range'],
			['integrity', 'not_integer'],
			['colour', 'unknown_field'],
			['asset_value', 'read_only'],
		],
	);
});

test('the same rules apply on update: a refused PUT changes nothing', async () => {
	const before = await t.api.record('assets', 3);
	const hist = (await t.api.history('assets', 3)).length;
	for (const [input, expected] of [
		[{ confidentiality: 9 }, [['confidentiality', 'out_of_range']]],
		[{ name: '' }, [['name', 'required']]],
		[{ name: null }, [['name', 'required']]],
		[{ kind: 'x' }, [['kind', 'bad_choice']]],
		[{ asset_value: 1 }, [['asset_value', 'read_only']]],
		[{ code: 'A-000001' }, [['code', 'duplicate']]],
		[{ owner_id: 99999 }, [['owner_id', 'bad_ref']]],
		[{ retention_until: '2024-13-01' }, [['retention_until', 'bad_date']]],
		[{ name: '正しい名前', integrity: 0 }, [['integrity', 'out_of_range']]],
	]) {
		const r = await t.api.put('/api/v1/assets/3', input, { headers: { 'If-Match': `"${before.version}"` } });
		assert.equal(r.status, 422, JSON.stringify(input));
		assert.equal(r.json.error.code, 'validation');
		assert.deepEqual(fieldCodes(r.json), expected, JSON.stringify(input));
		assert.deepEqual(await t.api.record('assets', 3), before);
		assert.equal((await t.api.history('assets', 3)).length, hist);
	}
});

test('text is trimmed before it is checked and stored', async () => {
	const r = await t.api.post('/api/v1/assets', assetInput({ name: '  前後に空白  ', category: ' 分類 ' }));
	assert.equal(r.status, 201);
	assert.equal(r.json.name, '前後に空白');
	assert.equal(r.json.category, '分類');
	// 200 characters plus surrounding blanks still fits.
	const ok = await t.api.post('/api/v1/assets', assetInput({ name: `  ${'い'.repeat(200)}  ` }));
	assert.equal(ok.status, 201, ok.text);
});
