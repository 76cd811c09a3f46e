//! Training and inference memory, term by term.
//!
//! Training, per device (Rajbhandari et al. 2020, ZeRO §3; Korthikanti et al. 2022):
//! trainable weights and gradients in fp32 (mixed precision keeps an fp32 master copy, so
//! 4 + 4 B) plus the optimiser's states; frozen weights at their storage precision;
//! activations kept for the backward pass; the runtime; the allocator's reserve. Sharding
//! (ZeRO stages, FSDP, tensor and pipeline parallelism) divides what it shards by the
//! device count.
//!
//! Inference: weights at the deploy precision, the activations alive at once or the KV
//! cache of a decoder, the runtime; on a microcontroller weights sit in flash and only
//! activations and the runtime in RAM.

use super::catalog::{self, Device, Runtime, Transformer};
use super::network::{Network, Part, Tuning};
use super::range::{self, pct, Measure, Range};
use super::time;
use super::Estimate;
use crate::plan::{EntityId, Plan};

fn half(precision: &str) -> bool {
    matches!(precision, "bf16" | "fp16" | "fp8")
}

/// Bytes per value of a format, 4 when the catalog lacks it.
fn bytes(plan: &Plan, precision: &str) -> f64 {
    catalog::bytes_of(plan, precision).unwrap_or(4.0)
}

/// Bytes of a network's weights at a deploy precision, and the bytes a decoder streams
/// per generated token.
pub struct Weights {
    pub total: Range,
    pub streamed: Range,
    /// what the bounds assume, for an estimate's assumptions
    pub note: Option<String>,
}

/// Weights at `wb` bytes each, with a language model's vocabulary matrices apart:
/// quantisers below 16 bits (bitsandbytes, GPTQ, AWQ, torchao, fbgemm FP8; Dettmers et al.
/// 2022, Frantar et al. 2023) convert the linear layers of the blocks and keep the token
/// embedding at 16 bits, and most keep the output head too; gpt-fast quantises the head.
/// Whether a catalogued model ties its head to the embedding follows from its counts:
/// `(params − L·per_layer) / (vocab·width)` is 1 when tied, 2 when not. Decoding reads the
/// whole head per token but one row of an untied embedding.
pub fn weights(parts: &[Part], wb: f64) -> Weights {
    let mut total = Range::ZERO;
    let mut streamed = Range::ZERO;
    let mut note = None;
    for p in parts {
        let lm = p.backbone.as_ref().filter(|b| b.family == "llm").and_then(|b| b.transformer());
        let (t, v) = match lm.and_then(|t| Some((t, t.vocab?))) {
            Some(x) => x,
            None => {
                total = total + p.params.scale(wb);
                streamed = streamed + p.params.scale(wb);
                continue;
            }
        };
        let e = v * t.width;
        // from the backbone's own count: a part's count holds its adapters too
        let own = p.backbone.as_ref().and_then(|b| b.params).unwrap_or(p.params.lo);
        let matrices = ((own - t.layers * t.per_layer) / e).round().clamp(1.0, 2.0);
        let tied = matrices < 2.0;
        let embed_b = if wb < 2.0 { 2.0 } else { wb };
        // bytes of the blocks and the head, the head quantised (lo) or kept at 16 bits (hi)
        let blocks = Range::new(p.params.lo - matrices * e, p.params.hi - matrices * e);
        let head = match (tied, wb < 2.0) {
            (true, _) => Range::ZERO,
            (false, true) => Range::new(e * wb, e * 2.0),
            (false, false) => Range::point(e * wb),
        };
        let embed = Range::point(e * embed_b);
        total = total + blocks.scale(wb) + head + embed;
        streamed = streamed + blocks.scale(wb) + head + if tied { embed } else { Range::ZERO };
        if wb < 2.0 {
            note = Some(if tied {
                words!("the token embedding ({}, tied to the output head) stays at 16 bits", range::count(e))
            } else {
                words!(
                    "the token embedding ({}) stays at 16 bits, the output head at 16 bits or quantised",
                    range::count(e)
                )
            });
        }
    }
    Weights { total, streamed, note }
}

