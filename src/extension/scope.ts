/** Anything with a `dispose()`, like `vscode.Disposable`. */
export interface DisposableLike {
	dispose(): unknown;
}

/**
 * A list of resources disposed together, newest first. Reusable: after `dispose()` it is empty and
 * accepts new resources (an engine session scope is disposed at every engine exit).
 */
export class Scope implements DisposableLike {
	private items: DisposableLike[] = [];

	push<T extends DisposableLike>(item: T): T {
		this.items.push(item);
		return item;
	}

	get size(): number {
		return this.items.length;
	}

	dispose(): void {
		const items = this.items.reverse();
		this.items = [];
		const errors: unknown[] = [];
		for (const item of items) {
			try {
				item.dispose();
			} catch (err) {
				errors.push(err);
			}
		}
		if (errors.length) throw new AggregateError(errors, `${errors.length} resource(s) failed to dispose`);
	}
}
