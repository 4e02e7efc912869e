/** Credentials of a signed-in audit, and what a result says about them (names only). */

/**
 * Credentials of a signed-in audit. The browsers that load the page use them (Lighthouse's Chrome, the capture
 * context) and the engine's preflight; their values never appear in a result, the history, a log or stats.
 */
export interface AuditAuth {
	/**
	 * Extra request headers (e.g. `Authorization`), sent with every request of the page, like Lighthouse's
	 * `extraHeaders`.
	 */
	headers?: Record<string, string>;
	/** Cookies for the audited URL's origin only: host-only for its host, path `/`, secure on https. */
	cookies?: { name: string; value: string }[];
	/**
	 * Absolute path of a JS module whose default export `async ({ page, url }) => void` signs in (a Playwright
	 * page) in each browser before it loads the page; the cookies and storage it leaves are used by the audit.
	 */
	loginScript?: string;
}

/** How a result was signed in: names only, never a value. */
export interface AuthSummary {
	headers: string[];
	cookies: string[];
	/** The login script's path, when one ran. */
	loginScript?: string;
}
