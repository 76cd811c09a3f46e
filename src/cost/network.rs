//! A model as the cost model sees it: its parts (each pretrained backbone with how it is
//! tuned, a catalog architecture trained end to end, a custom network, the head), each with
//! its parameters, trainable parameters, forward cost at the plan's input and activation
//! count. `params.rs` and `flops.rs` hold the formulas; this file reads the plan.

use super::catalog::{self, Backbone};
use super::flops;
use super::params;
use super::range::{self, Range};
use crate::plan::{EntityId, Payload, Plan, Val};

/// How a part's weights are trained.
#[derive(Clone, Debug, PartialEq)]
pub enum Tuning {
    /// randomly initialised, every weight trained
    Scratch,
    /// pretrained, every weight trained
    Full,
    Frozen,
    /// the last `k` blocks train
    Partial(f64),
    /// low-rank adapters; `quantized`: the frozen base is held in 4 bits (QLoRA)
    Lora {
        rank: Option<f64>,
        target: Option<String>,
        quantized: bool,
    },
    Adapter(Option<f64>),
}

impl Tuning {
    pub fn describe(&self) -> String {
        match self {
            Tuning::Scratch => "from scratch".into(),
            Tuning::Full => "full fine-tune".into(),
            Tuning::Frozen => "frozen".into(),
            Tuning::Partial(k) => format!("last {k} blocks trained"),
            Tuning::Lora { rank, target, quantized } => format!(
                "{} r{}{}",
                if *quantized { "QLoRA" } else { "LoRA" },
                rank.map_or("8".into(), |r| format!("{r}")),
                target.as_ref().map_or(String::new(), |t| format!(" on {t}"))
            ),
            Tuning::Adapter(m) => format!("adapters of {}", m.unwrap_or(64.0)),
        }
    }
}

/// The size of one input as a part sees it.
#[derive(Clone, Debug, Default)]
pub struct Input {
    /// image or volume dimensions (H, W, C or D, H, W)
    pub shape: Option<Vec<f64>>,
    /// tokens of a sequence: from the median to the mean, the training average
    pub tokens: Option<Range>,
    /// the 95th percentile (or padded) length, what a latency or memory budget must hold
    pub tokens_long: Option<f64>,
    pub seconds: Option<f64>,
    pub frames: Option<f64>,
    /// the shape is the stored `raw` one: the plan states no `input` it is resized to
    pub from_raw: bool,
}

/// One part of a network.
#[derive(Clone, Debug)]
pub struct Part {
    pub label: String,
    pub backbone: Option<Backbone>,
    pub tuning: Tuning,
    pub params: Range,
    pub trainable: Range,
    /// forward FLOP of one sample (one sequence) at the plan's input
    pub fwd: Option<Range>,
    /// tokens per sequence, for transformers: the training average and the long tail
    pub tokens: Option<Range>,
    pub tokens_long: Option<f64>,
    /// activation elements of one sample (convolutional networks), and those alive at once
    pub acts: Option<Range>,
    pub peak_acts: Option<Range>,
    /// kernels launched per inference (for the dispatch bound of small networks)
    pub layers: Option<f64>,
    pub class: Option<EntityId>,
}

impl Part {
    /// Parameters that receive no gradient.
    pub fn frozen(&self) -> Range {
        Range::new((self.params.lo - self.trainable.hi).max(0.0), (self.params.hi - self.trainable.lo).max(0.0))
    }
}

/// A model's network.
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub parts: Vec<Part>,
    /// how each figure was reached
    pub assumptions: Vec<String>,
    /// what the plan would have to say for an estimate to exist or tighten
    pub missing: Vec<String>,
    /// not a network (tree ensembles, kNN): parameters and FLOPs are not estimated
    pub classical: Option<String>,
}

impl Network {
    pub fn params(&self) -> Range {
        Range::sum(self.parts.iter().map(|p| p.params))
    }

    pub fn trainable(&self) -> Range {
        Range::sum(self.parts.iter().map(|p| p.trainable))
    }

    /// Forward FLOP of one sample, or `None` when a part's cost is unknown.
    pub fn fwd(&self) -> Option<Range> {
        self.parts.iter().map(|p| p.fwd).sum::<Option<Range>>()
    }

