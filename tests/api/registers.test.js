// The organisation registers (sections, people) and systems through the same
// engine: their records, their own rules, and their refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { fieldCodes, useServer } from '../lib/server.js';

const t = useServer({ seed: 'demo' });

function ifMatch(v) {
	return { headers: { 'If-Match': `"${v}"` } };
}

/* Posts to reg expecting 422 with the given field codes and no new record. */
async function refusedCreate(reg, input, expected) {
	const before = await t.api.total(reg);
	const r = await t.api.post(`/api/v1/${reg}`, input);
	assert.equal(r.status, 422, `${reg} ${JSON.stringify(input)}: ${r.text}`);
	assert.equal(r.json.error.code, 'validation');
	assert.deepEqual(fieldCodes(r.json), [...expected].sort());
	assert.equal(await t.api.total(reg), before);
	return r.json;
}

/* PUTs to reg/id expecting 422 with the given codes; the record is unchanged. */
async function refusedUpdate(reg, id, input, expected) {
	const rec = await t.api.record(reg, id);
	const hist = (await t.api.history(reg, id)).length;
	const r = await t.api.put(`/api/v1/${reg}/${id}`, input, ifMatch(rec.version));
	assert.equal(r.status, 422, `${reg}/${id} ${JSON.stringify(input)}: ${r.text}`);
	assert.deepEqual(fieldCodes(r.json), [...expected].sort());
	assert.deepEqual(await t.api.record(reg, id), rec);
	assert.equal((await t.api.history(reg, id)).length, hist);
	return r.json;
}

const ID_KEYS = ['id', 'version', 'retired', 'created_at', 'updated_at', 'updated_by'];

test('records of each register have the declared fields', async () => {
	const shapes = {
		sections: ['code', 'name', 'kind', 'parent_id'],
		people: ['employee_no', 'name', 'name_kana', 'section_id', 'job_title', 'employment', 'employment_status', 'email'],
		systems: ['code', 'name', 'section_id', 'infra_admin_id', 'description'],
	};
	for (const [reg, fields] of Object.entries(shapes)) {
		const r = await t.api.get(`/api/v1/${reg}/1`);
		assert.equal(r.status, 200);
		assert.equal(r.headers.get('etag'), `"${r.json.version}"`);
		assert.deepEqual(Object.keys(r.json).sort(), [...ID_KEYS, ...fields].sort(), reg);
	}
	const s = await t.api.record('sections', 2);
	assert.deepEqual([s.code, s.name, s.kind, s.parent_id], ['0110', '総務課', 'division', 1]);
	const sys = await t.api.record('systems', 1);
	assert.deepEqual([sys.code, sys.name], ['SYS-000001', '住民情報システム']);
});

test('sections: create, auto code, update, retire and restore', async () => {
	const r = await t.api.post('/api/v1/sections', { name: 'デジタル推進課', kind: 'division', parent_id: 1 });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.headers.get('location'), `/api/v1/sections/${r.json.id}`);
	assert.match(r.json.code, /^S\d{6}$/);
	const u = await t.api.put(`/api/v1/sections/${r.json.id}`, { code: '0140' }, ifMatch(1));
	assert.equal(u.status, 200, u.text);
	assert.equal(u.json.code, '0140');
	const ret = await t.api.post(`/api/v1/sections/${r.json.id}/retire`, { version: 2 });
	assert.equal(ret.status, 200);
	assert.equal((await t.api.get(`/api/v1/sections?q=${encodeURIComponent('デジタル推進課')}`)).json.total, 0);
	const back = await t.api.post(`/api/v1/sections/${r.json.id}/restore`, { version: 3 });
	assert.equal(back.status, 200);
	assert.equal(back.json.retired, false);
});

test('sections: refusals for kind, name, parent and a duplicate code', async () => {
	let body = await refusedCreate('sections', { name: '課', kind: 'bureau' }, [['kind', 'bad_choice']]);
	assert.equal(body.error.fields[0].message, '区分の値が選択肢にありません。');
	await refusedCreate('sections', { kind: 'unit' }, [['name', 'required']]);
	await refusedCreate('sections', { name: 'x'.repeat(101), kind: 'unit' }, [['name', 'too_long']]);
	await refusedCreate('sections', { name: '孤立係', kind: 'unit', parent_id: 9999 }, [['parent_id', 'bad_ref']]);
	body = await refusedCreate('sections', { code: '0110', name: '二つ目の総務課', kind: 'division' }, [['code', 'duplicate']]);
	assert.equal(body.error.fields[0].message, 'この課コードは既に使われています。');
	await refusedCreate('sections', { name: '課', kind: 'division', confidentiality: 1 }, [['confidentiality', 'unknown_field']]);
});

test('sections: a section cannot be its own parent (self_ref) or its own ancestor (cycle)', async () => {
	// 0120 行政管理課 (id 3) has the unit 0121 行政情報係 (id 4) below it.
	let body = await refusedUpdate('sections', 3, { parent_id: 3 }, [['parent_id', 'self_ref']]);
	assert.equal(body.error.fields[0].message, '上位組織に自分自身は指定できません。');
	body = await refusedUpdate('sections', 3, { parent_id: 4 }, [['parent_id', 'cycle']]);
	assert.equal(body.error.fields[0].message, '上位組織の指定が循環しています。');
	// 総務部 (id 1) is above 行政管理課: putting it under 行政情報係 loops too.
	await refusedUpdate('sections', 1, { parent_id: 4 }, [['parent_id', 'cycle']]);
	// Moving it under another department is fine.
	const rec = await t.api.record('sections', 3);
	const ok = await t.api.put('/api/v1/sections/3', { parent_id: 7 }, ifMatch(rec.version));
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.parent_id, 7);
});

