//! The Data Modality Map: for every input signal, its raw form, how the plan represents
//! it, the structure that representation keeps and the structure it throws away, and the
//! alternatives worth trying — pretrained backbones of the same modality and domain from
//! the catalog, and the options of the rules that fired on it.
//!
//! The keeps/discards judgements are written per raw form and representation, the way an
//! architect explains them; they never claim more than the plan states.

use super::written;
use crate::plan::{EntityId, Plan};
use crate::source::SourceMap;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Entry {
    pub name: String,
    /// `image`, `text`, … (the modality's variant)
    pub kind: String,
    pub dataset: Option<String>,
    /// the raw form, in the plan's words (`_x_x3, dermatology`)
    pub raw: String,
    /// the representation as written (`pretrained(efficientnet_b3, partial(2))`)
    pub representation: String,
    pub keeps: String,
    pub discards: String,
    pub alternatives: Vec<String>,
}

fn enum_word(plan: &Plan, id: EntityId, field: &str) -> Option<String> {
    plan.variant(id, field).map(|(w, _)| w.to_string())
}

/// The raw form: the fields that describe the signal before any representation.
fn raw_form(plan: &Plan, sources: &SourceMap, m: EntityId, kind: &str) -> String {
    let fields: &[&str] = match kind {
        "image" => &["raw", "input", "domain"],
        "volume" => &["raw", "input", "slices", "domain"],
        "video" => &["raw", "fps", "length", "sampling"],
        "audio" => &["rate", "length", "channels", "domain"],
        "timeseries" => &["rate", "length", "channels", "window"],
        "text" => &["language", "domain", "tokens", "tokens_p95"],
        "sequence" => &["alphabet", "length", "length_p95"],
        "tabular" => &["features", "missing", "categorical", "extracted_from"],
        "graph" => &["nodes", "edges", "node_features", "level"],
        "point_cloud" => &["points", "dims"],
        "embedding" => &["dim", "source"],
        _ => &[],
    };
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|f| match plan.field(m, f).map(|v| &v.val) {
            // a list of column descriptions reads as its length
            Some(crate::plan::Val::List(items)) if !items.is_empty() && written(plan, sources, m, f)?.len() > 24 => {
                Some(format!("{f} ×{}", items.len()))
            }
            _ => written(plan, sources, m, f).map(|v| format!("{f} {v}")),
        })
        .collect();
    if parts.is_empty() {
        format!("{kind}, not described further")
    } else {
        format!("{kind}: {}", parts.join(", "))
    }
}

