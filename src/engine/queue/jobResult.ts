import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AuditResult, CaptureShots, FormFactor } from '../../protocol';
import { FORM_FACTORS } from '../../protocol';
import { AuditError } from '../errors';
import type { Artifacts } from '../history/resultStore';
import { formFactorSchema } from '../request';
import { type AuditJobReturn, decodePayload, JOB_FORMAT } from './jobs';

/**
 * A worker's job return value made the submitter's own: checked at the edge (Redis is shared, the worker may be
 * of another version), its screenshots written into the submitter's artifacts folder with the result's paths
 * rewritten to them, and its Lighthouse reports as the artifacts map the history keeps (as engine.ts `record`).
 */

const jobReturnSchema = z.object({
	format: z.literal(JOB_FORMAT),
	result: z
		.object({
			id: z.string().min(1).max(200),
			url: z.string().min(1),
			status: z.enum(['ok', 'partial', 'failed']),
			options: z.looseObject({ formFactors: z.array(formFactorSchema) }),
			stages: z.record(z.string(), z.unknown()),
		})
		.loose(),
	payload: z.string(),
	worker: z.string(),
});

/** A job's return value, checked; anything else is a worker of another version or not ours at all. */
export function checkJobReturn(value: unknown, url: string): AuditJobReturn {
	const parsed = jobReturnSchema.safeParse(value);
	if (parsed.success) return parsed.data as unknown as AuditJobReturn;
	const format = (value as { format?: unknown } | null)?.format;
	const why =
		format !== undefined && format !== JOB_FORMAT
			? `job format ${String(format)}, this submitter reads ${JOB_FORMAT}: run the same AuditLens version on both`
			: parsed.error.issues[0]?.message;
	throw new AuditError('INTERNAL', `The worker's answer for ${url} cannot be read (${why ?? 'not valid'}).`);
}

/** The result as the submitter keeps it, and the artifacts its history saves beside it. */
export interface LocalResult {
	result: AuditResult;
	artifacts: Artifacts;
}

/**
 * Write the job's screenshots into `artifactsDir/<result id>/` and point the result at them; a screenshot the
 * payload lacks keeps the worker's path (the history lists it, and a missing file reads as no screenshot).
 */
export async function localResult(ret: AuditJobReturn, artifactsDir: string): Promise<LocalResult> {
	const payload = decodePayload(ret.payload);
	const artifacts = new Map<string, unknown>();
	for (const ff of FORM_FACTORS) if (payload.lhrs[ff]) artifacts.set(`lhr:${ff}`, payload.lhrs[ff]);
	const result = ret.result;
	const capture = result.stages.capture;
	if (capture?.status !== 'ok') return { result, artifacts };
	// Only a file name of the worker's path is used: nothing the queue says can write outside this folder.
	const dir = path.join(artifactsDir, path.basename(result.id));
	const shots: Partial<Record<FormFactor, CaptureShots>> = {};
	for (const [ff, pair] of Object.entries(capture.data.shots) as [FormFactor, CaptureShots | undefined][]) {
		if (!pair) continue;
		const moved = { ...pair };
		for (const kind of ['viewport', 'fullPage'] as const) {
			const shot = pair[kind];
			const data = shot && payload.files[shot.path];
			if (!shot || data === undefined) continue;
			const file = path.join(dir, `${ff}-${kind}-${path.basename(shot.path)}`);
			await fs.promises.mkdir(dir, { recursive: true });
			await fs.promises.writeFile(file, Buffer.from(data, 'base64'));
			moved[kind] = { ...shot, path: file };
		}
		shots[ff] = moved;
	}
	return {
		result: { ...result, stages: { ...result.stages, capture: { ...capture, data: { ...capture.data, shots } } } },
		artifacts,
	};
}
