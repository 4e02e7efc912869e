/** What the capture stage gathers in the browser: screenshots and facts about the page. */
import type { FormFactor } from './options';

export interface Screenshot {
	/** Absolute path of the image file on the engine's machine. */
	path: string;
	mime: 'image/jpeg' | 'image/webp';
	width: number;
	height: number;
	bytes: number;
	/** Y coordinate (CSS px) of the fold in the image: the viewport height. */
	foldY: number;
}

export interface CaptureShots {
	viewport: Screenshot;
	fullPage: Screenshot;
}

/** Where in the page an element sits, from its nearest landmark ancestor (`main` when none). */
export type PageRegion = 'header' | 'nav' | 'main' | 'aside' | 'footer';

/** A box in CSS px, relative to the document (not the viewport). */
export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** A call-to-action candidate found in the page. */
export interface CtaFact {
	selector: string;
	/** Accessible text: aria-label, visible text, value or title. */
	text: string;
	tag: string;
	href?: string;
	/** CSS px, relative to the document. */
	box: Box;
	/** Its vertical centre is within the first screen (and it is horizontally on screen). */
	aboveFold: boolean;
	/** WCAG contrast ratio of text against its background, when computable. */
	contrast?: number;
	/** WCAG "large text" (>= 24px, or >= 18.66px bold): 3:1 contrast is enough. */
	largeText: boolean;
	/** True when it looks like a button (a button, or a styled link). */
	buttonLike: boolean;
	region: PageRegion;
	/** Inside a form (e.g. its submit button). */
	inForm: boolean;
}

export interface FormFact {
	selector: string;
	fieldCount: number;
	requiredCount: number;
	unlabeled: { selector: string; name?: string; type: string }[];
	submitText?: string;
	aboveFold: boolean;
	box: Box;
}

export type TrustKind = 'testimonial' | 'rating' | 'logos' | 'guarantee' | 'security';

/** Facts about the page gathered in the browser, for the CRO rules (one viewport each). */
export interface DomFacts {
	url: string;
	viewport: { width: number; height: number };
	title: string;
	metaDescription?: string;
	headings: { level: number; text: string; selector: string }[];
	ctas: CtaFact[];
	forms: FormFact[];
	/** Named parts of the page (landmarks, sections with an id, label or heading), for AI targets. */
	sections: { name: string; selector: string; box: Box }[];
	trustSignals: { kind: TrustKind; text: string; selector: string; box?: Box }[];
	socialProofNumbers: string[];
	pricing: string[];
	contact: { kind: 'email' | 'phone' | 'chat' | 'form' | 'address'; text: string }[];
	firstScreen: { wordCount: number; readingGrade?: number };
	/** Images with no alt attribute at all (alt="" marks a decorative image and is fine); at most 50 listed. */
	imagesWithoutAlt: { selector: string; src: string }[];
	/** Bytes transferred by the document and its resources, from resource timing (cross-origin may count 0). */
	pageWeightBytes?: number;
	documentHeight: number;
}

export interface CaptureData {
	shots: Partial<Record<FormFactor, CaptureShots>>;
	facts: Partial<Record<FormFactor, DomFacts>>;
	/** Whether the capture browser was already warm when this capture started. */
	warm: boolean;
}