/// What a representation of a raw form keeps and discards.
fn structure(plan: &Plan, m: EntityId, kind: &str, rep: &str, backbone: Option<EntityId>) -> (String, String) {
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    if rep == "pretrained" {
        let Some(b) = backbone else {
            return s("the features of a pretrained backbone", "what the backbone was not trained to see");
        };
        let bname = plan.entity(b).name.clone();
        let bdomain = enum_word(plan, b, "domain").unwrap_or_else(|| "natural".into());
        let mdomain = enum_word(plan, m, "domain");
        let corpus = enum_word(plan, b, "pretrained_on").map(|c| format!(" pretrained on `{c}`")).unwrap_or_default();
        let mut keeps = match kind {
            "image" | "volume" => {
                format!("the spatial layout, through `{bname}`'s receptive fields, and features{corpus}")
            }
            "video" => format!("appearance and motion within `{bname}`'s clip{corpus}"),
            "audio" => format!("the time–frequency structure `{bname}` learned{corpus}"),
            "text" => format!("word order and context, through `{bname}`{corpus}"),
            "timeseries" => format!("temporal patterns `{bname}` learned{corpus}"),
            "sequence" => format!("residue order and the context `{bname}` learned{corpus}"),
            _ => format!("the features of `{bname}`{corpus}"),
        };
        let mut lost = Vec::new();
        // `natural` (images) and `general` (text) both mean "no special domain"
        let plain = |d: &str| matches!(d, "natural" | "general");
        if let Some(md) = mdomain.as_ref().filter(|d| **d != bdomain && !(plain(d) && plain(&bdomain))) {
            lost.push(if kind == "text" && plain(&bdomain) {
                format!("nothing by itself, but `{bname}` was pretrained on general text: `{md}` vocabulary and conventions are covered only as far as its corpus held them")
            } else {
                format!(
                    "nothing by itself, but `{bname}` learned on `{bdomain}` data and this input is `{md}`: how much transfers must be measured, against a `{md}` backbone if one exists"
                )
            });
        } else if mdomain.is_some() {
            keeps.push_str(&format!(" in the input's own domain (`{bdomain}`)"));
        }
        if matches!(kind, "image" | "volume") {
            let raw = super::shape(plan, m, "raw");
            let input = super::shape(plan, m, "input");
            let native = super::shape(plan, b, "input");
            if let (Some(r), Some(n)) = (
                raw.as_ref().and_then(|r| r.last().copied().flatten()),
                native.as_ref().and_then(|n| n.last().copied().flatten()),
            ) {
                if r > n {
                    lost.push(format!("{} of its {r} channels are beyond the backbone's {n}", r - n));
                }
            }
            if let (Some(r), Some(i)) = (raw.as_ref(), input.as_ref()) {
                if let (Some(Some(rh)), Some(Some(ih))) = (r.first(), i.first()) {
                    let factor = rh / ih;
                    if *ih > 0.0 && factor >= 1.5 {
                        lost.push(format!("detail finer than about {factor:.0} raw pixels (downsampled {factor:.1}×)"));
                    }
                }
            }
            if kind == "volume" && plan.num(m, "slices").is_some() {
                lost.push("context across slices, unless the slices are aggregated".into());
            }
        }
        if kind == "text" {
            if let (Some(max), Some(p95)) =
                (plan.num(b, "max_len"), plan.num(m, "tokens_p95").or(plan.num(m, "tokens")))
            {
                if p95 > max {
                    lost.push(format!("text beyond {} tokens (the longest 5 % run to {})", max as u64, p95 as u64));
                }
            }
        }
        if kind == "video"
            && matches!(
                plan.field(m, "sampling")
                    .and_then(|v| plan.member(v, "strategy"))
                    .and_then(|v| plan.variant_of(v))
                    .map(|x| x.0),
                Some("keyframes")
            )
        {
            lost.push("motion between the sampled keyframes".into());
        }
        let discards = if lost.is_empty() {
            "little the plan can show: check the domain gap on held-out data".to_string()
        } else {
            lost.join("; ")
        };
        return (keeps, discards);
    }
    match (kind, rep) {
        ("image" | "volume", "raw" | "standardize" | "normalize") => s(
            "every pixel and its spatial layout",
            "nothing, but a network must learn every feature from this dataset alone",
        ),
        ("image" | "volume", "flatten") => s(
            "pixel values",
            "the spatial layout: neighbouring pixels become unrelated inputs and nothing is shared across positions",
        ),
        ("image" | "volume", "pca") => s(
            "the few directions of largest pixel variance (global brightness, pose)",
            "local texture, edges and small structures, and spatial locality",
        ),
        ("image" | "volume", "summary_stats") => {
            s("global intensity statistics", "all spatial structure: shape, texture and position")
        }
        ("image" | "volume", "handcrafted") => s(
            "what the chosen features measure (radiomics, colour, texture)",
            "every pattern the features do not encode",
        ),
        ("image" | "volume", "wavelet") => {
            s("edges and texture at several scales", "little, if the coefficients keep their layout")
        }
        ("video", "raw" | "standardize" | "normalize") => s("appearance and motion", "nothing; motion must be learned"),
        ("video", _) => s("per-frame content", "motion and temporal order"),
        ("audio", "raw" | "standardize" | "normalize") => s("the whole waveform, phase included", "nothing"),
        ("audio", "spectrogram") => s("energy over time and frequency", "phase, and detail finer than the window"),
        ("audio", "summary_stats" | "handcrafted") => {
            s("clip-level statistics (MFCC means, loudness)", "the order of events within the clip")
        }
        ("timeseries", "raw" | "standardize" | "normalize") => {
            s("every sample in order", "nothing; scale is shared across channels only if standardised per channel")
        }
        ("timeseries", "summary_stats") => {
            s("moments per window (mean, variance, range)", "temporal order and waveform shape")
        }
        ("timeseries", "rocket") => s(
            "local shapes at many scales, through random convolution kernels",
            "long-range order beyond the kernels' dilation",
        ),
        ("timeseries", "spectrogram") => {
            s("frequency content over time", "waveform morphology (the shape of one beat or cycle)")
        }
        ("timeseries", "wavelet") => s("frequency content with its timing", "little at the kept scales"),
        ("timeseries", "flatten") => {
            s("sample values at fixed positions", "shift invariance: the same pattern at another time is a new input")
        }
        ("timeseries", "handcrafted") => {
            s("the domain features chosen (heart-rate variability, peaks)", "every pattern the features do not encode")
        }
        ("text", "bow" | "tfidf" | "hashing") => s(
            "which words occur and how often",
            "word order, negation scope and context (\"no evidence of pneumonia\" reads like \"pneumonia\")",
        ),
        ("text", _) => s("the characters as given", "nothing yet; a tokenizer and a model must follow"),
        ("sequence", "one_hot" | "raw") => s("every residue and its position", "nothing; motifs must be learned"),
        ("sequence", "bow" | "tfidf" | "hashing") => s("k-mer counts", "where the motifs sit and their order"),
        ("tabular", "raw" | "standardize" | "normalize" | "one_hot" | "entity_embedding") => {
            s("each feature's identity and value", "nothing (trees need no scaling; linear models and networks do)")
        }
        ("tabular", "pca") => s(
            "the directions of largest variance",
            "feature identity (and with it interpretability) and non-linear structure",
        ),
        ("tabular", _) => s("the engineered columns", "whatever the engineering dropped"),
        ("graph", "raw") => {
            s("nodes, edges and their features", "nothing; a graph network keeps permutation invariance")
        }
        ("graph", _) => s("node or graph summaries", "the topology: who connects to whom"),
        ("point_cloud", "raw" | "standardize" | "normalize") => {
            s("every point", "nothing, if the network is permutation invariant")
        }
        ("point_cloud", _) => s(
            "point coordinates in an arbitrary order",
            "permutation invariance: the same shape in another order is a new input",
        ),
        ("embedding", _) => {
            s("what the model that produced the vectors encoded", "anything it did not, and the chance to fine-tune it")
        }
        (_, _) => s("what the representation computes", "not assessed for this combination"),
    }
}

