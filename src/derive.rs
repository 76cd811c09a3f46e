//! Derived fields: facts the compiler computes from the rest of the plan, so that rules
//! and reports can read them (`model.n_train`, `dataset.consumers`, `train.model` …).
//!
//! Derivations run in dependency order — attachments first, then what feeds the model,
//! then sizes, then per-step figures — and each reads only fields written by the user or
//! by an earlier derivation. Every derived value carries `Origin::Derived`.
//!
//! Unlike the rest of the compiler this pass knows some field names of the stdlib schema
//! (as the cost model will know its formulas); a derivation whose fields the schema does
//! not declare is skipped, so a stdlib without them still works.

use crate::graph::DepGraph;
use crate::plan::{EntityId, Origin, Plan, Val, Value};

fn derived(val: Val) -> Value {
    Value { val, origin: Origin::Derived, approx: false }
}

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
}

/// Writes a derived field if the entity's kind declares it (and the body was checked).
fn set(plan: &mut Plan, id: EntityId, name: &str, val: Val) {
    let e = &plan.entities[id.0 as usize];
    let kind = plan.schema.kind(e.kind);
    let Some(slot) = kind.slot_of(e.variant, name) else {
        return;
    };
    if !kind.field(e.variant, slot).is_some_and(|f| f.derived) {
        return;
    }
    let e = &mut plan.entities[id.0 as usize];
    if let Some(cell) = e.fields.get_mut(slot) {
        *cell = Some(derived(val));
    }
}

/// `train fusion` ↔ `model fusion`: the owner's field named after the attached kind, and
/// the attached declaration's field named after the owner's kind, when the schema has them.
fn attachments(plan: &mut Plan) {
    let links: Vec<(EntityId, EntityId)> =
        plan.entities.iter().enumerate().filter_map(|(i, e)| e.owner.map(|o| (EntityId(i as u32), o))).collect();
    for (attached, owner) in links {
        let attached_kind = plan.schema.kind(plan.entity(attached).kind).name.clone();
        let owner_kind = plan.schema.kind(plan.entity(owner).kind).name.clone();
        set(plan, owner, &attached_kind, Val::Ref(attached));
        set(plan, attached, &owner_kind, Val::Ref(owner));
    }
}

fn refs(v: Option<&Value>) -> Vec<EntityId> {
    match v.map(|v| &v.val) {
        Some(Val::Ref(id)) => vec![*id],
        Some(Val::List(items)) => {
            items.iter().filter_map(|i| if let Val::Ref(id) = i.val { Some(id) } else { None }).collect()
        }
        _ => Vec::new(),
    }
}

