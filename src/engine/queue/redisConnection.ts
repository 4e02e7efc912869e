import { Redis } from 'ioredis';
import { ConfigError } from '../errors';
import { maskCredentials, registerSecret } from '../log';

/** Environment variable read when `--redis` is not given: keeps a password off the command line (and `ps`). */
export const REDIS_URL_ENV = 'AUDITLENS_REDIS_URL';

/** Queue names BullMQ and its Relay topics both accept (a topic segment takes no '.'; a Redis key part no ':'). */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `url` with its password (and a user's password-like name) replaced by `***`: for every message that names it. */
export function maskRedisUrl(url: string): string {
	try {
		const u = new URL(url);
		if (!u.password && !u.username) return url;
		// `redis://:secret@host` has only a password; `redis://user:secret@host` both: the user name stays.
		if (u.password) u.password = '***';
		else u.username = '***';
		return u.toString();
	} catch {
		return maskCredentials(url);
	}
}

/**
 * The Redis URL of `--redis` (or AUDITLENS_REDIS_URL), checked: `redis://[[user]:password@]host[:port][/db]` or
 * `rediss://` (TLS). Its password is registered as a secret, so no log line shows it.
 */
export function redisUrlArg(value: string | undefined): string {
	const url = value ?? process.env[REDIS_URL_ENV];
	if (url === undefined || url === '')
		throw new ConfigError(`give the Redis server: --redis redis://HOST:PORT (or set ${REDIS_URL_ENV})`);
	let u: URL;
	try {
		u = new URL(url);
	} catch {
		throw new ConfigError(`--redis takes a URL such as redis://127.0.0.1:6379/0, not "${maskRedisUrl(url)}"`);
	}
	if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
		throw new ConfigError(`--redis takes a redis:// or rediss:// URL, not ${u.protocol}// (${maskRedisUrl(url)})`);
	if (!u.hostname) throw new ConfigError(`--redis ${maskRedisUrl(url)} names no host`);
	const db = u.pathname.replace(/^\//, '');
	if (db !== '' && !/^\d{1,2}$/.test(db))
		throw new ConfigError(
			`--redis ${maskRedisUrl(url)}: the path is the database number (0-15), e.g. redis://host:6379/0`,
		);
	registerSecret(decodeURIComponent(u.password), 4);
	return url;
}

/** `--queue NAME`, checked. */
export function queueNameArg(value: string | undefined, fallback: string): string {
	const name = value ?? fallback;
	if (!QUEUE_NAME.test(name))
		throw new ConfigError(`--queue takes a name of letters, digits, '-' and '_' (up to 64), not "${name}"`);
	return name;
}

/**
 * A connection for BullMQ (workers, queues, the Relay): ioredis parses the URL (rediss:// turns TLS on) and
 * reconnects for ever with a growing delay; `maxRetriesPerRequest: null`, as BullMQ requires of a worker's
 * connection, makes commands wait through a Redis restart instead of failing.
 */
export function connectRedis(url: string, name: string): Redis {
	return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
}
