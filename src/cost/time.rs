//! Training compute, device-hours and wall-clock of one run.
//!
//! `train_flops = Σ parts  k · forward · samples`, with k = 3 for trained weights
//! (forward + backward; Kaplan et al. 2020's 6·N·D for language models is the same rule per
//! token), and `device-hours = train_flops / (peak[device, precision] · utilisation)`
//! (catalog.md §6), the utilisation from the network class of the part doing most of the
//! work (catalog.md §5.5–5.6) or the plan's `compute.mfu`.

use super::catalog::{self, Device};
use super::flops;
use super::network::{Network, Tuning};
use super::range::{self, pct, Measure, Range};
use super::Estimate;
use crate::plan::{EntityId, Plan, Val};

/// The accelerators a run uses: how many, and which.
pub fn hardware(plan: &Plan, t: EntityId) -> Option<(f64, Device)> {
    match &plan.field(t, "hardware")?.val {
        Val::Multiple { n, item } => match item.val {
            Val::Ref(d) => Some((*n as f64, Device::read(plan, d))),
            _ => None,
        },
        Val::Ref(d) => Some((1.0, Device::read(plan, *d))),
        _ => None,
    }
}

/// The training precision, `fp32` when the plan states none.
pub fn precision(plan: &Plan, t: EntityId) -> (String, bool) {
    match plan.variant(t, "precision") {
        Some((p, _)) => (p.to_string(), true),
        None => ("fp32".into(), false),
    }
}

/// Samples seen over the run: epochs over the training records, or steps × the global batch.
fn samples(plan: &Plan, t: EntityId, model: EntityId) -> Option<(Range, String)> {
    let n = plan.num(model, "n_train");
    if let (Some(e), Some(n)) = (plan.num(t, "epochs"), n) {
        return Some((Range::point(e * n), words!("{} epochs × {} records", range::count(e), range::count(n))));
    }
    if let (Some(s), Some(b)) = (plan.num(t, "steps"), plan.num(t, "batch")) {
        return Some((Range::point(s * b), words!("{} steps × batch {}", range::count(s), range::count(b))));
    }
    None
}

