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
			'**/*.mjs',
			'**/*.js',
			'**/*.cjs',
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
		},
	},
	// The webview and the formatting it shares with the extension host run in a browser: no `vscode`,
	// no host or engine code (issue 8: the webview used to import from src/extension).
	browserCode(['src/webview/*.ts', 'src/format/**/*.ts'], '../protocol'),
	browserCode(['src/webview/*/**/*.ts'], '../../protocol'),
	{
		files: ['test/**/*.ts'],
		rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
	},
);
