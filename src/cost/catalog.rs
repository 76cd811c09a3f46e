//! Typed reads of the catalog declarations the formulas need: backbones, devices, network
//! classes (`efficiency`), runtimes, number formats and optimiser states.
//!
//! Entries are found by name through the plan, so a plan's own declaration of the same name
//! replaces the catalog's (`efficiency dense_cnn { … }` in a plan recalibrates the class).

use super::range::Range;
use crate::plan::{EntityId, Plan, Val};

/// A `range<T>` field as an interval (a single number reads as a point).
pub fn range_field(plan: &Plan, id: EntityId, field: &str) -> Option<Range> {
    let v = plan.field(id, field)?;
    match &v.val {
        Val::Range(a, b) => Some(Range::new(a.number()?, b.number()?)),
        _ => v.number().map(Range::point),
    }
}

/// A shape field as numbers (`None` for a `_` dimension).
pub fn shape_field(plan: &Plan, id: EntityId, field: &str) -> Option<Vec<Option<f64>>> {
    match &plan.field(id, field)?.val {
        Val::Shape(dims) => Some(dims.iter().map(|d| d.map(|x| x as f64)).collect()),
        _ => None,
    }
}

/// A pretrained network's facts.
#[derive(Clone, Debug)]
pub struct Backbone {
    pub id: EntityId,
    pub name: String,
    pub family: String,
    pub modality: String,
    pub params: Option<f64>,
    /// the pretraining classifier counted in `params`
    pub head_params: Option<f64>,
    pub flops: Option<f64>,
    pub flops_per: String,
    pub input: Option<Vec<Option<f64>>>,
    pub acts: Option<f64>,
    pub peak_acts: Option<f64>,
    pub layers: Option<f64>,
    pub width: Option<f64>,
    pub heads: Option<f64>,
    pub kv_heads: Option<f64>,
    pub ffn: Option<f64>,
    pub patch: Option<f64>,
    /// frames per token of a video transformer
    pub tubelet: Option<f64>,
    pub vocab: Option<f64>,
    pub head_dim: Option<f64>,
    pub decoder_layers: Option<f64>,
    pub gated: bool,
    pub window: Option<f64>,
    pub embed_dim: Option<f64>,
    pub max_len: Option<f64>,
    pub class: Option<EntityId>,
}

impl Backbone {
    pub fn read(plan: &Plan, id: EntityId) -> Backbone {
        let name_of = |f: &str| plan.variant(id, f).map(|(v, _)| v.to_string()).unwrap_or_default();
        Backbone {
            id,
            name: plan.entity(id).name.as_str().to_owned(),
            family: name_of("family"),
            modality: name_of("modality"),
            params: plan.num(id, "params"),
            head_params: plan.num(id, "head_params"),
            flops: plan.num(id, "flops"),
            flops_per: plan.variant(id, "flops_per").map_or("input".into(), |(v, _)| v.to_string()),
            input: shape_field(plan, id, "input"),
            acts: plan.num(id, "acts"),
            peak_acts: plan.num(id, "peak_acts"),
            layers: plan.num(id, "layers"),
            width: plan.num(id, "width"),
            heads: plan.num(id, "heads"),
            kv_heads: plan.num(id, "kv_heads").or_else(|| plan.num(id, "heads")),
            ffn: plan.num(id, "ffn"),
            patch: plan.num(id, "patch"),
            tubelet: plan.num(id, "tubelet"),
            vocab: plan.num(id, "vocab"),
            head_dim: plan.num(id, "head_dim"),
            decoder_layers: plan.num(id, "decoder_layers"),
            gated: plan.flag(id, "gated").unwrap_or(false),
            window: plan.num(id, "window"),
            embed_dim: plan.num(id, "embed_dim").or_else(|| plan.num(id, "width")),
            max_len: plan.num(id, "max_len"),
            class: plan.ref_of(id, "efficiency"),
        }
    }

    /// A transformer whose shape is known well enough for the per-token formulas.
    pub fn transformer(&self) -> Option<Transformer> {
        if !matches!(self.family.as_str(), "transformer" | "vit" | "video_transformer" | "llm" | "graph_transformer") {
            return None;
        }
        let (l, d) = (self.layers?, self.width?);
        let heads = self.heads.unwrap_or((d / 64.0).max(1.0));
        let kv = self.kv_heads.unwrap_or(heads);
        let head_dim = self.head_dim.unwrap_or(d / heads);
        let ffn = self.ffn.unwrap_or(4.0 * d);
        let attn = 2.0 * d * heads * head_dim + 2.0 * d * kv * head_dim;
        let mlp = if self.gated { 3.0 * d * ffn } else { 2.0 * d * ffn };
        Some(Transformer {
            cross_layers: self.decoder_layers.unwrap_or(0.0).min(l),
            layers: l,
            width: d,
            heads,
            kv_heads: kv,
            head_dim,
            ffn,
            gated: self.gated,
            per_layer: attn + mlp,
            vocab: self.vocab,
            window: self.window,
            causal: self.family == "llm",
        })
    }
}

