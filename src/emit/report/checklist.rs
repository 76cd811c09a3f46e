//! The Training Diagnostic Checklist: the plots and numbers that must exist before anyone
//! trusts a result, chosen for this plan's task and model (no gradient norms for a
//! gradient-boosted model, no calibration for a regression, no learning curve for a web-
//! scale pre-training run), each ticked where the plan declares it.

use crate::plan::{EntityId, Plan, Val};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Item {
    pub what: String,
    pub why: String,
    pub done: bool,
    /// how the plan declares it
    pub declare: String,
}

fn list_has(plan: &Plan, id: Option<EntityId>, field: &str, word: &str) -> bool {
    let Some(id) = id else { return false };
    match plan.field(id, field).map(|v| &v.val) {
        Some(Val::List(items)) => items.iter().any(|i| plan.variant_of(i).is_some_and(|(w, _)| w == word)),
        _ => false,
    }
}

fn list_len(plan: &Plan, id: Option<EntityId>, field: &str) -> usize {
    match id.and_then(|id| plan.field(id, field)).map(|v| &v.val) {
        Some(Val::List(items)) => items.len(),
        _ => 0,
    }
}

/// What kind of learner a model is, for the checklist.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Learner {
    Neural,
    Trees,
    Linear,
}

fn learner(plan: &Plan, model: EntityId) -> Learner {
    let family = plan.variant(model, "family").map(|(f, _)| f.to_string());
    let pretrained = plan
        .refs(model, "inputs")
        .iter()
        .any(|m| plan.variant(*m, "representation").is_some_and(|(r, _)| r == "pretrained"));
    match family.as_deref() {
        Some("gbdt" | "random_forest") => Learner::Trees,
        Some("linear" | "logistic" | "svm" | "knn") if !pretrained => Learner::Linear,
        _ if plan.ref_of(model, "arch").is_some() || pretrained || family.is_some() => Learner::Neural,
        _ => Learner::Linear,
    }
}

pub fn items(plan: &Plan, model: EntityId, project: Option<EntityId>) -> Vec<Item> {
    let train = plan.ref_of(model, "train");
    let name = &plan.entity(model).name;
    let eval = plan.named("evaluate", name);
    let deploy = plan.named("deploy", name);
    let task = project.and_then(|p| plan.variant(p, "task")).map(|(t, _)| t.to_string()).unwrap_or_default();
    let classification = task.contains("classification");
    let generative = matches!(task.as_str(), "generation" | "lm_pretrain");
    let l = learner(plan, model);
    let diag = |w: &str| list_has(plan, train, "diagnostics", w);
    let metric = |w: &str| {
        list_has(plan, eval, "metrics", w) || eval.and_then(|e| plan.variant(e, "primary")).is_some_and(|(p, _)| p == w)
    };
    let flag = |id: Option<EntityId>, f: &str| id.and_then(|i| plan.flag(i, f)).unwrap_or(false);
    let mut out = Vec::new();
    let mut add = |what: &str, why: &str, done: bool, declare: &str| {
        out.push(Item { what: what.into(), why: why.into(), done, declare: declare.into() })
    };
    if l != Learner::Linear {
        add(
            if l == Learner::Trees {
                "Training and validation loss per boosting round"
            } else {
                "Training and validation loss curves per epoch"
            },
            "over- and under-fitting, a learning rate that diverges or stalls, and where to stop",
            diag("loss_curves"),
            "`train { diagnostics: [loss_curves] }`",
        );
    }
    if l == Learner::Neural {
        add(
            "Learning-rate range test or sweep",
            "the rate sets whether the network trains at all; a default carried over from another model is the most common silent failure",
            diag("lr_range_test") || diag("lr_sweep"),
            "`diagnostics: [lr_range_test]` or `[lr_sweep]`",
        );
        add(
            "Gradient norms per layer",
            "vanishing or exploding gradients, frozen layers that still update, and the spikes that precede divergence",
            diag("grad_norm"),
            "`diagnostics: [grad_norm]`",
        );
        add(
            "NaN and infinity checks on loss and gradients",
            "mixed precision and small batches overflow silently; a NaN caught at step 200 costs minutes, at step 20,000 a run",
            diag("nan_check"),
            "`diagnostics: [nan_check]`",
        );
    }
    add(
        "Distribution of predictions on validation data",
        "a model that collapsed to the majority class or a constant still reports a plausible accuracy",
        diag("pred_dist"),
        "`diagnostics: [pred_dist]`",
    );
    if classification {
        add(
            "Calibration: reliability diagram and calibration slope or ECE",
            "probabilities that feed a threshold or a decision must mean what they say",
            metric("calibration") || metric("calibration_slope") || metric("ece") || metric("brier"),
            "`evaluate { metrics: [calibration_slope, brier] }`",
        );
        add(
            "Confusion matrix at the operating threshold",
            "which classes are confused, and whether errors are the costly kind",
            flag(eval, "confusion_matrix"),
            "`evaluate { confusion_matrix: true }`",
        );
    }
    if matches!(task.as_str(), "regression" | "forecasting") {
        add(
            "Residuals against the prediction and the key inputs",
            "heteroscedastic or biased errors hide behind a single MAE or RMSE",
            flag(eval, "error_analysis"),
            "`evaluate { error_analysis: true }`",
        );
    }
    if !generative {
        add(
            "Results per subgroup (site, device, demographic)",
            "an average hides the groups the model fails; shift between sites is the usual failure in deployment",
            list_len(plan, eval, "subgroups") > 0,
            "`evaluate { subgroups: [site, sex, age] }`",
        );
        add(
            "Comparison with a simple baseline",
            "without one, no one can tell whether the model's complexity bought anything",
            list_len(plan, eval, "baselines") > 0,
            "`evaluate { baselines: [logistic] }`",
        );
    }
    let n = plan
        .refs(model, "inputs")
        .iter()
        .filter_map(|m| plan.ref_of(*m, "from"))
        .filter_map(|d| plan.num(d, "n"))
        .fold(None, |a: Option<f64>, n| Some(a.map_or(n, |a| a.max(n))));
    if n.is_some_and(|n| n < 100_000.0) && !generative {
        add(
            "Learning curve: score against training-set size",
            "whether more data would help more than a bigger model, at this sample size the question that decides the next month",
            flag(eval, "learning_curve"),
            "`evaluate { learning_curve: true }`",
        );
    }
    add(
        "Error analysis of the worst cases",
        "shortcuts and label errors show up in the cases a model gets most wrong",
        flag(eval, "error_analysis"),
        "`evaluate { error_analysis: true }`",
    );
    if generative {
        add(
            "Held-out loss or perplexity, and a read of sampled outputs",
            "a falling training loss says nothing about generations; a human read catches repetition and format drift",
            metric("perplexity") || flag(eval, "error_analysis"),
            "`evaluate { metrics: [perplexity] }`",
        );
    }
    if let Some(d) = deploy {
        // half precision rarely moves a metric; integer formats and compiled exports do
        let reduced = plan.variant(d, "precision").is_some_and(|(p, _)| matches!(p, "int8" | "int4" | "fp8"))
            || plan.variant(d, "export").is_some();
        if reduced {
            add(
                "Evaluation re-run on the exported or quantised model",
                "quantisation and export change outputs; the shipped artefact is the one that must meet the metrics",
                flag(Some(d), "reevaluated"),
                "`deploy { reevaluated: true }`",
            );
        }
    }
    out
}