    /// The part that does the most work: its class sets the utilisation.
    pub fn dominant(&self) -> Option<&Part> {
        self.parts
            .iter()
            .filter(|p| p.class.is_some())
            .max_by(|a, b| a.fwd.map_or(0.0, |r| r.hi).total_cmp(&b.fwd.map_or(0.0, |r| r.hi)))
    }
}

const CLASSICAL: &[&str] = &["gbdt", "random_forest", "knn", "svm"];

/// Reads the model's network from the plan.
pub fn read(plan: &Plan, model: EntityId) -> Network {
    let mut net = Network::default();
    let name = &plan.entity(model).name;
    let family = plan.variant(model, "family").map(|(f, _)| f.to_string());
    let inputs = plan.refs(model, "inputs");
    if let Some(f) = family.as_deref().filter(|f| CLASSICAL.contains(f)) {
        let trees = plan.num(model, "trees").map_or(String::new(), |t| format!(" of {} trees", range::count(t)));
        net.classical = Some(format!(
            "`{name}` is a {f} model{trees}: it has no weight tensors to count or FLOPs to time on an accelerator"
        ));
        return net;
    }
    let mut features = 0.0;
    // each pretrained representation is a part
    for &m in &inputs {
        match plan.variant(m, "representation") {
            Some(("pretrained", Payload::Args(args))) => {
                let (Some(Val::Ref(b)), Some(t)) = (args.first().map(|v| &v.val), args.get(1)) else { continue };
                let tuning = tuning_of(plan, t);
                let bb = Backbone::read(plan, *b);
                let input = input_of(plan, m);
                net.parts.push(backbone_part(plan, &bb, tuning, &input, &mut net.assumptions, &mut net.missing));
            }
            _ => {
                if let Some(f) = plan.num(m, "features") {
                    features += f;
                } else if let Some(d) = plan.num(m, "dim") {
                    features += d;
                }
            }
        }
    }
    // a catalog architecture trained end to end
    if let Some(a) = plan.ref_of(model, "arch") {
        let bb = Backbone::read(plan, a);
        let tuning = match plan.variant(model, "init").map(|(v, _)| v) {
            Some("pretrained" | "ssl") => Tuning::Full,
            _ => Tuning::Scratch,
        };
        let m = inputs.iter().copied().find(|&i| plan.entity(i).variant.is_some()).or(inputs.first().copied());
        let input = m.map(|m| input_of(plan, m)).unwrap_or_default();
        net.parts.push(backbone_part(plan, &bb, tuning, &input, &mut net.assumptions, &mut net.missing));
    } else if let Some(p) = plan.num(model, "params") {
        // a custom network of stated size
        let fwd = plan.num(model, "flops").map(Range::point).or_else(|| {
            matches!(family.as_deref(), Some("mlp" | "deep_mlp" | "linear" | "logistic")).then(|| {
                net.assumptions.push(words!("`{name}` is dense: 2 FLOP per parameter per sample"));
                Range::point(2.0 * p)
            })
        });
        if fwd.is_none() {
            net.missing.push(format!("the forward cost of `{name}`'s custom network (`flops`)"));
        }
        net.parts.push(Part {
            label: format!("{name} (custom {})", family.as_deref().unwrap_or("network")),
            backbone: None,
            tuning: Tuning::Scratch,
            params: Range::point(p),
            trainable: Range::point(p),
            fwd,
            tokens: None,
            tokens_long: None,
            acts: None,
            peak_acts: None,
            layers: None,
            class: None,
        });
    } else if family.as_deref().is_some_and(|f| !matches!(f, "linear" | "logistic")) && net.parts.is_empty() {
        net.missing.push(format!("the size of `{name}`'s network: a catalog `arch`, or `params` for a custom one"));
    }
    if let Some(head) = params::head(plan, model, &net.parts, features, &mut net.assumptions) {
        net.parts.push(head);
    }
    net
}

