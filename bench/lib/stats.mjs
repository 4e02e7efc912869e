// Statistics shared by the benchmarks.

/**
 * The median of some numbers: the middle one, or the mean of the two middle ones for an even count.
 * @param {readonly number[]} xs at least one number
 * @returns {number}
 */
export function median(xs) {
	if (xs.length === 0) throw new RangeError('median: no values');
	const s = [...xs].sort((a, b) => a - b);
	const mid = s.length >> 1;
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
