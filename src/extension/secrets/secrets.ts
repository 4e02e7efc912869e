/** The API keys kept in VS Code's SecretStorage and the engine setting each one is sent as. Never logged. */

export const SECRET_ANTHROPIC_KEY = 'auditlens.anthropicApiKey';
export const SECRET_CRUX_KEY = 'auditlens.cruxApiKey';

export interface SecretSpec {
	/** SecretStorage key. */
	key: string;
	/** The engine setting it is sent as. */
	setting: 'anthropicApiKey' | 'cruxApiKey';
	/** What people call it. */
	name: string;
	prompt: string;
	placeHolder: string;
}

export const SECRETS: readonly SecretSpec[] = [
	{
		key: SECRET_ANTHROPIC_KEY,
		setting: 'anthropicApiKey',
		name: 'Anthropic API key',
		prompt: 'Used for AI suggestions. Stored in the secret storage of VS Code. Leave empty to remove the stored key.',
		placeHolder: 'sk-ant-...',
	},
	{
		key: SECRET_CRUX_KEY,
		setting: 'cruxApiKey',
		name: 'CrUX API key',
		prompt:
			'A Google Cloud API key with the Chrome UX Report API enabled, for field data of public pages. Stored in the secret storage of VS Code. Leave empty to remove it.',
		placeHolder: 'AIza...',
	},
];
