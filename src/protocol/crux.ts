/** Field data from the Chrome UX Report (p75 of real users). */

export interface CruxMetricSet {
	lcp?: number;
	inp?: number;
	cls?: number;
	fcp?: number;
	ttfb?: number;
}

export interface CruxData {
	/** p75 field metrics of the whole origin; undefined when CrUX has no data for it. */
	origin?: CruxMetricSet;
	/** p75 field metrics of this URL; undefined when CrUX has no data for it. */
	url?: CruxMetricSet;
	/** CrUX form factor queried: PHONE, DESKTOP, or ALL_FORM_FACTORS. */
	formFactor?: string;
	/** Collection period of the data (ISO dates). */
	collectionPeriod?: { firstDate: string; lastDate: string };
	/** A note for the user, e.g. that CrUX has no field data for this page. */
	note?: string;
}
