// The OpenAPI document is generated from the register declarations: check
// its shape, that it describes every register, and that what it says about
// the assets fields is what the API actually enforces.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { assetInput, client, fieldCodes, startServer } from '../lib/server.js';

let srv;
let api;
let doc;

before(async () => {
	srv = await startServer({ seed: 'demo' });
	api = client(srv.url);
	const r = await api.get('/api/v1/openapi.json');
	assert.equal(r.status, 200);
	doc = JSON.parse(r.text);
});

after(async () => {
	await srv?.stop();
});

const REGISTERS = ['assets', 'systems', 'sections', 'people'];

const ASSET_FIELDS = {
	code: { type: 'string', maxLength: 20 },
	name: { type: 'string', maxLength: 200 },
	kind: { type: 'string', enum: ['data', 'document', 'infrastructure', 'hardware', 'software'] },
	category: { type: 'string' },
	description: { type: 'string', maxLength: 2000 },
	section_id: { type: 'integer', 'x-references': 'sections' },
	owner_id: { type: 'integer', 'x-references': 'people' },
	user_scope: { type: 'string' },
	medium: { type: 'string' },
	location: { type: 'string' },
	system_id: { type: 'integer', 'x-references': 'systems' },
	personal_info: { type: 'string', enum: ['none', 'personal', 'sensitive', 'my_number'] },
	confidentiality: { type: 'integer', minimum: 1, maximum: 4 },
	integrity: { type: 'integer', minimum: 1, maximum: 3 },
	availability: { type: 'integer', minimum: 1, maximum: 3 },
	asset_value: { type: 'integer', readOnly: true },
	retention_until: { type: 'string', format: 'date' },
};

test('GET /api/v1/openapi.json is an OpenAPI 3.0.3 JSON document', async () => {
	const r = await api.get('/api/v1/openapi.json');
	assert.match(r.headers.get('content-type'), /^application\/json/);
	assert.equal(doc.openapi, '3.0.3');
	assert.equal(typeof doc.info?.title, 'string');
	assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
	assert.equal(typeof doc.paths, 'object');
	assert.equal(typeof doc.components?.schemas, 'object');
});

test('every register has its paths and operations', async () => {
	for (const reg of REGISTERS) {
		const base = `/api/v1/${reg}`;
		const want = {
			[base]: ['get', 'post'],
			[`${base}/{id}`]: ['get', 'put'],
			[`${base}/{id}/retire`]: ['post'],
			[`${base}/{id}/restore`]: ['post'],
			[`${base}/{id}/history`]: ['get'],
			[`${base}/export.csv`]: ['get'],
			[`${base}/export.xlsx`]: ['get'],
			[`${base}/import`]: ['post'],
		};
		for (const [p, methods] of Object.entries(want)) {
			assert.ok(doc.paths[p], `missing path ${p}`);
			for (const m of methods) {
				const op = doc.paths[p][m];
				assert.ok(op, `missing ${m} ${p}`);
				assert.ok(op.responses && Object.keys(op.responses).length, `${m} ${p} has no responses`);
			}
			if (p.includes('{id}')) {
				for (const m of methods) {
					const param = doc.paths[p][m].parameters?.find((x) => x.name === 'id');
					assert.ok(param && param.in === 'path' && param.required === true, `${m} ${p} id parameter`);
				}
			}
		}
		assert.equal(doc.paths[base].post.requestBody.content['application/json'].schema.$ref, `#/components/schemas/${reg}`);
		assert.ok(doc.paths[base].post.responses['201'], `${reg} create answers 201`);
		assert.ok(doc.components.schemas[reg], `schema ${reg}`);
	}
});

test('every path the document lists is a real route of the server', async () => {
	for (const p of Object.keys(doc.paths)) {
		// A record path is tried on the register's first record; a
		// register with none (no privilege request yet) has its list
		// path tried instead.
		let url = p;
		if (p.includes('{id}')) {
			const list = await api.get(p.slice(0, p.indexOf('/{id}')) + '?limit=1');
			assert.equal(list.status, 200, p);
			if (!list.json.items.length) continue;
			url = p.replace('{id}', String(list.json.items[0].id));
		}
		for (const m of Object.keys(doc.paths[p])) {
			if (m !== 'get') continue;
			const r = await api.get(url);
			// Without its required query parameters a route answers 400
			// (the comparison of two years); any other route 200.
			const required = (doc.paths[p][m].parameters || []).some((x) => x.in === 'query' && x.required);
			assert.equal(r.status, required ? 400 : 200, `GET ${url}: ${r.status}`);
			if (required) assert.equal(r.json.error.code, 'bad_query', url);
		}
	}
});

