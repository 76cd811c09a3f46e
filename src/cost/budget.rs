//! The Complexity Budget: every estimate of a model grouped with the limits it must meet
//! (the device's memory, the plan's budgets), and a verdict for each. Emitters render it;
//! `mlarchc budget` prints it.

use super::range::{Measure, Range};
use super::Estimate;
use crate::plan::{EntityId, Plan, Val};
use serde::Serialize;

/// How an estimate stands against a limit. A verdict is definite only when the whole range
/// is on one side (the rule engine compares the same way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Within,
    /// part of the range is past the limit
    AtRisk,
    Over,
    Unknown,
}

impl Verdict {
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Within => "within",
            Verdict::AtRisk => "at risk",
            Verdict::Over => "OVER",
            Verdict::Unknown => "unknown",
        }
    }
}

impl Limit {
    /// The verdict in words, for the side the limit bounds: a throughput below its target
    /// falls short, it is not "over".
    pub fn words(&self) -> &'static str {
        match (self.verdict, self.upper) {
            (Verdict::Over, false) => "SHORT",
            (v, _) => v.words(),
        }
    }
}

/// One limit an estimate is held to: an upper bound (`memory: < 2GB`, the device's RAM) or
/// a lower one (`throughput`).
#[derive(Clone, Debug, Serialize)]
pub struct Limit {
    /// where the limit comes from: "`deploy kws` memory budget", "`t4` memory"
    pub what: String,
    pub value: f64,
    pub shown: String,
    /// the estimate must stay below (true) or reach (false) the value
    pub upper: bool,
    pub verdict: Verdict,
}

