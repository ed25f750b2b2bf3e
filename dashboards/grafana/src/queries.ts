/**
 * The selector scope of every dashboard query: filtered by the `job` and `instance`
 * template variables, rates over Grafana's `$__rate_interval`.
 */
import { LABEL } from '../../shared/labels';
import { PromqlScope, re } from '../../shared/promql';

export const q = new PromqlScope([re(LABEL.job, '$job'), re(LABEL.instance, '$instance')]);

/** Rate window: at least four scrape intervals, whatever the zoom. */
export const RATE = '$__rate_interval';
/** The dashboard's whole time range, for totals over what is on screen. */
export const RANGE = '$__range';