test('people: create with every field, and auto 職員番号', async () => {
	const input = {
		name: '新規 職員',
		name_kana: 'しんき しょくいん',
		section_id: 2,
		job_title: '主事',
		employment: 'temporary',
		employment_status: 'employed',
		email: 'shinki@example.lg.jp',
	};
	const r = await t.api.post('/api/v1/people', input);
	assert.equal(r.status, 201, r.text);
	for (const [k, v] of Object.entries(input)) assert.equal(r.json[k], v, k);
	assert.match(r.json.employee_no, /^P\d{6}$/);
	const left = await t.api.put(`/api/v1/people/${r.json.id}`, { employment_status: 'left' }, ifMatch(1));
	assert.equal(left.status, 200);
	assert.equal(left.json.employment_status, 'left');
	assert.equal(left.json.employment, 'temporary');
});

test('people: refusals for enums, required fields, lengths, references and duplicates', async () => {
	const base = { name: '検証 花子', section_id: 2, employment: 'regular', employment_status: 'employed' };
	await refusedCreate('people', { ...base, employment: 'freelance' }, [['employment', 'bad_choice']]);
	await refusedCreate('people', { ...base, employment_status: 'retired' }, [['employment_status', 'bad_choice']]);
	await refusedCreate('people', { name: '必須なし' }, [
		['section_id', 'required'],
		['employment', 'required'],
		['employment_status', 'required'],
	]);
	await refusedCreate('people', { ...base, email: `${'a'.repeat(250)}@x.jp` }, [['email', 'too_long']]);
	await refusedCreate('people', { ...base, section_id: 9999 }, [['section_id', 'bad_ref']]);
	const body = await refusedCreate('people', { ...base, employee_no: '10001' }, [['employee_no', 'duplicate']]);
	assert.equal(body.error.fields[0].message, 'この職員番号は既に使われています。');
	await refusedCreate('people', { ...base, name_kana: 'か\u0000な'.replace('\u0000', '\u0001') }, [['name_kana', 'bad_text']]);
});

test('systems: create and refusals', async () => {
	const ok = await t.api.post('/api/v1/systems', { name: '電子申請システム', section_id: 3, infra_admin_id: 11, description: '行政手続のオンライン化\n第二期' });
	assert.equal(ok.status, 201, ok.text);
	assert.match(ok.json.code, /^SYS-\d{6}$/);
	assert.equal(ok.json.description, '行政手続のオンライン化\n第二期');
	await refusedCreate('systems', { name: '所管なし' }, [['section_id', 'required']]);
	await refusedCreate('systems', { name: '管理者不明', section_id: 3, infra_admin_id: 9999 }, [['infra_admin_id', 'bad_ref']]);
	await refusedCreate('systems', { name: 'x', section_id: 3, description: 'd'.repeat(2001) }, [['description', 'too_long']]);
	await refusedCreate('systems', { code: 'SYS-000001', name: '重複', section_id: 3 }, [['code', 'duplicate']]);
});

test('a retired person cannot be named as a new infrastructure administrator', async () => {
	const p = await t.api.post('/api/v1/people', { name: '異動 済', section_id: 5, employment: 'regular', employment_status: 'employed' });
	assert.equal(p.status, 201);
	const ret = await t.api.post(`/api/v1/people/${p.json.id}/retire`, { version: 1 });
	assert.equal(ret.status, 200);
	await refusedCreate('systems', { name: '新システム', section_id: 5, infra_admin_id: p.json.id }, [['infra_admin_id', 'retired_ref']]);
	await refusedUpdate('systems', 1, { infra_admin_id: p.json.id }, [['infra_admin_id', 'retired_ref']]);
});

test('every register answers 404, 409, 428 the same way', async () => {
	for (const reg of ['sections', 'people', 'systems']) {
		const missing = await t.api.get(`/api/v1/${reg}/99999`);
		assert.equal(missing.status, 404, reg);
		const rec = await t.api.record(reg, 2);
		const stale = await t.api.put(`/api/v1/${reg}/2`, { name: '競合' }, ifMatch(rec.version + 1));
		assert.equal(stale.status, 409, reg);
		assert.equal(stale.json.error.code, 'conflict');
		const nover = await t.api.put(`/api/v1/${reg}/2`, { name: '版なし' });
		assert.equal(nover.status, 428, reg);
		const twice = await t.api.post(`/api/v1/${reg}/2/restore`, { version: rec.version });
		assert.equal(twice.status, 409, reg);
		assert.equal(twice.json.error.code, 'not_retired');
		assert.deepEqual(await t.api.record(reg, 2), rec);
	}
});

test('register names are exact: unknown and differently cased ones are 404', async () => {
	for (const p of ['/api/v1/Assets', '/api/v1/asset', '/api/v1/section/1', '/api/v1/risk']) {
		const r = await t.api.get(p);
		assert.equal(r.status, 404, p);
	}
	const r = await t.api.post('/api/v1/widgets', { name: 'x' });
	assert.equal(r.status, 404);
});