pub fn estimates(plan: &Plan, t: EntityId, net: &Network) -> Vec<(&'static str, Estimate)> {
    let name = plan.entity(t).name.clone();
    let mut fl = Estimate::new(Measure::Flop);
    let mut hours = Estimate::new(Measure::Hours);
    let mut wall = Estimate::new(Measure::Seconds);
    if let Some(c) = &net.classical {
        for e in [&mut fl, &mut hours, &mut wall] {
            e.lack(format!("{c}; its run time is what the plan states (`wallclock`)"));
        }
        return vec![("train_flops", fl), ("gpu_hours", hours), ("est_wallclock", wall)];
    }
    let Some(model) = plan.ref_of(t, "model") else { return Vec::new() };
    let recompute = plan.flag(t, "recompute").unwrap_or(false);
    let tokens = plan.num(t, "tokens");
    let seen = samples(plan, t, model);
    let epochs = plan.num(t, "epochs");
    let mut known = true;
    for p in &net.parts {
        let Some(fwd) = p.fwd else {
            known = false;
            continue;
        };
        let k = flops::train_multiplier(&p.tuning, p.layers);
        // per token when the run is measured in tokens and the part reads sequences
        let (work, how) = match (tokens, p.tokens) {
            (Some(d), Some(tok)) => {
                let mut per_token = Range::new(fwd.lo / tok.lo, fwd.hi / tok.hi);
                // publications count 2·N per token (Kaplan et al. 2020; Hoffmann et al. 2022),
                // with N every parameter or the matrices only, and attention or not: the
                // range spans the conventions
                if let Some(t) = p.backbone.as_ref().and_then(|b| b.transformer()) {
                    let two_n = 2.0 * t.matmul_params().min(p.params.lo);
                    per_token = Range::new(per_token.lo.min(two_n), per_token.hi.max(2.0 * p.params.hi));
                }
                (
                    per_token * Range::point(d),
                    words!("{} per token × {} tokens", flops::show(per_token.mid()), range::count(d)),
                )
            }
            (Some(d), None) => {
                // a head or a non-sequence part: once per sequence
                match net.parts.iter().find_map(|q| q.tokens) {
                    Some(tok) => (fwd * (Range::point(d) / tok), words!("{} per sequence", flops::show(fwd.mid()))),
                    None => {
                        known = false;
                        continue;
                    }
                }
            }
            (None, _) => match &seen {
                Some((s, how)) => {
                    if p.tuning == Tuning::Frozen {
                        // features computed once and cached, or recomputed every epoch
                        let once = epochs.map_or(Range::point(1.0), |e| Range::new(1.0 / e.max(1.0), 1.0));
                        (
                            fwd * *s * once,
                            words!("{} per sample, {how}; once if features are cached", flops::show(fwd.mid())),
                        )
                    } else {
                        (fwd * *s, words!("{} per sample × {how}", flops::show(fwd.mid())))
                    }
                }
                None => {
                    known = false;
                    continue;
                }
            },
        };
        let kdesc = if k.lo == k.hi { words!("{}", k.lo) } else { words!("{}–{}", k.lo, k.hi) };
        fl.term(p.label.clone(), k * work, words!("{kdesc} × {how}"));
    }
    if tokens.is_none() && seen.is_none() {
        fl.lack(format!("how long `{name}` runs (`epochs`, `steps` with `batch`, or `tokens`)"));
    }
    fl.missing.extend(net.missing.iter().cloned());
    fl.assumptions.extend(net.assumptions.iter().cloned());
    fl.assume("training costs 3 forward passes per sample where weights train (forward + backward, Kaplan et al. 2020), 2–2.2 under LoRA or adapters");
    fl = fl.from_terms();
    if !known || fl.terms.is_empty() {
        fl.value = None;
    }
    // device-hours
    let Some((n, dev)) = hardware(plan, t) else {
        for e in [&mut hours, &mut wall] {
            e.lack(format!("the accelerators `{name}` trains on (`hardware`)"));
        }
        return vec![("train_flops", fl), ("gpu_hours", hours), ("est_wallclock", wall)];
    };
    let (prec, stated) = precision(plan, t);
    let (peak, note) = dev.peak_at(&prec);
    let util = utilisation(plan, net, &dev, &prec);
    for e in [&mut hours, &mut wall] {
        e.terms.clear();
        if !stated {
            e.assume("fp32 training: the plan states no `precision`");
        }
        if let Some(n) = &note {
            e.assume(n.clone());
        }
        match &util {
            Some((u, why)) => {
                e.basis = Some(words!("{} of {}'s {} {prec} peak", pct(*u), dev.name, range::rate(peak, &prec)));
                e.assume(words!("utilisation {} ({why})", pct(*u)));
            }
            None => e.lack(format!("a network class (`efficiency`) for `{name}`'s model, or `compute.mfu`")),
        }
    }
    // recomputation adds up to a third to the hardware's work; utilisations measured on
    // runs that already recomputed (most large-model MFU figures) include it
    let redo = if recompute { Range::new(1.0, 4.0 / 3.0) } else { Range::point(1.0) };
    if recompute {
        hours.assume("activation checkpointing: up to one more forward pass of hardware work");
    }
    if let (Some(f), Some((u, _))) = (fl.value, &util) {
        let rate = u.scale(peak);
        let dh = f * redo / rate;
        hours.value = Some(dh);
        hours.term("compute", dh, words!("{} ÷ ({} × {})", fl.show(), pct(*u), range::rate(peak, &prec)));
        wall.value = Some(dh.scale(1.0 / n));
        wall.term(
            "one run",
            dh.scale(1.0 / n),
            words!("{} device-hours over {n} × {}", Measure::Hours.show_range(dh), dev.name),
        );
        if n > 1.0 {
            wall.assume("linear scaling over the devices (communication is inside the utilisation range)");
        }
    } else if fl.value.is_none() {
        for e in [&mut hours, &mut wall] {
            e.lack("the training compute (see `train_flops`)");
        }
    }
    vec![("train_flops", fl), ("gpu_hours", hours), ("est_wallclock", wall)]
}

/// The achieved fraction of peak in training: the plan's `compute.mfu`, else the network
/// class of the part doing most of the work, in the device's setting.
fn utilisation(plan: &Plan, net: &Network, dev: &Device, precision: &str) -> Option<(Range, String)> {
    if let Some(&c) = plan.of_kind("compute").first() {
        if let Some(m) = plan.num(c, "mfu") {
            return Some((Range::point(m), "the plan's `compute.mfu`".into()));
        }
    }
    let part = net.dominant()?;
    let class = part.class?;
    // half precision on a GPU that predates bf16 trains less efficiently (no bf16 tensor
    // cores, loss scaling, no FlashAttention-2), where the class says by how much
    let legacy = dev.class == "gpu" && matches!(precision, "fp16" | "bf16") && !dev.lists("bf16");
    let column = match dev.class.as_str() {
        "cpu" => "cpu_infer",
        _ if legacy && catalog::efficiency(plan, class, "gpu_train_fp16").is_some() => "gpu_train_fp16",
        _ => "gpu_train",
    };
    let u = catalog::efficiency(plan, class, column)?;
    Some((u, words!("network class `{}`, {column}", plan.entity(class).name)))
}
