/** The scalar view's options: what the kernel's `options` trait holds, and their defaults. */
import type { XAxis } from "../../lib/scalar_draw";

export interface ScalarOptions {
  smoothing: number;
  x_axis: XAxis;
  log_y: boolean;
  ignore_outliers: boolean;
  run_filter: string;
  tag_filter: string;
  hidden_runs: string[];
  collapsed: string[];
  /** a distributed run: its ranks' own lines (true) or the min–max band around their mean (false) */
  rank_lines: boolean;
}

export const DEFAULTS: ScalarOptions = {
  smoothing: 0.6,
  x_axis: "step",
  log_y: false,
  ignore_outliers: true, // as TensorBoard: a spike does not flatten the rest of the curve
  run_filter: "",
  tag_filter: "",
  hidden_runs: [],
  collapsed: [],
  rank_lines: false,
};