/// A part for a backbone at the plan's input.
fn backbone_part(
    plan: &Plan,
    bb: &Backbone,
    tuning: Tuning,
    input: &Input,
    assumptions: &mut Vec<String>,
    missing: &mut Vec<String>,
) -> Part {
    // the plan's head replaces the pretraining classifier
    let total = bb
        .params
        .map(|p| Range::point(p - bb.head_params.unwrap_or(0.0)))
        .or_else(|| bb.transformer().map(|t| Range::point(t.layers * t.per_layer)));
    if total.is_none() {
        missing.push(format!("the parameter count of backbone `{}`", bb.name));
    }
    let base = total.unwrap_or(Range::UNKNOWN);
    let trainable = params::trainable(bb, &tuning, base, assumptions, missing);
    // adapters are parameters of their own, beside the frozen base
    let total = match tuning {
        Tuning::Lora { .. } | Tuning::Adapter(_) => base + trainable,
        _ => base,
    };
    let fwd = flops::forward(plan, bb, input, assumptions, missing);
    let (tokens, tokens_long) = match (bb.transformer(), bb.modality.as_str()) {
        (None, _) => (None, None),
        (Some(_), "image" | "video") => match flops::vit_tokens(bb, input) {
            Some(t) => (Some(Range::point(t)), Some(t)),
            None => (None, None),
        },
        (Some(_), _) => (input.tokens, input.tokens_long),
    };
    let area = flops::area_ratio(bb, input).unwrap_or(1.0);
    let acts = bb.acts.map(|a| Range::point(a * area));
    let peak_acts = bb.peak_acts.map(|a| Range::point(a * area));
    let layers = bb.layers;
    Part {
        label: format!("{} ({})", bb.name, tuning.describe()),
        backbone: Some(bb.clone()),
        tuning,
        params: total,
        trainable,
        fwd,
        tokens,
        tokens_long,
        acts,
        peak_acts,
        layers,
        class: bb.class,
    }
}

fn tuning_of(plan: &Plan, v: &crate::plan::Value) -> Tuning {
    let Some((name, payload)) = plan.variant_of(v) else { return Tuning::Frozen };
    let args: &[crate::plan::Value] = match payload {
        Payload::Args(a) => a,
        _ => &[],
    };
    let num = |i: usize| args.get(i).and_then(|a| a.number());
    let word = |i: usize| args.get(i).and_then(|a| plan.variant_of(a)).map(|(w, _)| w.to_string());
    match name {
        "frozen" => Tuning::Frozen,
        "full" => Tuning::Full,
        "partial" => Tuning::Partial(num(0).unwrap_or(1.0)),
        "lora" => Tuning::Lora { rank: num(0), target: word(1), quantized: false },
        "qlora" => Tuning::Lora { rank: num(0), target: word(1), quantized: true },
        "adapter" => Tuning::Adapter(num(0)),
        _ => Tuning::Frozen,
    }
}

/// The size of one sample of a modality.
fn input_of(plan: &Plan, m: EntityId) -> Input {
    let mut input = Input::default();
    let shape = catalog::shape_field(plan, m, "input").or_else(|| {
        let raw = catalog::shape_field(plan, m, "raw")?;
        input.from_raw = true;
        Some(raw)
    });
    if let Some(s) = shape {
        if s.iter().all(Option::is_some) {
            input.shape = Some(s.into_iter().flatten().collect());
        }
    }
    let len = |typical: &str, long: &str| {
        let t = plan.num(m, typical)?;
        let p95 = plan.num(m, long).unwrap_or(t);
        // a right-skewed length: the mean lies between the median and the midpoint to p95
        Some((Range::new(t, (t + p95) / 2.0), p95))
    };
    let counted = matches!(plan.field(m, "length").map(|v| &v.val), Some(Val::Count(_)));
    let seq = plan
        .num(m, "pad_to")
        .map(|p| (Range::point(p), p))
        .or_else(|| len("tokens", "tokens_p95"))
        .or_else(|| len("length", "length_p95").filter(|_| counted));
    input.tokens = seq.map(|s| s.0);
    input.tokens_long = seq.map(|s| s.1);
    if let Some(secs) =
        plan.num(m, "length").filter(|_| matches!(plan.field(m, "length").map(|v| &v.val), Some(Val::Quantity(..))))
    {
        input.seconds = Some(secs);
        if let Some(rate) = plan.num(m, "rate") {
            // a time series is a sequence of samples
            if plan.kind_variant(m) == Some("timeseries") {
                input.tokens = Some(Range::point((rate * secs).round()));
                input.tokens_long = Some((rate * secs).round());
            }
        }
    }
    input.frames = plan.field(m, "sampling").and_then(|s| plan.member(s, "frames")).and_then(|v| v.number());
    input
}
