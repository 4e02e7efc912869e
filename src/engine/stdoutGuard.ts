import { Writable } from 'node:stream';

/**
 * Keeps stdout for the protocol alone: returns a stream that writes to the real stdout, then points
 * `process.stdout.write` (and so console.log of the engine and of every library) at stderr.
 */
export function guardStdout(): Writable {
	const rawWrite = process.stdout.write.bind(process.stdout) as (
		chunk: Buffer | string,
		cb: (err?: Error | null) => void,
	) => boolean;
	const protocolOut = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			rawWrite(chunk, (err) => callback(err ?? null));
		},
	});
	process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
	return protocolOut;
}
