import type { EngineProcess } from './engineProcess';
import { waitFor } from './engineProcess';

/** The inspector's address an engine started with `nodeArgs: ['--inspect=127.0.0.1:0']` printed on stderr. */
export async function inspectorUrl(engine: EngineProcess): Promise<string> {
	const find = () => /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(engine.stderr())?.[1];
	await waitFor(() => find() !== undefined, 10_000, "the engine's inspector address on its stderr");
	return find()!;
}

/** V8's heap spaces that hold data, not code. */
const DATA_SPACES = new Set(['new_space', 'old_space', 'new_large_object_space', 'large_object_space']);

/**
 * The bytes of data the engine's main thread keeps alive: the used size of its V8 heap's data spaces (new, old and
 * large objects) after full garbage collections, read over the DevTools protocol. Code spaces are left out: V8
 * compiles and drops code at a pace that depends on the machine. Unlike the process's RSS, which keeps the high-water
 * mark of every heap and allocator and grows in steps with the machine's timing, this is what the engine still holds.
 */
export async function retainedHeap(url: string): Promise<number> {
	const ws = new WebSocket(url);
	await new Promise<void>((resolve, reject) => {
		ws.addEventListener('open', () => resolve(), { once: true });
		ws.addEventListener('error', () => reject(new Error(`cannot reach the engine's inspector at ${url}`)), {
			once: true,
		});
	});
	let nextId = 1;
	const pending = new Map<
		number,
		{ resolve: (result: Record<string, unknown>) => void; reject: (err: Error) => void }
	>();
	ws.addEventListener('message', (event: MessageEvent) => {
		const msg = JSON.parse(String(event.data)) as {
			id?: number;
			result?: Record<string, unknown>;
			error?: { message: string };
		};
		const waiting = msg.id === undefined ? undefined : pending.get(msg.id);
		if (!waiting) return;
		pending.delete(msg.id!);
		if (msg.error) waiting.reject(new Error(msg.error.message));
		else waiting.resolve(msg.result ?? {});
	});
	const send = (method: string, params?: Record<string, unknown>) =>
		new Promise<Record<string, unknown>>((resolve, reject) => {
			const id = nextId++;
			pending.set(id, { resolve, reject });
			ws.send(JSON.stringify({ id, method, params }));
		});
	try {
		// Twice: what a finaliser of the first collection let go is collected by the second.
		await send('HeapProfiler.collectGarbage');
		await send('HeapProfiler.collectGarbage');
		const spaces = await send('Runtime.evaluate', {
			expression: `JSON.stringify(process.getBuiltinModule('node:v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]))`,
			returnByValue: true,
		});
		const used = JSON.parse(String((spaces.result as { value: unknown }).value)) as [string, number][];
		return used.filter(([name]) => DATA_SPACES.has(name)).reduce((sum, [, bytes]) => sum + bytes, 0);
	} finally {
		ws.close();
	}
}
