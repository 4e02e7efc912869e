// One linter for the project: typescript-eslint with type information, so that floating promises
// are errors (a deliberate fire-and-forget is written `void x()`), as in vscode-eslint.
import tseslint from 'typescript-eslint';

/**
 * Import rules for code bundled into the webviews, whose path to src/protocol is `protocolIndex`. Values come
 * from the protocol's topic modules: its index also exports the RPC messages, which bring vscode-jsonrpc along.
 */
function browserCode(files, protocolIndex) {
	const index = protocolIndex.replaceAll('.', '\\.');
	return {
		files,
		rules: {
			'@typescript-eslint/no-restricted-imports': [
				'error',
				{
					paths: [{ name: 'vscode', message: 'The webview and src/format run outside the extension host.' }],
					patterns: [
						{
							group: ['**/extension/**', '**/engine/**', 'node:*'],
							message: 'Shared code goes in src/format or src/protocol.',
						},
						{
							regex: `^${index}(/messages)?$`,
							allowTypeImports: true,
							message: 'Import values from their topic module (e.g. protocol/options), not the index.',
						},
					],
				},
			],
		},
	};
}

export default tseslint.config(
	{
		ignores: [
			'out/**',
			'dist/**',
			'node_modules/**',
			'media/**',
			'test/fixtures/**',
			'bench/site/**',
			'**/*.js',
			'**/*.cjs',
			'*.mjs',
		],
	},
	...tseslint.configs.recommended,
	{
		languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
			'@typescript-eslint/no-explicit-any': 'error',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			'@typescript-eslint/no-require-imports': 'off',
			eqeqeq: ['error', 'always'],
			// Prettier wraps code at 120 but leaves comments and strings alone. Strings and template literals
			// may run on (a message or a fixture reads better whole); comments wrap. A tab counts 2, as in prettier.
			// Core max-len is deprecated (ESLint 11 drops it; @stylistic/eslint-plugin has the same rule).
			'max-len': [
				'error',
				{
					code: 120,
					tabWidth: 2,
					ignoreUrls: true,
					ignoreStrings: true,
					ignoreTemplateLiterals: true,
					ignoreRegExpLiterals: true,
				},
			],
		},
	},
	// The webview and the formatting it shares with the extension host run in a browser: no `vscode`,
	// no host or engine code (issue 8: the webview used to import from src/extension).
	browserCode(['src/webview/*.ts', 'src/format/**/*.ts'], '../protocol'),
	browserCode(['src/webview/*/**/*.ts'], '../../protocol'),
	{
		// Node code has the DOM types only because Playwright page functions need them (tsconfig.json): a browser
		// global outside such a function is a bug. Page functions say so with an eslint-disable comment.
		files: ['src/**/*.ts'],
		ignores: ['src/webview/**'],
		rules: {
			'no-restricted-globals': [
				'error',
				...['document', 'window', 'navigator', 'location', 'localStorage', 'sessionStorage', 'getComputedStyle'].map(
					(name) => ({ name, message: 'A browser global: Node code runs no DOM (page functions excepted).' }),
				),
			],
		},
	},
	{
		// The engine serves the CLI and the extension and is the client of neither.
		files: ['src/engine/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: [{ name: 'vscode', message: 'The engine runs outside the extension host.' }],
					patterns: [
						{
							group: ['**/cli', '**/cli/**', '**/extension', '**/extension/**', '**/webview', '**/webview/**'],
							message: 'src/engine imports nothing from src/cli, src/extension or src/webview.',
						},
					],
				},
			],
		},
	},
	{
		// The protocol is the contract both sides import: it imports neither side.
		files: ['src/protocol/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: [{ name: 'vscode', message: 'The protocol is shared by every side.' }],
					patterns: [
						{
							group: ['**/engine/**', '**/cli/**', '**/extension/**', '**/webview/**'],
							message: 'src/protocol imports nothing from src/engine, src/cli, src/extension or src/webview.',
						},
					],
				},
			],
		},
	},
	{
		files: ['test/**/*.ts'],
		rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
	},
);
