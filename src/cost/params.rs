//! Parameter counts: trainable parameters under each way of tuning a backbone, and the
//! head on top of the features.

use super::catalog::Backbone;
use super::network::{Part, Tuning};
use super::range::{self, Range};
use crate::plan::{EntityId, Plan};

/// The LoRA rank PEFT uses when none is given.
const DEFAULT_RANK: f64 = 8.0;
/// The Houlsby adapter bottleneck when none is given.
const DEFAULT_ADAPTER: f64 = 64.0;

/// Trainable parameters of a backbone under `tuning`.
///
/// * LoRA adds `r · (d_in + d_out)` per adapted matrix (Hu et al. 2022, §4): query and
///   value projections (the paper's and PEFT's default), every attention projection, or
///   every linear layer of each block.
/// * Bottleneck adapters add two `d → m → d` layers per block (Houlsby et al. 2019).
/// * `partial(k)` trains the last k of L blocks: k/L of the weights.
pub fn trainable(
    bb: &Backbone,
    tuning: &Tuning,
    total: Range,
    assumptions: &mut Vec<String>,
    missing: &mut Vec<String>,
) -> Range {
    match tuning {
        Tuning::Scratch | Tuning::Full => total,
        Tuning::Frozen => Range::ZERO,
        Tuning::Partial(k) => match bb.layers {
            Some(l) if l > 0.0 => total.scale((k / l).min(1.0)),
            _ => {
                missing.push(format!("the block count (`layers`) of backbone `{}`", bb.name));
                Range::new(0.0, total.hi)
            }
        },
        Tuning::Lora { rank, target, .. } => {
            let Some(t) = bb.transformer() else {
                missing.push(format!("the shape (`layers`, `width`) of backbone `{}` for its LoRA adapters", bb.name));
                return Range::new(0.0, total.hi * 0.05);
            };
            let r = rank.unwrap_or_else(|| {
                assumptions.push(words!("LoRA rank {DEFAULT_RANK} (PEFT's default) on `{}`", bb.name));
                DEFAULT_RANK
            });
            let (d, q, kv) = (t.width, t.heads * t.head_dim, t.kv_heads * t.head_dim);
            let qv = r * ((d + q) + (d + kv));
            let attention = r * (2.0 * (d + q) + 2.0 * (d + kv));
            let mlp = r * if t.gated { 3.0 * (d + t.ffn) } else { 2.0 * (d + t.ffn) };
            let per_layer = match target.as_deref() {
                Some("qv") => Range::point(qv),
                Some("attention") => Range::point(attention),
                Some(_) => Range::point(attention + mlp),
                None => {
                    assumptions.push(words!(
                        "LoRA targets of `{}` not stated: from query and value (PEFT's default) to every linear layer",
                        bb.name
                    ));
                    Range::new(qv, attention + mlp)
                }
            };
            // a decoder block's cross-attention carries the attention adapters too
            let cross = match target.as_deref() {
                Some("qv") => Range::point(qv),
                Some(_) => Range::point(attention),
                None => Range::new(qv, attention),
            };
            per_layer.scale(t.layers) + cross.scale(t.cross_layers)
        }
        Tuning::Adapter(m) => {
            let Some(t) = bb.transformer() else {
                missing.push(format!("the shape (`layers`, `width`) of backbone `{}` for its adapters", bb.name));
                return Range::new(0.0, total.hi * 0.05);
            };
            let m = m.unwrap_or(DEFAULT_ADAPTER);
            Range::point(t.layers * 2.0 * (2.0 * t.width * m + t.width + m))
        }
    }
}

/// Outputs of the task head: one per class for multi-class and multi-label tasks, one for
/// binary classification and regression.
fn outputs(plan: &Plan, model: EntityId) -> Option<f64> {
    let project = *plan.of_kind("project").first()?;
    let heads = plan.num(model, "heads").unwrap_or(1.0).max(1.0);
    let per = match plan.variant(project, "task").map(|(t, _)| t)? {
        "binary_classification" | "regression" | "survival" | "ranking" => 1.0,
        "multiclass_classification" | "multilabel_classification" | "classification" => plan.num(project, "classes")?,
        "forecasting" => 1.0,
        _ => return None,
    };
    Some(per * heads)
}

/// The head over the concatenated features: a linear layer `(features + 1) × outputs`, or
/// an MLP whose hidden width is taken as one to one times the feature width.
pub fn head(
    plan: &Plan,
    model: EntityId,
    parts: &[Part],
    raw_features: f64,
    assumptions: &mut Vec<String>,
) -> Option<Part> {
    let (kind, _) = plan.variant(model, "head")?;
    if !matches!(kind, "linear" | "mlp" | "attention_pool") {
        return None;
    }
    let embed: f64 =
        parts.iter().filter_map(|p| p.backbone.as_ref().and_then(|b| b.embed_dim)).sum::<f64>() + raw_features;
    if embed == 0.0 {
        return None;
    }
    let out = outputs(plan, model)?;
    let linear = (embed + 1.0) * out;
    let params = match kind {
        "mlp" => {
            assumptions
                .push(words!("the MLP head's hidden width is taken as the {} input features", range::count(embed)));
            Range::point(embed * (embed + 1.0) + linear)
        }
        _ => Range::point(linear),
    };
    Some(Part {
        label: format!("{kind} head ({} features → {})", range::count(embed), range::count(out)),
        backbone: None,
        tuning: Tuning::Scratch,
        params,
        trainable: params,
        fwd: Some(params.scale(2.0)),
        tokens: None,
        tokens_long: None,
        acts: None,
        peak_acts: None,
        layers: Some(if kind == "mlp" { 2.0 } else { 1.0 }),
        class: None,
    })
}