/// Activation bytes per token per unit of width one transformer layer keeps for the
/// backward pass, at 16-bit: 11 (attention) + 4 (two layer norms) + the feed-forward block
/// (3 + 4·f/d; 2 + 6·f/d when gated). Korthikanti et al. 2022, eq. 2, with fused attention
/// (FlashAttention, PyTorch SDPA), which keeps no T² score matrix.
fn layer_bytes_per_token(t: &Transformer) -> f64 {
    let mlp = if t.gated { 2.0 + 6.0 * t.ffn / t.width } else { 3.0 + 4.0 * t.ffn / t.width };
    (11.0 + 4.0 + mlp) * t.width
}

/// Share of a part's layers that receive gradients (and so keep activations).
fn backward_share(p: &Part) -> Range {
    match p.tuning {
        Tuning::Frozen => Range::ZERO,
        Tuning::Partial(k) => p.layers.map_or(Range::new(0.0, 1.0), |l| Range::point((k / l).min(1.0))),
        _ => Range::point(1.0),
    }
}

/// Activations one sample keeps for the backward pass through a part, in bytes.
fn stored_activations(plan: &Plan, p: &Part, act_bytes: f64, recompute: bool, e: &mut Estimate) -> Range {
    let share = backward_share(p);
    if share.hi == 0.0 {
        return Range::ZERO;
    }
    let scale = act_bytes / 2.0;
    if let Some(bb) = &p.backbone {
        // an unstated length is capped by what the backbone accepts (inputs are truncated
        // to `max_len`), so the estimate stays bounded and says why it is wide
        let capped = || {
            let m = bb.max_len?;
            e.assume(words!(
                "sequence length not stated (`tokens`): anywhere up to `{}`'s max_len of {} tokens",
                bb.name,
                range::count(m)
            ));
            Some(Range::new(1.0, m))
        };
        if let Some((t, tok)) = bb.transformer().and_then(|t| Some((t, p.tokens.or_else(capped)?))) {
            // a batch pads to its longest sequence, and peak memory is reached at the
            // longest batch: with stated lengths that is the long tail (95th percentile
            // or the static padding), with none anywhere up to `max_len`
            let long = p.tokens_long.unwrap_or(tok.hi).max(tok.hi);
            let tokens = if p.tokens.is_some() { Range::point(long) } else { Range::new(tok.lo, long) };
            let per_layer = tokens.scale(layer_bytes_per_token(&t) * scale);
            let mut acts = if recompute {
                // layer inputs only, plus one layer's activations while it is recomputed
                tokens.scale(t.layers * t.width * act_bytes) + per_layer
            } else {
                // fused attention (FlashAttention, SDPA) keeps no T² scores; eager
                // attention keeps softmax input, output and dropout mask, 5·a·T² bytes a
                // layer at 16 bits (Korthikanti et al. 2022, eq. 2); the plan does not say
                // which, so the range spans both
                let scores = Range::new(0.0, 5.0 * t.heads * long * long * scale);
                (per_layer + scores).scale(t.layers) * share
            };
            if t.causal {
                // logits over the vocabulary, and their fp32 copy for the loss
                acts = acts + tokens.scale(t.vocab.unwrap_or(0.0)) * Range::new(4.0, 8.0);
            }
            return acts * Range::new(0.85, 1.1);
        }
        if let Some(a) = p.acts {
            let stored = p.class.and_then(|c| catalog::range_field(plan, c, "stored")).unwrap_or(Range::new(2.0, 3.0));
            return a
                * stored
                * share.scale(act_bytes)
                * if recompute { Range::new(0.3, 0.6) } else { Range::point(1.0) };
        }
        e.lack(match bb.transformer() {
            Some(_) => format!("the sequence length of the input to `{}` (`tokens`)", bb.name),
            None => format!("the activation count (`acts`) or transformer shape of backbone `{}`", bb.name),
        });
        return Range::UNKNOWN;
    }
    custom_activations(p, act_bytes, e)
}