/// Representations that keep what this one throws away, for the lossy ones.
fn representation_alternatives(kind: &str, rep: &str) -> Option<&'static str> {
    Some(match (kind, rep) {
        ("image" | "volume", "flatten" | "pca" | "summary_stats") => {
            "keep the layout: a small CNN on the pixels, or a pretrained backbone's features with a linear head"
        }
        ("text", "bow" | "tfidf" | "hashing") => {
            "keep word order and negation: a pretrained text encoder, frozen with a linear head first, fine-tuned if that helps (keep TF-IDF as the baseline)"
        }
        ("timeseries", "summary_stats") => {
            "keep the order: MiniRocket features, or trend, recency and change features (slope over the last weeks, time since the last event); a 1-D CNN or GRU on the raw series when the data allow"
        }
        ("timeseries", "flatten") => "a 1-D CNN or MiniRocket, which find a pattern wherever it occurs",
        ("audio", "summary_stats" | "handcrafted") => "a log-mel spectrogram with a small CNN, or a pretrained audio encoder",
        ("sequence", "bow" | "tfidf" | "hashing") => "one-hot residues with a CNN, or a pretrained protein or DNA language model",
        ("graph", r) if r != "raw" => "a graph network over the nodes and edges",
        ("point_cloud", r) if !matches!(r, "raw" | "standardize" | "normalize") => {
            "a permutation-invariant network (PointNet, Deep Sets) on the raw points"
        }
        ("tabular", "pca") => "the original columns: trees handle correlated features and keep them interpretable",
        _ => return None,
    })
}

