/** The header: the URL, when and how it was audited, and the actions (reports, export, re-run). */
import { authLabel } from '../../format/auth';
import { DEV_BUILD_NOTE } from '../../format/errors';
import { FORM_FACTOR_LABEL } from '../../format/scores';
import { cacheLabel } from '../../format/status';
import { type Child, fill, h } from '../dom';
import { ExportCommand, type IpcMessage, OpenReportCommand, type PanelState, RerunCommand } from '../protocol';
import { formFactorsOf, lighthouse, lighthouseVersion } from './panelState';

export function renderHeader(el: HTMLElement, s: PanelState, post: (msg: IpcMessage<unknown>) => void): void {
	const when = s.result ? new Date(s.result.requestedAt).toLocaleString() : '';
	const buttons: Child[] = [];
	if (s.resultId) {
		for (const ff of formFactorsOf(s)) {
			if (!lighthouse(s, ff)) continue;
			buttons.push(
				h(
					'button',
					{
						attrs: { type: 'button', 'data-action': `report-${ff}` },
						on: { click: () => post(OpenReportCommand.create({ formFactor: ff })) },
					},
					`Lighthouse report (${FORM_FACTOR_LABEL[ff]})`,
				),
			);
		}
		buttons.push(
			h(
				'button',
				{
					class: 'secondary',
					attrs: { type: 'button', 'data-action': 'export' },
					on: { click: () => post(ExportCommand.create({})) },
				},
				'Export…',
			),
		);
	}
	if (s.status !== 'running') {
		// A cached result is the one place where a fresh run is what a person most likely wants next.
		const fresh = s.result?.fromCache
			? { class: '', title: 'Run the audit again now, bypassing the cache' }
			: { class: 'secondary', title: 'Run the audit again' };
		const rerun = h(
			'button',
			{
				class: fresh.class,
				title: fresh.title,
				attrs: { type: 'button', 'data-action': 'rerun' },
				on: { click: () => post(RerunCommand.create({})) },
			},
			'Re-run',
		);
		if (s.result?.fromCache) buttons.unshift(rerun);
		else buttons.push(rerun);
	}
	if (s.resultId) el.setAttribute('data-result-id', s.resultId);
	else el.removeAttribute('data-result-id');
	fill(
		el,
		h('h1', { class: 'url' }, s.url || 'Audit'),
		h(
			'p',
			{ class: 'meta' },
			s.status === 'running'
				? 'Auditing…'
				: s.status === 'failed'
					? s.error?.code === 'CANCELLED'
						? 'Audit cancelled'
						: 'Audit failed'
					: `Audited ${when}`,
			s.result?.status === 'partial' ? ' · partial' : '',
			s.result ? ` · ${(s.result.durationMs / 1000).toFixed(1)} s` : '',
			s.result?.fromCache
				? h(
						'span',
						{ class: 'cache-age', attrs: { 'data-testid': 'cache-age' } },
						` · ${cacheLabel(s.result, Date.now())}`,
					)
				: null,
			lighthouseVersion(s)
				? h('span', { attrs: { 'data-testid': 'lighthouse-version' } }, ` · Lighthouse ${lighthouseVersion(s)}`)
				: null,
			// A signed-in audit says so (header and cookie names, never values): its scores are of the signed-in page.
			s.result?.auth
				? h('span', { class: 'signed-in', attrs: { 'data-testid': 'signed-in' } }, ` · ${authLabel(s.result.auth)}`)
				: null,
		),
		s.devServer
			? h('p', { class: 'banner dev-build', attrs: { role: 'note', 'data-testid': 'dev-build' } }, DEV_BUILD_NOTE)
			: null,
		buttons.length ? h('div', { class: 'actions' }, ...buttons) : null,
	);
}
