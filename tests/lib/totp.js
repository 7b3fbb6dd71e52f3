// TOTP (RFC 6238) for the tests, independent of the server's liboath: the
// codes an authenticator app would show for a base32 secret.
import { createHmac } from 'node:crypto';

const STEP = 30;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes RFC 4648 base32 (spaces and padding ignored, any case). */
export function base32Decode(text) {
	const s = text.replace(/[\s=]/g, '').toUpperCase();
	const out = [];
	let acc = 0;
	let bits = 0;
	for (const c of s) {
		const v = B32.indexOf(c);
		if (v < 0) throw new Error(`not base32: ${c}`);
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			out.push((acc >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

/** The HOTP value of key (bytes) at counter, digits long (RFC 4226). */
export function hotp(key, counter, digits = 6) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(counter));
	const mac = createHmac('sha1', key).update(msg).digest();
	const off = mac[mac.length - 1] & 0x0f;
	const bin = (mac.readUInt32BE(off) & 0x7fffffff) % 10 ** digits;
	return String(bin).padStart(digits, '0');
}

/** The time step of unix seconds t. */
export function stepOf(t = Date.now() / 1000) {
	return Math.floor(t / STEP);
}

/** The code of a base32 secret at step (default: now). */
export function totp(secret, step = stepOf(), digits = 6) {
	const key = typeof secret === 'string' ? base32Decode(secret) : secret;
	return hotp(key, step, digits);
}

/**
 * Waits, when the current step ends within margin seconds, until the next
 * one has begun, so that a code computed now is still the server's current
 * one when it arrives. Resolves to the step it is then.
 */
export async function freshStep(margin = 4) {
	const t = Date.now() / 1000;
	const left = STEP - (t % STEP);
	if (left < margin) await new Promise((r) => setTimeout(r, (left + 0.2) * 1000));
	return stepOf();
}
