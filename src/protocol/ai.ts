/** The AI stage: suggestions tied to elements of the page. */

export interface AiSuggestion {
	title: string;
	/** Selector or section name of the element on the page it is about. */
	target: string;
	detail: string;
	impact: 'high' | 'medium' | 'low';
	effort: 'high' | 'medium' | 'low';
}

export interface AiData {
	model: string;
	suggestions: AiSuggestion[];
	/** Suggestions the model gave that named nothing on the page, dropped. */
	dropped: number;
	/** A note for the user, e.g. why no AI suggestions are present. */
	note?: string;
	/** Token usage of the call, when one was made. */
	usage?: { inputTokens: number; outputTokens: number };
}