/// The activations of one sample in a part without a catalog backbone: none for a head, a
/// bound for a dense network, and otherwise unknown, with what to declare.
fn custom_activations(p: &Part, act_bytes: f64, e: &mut Estimate) -> Range {
    if p.label.contains(" head ") {
        return Range::ZERO;
    }
    // a custom dense network: L layers of width w hold about sqrt(L · params) values
    if p.fwd.is_some_and(|f| (f.hi - 2.0 * p.params.hi).abs() < 1.0) {
        return Range::new(0.0, 2.0 * act_bytes * (10.0 * p.params.hi).sqrt());
    }
    e.lack(format!(
        "the activations one sample keeps in `{}`: declare the network's shape as a `backbone` with `acts` and name it in `arch`",
        p.label
    ));
    Range::UNKNOWN
}

/// Bytes per frozen weight while training.
fn frozen_bytes(p: &Part, precision: &str) -> (Range, &'static str) {
    match (&p.tuning, half(precision)) {
        (Tuning::Lora { quantized: true, .. }, _) => (Range::new(0.5, 0.55), "4-bit NF4 with block scales (QLoRA)"),
        (Tuning::Lora { .. } | Tuning::Adapter(_), true) => (Range::point(2.0), "the base loaded in 16 bits"),
        (_, true) => (Range::new(2.0, 4.0), "16 or 32 bits as loaded"),
        _ => (Range::point(4.0), "fp32"),
    }
}

/// How much of each class of state one device holds.
struct Sharding {
    weights: f64,
    grads: f64,
    states: f64,
    acts: f64,
    how: Option<String>,
}

fn sharding(plan: &Plan, t: EntityId, n: f64) -> Sharding {
    let all = Sharding { weights: 1.0, grads: 1.0, states: 1.0, acts: 1.0, how: None };
    if n <= 1.0 {
        return all;
    }
    let Some((name, payload)) = plan.variant(t, "distributed") else {
        return Sharding {
            how: Some(words!("no `distributed` strategy: each of {n} devices holds a full replica")),
            ..all
        };
    };
    let stage = match payload {
        crate::plan::Payload::Args(a) => a.first().and_then(|v| v.number()).unwrap_or(3.0),
        _ => 3.0,
    };
    let f = 1.0 / n;
    let s = match name {
        "fsdp" => Sharding { weights: f, grads: f, states: f, acts: 1.0, how: None },
        "zero" if stage >= 3.0 => Sharding { weights: f, grads: f, states: f, acts: 1.0, how: None },
        "zero" if stage >= 2.0 => Sharding { weights: 1.0, grads: f, states: f, acts: 1.0, how: None },
        "zero" => Sharding { weights: 1.0, grads: 1.0, states: f, acts: 1.0, how: None },
        "tensor_parallel" => Sharding { weights: f, grads: f, states: f, acts: f, how: None },
        "pipeline_parallel" => Sharding { weights: f, grads: f, states: f, acts: 1.0, how: None },
        _ => all,
    };
    Sharding { how: Some(words!("`{name}` over {n} devices")), ..s }
}