test('every $ref in the document resolves', async () => {
	const refs = [];
	(function walk(v) {
		if (Array.isArray(v)) v.forEach(walk);
		else if (v && typeof v === 'object')
			for (const [k, x] of Object.entries(v)) {
				if (k === '$ref') refs.push(x);
				else walk(x);
			}
	})(doc);
	assert.ok(refs.length > 0);
	for (const ref of new Set(refs)) {
		assert.match(ref, /^#\/components\/schemas\/[A-Za-z_]+$/);
		assert.ok(doc.components.schemas[ref.split('/').pop()], `unresolved ${ref}`);
	}
});

test('the assets schema has every field with matching type, enum and bounds', async () => {
	const s = doc.components.schemas.assets;
	assert.equal(s.type, 'object');
	for (const [name, want] of Object.entries(ASSET_FIELDS)) {
		const got = s.properties[name];
		assert.ok(got, `property ${name}`);
		for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `${name}.${k}`);
	}
	for (const k of ['id', 'version', 'retired', 'created_at', 'updated_at', 'updated_by']) assert.ok(s.properties[k], k);
	for (const k of ['id', 'retired', 'created_at', 'updated_at', 'updated_by']) assert.equal(s.properties[k].readOnly, true, k);
	assert.deepEqual(
		Object.keys(s.properties).sort(),
		[...Object.keys(ASSET_FIELDS), 'id', 'version', 'retired', 'created_at', 'updated_at', 'updated_by'].sort(),
	);
	assert.deepEqual(
		[...s.required].sort(),
		['availability', 'confidentiality', 'integrity', 'kind', 'name', 'personal_info', 'section_id'],
	);
	assert.equal(s.properties.name.description, '名称');
	assert.equal(s.properties.confidentiality.description, '機密性');
});

test('the other schemas carry their enumerations', async () => {
	const { sections, people, systems } = doc.components.schemas;
	assert.deepEqual(sections.properties.kind.enum, ['department', 'division', 'unit']);
	assert.equal(sections.properties.parent_id['x-references'], 'sections');
	assert.deepEqual(people.properties.employment.enum, ['regular', 'part_time', 'temporary', 'contractor']);
	assert.deepEqual(people.properties.employment_status.enum, ['employed', 'left']);
	assert.equal(people.properties.email.maxLength, 254);
	assert.equal(systems.properties.infra_admin_id['x-references'], 'people');
	assert.deepEqual([...sections.required].sort(), ['kind', 'name']);
	assert.deepEqual([...people.required].sort(), ['employment', 'employment_status', 'name', 'section_id']);
	assert.deepEqual([...systems.required].sort(), ['name', 'section_id']);
});

test('the document agrees with the server: bounds and enums are what the API enforces', async () => {
	const props = doc.components.schemas.assets.properties;
	for (const [name, p] of Object.entries(props)) {
		if (p.type === 'integer' && p.minimum !== undefined && !p.readOnly) {
			for (const v of [p.minimum, p.maximum]) {
				const r = await api.post('/api/v1/assets', assetInput({ [name]: v }));
				assert.equal(r.status, 201, `${name}=${v}: ${r.text}`);
			}
			for (const v of [p.minimum - 1, p.maximum + 1]) {
				const r = await api.post('/api/v1/assets', assetInput({ [name]: v }));
				assert.equal(r.status, 422, `${name}=${v}`);
				assert.deepEqual(fieldCodes(r.json), [[name, 'out_of_range']]);
			}
		}
		if (p.enum) {
			for (const v of p.enum) {
				const r = await api.post('/api/v1/assets', assetInput({ [name]: v }));
				assert.equal(r.status, 201, `${name}=${v}: ${r.text}`);
			}
			const r = await api.post('/api/v1/assets', assetInput({ [name]: `${p.enum[0]}_x` }));
			assert.deepEqual(fieldCodes(r.json), [[name, 'bad_choice']]);
		}
		if (p.type === 'string' && p.maxLength && !p.readOnly) {
			const over = await api.post('/api/v1/assets', assetInput({ [name]: 'x'.repeat(p.maxLength + 1) }));
			assert.deepEqual(fieldCodes(over.json), [[name, 'too_long']], name);
		}
		if (p.readOnly && p.description) {
			const r = await api.post('/api/v1/assets', assetInput({ [name]: 1 }));
			assert.deepEqual(fieldCodes(r.json), [[name, 'read_only']], name);
		}
	}
	// And the required list is what the API asks for.
	const r = await api.post('/api/v1/assets', {});
	assert.deepEqual(
		fieldCodes(r.json).map(([f]) => f).sort(),
		[...doc.components.schemas.assets.required].sort(),
	);
});

test('a record from the API validates against its schema', async () => {
	const schemas = doc.components.schemas;
	for (const reg of REGISTERS) {
		const rec = await api.record(reg, 1);
		const s = schemas[reg];
		for (const [k, v] of Object.entries(rec)) {
			const p = s.properties[k];
			assert.ok(p, `${reg}.${k} is not in the schema`);
			if (v === null) {
				assert.ok(p.nullable === true, `${reg}.${k} is null but not nullable`);
				continue;
			}
			const t = p.type === 'integer' ? 'number' : p.type;
			assert.equal(typeof v, t, `${reg}.${k}`);
			if (p.enum) assert.ok(p.enum.includes(v), `${reg}.${k}=${v}`);
			if (p.minimum !== undefined) assert.ok(v >= p.minimum && v <= p.maximum, `${reg}.${k}=${v}`);
			if (p.format === 'date') assert.match(v, /^\d{4}-\d{2}-\d{2}$/);
			if (p.format === 'date-time') assert.match(v, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
		}
		for (const k of s.required) assert.notEqual(rec[k], null, `${reg}.${k} required`);
	}
});