/// The datasets the model's inputs come from (`inputs[*].from`), directly.
fn input_datasets(plan: &Plan, model: EntityId) -> Vec<EntityId> {
    let mut out = Vec::new();
    for m in refs(plan.field(model, "inputs")) {
        for d in refs(plan.field(m, "from")) {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// `model.datasets`: the input datasets and, through `parts`, the sets pooled into them.
fn model_datasets(plan: &mut Plan, graph: &DepGraph) {
    let Some(model) = plan.schema.kind_id("model") else {
        return;
    };
    let models: Vec<EntityId> = ids_of(plan, model);
    for m in models {
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
        let list = all.into_iter().map(|d| derived(Val::Ref(d))).collect();
        set(plan, m, "datasets", Val::List(list));
    }
}

/// `project.models`: every model of the plan (a plan has one project).
fn project_models(plan: &mut Plan) {
    let (Some(project), Some(model)) = (plan.schema.kind_id("project"), plan.schema.kind_id("model")) else { return };
    let models: Vec<Value> = ids_of(plan, model).into_iter().map(|m| derived(Val::Ref(m))).collect();
    for p in ids_of(plan, project) {
        set(plan, p, "models", Val::List(models.clone()));
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
    let (Some(model), Some(target)) = (plan.schema.kind_id("model"), plan.schema.kind_id(kind)) else { return };
    let mut consumers: std::collections::HashMap<EntityId, Vec<Value>> = std::collections::HashMap::new();
    for m in ids_of(plan, model) {
        for t in refs(plan.field(m, via)) {
            let list = consumers.entry(t).or_default();
            if !list.iter().any(|v| v.val == Val::Ref(m)) {
                list.push(derived(Val::Ref(m)));
            }
        }
    }
    for t in ids_of(plan, target) {
        let list = consumers.remove(&t).unwrap_or_default();
        set(plan, t, "consumers", Val::List(list));
    }
}

fn count(v: Option<&Value>) -> Option<f64> {
    match v.map(|v| &v.val) {
        Some(Val::Count(c)) => Some(*c as f64),
        _ => None,
    }
}

fn fraction(v: Option<&Value>) -> Option<f64> {
    match v.map(|v| &v.val) {
        Some(Val::Fraction(f)) => Some(*f),
        _ => None,
    }
}

fn enum_name<'p>(plan: &'p Plan, v: Option<&Value>) -> Option<&'p str> {
    match v.map(|v| &v.val) {
        Some(Val::Enum { en, variant, .. }) => Some(plan.schema.enum_(*en).variants[*variant as usize].name.as_str()),
        _ => None,
    }
}

/// `model.n_train` and `model.events_train`: the training records of the input datasets
/// (records, or units where a unit is one record), less the shares a development set holds
/// out for validation and test. Unknown when any count is unknown.
fn model_sizes(plan: &mut Plan) {
    let Some(model) = plan.schema.kind_id("model") else {
        return;
    };
    for m in ids_of(plan, model) {
        let mut n_train = Some(0.0);
        let mut events = Some(0.0);
        for d in input_datasets(plan, m) {
            let share = match enum_name(plan, plan.field(d, "role")) {
                Some("train") => 1.0,
                Some("development") | None => {
                    1.0 - fraction(plan.field(d, "val")).unwrap_or(0.0) - fraction(plan.field(d, "test")).unwrap_or(0.0)
                }
                _ => continue,
            };
            let records = count(plan.field(d, "records")).or_else(|| count(plan.field(d, "n")));
            n_train = n_train.zip(records).map(|(a, r)| a + r * share);
            let ev = count(plan.field(d, "events"))
                .or_else(|| fraction(plan.field(d, "positives")).zip(records).map(|(p, r)| p * r));
            events = events.zip(ev).map(|(a, e)| a + e * share);
        }
        set(plan, m, "n_train", n_train.map_or(Val::Unknown, |n| Val::Count(n.round() as u64)));
        set(plan, m, "events_train", events.map_or(Val::Unknown, |n| Val::Count(n.round() as u64)));
    }
}

/// `model.pretrained`: some input is represented by a pretrained backbone, or the network
/// starts from pretrained (or self-supervised) weights.
fn model_pretrained(plan: &mut Plan) {
    let Some(model) = plan.schema.kind_id("model") else {
        return;
    };
    for m in ids_of(plan, model) {
        let from_inputs = refs(plan.field(m, "inputs"))
            .into_iter()
            .any(|i| enum_name(plan, plan.field(i, "representation")) == Some("pretrained"));
        let from_init = matches!(enum_name(plan, plan.field(m, "init")), Some("pretrained" | "ssl"));
        set(plan, m, "pretrained", Val::Bool(from_inputs || from_init));
    }
}

/// `train.steps_per_epoch`: training records over the effective batch.
fn steps_per_epoch(plan: &mut Plan) {
    let Some(train) = plan.schema.kind_id("train") else {
        return;
    };
    for t in ids_of(plan, train) {
        let Some(m) = refs(plan.field(t, "model")).first().copied() else {
            continue;
        };
        let (Some(n), Some(batch)) = (count(plan.field(m, "n_train")), count(plan.field(t, "batch"))) else {
            continue;
        };
        let accum = count(plan.field(t, "grad_accum")).unwrap_or(1.0).max(1.0);
        if batch > 0.0 {
            set(plan, t, "steps_per_epoch", Val::Count((n / (batch * accum)).ceil() as u64));
        }
    }
}

fn ids_of(plan: &Plan, kind: crate::schema::KindId) -> Vec<EntityId> {
    plan.entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == kind && !e.broken)
        .map(|(i, _)| EntityId(i as u32))
        .collect()
}