/// Peak training memory on one device.
pub fn training(plan: &Plan, t: EntityId, net: &Network) -> Estimate {
    let mut e = Estimate::new(Measure::Bytes);
    if let Some(c) = &net.classical {
        e.lack(c.clone());
        return e;
    }
    let name = plan.entity(t).name.clone();
    let hw = time::hardware(plan, t);
    let n = hw.as_ref().map_or(1.0, |h| h.0);
    let (prec, stated) = time::precision(plan, t);
    if !stated {
        e.assume("fp32 training: the plan states no `precision`");
    }
    let act_bytes = if half(&prec) { 2.0 } else { 4.0 };
    let recompute = plan.flag(t, "recompute").unwrap_or(false);
    let opt = plan.variant(t, "optimizer").map(|(o, _)| o.to_string());
    let opt_bytes = match &opt {
        Some(o) => catalog::optimizer_bytes(plan, o).unwrap_or_else(|| {
            e.lack(format!("an `optimizer_state {o}` entry in the catalog"));
            8.0
        }),
        None => {
            e.assume("AdamW's two fp32 moments: the plan states no `optimizer`");
            8.0
        }
    };
    let micro = plan.num(t, "per_device").or_else(|| {
        let b = plan.num(t, "batch")?;
        let accum = plan.num(t, "grad_accum").unwrap_or(1.0).max(1.0);
        Some((b / (n * accum)).ceil().max(1.0))
    });
    let sh = sharding(plan, t, n);
    if let Some(h) = &sh.how {
        e.assume(h.clone());
    }
    let trainable = net.trainable();
    let frozen: Range = net.parts.iter().map(Part::frozen).sum();
    let tcount = if super::words() { Measure::Count.show_range(trainable) } else { String::new() };
    e.term(
        "weights and gradients",
        trainable.scale(8.0 * sh.weights.max(sh.grads)),
        words!("{tcount} trainable params × (4 + 4) B, fp32 master copy"),
    );
    e.term(
        "optimiser states",
        trainable.scale(opt_bytes * sh.states),
        words!("{tcount} × {} B ({})", opt_bytes, opt.as_deref().unwrap_or("adamw")),
    );
    if opt_bytes >= 8.0 {
        // an adaptive step allocates temporaries: PyTorch's single-tensor AdamW one
        // parameter tensor at a time (the largest: an embedding table when it trains),
        // its multi-tensor ("foreach", the CUDA default since 2.0) one fp32 value per
        // trainable parameter (`torch.optim.AdamW` source, `_multi_tensor_adamw`)
        let largest = net
            .parts
            .iter()
            .filter(|p| matches!(p.tuning, Tuning::Full | Tuning::Scratch))
            .filter_map(|p| p.backbone.as_ref()?.transformer())
            .map(|t| (t.vocab.unwrap_or(0.0) * t.width).max(t.width * t.ffn))
            .fold(0.0, f64::max)
            .min(trainable.lo);
        let temps = Range::new(4.0 * largest, 4.0 * trainable.hi).scale(sh.states);
        // a head of a few thousand weights does not need the line
        let so_far: f64 = e.terms.iter().map(|t| t.value.hi).sum();
        if temps.hi > 0.01 * so_far {
            e.term("optimiser step", temps, "temporaries: one parameter tensor (single-tensor AdamW) to one fp32 value per trainable parameter (foreach)");
        }
    }
    if frozen.hi > 0.0 {
        let mut fb = Range::ZERO;
        let mut how = "";
        for p in &net.parts {
            let f = p.frozen();
            let (b, h) = frozen_bytes(p, &prec);
            fb = fb + f * b;
            if f.hi > 0.0 {
                how = h;
            }
        }
        e.term("frozen weights", fb.scale(sh.weights), words!("{} params, {how}", Measure::Count.show_range(frozen)));
    }
    match micro {
        Some(b) => {
            let per_sample: Range =
                net.parts.iter().map(|p| stored_activations(plan, p, act_bytes, recompute, &mut e)).sum();
            let mut detail =
                words!("micro-batch {} × {} per sample", range::count(b), Measure::Bytes.show_range(per_sample));
            if recompute {
                detail.push_str(", activation checkpointing");
            }
            e.term("activations", per_sample.scale(b * sh.acts), detail);
            if net.parts.iter().any(|p| p.tokens.is_some() && backward_share(p).hi > 0.0) {
                e.assume("attention from fused (FlashAttention / PyTorch SDPA: no T² scores kept) to eager (5·heads·T² bytes a layer at 16 bits), Korthikanti et al. 2022, eq. 2");
            }
        }
        None => {
            e.lack(format!("the batch of `{name}` (`batch` or `per_device`)"));
            e.term("activations", Range::UNKNOWN, "batch unknown");
        }
    }
    match hw.as_ref().and_then(|(_, d)| Runtime::of(plan, &d.class).map(|r| (r, d))) {
        Some((rt, d)) => {
            e.term("runtime", rt.memory, words!("{} context and libraries, `runtime {}`", d.name, d.class));
            let sub = Range::sum(e.terms.iter().map(|t| t.value));
            if rt.reserve.hi > 0.0 {
                e.term("allocator reserve", sub * rt.reserve, words!("{} of the above", pct(rt.reserve)));
            }
        }
        None if hw.is_none() => e.lack(format!("the accelerators `{name}` trains on (`hardware`)")),
        None => {}
    }
    e.missing.extend(net.missing.iter().cloned());
    e.basis = Some(words!("{} B per trainable parameter", 8.0 + opt_bytes));
    e.from_terms()
}

