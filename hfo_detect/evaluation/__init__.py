"""Evaluation: event-level scoring, threshold sweeps, HFO rates, HFO area and outcome metrics.

Main entry points: :func:`score_events` (event matching and metrics), :func:`threshold_sweep`
(precision-recall curves), :func:`hfo_rates` / :func:`rate_correlation` (channel level),
:func:`hfo_area` / :func:`evaluate_hfo_area` (patient level), :func:`binary_metrics`
(accuracy, sensitivity, specificity, PPV, NPV with exact Clopper-Pearson intervals).
"""

from hfo_detect.evaluation.matching import RULES, describe_rule, match_intervals
from hfo_detect.evaluation.outcome import (
    HFOArea,
    OutcomeResult,
    channel_resected,
    evaluate_hfo_area,
    hfo_area,
    parse_outcome,
    predict_recurrence,
    predict_recurrence_post,
    summarise_predictions,
)
from hfo_detect.evaluation.rates import co_occurring_ripples, hfo_rates, rate_correlation, select_kind
from hfo_detect.evaluation.scoring import ScoreResult, combine_results, score_events
from hfo_detect.evaluation.stats import binary_metrics, clopper_pearson, confusion_counts, format_metrics
from hfo_detect.evaluation.sweep import SweepResult, pr_auc, sweep_parameter, threshold_sweep

__all__ = [
    "RULES", "describe_rule", "match_intervals", "HFOArea", "OutcomeResult", "channel_resected",
    "evaluate_hfo_area", "hfo_area", "parse_outcome", "predict_recurrence", "predict_recurrence_post",
    "summarise_predictions", "co_occurring_ripples", "hfo_rates", "rate_correlation", "select_kind",
    "ScoreResult", "combine_results", "score_events", "binary_metrics", "clopper_pearson",
    "confusion_counts", "format_metrics", "SweepResult", "pr_auc", "sweep_parameter", "threshold_sweep",
]
