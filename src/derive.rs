//! Derived fields: facts the compiler computes from the rest of the plan, so that rules
//! and reports can read them (`model.n_train`, `dataset.consumers`, `train.model` …).
//!
//! Derivations run in dependency order — attachments first, then what feeds the model,
//! then sizes, then per-step figures, then the cost model's estimates (`crate::cost`) —
//! and each reads only fields written by the user or by an earlier derivation. Every
//! derived value carries `Origin::Derived`.
//!
//! Unlike the rest of the compiler this pass knows some field names of the stdlib schema
//! (as the cost model knows its formulas); a derivation whose fields the schema does not
//! declare is skipped, so a stdlib without them still works.

use crate::graph::DepGraph;
use crate::plan::{EntityId, Plan, Val, Value};

/// Fills every derived field the compiler knows how to compute.
pub fn run(plan: &mut Plan, graph: &DepGraph) {
    attachments(plan);
    project_models(plan);
    model_datasets(plan, graph);
    dataset_consumers(plan);
    modality_consumers(plan);
    model_sizes(plan);
    model_pretrained(plan);
    steps_per_epoch(plan);
    crate::cost::run(plan);
    per_sample_ratios(plan);
}

/// `train fusion` ↔ `model fusion`: the owner's field named after the attached kind, and
/// the attached declaration's field named after the owner's kind, when the schema has them.
fn attachments(plan: &mut Plan) {
    let links: Vec<(EntityId, EntityId)> =
        plan.entities.iter().enumerate().filter_map(|(i, e)| e.owner.map(|o| (EntityId(i as u32), o))).collect();
    for (attached, owner) in links {
        let attached_kind = plan.schema.kind(plan.entity(attached).kind).name.clone();
        let owner_kind = plan.schema.kind(plan.entity(owner).kind).name.clone();
        plan.set_derived(owner, &attached_kind, Val::Ref(attached));
        plan.set_derived(attached, &owner_kind, Val::Ref(owner));
    }
}