/// The deploy precision: as stated, else the training precision if it is 16-bit and the
/// device runs it, else the device's own precision.
pub fn deploy_precision(plan: &Plan, d: EntityId, e: &mut Estimate) -> String {
    if let Some((p, _)) = plan.variant(d, "precision") {
        return p.to_string();
    }
    let trained =
        plan.ref_of(d, "model").and_then(|m| plan.ref_of(m, "train")).and_then(|t| plan.variant(t, "precision"));
    let dev = device(plan, d);
    let runs = |p: &str| dev.as_ref().is_none_or(|dv| dv.peak_at(p).1.is_none());
    let p = match (trained, &dev) {
        (Some((p, _)), _) if half(p) && runs(p) => p.to_string(),
        (_, Some(dv)) if !dv.precision.is_empty() => dv.precision.clone(),
        _ => "fp32".to_string(),
    };
    e.assume(words!("served at {p}: the plan states no deploy `precision`"));
    p
}

/// The deploy device.
pub fn device(plan: &Plan, d: EntityId) -> Option<Device> {
    plan.ref_of(d, "device").map(|id| Device::read(plan, id))
}

/// Bytes per KV-cache value: the serving format for 16- and 32-bit weights; quantised
/// weights keep a 16-bit cache.
pub fn kv_bytes(precision: &str, weight_bytes: f64) -> f64 {
    if half(precision) || precision == "fp32" {
        weight_bytes
    } else {
        2.0
    }
}

/// The prompt's length: the median to the 95th percentile.
pub fn prompt(p: &Part) -> Range {
    p.tokens.map(|t| Range::new(t.lo, p.tokens_long.unwrap_or(t.hi))).unwrap_or(Range::ZERO)
}

/// Context a decoder holds while answering: the prompt (median to 95th percentile) plus
/// the answer; a sliding window caps the cache (Jiang et al. 2023).
pub fn context(plan: &Plan, d: EntityId, p: &Part, e: &mut Estimate) -> Range {
    let prompt = prompt(p);
    let out = plan.num(d, "output_tokens").unwrap_or_else(|| {
        e.lack(format!("the tokens generated per request (`output_tokens` in `deploy {}`)", plan.entity(d).name));
        1.0
    });
    let mut ctx = prompt + Range::point(out);
    if let Some(bb) = &p.backbone {
        if let Some(w) = bb.window.or(bb.max_len) {
            ctx = ctx.min(Range::point(w));
        }
    }
    ctx
}