/// The shape facts of a transformer, with its per-layer matrix parameters.
#[derive(Clone, Copy, Debug)]
pub struct Transformer {
    pub layers: f64,
    /// decoder blocks with a cross-attention (encoder–decoders)
    pub cross_layers: f64,
    pub width: f64,
    pub heads: f64,
    pub kv_heads: f64,
    pub head_dim: f64,
    pub ffn: f64,
    pub gated: bool,
    /// weights of the attention projections and the feed-forward block of one layer
    pub per_layer: f64,
    pub vocab: Option<f64>,
    pub window: Option<f64>,
    /// a decoder: each token attends to the tokens before it
    pub causal: bool,
}

impl Transformer {
    /// Parameters multiplied once per token: every block, plus the output projection over
    /// the vocabulary for a language model (Kaplan et al. 2020 count blocks only).
    pub fn matmul_params(&self) -> f64 {
        let head = if self.causal { self.vocab.unwrap_or(0.0) * self.width } else { 0.0 };
        self.layers * self.per_layer + self.cross_layers * self.attention_params() + head
    }

    /// The four projections of one attention block.
    pub fn attention_params(&self) -> f64 {
        2.0 * self.width * self.heads * self.head_dim + 2.0 * self.width * self.kv_heads * self.head_dim
    }

    /// Forward MACs of one sequence of `t` tokens: `P·T` for the matrices, plus `QKᵀ` and
    /// `A·V` (2·L·T·T'·d, with T' the tokens attended to; half of it for a causal decoder).
    /// catalog.md §3.1; Kaplan et al. 2020, Table 1.
    pub fn macs(&self, t: f64) -> f64 {
        let span = self.window.map_or(t, |w| w.min(t));
        let attention = 2.0 * self.layers * t * span * self.width;
        self.matmul_params() * t + if self.causal { attention / 2.0 } else { attention }
    }

    /// Bytes of KV cache per token at `bytes` per value: 2 · L · n_kv · d_head · bytes.
    pub fn kv_per_token(&self, bytes: f64) -> f64 {
        2.0 * self.layers * self.kv_heads * self.head_dim * bytes
    }
}

/// A device's facts.
#[derive(Clone, Debug)]
pub struct Device {
    pub id: EntityId,
    pub name: String,
    pub class: String,
    pub peak: f64,
    pub precision: String,
    pub peaks: Vec<(String, f64)>,
    pub memory: Option<f64>,
    pub flash: Option<f64>,
    pub on_chip: Option<f64>,
    pub bandwidth: Option<f64>,
    pub cost: Option<f64>,
    /// share of the peak the pipeline sustains in inference kernels (1 unless stated)
    pub sustained: f64,
}

impl Device {
    pub fn read(plan: &Plan, id: EntityId) -> Device {
        let mut peaks = Vec::new();
        if let Some(Val::List(items)) = plan.field(id, "peaks").map(|v| &v.val) {
            for item in items {
                let precision = plan.member(item, "precision").and_then(|v| plan.variant_of(v));
                let rate = plan.member(item, "rate").and_then(|v| v.number());
                if let (Some((p, _)), Some(x)) = (precision, rate) {
                    peaks.push((p.to_string(), x));
                }
            }
        }
        Device {
            id,
            name: plan.entity(id).name.as_str().to_owned(),
            class: plan.variant(id, "class").map(|(v, _)| v.to_string()).unwrap_or_default(),
            peak: plan.num(id, "peak").unwrap_or(0.0),
            precision: plan.variant(id, "precision").map(|(v, _)| v.to_string()).unwrap_or_default(),
            peaks,
            memory: plan.num(id, "memory"),
            flash: plan.num(id, "flash"),
            on_chip: plan.num(id, "on_chip"),
            bandwidth: plan.num(id, "bandwidth"),
            cost: plan.num(id, "cost"),
            sustained: plan.num(id, "sustained").unwrap_or(1.0),
        }
    }

