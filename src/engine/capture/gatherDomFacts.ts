/* eslint-disable no-restricted-globals -- the whole module runs in the page */
import type { DomFacts } from '../../protocol';

/** Arguments of `gatherDomFacts`, passed into the page by Playwright. */
export interface GatherArgs {
	/** The fold line in CSS px: the viewport height. */
	foldY: number;
}

/**
 * Collects the raw facts the CRO rules need. It runs INSIDE the page (`page.evaluate(gatherDomFacts, args)`),
 * so it must stay self-contained: no imports, no references to module scope, helpers defined inside.
 * (Bundlers must not wrap its inner functions, e.g. esbuild's `keepNames`.) It only collects: no judgement.
 */
export function gatherDomFacts(args: GatherArgs): DomFacts {
	type Box = { x: number; y: number; width: number; height: number };
	type Region = 'header' | 'nav' | 'main' | 'aside' | 'footer';
	const foldY = args.foldY;
	const doc = document;
	const MAX_TEXT = 140;

	const clean = (text: string | null | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();
	const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

	const boxOf = (el: Element): Box => {
		const r = el.getBoundingClientRect();
		return {
			x: Math.round(r.left + scrollX),
			y: Math.round(r.top + scrollY),
			width: Math.round(r.width),
			height: Math.round(r.height),
		};
	};

	const isVisible = (el: Element): boolean => {
		const r = el.getBoundingClientRect();
		if (r.width < 1 || r.height < 1) return false;
		const cs = getComputedStyle(el);
		if (cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) === 0) return false;
		return !el.closest('[hidden],[aria-hidden="true"]');
	};

	const selectorOf = (el: Element): string => {
		if (el.id && doc.querySelectorAll(`#${CSS.escape(el.id)}`).length === 1) return `#${CSS.escape(el.id)}`;
		const parts: string[] = [];
		let node: Element | null = el;
		while (node && node !== doc.documentElement && parts.length < 6) {
			if (node.id && doc.querySelectorAll(`#${CSS.escape(node.id)}`).length === 1) {
				parts.unshift(`#${CSS.escape(node.id)}`);
				break;
			}
			const tag = node.tagName.toLowerCase();
			if (tag === 'body') {
				parts.unshift('body');
				break;
			}
			const parent: Element | null = node.parentElement;
			let part = tag;
			if (parent) {
				const same = Array.from(parent.children).filter((c) => c.tagName === node!.tagName);
				if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
			}
			parts.unshift(part);
			node = parent;
		}
		return parts.join(' > ');
	};

	const regionOf = (el: Element): Region => {
		const landmark = el.closest(
			'nav,[role="navigation"],header,[role="banner"],footer,[role="contentinfo"],aside,[role="complementary"]',
		);
		if (!landmark) return 'main';
		const tag = landmark.tagName.toLowerCase();
		const role = landmark.getAttribute('role');
		// header/footer inside article or section are not page landmarks
		if ((tag === 'header' || tag === 'footer') && landmark.parentElement?.closest('article,section,main'))
			return 'main';
		if (tag === 'nav' || role === 'navigation') return 'nav';
		if (tag === 'header' || role === 'banner') return 'header';
		if (tag === 'footer' || role === 'contentinfo') return 'footer';
		return 'aside';
	};

	// --- colour contrast (WCAG 2) ---
	type Rgba = [number, number, number, number];
	const parseColor = (value: string): Rgba | undefined => {
		const m = value.match(/^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/);
		if (!m) return undefined;
		let a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
		if (Number.isNaN(a)) a = 1;
		return [Number(m[1]), Number(m[2]), Number(m[3]), a];
	};
	const blend = (top: Rgba, bottom: Rgba): Rgba => {
		const a = top[3] + bottom[3] * (1 - top[3]);
		if (a === 0) return [0, 0, 0, 0];
		const ch = (i: number) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
		return [ch(0), ch(1), ch(2), a];
	};
	const luminance = (c: Rgba): number => {
		const lin = (v: number) => {
			const s = v / 255;
			return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
		};
		return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
	};
	/** Effective background behind an element: blend backgrounds up the tree; undefined over images/gradients. */
	const backgroundOf = (el: Element): Rgba | undefined => {
		const layers: Rgba[] = [];
		for (let node: Element | null = el; node; node = node.parentElement) {
			const cs = getComputedStyle(node);
			if (cs.backgroundImage && cs.backgroundImage !== 'none') return undefined;
			const bg = parseColor(cs.backgroundColor);
			if (bg === undefined) return undefined;
			if (bg[3] > 0) layers.push(bg);
			if (bg[3] >= 1) break;
		}
		let out: Rgba = [255, 255, 255, 1];
		for (let i = layers.length - 1; i >= 0; i--) out = blend(layers[i], out);
		return out;
	};
	const contrastOf = (el: Element): number | undefined => {
		const fg = parseColor(getComputedStyle(el).color);
		const bg = backgroundOf(el);
		if (!fg || !bg) return undefined;
		const text = blend(fg, bg);
		const l1 = luminance(text);
		const l2 = luminance(bg);
		return Math.round(((Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)) * 100) / 100;
	};

	// --- title, meta, headings ---
	const metaDescription = clean(doc.querySelector('meta[name="description" i]')?.getAttribute('content')) || undefined;
	const headings = Array.from(doc.querySelectorAll('h1,h2,h3,h4,h5,h6'))
		.filter(isVisible)
		.slice(0, 60)
		.map((h) => ({
			level: Number(h.tagName[1]),
			text: clip(clean((h as HTMLElement).innerText)),
			selector: selectorOf(h),
		}));

	// --- calls to action ---
	const ACTION_WORDS =
		/\b(get|start|try|buy|order|sign ?up|register|join|book|schedule|request|download|subscribe|contact|call|shop|add to cart|checkout|claim|reserve|apply|demo|quote|free|install|talk)\b/i;
	const accessibleText = (el: Element): string => {
		const aria = clean(el.getAttribute('aria-label'));
		if (aria) return aria;
		const labelledBy = el.getAttribute('aria-labelledby');
		if (labelledBy) {
			const t = clean(
				labelledBy
					.split(/\s+/)
					.map((id) => doc.getElementById(id)?.textContent ?? '')
					.join(' '),
			);
			if (t) return t;
		}
		if (el instanceof HTMLInputElement) return clean(el.value) || clean(el.title);
		return (
			clean((el as HTMLElement).innerText) ||
			clean(el.getAttribute('title')) ||
			clean(el.querySelector('img[alt]')?.getAttribute('alt'))
		);
	};
	const looksLikeButton = (el: Element): boolean => {
		const tag = el.tagName.toLowerCase();
		if (tag === 'button' || tag === 'input' || el.getAttribute('role') === 'button') return true;
		const cs = getComputedStyle(el);
		const bg = parseColor(cs.backgroundColor);
		const hasBg = (bg !== undefined && bg[3] > 0.1) || (cs.backgroundImage !== 'none' && cs.backgroundImage !== '');
		const hasBorder =
			parseFloat(cs.borderTopWidth) > 0 && cs.borderTopStyle !== 'none' && parseFloat(cs.borderBottomWidth) > 0;
		const padded = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom) >= 8 && parseFloat(cs.paddingLeft) >= 8;
		return (hasBg || hasBorder) && padded;
	};
	const isLargeText = (el: Element): boolean => {
		const cs = getComputedStyle(el);
		const size = parseFloat(cs.fontSize);
		const bold = Number(cs.fontWeight) >= 700 || cs.fontWeight === 'bold';
		return size >= 24 || (bold && size >= 18.66);
	};
	const onFirstScreen = (box: Box): boolean =>
		box.y + box.height / 2 < foldY && box.x + box.width > 0 && box.x < innerWidth;

	const ctas: DomFacts['ctas'] = [];
	const ctaSeen = new Set<Element>();
	for (const el of Array.from(
		doc.querySelectorAll('a[href],button,input[type="submit" i],input[type="button" i],[role="button"]'),
	)) {
		if (ctas.length >= 80) break;
		if (ctaSeen.has(el) || !isVisible(el)) continue;
		ctaSeen.add(el);
		const text = clip(accessibleText(el));
		const tag = el.tagName.toLowerCase();
		const href = tag === 'a' ? (el as HTMLAnchorElement).href : undefined;
		if (href && /^(mailto|tel|javascript):/i.test(href) && !ACTION_WORDS.test(text)) continue;
		const buttonLike = looksLikeButton(el);
		// plain text links are navigation, not calls to action, unless their wording asks for an action
		if (!buttonLike && !ACTION_WORDS.test(text)) continue;
		const box = boxOf(el);
		ctas.push({
			selector: selectorOf(el),
			text,
			tag,
			...(href ? { href } : {}),
			box,
			aboveFold: onFirstScreen(box),
			contrast: contrastOf(el),
			largeText: isLargeText(el),
			buttonLike,
			region: regionOf(el),
			inForm: el.closest('form') !== null,
		});
	}

	// --- forms ---
	const FIELD =
		'input:not([type="hidden" i]):not([type="submit" i]):not([type="button" i]):not([type="reset" i]):not([type="image" i]),select,textarea';
	const hasLabel = (field: Element): boolean => {
		if (
			clean(field.getAttribute('aria-label')) ||
			field.getAttribute('aria-labelledby') ||
			clean(field.getAttribute('title'))
		)
			return true;
		if (field.closest('label')) return true;
		const id = field.id;
		return id !== '' && doc.querySelector(`label[for="${CSS.escape(id)}"]`) !== null;
	};
	const forms = Array.from(doc.querySelectorAll('form'))
		.filter(isVisible)
		.slice(0, 20)
		.map((form) => {
			const fields = Array.from(form.querySelectorAll(FIELD)).filter(isVisible);
			// radio groups count as one field
			const radioNames = new Set<string>();
			const counted = fields.filter((f) => {
				if (!(f instanceof HTMLInputElement) || f.type !== 'radio') return true;
				if (radioNames.has(f.name)) return false;
				radioNames.add(f.name);
				return true;
			});
			const submit = form.querySelector('button[type="submit" i],button:not([type]),input[type="submit" i]');
			const box = boxOf(form);
			return {
				selector: selectorOf(form),
				fieldCount: counted.length,
				requiredCount: counted.filter(
					(f) => (f as HTMLInputElement).required || f.getAttribute('aria-required') === 'true',
				).length,
				unlabeled: fields
					.filter((f) => !hasLabel(f))
					.slice(0, 30)
					.map((f) => ({
						selector: selectorOf(f),
						...(f.getAttribute('name') ? { name: f.getAttribute('name')! } : {}),
						type: f instanceof HTMLInputElement ? f.type : f.tagName.toLowerCase(),
					})),
				...(submit ? { submitText: clip(accessibleText(submit)) } : {}),
				aboveFold: box.y < foldY,
				box,
			};
		});

	// --- sections (for naming AI targets) ---
	const sections: DomFacts['sections'] = [];
	for (const el of Array.from(
		doc.querySelectorAll(
			'header,nav,main,footer,aside,section,article,form,[role="banner"],[role="main"],[role="contentinfo"],[id]',
		),
	)) {
		if (sections.length >= 60) break;
		if (!isVisible(el)) continue;
		const tag = el.tagName.toLowerCase();
		if (
			tag !== 'section' &&
			tag !== 'article' &&
			!['header', 'nav', 'main', 'footer', 'aside', 'form'].includes(tag) &&
			!el.getAttribute('role') &&
			!/^(div|section)$/.test(tag)
		)
			continue;
		const heading = el.querySelector('h1,h2,h3');
		const landmark = ['header', 'nav', 'main', 'footer', 'aside'].includes(tag) || el.getAttribute('role') !== null;
		const name =
			clean(el.getAttribute('aria-label')) ||
			el.id ||
			(!landmark && heading ? clean((heading as HTMLElement).innerText) : '') ||
			tag;
		sections.push({ name: clip(name), selector: selectorOf(el), box: boxOf(el) });
	}

	// --- trust signals ---
	const TRUST: { kind: DomFacts['trustSignals'][number]['kind']; re: RegExp }[] = [
		{
			kind: 'rating',
			re: /(★{3,}|\b[1-5](?:[.,]\d)?\s?(?:\/\s?5|out of 5|stars?)\b|\brated\b|\b\d[\d,]*\+?\s+reviews\b)/i,
		},
		{ kind: 'guarantee', re: /\b(guarantee[d]?|money[- ]back|refund|cancel any ?time|no credit card|risk[- ]free)\b/i },
		{
			kind: 'security',
			re: /\b(secure(?:d)? (?:checkout|payment)|ssl|encrypt(?:ed|ion)|gdpr|soc ?2|pci|hipaa|iso ?27001)\b/i,
		},
		{ kind: 'logos', re: /\b(trusted by|used by|as seen (?:in|on)|our (?:customers|clients|partners)|featured in)\b/i },
	];
	const trustSignals: DomFacts['trustSignals'] = [];
	const trustKey = new Set<string>();
	const addTrust = (kind: DomFacts['trustSignals'][number]['kind'], el: Element, text: string) => {
		const selector = selectorOf(el);
		const key = `${kind} ${selector}`;
		if (trustKey.has(key) || trustSignals.length >= 40) return;
		trustKey.add(key);
		trustSignals.push({ kind, text: clip(text), selector, box: boxOf(el) });
	};
	for (const el of Array.from(
		doc.querySelectorAll('blockquote,[class*="testimonial" i],[class*="review" i],[itemtype*="Review"]'),
	).slice(0, 200)) {
		if (isVisible(el)) addTrust('testimonial', el, clean((el as HTMLElement).innerText));
	}
	for (const el of Array.from(
		doc.querySelectorAll('[class*="logo" i],[id*="logo" i],[aria-label*="customers" i]'),
	).slice(0, 200)) {
		if (!isVisible(el) || el.closest('header,nav')) continue;
		const marks = el.querySelectorAll('img,svg').length;
		if (marks >= 3) addTrust('logos', el, clean(el.getAttribute('aria-label')) || `${marks} logos`);
	}
	const textBlocks = Array.from(
		doc.querySelectorAll('p,li,span,small,strong,em,figcaption,blockquote,h2,h3,h4,h5,h6,div,td,dd,cite,label'),
	).slice(0, 4000);
	for (const el of textBlocks) {
		// only elements that own text directly: avoids matching a whole container
		const own = clean(
			Array.from(el.childNodes)
				.filter((n) => n.nodeType === Node.TEXT_NODE)
				.map((n) => n.textContent)
				.join(' '),
		);
		if (own.length < 3) continue;
		for (const { kind, re } of TRUST) {
			if (re.test(own) && isVisible(el)) addTrust(kind, el, clean((el as HTMLElement).innerText) || own);
		}
	}

	// --- numbers, pricing, contact (from visible text) ---
	const bodyText = (doc.body?.innerText ?? '').slice(0, 200_000);
	const uniq = (items: string[], max: number) => Array.from(new Set(items.map(clean))).slice(0, max);
	const socialProofNumbers = uniq(
		bodyText.match(
			/\b\d[\d,.]*\s?(?:\+|k\+?|m\+?|million|thousand)?\s+(?:happy\s+|active\s+|satisfied\s+)?(?:customers|users|teams|companies|businesses|downloads|reviews|members|developers|people|clients|installs|stores|brands|marketers)\b/gi,
		) ?? [],
		10,
	);
	const pricing = uniq(
		bodyText.match(
			/(?:[$€£¥]\s?\d[\d,]*(?:\.\d{2})?(?:\s?\/\s?(?:month|mo|year|yr|user|seat))?|\b\d[\d,]*(?:\.\d{2})?\s?(?:USD|EUR|GBP)\b)/g,
		) ?? [],
		10,
	);
	const contact: DomFacts['contact'] = [];
	const addContact = (kind: DomFacts['contact'][number]['kind'], text: string) => {
		if (contact.length < 20 && !contact.some((c) => c.kind === kind && c.text === text))
			contact.push({ kind, text: clip(text) });
	};
	for (const a of Array.from(doc.querySelectorAll('a[href^="mailto:" i]')))
		addContact('email', (a as HTMLAnchorElement).href.slice(7).split('?')[0]);
	for (const a of Array.from(doc.querySelectorAll('a[href^="tel:" i]')))
		addContact('phone', (a as HTMLAnchorElement).href.slice(4));
	for (const m of bodyText.match(/[\w.+-]+@[\w-]+\.[\w.-]+/g) ?? []) addContact('email', m);
	if (
		doc.querySelector(
			'[class*="chat" i],[id*="chat" i],[id*="intercom" i],iframe[src*="chat" i],[class*="crisp" i],[id*="drift" i]',
		)
	)
		addContact('chat', 'chat widget');
	for (const a of Array.from(doc.querySelectorAll('address')).slice(0, 3))
		addContact('address', clean((a as HTMLElement).innerText));
	for (const f of Array.from(doc.querySelectorAll('form'))) {
		if (
			f.querySelector('textarea') &&
			/contact|message|enquir|inquir/i.test(
				`${f.id} ${f.className} ${f.getAttribute('action') ?? ''} ${clean(f.textContent)}`,
			)
		)
			addContact('form', selectorOf(f));
	}

	// --- first screen: word count and reading grade (Flesch–Kincaid) ---
	const firstWords: string[] = [];
	const walker = doc.createTreeWalker(doc.body ?? doc.documentElement, NodeFilter.SHOW_TEXT);
	const visibleParents = new Map<Element, boolean>();
	for (let n = walker.nextNode(); n && firstWords.length < 2000; n = walker.nextNode()) {
		const parent = n.parentElement;
		const text = clean(n.textContent);
		if (!parent || !text || /^(script|style|noscript|template)$/i.test(parent.tagName)) continue;
		let ok = visibleParents.get(parent);
		if (ok === undefined) {
			const r = parent.getBoundingClientRect();
			ok = isVisible(parent) && r.top + scrollY < foldY && r.bottom + scrollY > 0;
			visibleParents.set(parent, ok);
		}
		if (ok) firstWords.push(...text.split(' ').filter((w) => /[\p{L}\p{N}]/u.test(w)));
	}
	const syllables = (word: string): number => {
		const w = word.toLowerCase().replace(/[^a-z]/g, '');
		if (w.length <= 3) return 1;
		const groups = w
			.replace(/(?:[^laeiouy]es|ed|[^laeiouy]e)$/, '')
			.replace(/^y/, '')
			.match(/[aeiouy]{1,2}/g);
		return Math.max(1, groups?.length ?? 1);
	};
	let readingGrade: number | undefined;
	const firstText = firstWords.join(' ');
	if (firstWords.length >= 10) {
		const sentences = Math.max(1, (firstText.match(/[.!?]+(\s|$)/g) ?? []).length);
		const syl = firstWords.reduce((sum, w) => sum + syllables(w), 0);
		readingGrade =
			Math.round((0.39 * (firstWords.length / sentences) + 11.8 * (syl / firstWords.length) - 15.59) * 10) / 10;
	}

	// --- images, weight, size ---
	const imagesWithoutAlt = Array.from(doc.querySelectorAll('img:not([alt])'))
		.filter((img) => img.getAttribute('role') !== 'presentation' && img.getAttribute('aria-hidden') !== 'true')
		.slice(0, 50)
		.map((img) => ({
			selector: selectorOf(img),
			src: clip((img as HTMLImageElement).currentSrc || (img as HTMLImageElement).src),
		}));
	let pageWeightBytes: number | undefined;
	const timing = [
		...performance.getEntriesByType('navigation'),
		...performance.getEntriesByType('resource'),
	] as PerformanceResourceTiming[];
	if (timing.length > 0)
		pageWeightBytes = timing.reduce((sum, t) => sum + (t.transferSize || t.encodedBodySize || 0), 0);

	return {
		url: location.href,
		viewport: { width: innerWidth, height: innerHeight },
		title: clean(doc.title),
		...(metaDescription ? { metaDescription } : {}),
		headings,
		ctas,
		forms,
		sections,
		trustSignals,
		socialProofNumbers,
		pricing,
		contact,
		firstScreen: { wordCount: firstWords.length, ...(readingGrade !== undefined ? { readingGrade } : {}) },
		imagesWithoutAlt,
		...(pageWeightBytes !== undefined ? { pageWeightBytes } : {}),
		documentHeight: Math.max(doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0),
	};
}