/// Inference memory (RAM) and, on a microcontroller, flash.
pub fn inference(plan: &Plan, d: EntityId, net: &Network) -> Vec<(&'static str, Estimate)> {
    let mut ram = Estimate::new(Measure::Bytes);
    let mut flash = Estimate::new(Measure::Bytes);
    if let Some(c) = &net.classical {
        ram.lack(c.clone());
        return vec![("infer_memory", ram)];
    }
    let prec = deploy_precision(plan, d, &mut ram);
    let wb = bytes(plan, &prec);
    let batch = plan.num(d, "batch").unwrap_or(1.0).max(1.0);
    let dev = device(plan, d);
    let rt = dev.as_ref().and_then(|dv| Runtime::of(plan, &dv.class));
    let mcu = dev.as_ref().is_some_and(|dv| dv.flash.is_some() || dv.class == "mcu");
    let params = net.params();
    let w = weights(&net.parts, wb);
    let weights = w.total;
    let wdetail = words!("{} params × {wb} B at {prec}", Measure::Count.show_range(params));
    if let Some(n) = w.note {
        ram.assume(n);
    }
    // activations at the serving precision
    let act_b = wb;
    let mut acts = Range::ZERO;
    let mut what = Vec::new();
    for p in &net.parts {
        let Some(bb) = &p.backbone else {
            acts = acts + custom_activations(p, act_b, &mut ram).scale(batch);
            continue;
        };
        if let (Some(t), true) = (bb.transformer(), bb.family == "llm") {
            let kv_b = kv_bytes(&prec, wb);
            let ctx = context(plan, d, p, &mut ram);
            let kv = ctx.scale(t.kv_per_token(kv_b) * batch);
            acts = acts + kv;
            what.push(words!(
                "KV cache {}: {} tokens × {} per token{}",
                Measure::Bytes.show_range(kv),
                Measure::Count.show_range(ctx),
                Measure::Bytes.show(t.kv_per_token(kv_b)),
                if batch > 1.0 { format!(" × batch {batch}") } else { String::new() }
            ));
        } else if let (Some(t), Some(tok)) = (bb.transformer(), p.tokens) {
            let long = p.tokens_long.unwrap_or(tok.hi);
            let live = Range::new(tok.lo, long).scale((3.0 * t.width + t.ffn) * act_b * batch);
            acts = acts + live;
            what.push(words!("{} working set {}", bb.name, Measure::Bytes.show_range(live)));
        } else if let Some(a) = p.peak_acts {
            // the largest input/output pair, give or take: a planner that computes a layer
            // in slices can overlap output with consumed input, while a residual branch kept
            // alive, alignment and kernel scratch (CMSIS-NN's im2col buffers) add to it;
            // X-CUBE-AI's reported activation RAM is 0.73-1.30x the pair on the STM32 model
            // zoo's MobileNet v1 (0.5 at 224: 0.73x; 1.0: 1.13x) and ResNet-8 (1.30x)
            let live = a * Range::new(0.7, 1.4).scale(act_b * batch);
            acts = acts + live;
            what.push(words!(
                "{} live activations {}: 0.7–1.4 × the largest layer pair's {} at {act_b} B",
                bb.name,
                Measure::Bytes.show_range(live),
                range::count(a.hi)
            ));
        } else if let Some(a) = p.acts {
            let share = p.class.and_then(|c| catalog::range_field(plan, c, "live")).unwrap_or(Range::new(0.12, 0.3));
            let live = a * share.scale(act_b * batch);
            acts = acts + live;
            what.push(words!(
                "{} live activations {}: {} of {} at {act_b} B",
                bb.name,
                Measure::Bytes.show_range(live),
                pct(share),
                range::count(a.hi)
            ));
        } else {
            ram.lack(format!("the activation count (`acts`) or transformer shape of backbone `{}`", bb.name));
            acts = acts + Range::UNKNOWN;
        }
    }
    let adetail = what.join(", ");
    if mcu {
        flash.term("weights", weights, wdetail);
        ram.term("activations", acts, adetail);
        // the input tensor lives in the arena by default (TensorFlow Lite Micro's planner,
        // X-CUBE-AI's `--allocate-inputs`), so the largest layer pair already counts it
        ram.assume("the input and output tensors sit in the arena (the default of TFLite Micro and X-CUBE-AI)");
        if let Some(r) = &rt {
            ram.term("runtime", r.memory, "interpreter and arena bookkeeping, `runtime mcu`");
            if let Some(f) = r.flash {
                flash.term("runtime code", f, "interpreter and kernels, `runtime mcu`");
            }
        }
        ram.basis = Some(words!("activations at {prec}, weights in flash"));
        flash.basis = Some(words!("{wb} B per weight at {prec}"));
        flash.assumptions = ram.assumptions.clone();
        let (r, f) = (ram.from_terms(), flash.from_terms());
        return vec![("infer_memory", r), ("infer_flash", f)];
    }
    ram.term("weights", weights, wdetail);
    ram.term("activations", acts, adetail);
    match (&rt, &dev) {
        (Some(r), Some(dv)) => ram.term("runtime", r.memory, format!("`runtime {}`", dv.class)),
        (_, None) => ram.lack(format!("the device `{}` serves on (`device`)", plan.entity(d).name)),
        _ => {}
    }
    ram.missing.extend(net.missing.iter().cloned());
    ram.basis = Some(words!("{wb} B per weight at {prec}"));
    vec![("infer_memory", ram.from_terms())]
}