    /// The device lists a dense rate for this precision itself.
    pub fn lists(&self, precision: &str) -> bool {
        self.precision == precision || self.peaks.iter().any(|(p, _)| p == precision)
    }

    /// The dense peak at a precision, and a note when another precision stands in for it.
    /// fp16 and bf16 run at the same tensor rate where a device lists only one of them.
    pub fn peak_at(&self, precision: &str) -> (f64, Option<String>) {
        let listed = |p: &str| {
            if self.precision == p {
                Some(self.peak)
            } else {
                self.peaks.iter().find(|(q, _)| q == p).map(|(_, r)| *r)
            }
        };
        if let Some(r) = listed(precision) {
            return (r, None);
        }
        let twin = match precision {
            "bf16" => Some("fp16"),
            "fp16" => Some("bf16"),
            "tf32" => Some("fp32"),
            _ => None,
        };
        if let Some(r) = twin.and_then(listed) {
            return (r, None);
        }
        // the slowest rate the device lists is the honest stand-in
        let (p, r) = std::iter::once((self.precision.as_str(), self.peak))
            .chain(self.peaks.iter().map(|(p, r)| (p.as_str(), *r)))
            .fold((self.precision.as_str(), self.peak), |a, b| if b.1 < a.1 { b } else { a });
        (r, Some(words!("`{}` lists no {precision} rate; its {p} peak is used", self.name)))
    }
}

/// The column of a network class for a setting (`gpu_train`, `cpu_infer`, …).
pub fn efficiency(plan: &Plan, class: EntityId, column: &str) -> Option<Range> {
    range_field(plan, class, column)
}

/// The runtime of a device class.
#[derive(Clone, Copy, Debug)]
pub struct Runtime {
    pub memory: Range,
    pub flash: Option<Range>,
    pub overhead: Range,
    pub per_layer: Range,
    /// issuing one op from an eager framework
    pub eager_op: Option<Range>,
    pub bandwidth_use: Range,
    pub p90: Range,
    pub p99: Range,
    pub p999: Range,
    pub reserve: Range,
}

impl Runtime {
    pub fn of(plan: &Plan, class: &str) -> Option<Runtime> {
        let id = plan.named("runtime", class)?;
        let r = |f: &str| range_field(plan, id, f);
        Some(Runtime {
            memory: r("memory")?,
            flash: r("flash"),
            overhead: r("overhead").unwrap_or(Range::ZERO),
            per_layer: r("per_layer").unwrap_or(Range::ZERO),
            eager_op: r("eager_op"),
            bandwidth_use: r("bandwidth_use").unwrap_or(Range::point(1.0)),
            p90: r("p90").unwrap_or(Range::point(1.0)),
            p99: r("p99").unwrap_or(Range::point(1.0)),
            p999: r("p999").unwrap_or(Range::point(1.0)),
            reserve: r("reserve").unwrap_or(Range::ZERO),
        })
    }

    /// Latency at percentile `p` over the median: 1 at p50, the catalog's factors at p90,
    /// p99 and p99.9, geometric in between on a log scale of the tail probability.
    pub fn tail(&self, p: Option<f64>) -> Range {
        let Some(p) = p else { return Range::point(1.0) };
        let tail = (1.0 - p / 100.0).max(1e-4);
        let pts = [(0.5, Range::point(1.0)), (0.1, self.p90), (0.01, self.p99), (0.001, self.p999)];
        if tail >= 0.5 {
            return Range::point(1.0);
        }
        for w in pts.windows(2) {
            let ((t0, a), (t1, b)) = (w[0], w[1]);
            if tail <= t0 && tail >= t1 {
                let f = (t0 / tail).ln() / (t0 / t1).ln();
                let g = |x: f64, y: f64| x * (y / x).powf(f);
                return Range::new(g(a.lo, b.lo), g(a.hi, b.hi));
            }
        }
        self.p999
    }
}

/// Bytes per value of a number format.
pub fn bytes_of(plan: &Plan, precision: &str) -> Option<f64> {
    plan.named("numeric", precision).and_then(|id| plan.num(id, "bytes"))
}

/// A range field of a number format (`numeric int4 { decode_use: … }`).
pub fn numeric_field(plan: &Plan, precision: &str, field: &str) -> Option<Range> {
    plan.named("numeric", precision).and_then(|id| range_field(plan, id, field))
}

/// Optimiser state bytes per trainable parameter.
pub fn optimizer_bytes(plan: &Plan, optimizer: &str) -> Option<f64> {
    plan.named("optimizer_state", optimizer).and_then(|id| plan.num(id, "per_param"))
}