/// Catalog backbones of the same modality, in the input's domain first, smallest first.
/// The smallest memory a model that reads modality `m` is deployed to: flash on a
/// microcontroller, else RAM. A backbone that cannot fit it is no alternative.
fn deploy_limit(plan: &Plan, m: EntityId) -> Option<f64> {
    plan.refs(m, "consumers")
        .into_iter()
        .filter_map(|model| plan.named("deploy", &plan.entity(model).name))
        .filter_map(|d| plan.ref_of(d, "device"))
        .filter_map(|dev| plan.num(dev, "flash").or_else(|| plan.num(dev, "memory")))
        .reduce(f64::min)
}

/// What the map needs of a catalog backbone, read once per report.
pub struct Known {
    modality: String,
    domain: String,
    params: f64,
    /// `` `name` (domain, corpus, size) ``
    text: String,
}

fn known_backbones(plan: &Plan) -> Vec<(EntityId, Known)> {
    plan.ids_of("backbone")
        .into_iter()
        .map(|b| {
            let domain = enum_word(plan, b, "domain").unwrap_or_else(|| "natural".into());
            let params = plan.num(b, "params").unwrap_or(f64::MAX);
            let corpus = enum_word(plan, b, "pretrained_on").map(|c| format!(", {c}")).unwrap_or_default();
            let size = if params < f64::MAX {
                format!(", {}", crate::cost::range::Measure::Count.show(params))
            } else {
                String::new()
            };
            let text = format!("`{}` ({domain}{corpus}{size})", plan.entity(b).name);
            (b, Known { modality: enum_word(plan, b, "modality").unwrap_or_default(), domain, params, text })
        })
        .collect()
}

fn catalog_alternatives(
    plan: &Plan,
    backbones: &[(EntityId, Known)],
    m: EntityId,
    kind: &str,
    domain: Option<&str>,
    current: Option<EntityId>,
) -> Vec<String> {
    let limit = deploy_limit(plan, m);
    let plain = |d: &str| matches!(d, "natural" | "general");
    let mut found: Vec<&Known> = backbones
        .iter()
        .filter(|(b, k)| Some(*b) != current && k.modality == kind)
        .map(|(_, k)| k)
        .filter(|k| domain.is_none_or(|d| d == k.domain || (plain(d) && plain(&k.domain))))
        // at one byte per weight (int8), it must fit where the model ships
        .filter(|k| !limit.is_some_and(|l| k.params > l))
        .collect();
    found.sort_by(|a, b| a.params.total_cmp(&b.params));
    found.into_iter().take(3).map(|k| k.text.clone()).collect()
}

pub fn map(plan: &Plan, sources: &SourceMap, options: &dyn Fn(&str) -> Vec<String>) -> Vec<Entry> {
    let mut out = Vec::new();
    let backbones = known_backbones(plan);
    for (m, e) in plan.user_entities().filter(|(_, e)| plan.schema.kind(e.kind).name == "modality") {
        let kind = crate::emit::text::variant_name(plan, m).unwrap_or_default().to_string();
        let (rep, backbone) = match plan.variant(m, "representation") {
            Some(("pretrained", crate::plan::Payload::Args(a))) => (
                "pretrained".to_string(),
                a.first().and_then(|v| match v.val {
                    crate::plan::Val::Ref(id) => Some(id),
                    _ => None,
                }),
            ),
            Some((r, _)) => (r.to_string(), None),
            None => ("unknown".to_string(), None),
        };
        let (keeps, discards) = structure(plan, m, &kind, &rep, backbone);
        let domain = enum_word(plan, m, "domain");
        let mut alternatives = options(&e.name);
        if let Some(a) = representation_alternatives(&kind, &rep) {
            alternatives.push(a.to_string());
        }
        let cat = catalog_alternatives(plan, &backbones, m, &kind, domain.as_deref(), backbone);
        if !cat.is_empty() && !matches!(kind.as_str(), "tabular") {
            alternatives.push(format!("pretrained in the catalog: {}", cat.join(", ")));
        }
        out.push(Entry {
            name: e.name.as_str().to_owned(),
            kind: kind.clone(),
            dataset: plan.ref_of(m, "from").map(|d| plan.entity(d).name.as_str().to_owned()),
            raw: raw_form(plan, sources, m, &kind),
            representation: written(plan, sources, m, "representation").unwrap_or_else(|| rep.clone()),
            keeps,
            discards,
            alternatives,
        });
    }
    out
}