/// The datasets the model's inputs come from (`inputs[*].from`), directly.
fn input_datasets(plan: &Plan, model: EntityId) -> Vec<EntityId> {
    let mut out = Vec::new();
    for m in plan.refs(model, "inputs") {
        for d in plan.refs(m, "from") {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// `model.datasets`: the input datasets and, through `parts`, the sets pooled into them.
fn model_datasets(plan: &mut Plan, graph: &DepGraph) {
    for m in plan.ids_of("model") {
        let mut all = input_datasets(plan, m);
        let mut i = 0;
        while i < all.len() {
            for (part, edge) in graph.references(all[i]) {
                if edge.field == "parts" && !all.contains(&part) {
                    all.push(part);
                }
            }
            i += 1;
        }
        let list = all.into_iter().map(|d| Value::derived(Val::Ref(d))).collect();
        plan.set_derived(m, "datasets", Val::List(list));
    }
}

/// `project.models`: every model of the plan (a plan has one project).
fn project_models(plan: &mut Plan) {
    let models: Vec<Value> = plan.ids_of("model").into_iter().map(|m| Value::derived(Val::Ref(m))).collect();
    for p in plan.ids_of("project") {
        plan.set_derived(p, "models", Val::List(models.clone()));
    }
}

/// `modality.consumers`: the models that take the modality as an input.
fn modality_consumers(plan: &mut Plan) {
    inverse(plan, "modality", "inputs");
}

/// `dataset.consumers`: the models whose `datasets` include this one.
fn dataset_consumers(plan: &mut Plan) {
    inverse(plan, "dataset", "datasets");
}

/// Fills `KIND.consumers` with the models whose field `via` names the declaration, in one
/// pass over the models.
fn inverse(plan: &mut Plan, kind: &str, via: &str) {
    let mut consumers: crate::fasthash::FastMap<EntityId, Vec<Value>> = Default::default();
    for m in plan.ids_of("model") {
        for t in plan.refs(m, via) {
            let list = consumers.entry(t).or_default();
            // the models come in order, so `m` can only be the last one listed
            if list.last().is_none_or(|v| !matches!(v.val, Val::Ref(x) if x == m)) {
                list.push(Value::derived(Val::Ref(m)));
            }
        }
    }
    for t in plan.ids_of(kind) {
        let list = consumers.remove(&t).unwrap_or_default();
        plan.set_derived(t, "consumers", Val::List(list));
    }
}

/// `model.n_train` and `model.events_train`: the training records of the input datasets
/// (records, or units where a unit is one record), less the shares a development set holds
/// out for validation and test. Unknown when any count is unknown.
///
/// `model.units_train`: the independent units (`n`: patients, subjects, sites) behind those
/// records, and `model.records_per_unit` their ratio — 109,000 beats from 47 subjects
/// generalise across people like 47 samples, not 109,000.
fn model_sizes(plan: &mut Plan) {
    for m in plan.ids_of("model") {
        let mut n_train = Some(0.0);
        let mut units = Some(0.0);
        let mut events = Some(0.0);
        for d in input_datasets(plan, m) {
            let share = match plan.variant(d, "role").map(|(v, _)| v) {
                Some("train") => 1.0,
                Some("development") | None => {
                    1.0 - plan.num(d, "val").unwrap_or(0.0) - plan.num(d, "test").unwrap_or(0.0)
                }
                _ => continue,
            };
            let records = plan.num(d, "records").or_else(|| plan.num(d, "n"));
            n_train = n_train.zip(records).map(|(a, r)| a + r * share);
            units = units.zip(plan.num(d, "n")).map(|(a, n)| a + n * share);
            let ev = plan.num(d, "events").or_else(|| plan.num(d, "positives").zip(records).map(|(p, r)| p * r));
            events = events.zip(ev).map(|(a, e)| a + e * share);
        }
        plan.set_derived(m, "n_train", n_train.map_or(Val::Unknown, |n| Val::Count(n.round() as u64)));
        plan.set_derived(m, "units_train", units.map_or(Val::Unknown, |n| Val::Count(n.round() as u64)));
        if let (Some(r), Some(u)) = (n_train, units) {
            if u > 0.0 {
                plan.set_derived(m, "records_per_unit", Val::Real(r / u));
            }
        }
        plan.set_derived(m, "events_train", events.map_or(Val::Unknown, |n| Val::Count(n.round() as u64)));
    }
}

/// `model.pretrained`: some input is represented by a pretrained backbone, or the network
/// starts from pretrained (or self-supervised) weights.
fn model_pretrained(plan: &mut Plan) {
    for m in plan.ids_of("model") {
        let from_inputs = plan
            .refs(m, "inputs")
            .into_iter()
            .any(|i| plan.variant(i, "representation").map(|v| v.0) == Some("pretrained"));
        let from_init = matches!(plan.variant(m, "init").map(|v| v.0), Some("pretrained" | "ssl"));
        plan.set_derived(m, "pretrained", Val::Bool(from_inputs || from_init));
    }
}

/// `train.steps_per_epoch`: training records over the global batch (`batch` counts every
/// sample of one optimiser step, on all devices and accumulation steps together).
fn steps_per_epoch(plan: &mut Plan) {
    for t in plan.ids_of("train") {
        let Some(m) = plan.ref_of(t, "model") else {
            continue;
        };
        let (Some(n), Some(batch)) = (plan.num(m, "n_train"), plan.num(t, "batch")) else {
            continue;
        };
        if batch > 0.0 {
            plan.set_derived(t, "steps_per_epoch", Val::Count((n / batch).ceil() as u64));
        }
    }
}

/// `model.pps`: trainable parameters per training record, at the low end of the cost
/// model's count (left unknown when the network's size is not known: a count of its head
/// alone would pass every threshold); `model.epv`: outcome events per candidate predictor,
/// the predictors being the columns of its tabular inputs (Riley et al. 2020).
fn per_sample_ratios(plan: &mut Plan) {
    for m in plan.ids_of("model") {
        let n = plan.num(m, "n_train").filter(|n| *n > 0.0);
        let sized = plan.costs.get(m, "params_trainable").filter(|e| e.missing.is_empty()).and_then(|e| e.value);
        if let (Some(n), Some(p)) = (n, sized) {
            plan.set_derived(m, "pps", Val::Real(p.lo / n));
        }
        let tabular: Vec<EntityId> =
            plan.refs(m, "inputs").into_iter().filter(|&i| plan.kind_variant(i) == Some("tabular")).collect();
        let features: Option<f64> = tabular.iter().map(|&i| plan.num(i, "features")).sum();
        if let (Some(ev), Some(f)) = (plan.num(m, "events_train"), features.filter(|f| *f > 0.0)) {
            plan.set_derived(m, "epv", Val::Real(ev / f));
        }
    }
}