/// One row of the budget.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// the schema field (`params_total`, `train_memory`, …)
    pub field: String,
    /// the declaration it belongs to (`train kws`)
    pub owner: String,
    pub label: String,
    pub estimate: Estimate,
    pub limits: Vec<Limit>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModelBudget {
    pub model: String,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Budget {
    pub models: Vec<ModelBudget>,
    /// the project's totals (`compute`)
    pub project: Vec<Row>,
}

fn verdict(est: Option<Range>, value: f64, upper: bool) -> Verdict {
    let Some(r) = est else { return Verdict::Unknown };
    // an estimate without a high end (a term the plan does not let us size) says nothing
    // about a limit its low end does not already decide
    let low_end_decides = if upper { r.lo > value } else { r.lo >= value };
    if !r.bounded() && !low_end_decides {
        return Verdict::Unknown;
    }
    match upper {
        true if r.lo > value => Verdict::Over,
        true if r.hi > value => Verdict::AtRisk,
        true => Verdict::Within,
        false if r.hi < value => Verdict::Over,
        false if r.lo < value => Verdict::AtRisk,
        false => Verdict::Within,
    }
}

fn limit(e: &Estimate, what: String, value: f64, upper: bool) -> Limit {
    Limit { what, value, shown: e.measure.show(value), upper, verdict: verdict(e.value, value, upper) }
}

/// A bound field's value (`< 2GB`, `p99 < 200ms`).
fn bound(plan: &Plan, id: EntityId, field: &str) -> Option<(f64, Option<f64>)> {
    match &plan.field(id, field)?.val {
        Val::Bound { percentile, value, .. } => Some((value.number()?, *percentile)),
        _ => None,
    }
}

const LABELS: &[(&str, &str)] = &[
    ("params_total", "parameters"),
    ("params_trainable", "trainable parameters"),
    ("fwd_flops", "forward compute per input"),
    ("train_flops", "training compute, one run"),
    ("gpu_hours", "device-hours, one run"),
    ("est_wallclock", "wall-clock, one run"),
    ("train_memory", "training memory per device"),
    ("infer_memory", "inference memory"),
    ("infer_flash", "flash"),
    ("est_latency", "latency"),
    ("est_throughput", "throughput per device"),
    ("replicas", "devices for the throughput"),
];

fn label(field: &str) -> String {
    LABELS.iter().find(|(f, _)| *f == field).map_or(field.to_string(), |(_, l)| l.to_string())
}

fn row(plan: &Plan, id: EntityId, field: &str) -> Option<Row> {
    let e = plan.costs.words(plan, id, field)?.clone();
    let ent = plan.entity(id);
    let owner = format!("{} {}", plan.schema.kind(ent.kind).name, ent.name);
    let mut limits = Vec::new();
    let device = |f: &str| plan.ref_of(id, f).map(|d| (plan.entity(d).name.clone(), d));
    let mut label = label(field);
    match field {
        "train_memory" => {
            if let Some(Val::Multiple { item, .. }) = plan.field(id, "hardware").map(|v| &v.val) {
                if let Val::Ref(d) = item.val {
                    if let Some(m) = plan.num(d, "memory") {
                        limits.push(limit(&e, format!("`{}` memory", plan.entity(d).name), m, true));
                    }
                }
            }
        }
        "est_wallclock" => {
            if let Some(w) = plan.num(id, "wallclock") {
                limits.push(limit(&e, "the plan's `wallclock`".into(), w, true));
            }
        }
        "infer_memory" => {
            if let Some((b, _)) = bound(plan, id, "memory") {
                limits.push(limit(&e, "the `memory` budget".into(), b, true));
            }
            if let Some((name, d)) = device("device") {
                if let Some(m) = plan.num(d, "memory") {
                    limits.push(limit(&e, format!("`{name}` memory"), m, true));
                }
            }
        }
        "infer_flash" => {
            if let Some((name, d)) = device("device") {
                if let Some(m) = plan.num(d, "flash") {
                    limits.push(limit(&e, format!("`{name}` flash"), m, true));
                }
            }
        }
        "est_latency" => {
            if let Some((b, p)) = bound(plan, id, "latency") {
                if let Some(p) = p {
                    label = format!("latency (p{})", Measure::Count.show(p));
                }
                limits.push(limit(&e, "the `latency` budget".into(), b, true));
            }
        }
        "est_throughput" => {
            if let Some(q) = plan.num(id, "throughput") {
                limits.push(limit(&e, "the `throughput` target, one device".into(), q, false));
            }
        }
        "gpu_hours" if plan.schema.kind(ent.kind).name == "compute" => {
            label = "device-hours, every run".into();
            if let Some(b) = plan.num(id, "budget") {
                limits.push(limit(&e, "the `budget`".into(), b, true));
            }
        }
        "cost" => {
            label = "cost, every run".into();
            if let Some(b) = plan.num(id, "budget_cost") {
                limits.push(limit(&e, "the `budget_cost`".into(), b, true));
            }
        }
        _ => {}
    }
    Some(Row { field: field.to_string(), owner, label, estimate: e, limits })
}

/// The budget of every model of the plan, and the project's totals.
pub fn budget(plan: &Plan) -> Budget {
    let mut models = Vec::new();
    for m in plan.ids_of("model") {
        let mut rows = Vec::new();
        for f in ["params_total", "params_trainable", "fwd_flops"] {
            rows.extend(row(plan, m, f));
        }
        if let Some(t) = plan.ref_of(m, "train") {
            for f in ["train_flops", "gpu_hours", "est_wallclock", "train_memory"] {
                rows.extend(row(plan, t, f));
            }
        }
        if let Some(d) = plan.ref_of(m, "deploy") {
            for f in ["infer_memory", "infer_flash", "est_latency", "est_throughput", "replicas"] {
                rows.extend(row(plan, d, f));
            }
        }
        models.push(ModelBudget { model: plan.entity(m).name.as_str().to_owned(), rows });
    }
    let mut project = Vec::new();
    for c in plan.ids_of("compute") {
        for f in ["gpu_hours", "cost"] {
            project.extend(row(plan, c, f));
        }
    }
    Budget { models, project }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_ended_estimate_decides_only_what_its_low_end_decides() {
        let open = Some(Range::new(333e6, f64::INFINITY));
        // 24 GB of device memory against "at least 333 MB": not known, not at risk
        assert!(matches!(verdict(open, 24e9, true), Verdict::Unknown));
        // its low end is already over a 100 MB limit
        assert!(matches!(verdict(open, 100e6, true), Verdict::Over));
        // a lower limit (throughput of at least …) that the low end meets
        assert!(matches!(verdict(open, 100e6, false), Verdict::Within));
        assert!(matches!(verdict(open, 1e9, false), Verdict::Unknown));
        // a bounded range straddling the limit is at risk
        assert!(matches!(verdict(Some(Range::new(1e9, 3e9)), 2e9, true), Verdict::AtRisk));
    }
}
