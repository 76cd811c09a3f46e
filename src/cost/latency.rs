//! Latency, throughput and replicas on the deploy device.
//!
//! A roofline per part (Williams et al. 2009): the slower of compute
//! (`FLOPs / (peak · efficiency)`) and memory traffic (`bytes / (bandwidth · use)`), and,
//! for small networks at batch 1, the dispatch bound (`kernels · cost per launch`). A
//! decoder answers in a compute-bound prefill over the prompt and a bandwidth-bound step
//! per generated token, each reading every weight and the KV cache. The median becomes the
//! budget's percentile through the runtime's tail factors (cost-model.md: p99/p90 ≈ 1.01 on
//! a dedicated accelerator, far wider on shared CPUs and phones).

use super::catalog::{self, Runtime};
use super::memory;
use super::network::{Network, Part};
use super::range::{self, pct, Measure, Range};
use super::Estimate;
use crate::plan::{EntityId, Plan, Val};

/// The efficiency column of a device class at a batch size.
fn column(class: &str, batch: f64) -> &'static str {
    match class {
        "gpu" if batch <= 8.0 => "gpu_latency",
        "gpu" | "tpu" => "gpu_infer",
        "npu" => "npu_infer",
        "edge_tpu" | "soc" => "edge_infer",
        "mcu" => "mcu_infer",
        _ => "cpu_infer",
    }
}

fn eff(plan: &Plan, p: &Part, class: &str, batch: f64) -> Option<(Range, String)> {
    let c = p.class?;
    let col = column(class, batch);
    let r = catalog::efficiency(plan, c, col)
        .or_else(|| catalog::efficiency(plan, c, if class == "gpu" { "gpu_infer" } else { "cpu_infer" }))?;
    let setting = match col {
        "gpu_latency" => "at batch 1 on a GPU",
        "gpu_infer" => "at large batch",
        "npu_infer" => "on an NPU",
        "edge_infer" => "on an edge accelerator",
        "mcu_infer" => "on a microcontroller",
        _ => "on a CPU",
    };
    Some((r, words!("`{}` networks {setting}", plan.entity(c).name)))
}

/// The percentile of the deploy's latency bound (`p99 < 200ms` → 99).
fn percentile(plan: &Plan, d: EntityId) -> Option<f64> {
    match &plan.field(d, "latency")?.val {
        Val::Bound { percentile, .. } => *percentile,
        _ => None,
    }
}

pub fn estimates(plan: &Plan, d: EntityId, net: &Network) -> Vec<(&'static str, Estimate)> {
    let mut lat = Estimate::new(Measure::Seconds);
    let mut thr = Estimate::new(Measure::PerSecond);
    let mut rep = Estimate::new(Measure::Count);
    let name = plan.entity(d).name.clone();
    if let Some(c) = &net.classical {
        lat.lack(c.clone());
        return vec![("est_latency", lat)];
    }
    let Some(dev) = memory::device(plan, d) else {
        lat.lack(format!("the device `{name}` serves on (`device`)"));
        return vec![("est_latency", lat)];
    };
    let Some(rt) = Runtime::of(plan, &dev.class) else {
        lat.lack(format!("a `runtime {}` entry in the catalog", dev.class));
        return vec![("est_latency", lat)];
    };
    let prec = memory::deploy_precision(plan, d, &mut lat);
    let (peak, note) = dev.peak_at(&prec);
    if let Some(n) = note {
        lat.assume(n);
    }
    if dev.sustained < 1.0 {
        lat.assume(words!(
            "`{}`'s pipeline sustains {} of its peak (`sustained`)",
            dev.name,
            pct(Range::point(dev.sustained))
        ));
    }
    let peak = peak * dev.sustained;
    let peak_label = match (super::words(), dev.sustained < 1.0) {
        (false, _) => String::new(),
        (true, true) => format!("{} sustained", super::range::rate(peak, &prec)),
        (true, false) => super::range::rate(peak, &prec),
    };
    let wb = catalog::bytes_of(plan, &prec).unwrap_or(4.0);
    let batch = plan.num(d, "batch").unwrap_or(1.0).max(1.0);
    let fused = compiled(plan, d);
    if fused {
        lat.assume(
            "a compiled runtime (`export`, or `optimize: [fuse]`/`[compile]`) launches one fused kernel per layer",
        );
    }
    let mut known = true;
    let mut basis = None;
    for p in &net.parts {
        let (time, detail) = match p.backbone.as_ref().filter(|b| b.family == "llm").and_then(|b| b.transformer()) {
            Some(t) => {
                let Some((e, why)) = eff(plan, p, &dev.class, batch.max(16.0)) else {
                    known = false;
                    lat.lack(format!("a network class (`efficiency`) for `{}`", p.label));
                    continue;
                };
                let ctx = memory::context(plan, d, p, &mut lat);
                let prompt = memory::prompt(p);
                let out = plan.num(d, "output_tokens").unwrap_or(1.0);
                let w = memory::weights(std::slice::from_ref(p), wb);
                if let Some(n) = w.note {
                    lat.assume(n);
                }
                let weights = w.streamed;
                let bw = dev.bandwidth.map(|b| rt.bandwidth_use.scale(b));
                let dispatch = match p.class.and_then(|c| dispatch(plan, c, fused, &rt)) {
                    Some((d, why)) => {
                        if let Some(w) = why {
                            lat.assume(w);
                        }
                        d.scale(t.layers)
                    }
                    None => Range::ZERO,
                };
                // prefill: every prompt token through the matrices, compute-bound unless
                // issuing the layers' ops takes longer
                let pre_flops = Range::new(2.0 * t.macs(prompt.lo) * batch, 2.0 * t.macs(prompt.hi) * batch);
                let prefill = (pre_flops / e.scale(peak)).max(dispatch);
                // one decode step: read every weight and the cache; compute 2·P + attention
                let kv_b = memory::kv_bytes(&prec, wb);
                let step_bytes = weights + ctx.scale(t.kv_per_token(kv_b) * batch);
                let step_flops = Range::new(
                    2.0 * t.matmul_params() + 4.0 * t.layers * ctx.lo * t.width,
                    2.0 * t.matmul_params() + 4.0 * t.layers * ctx.hi * t.width,
                )
                .scale(batch);
                // weight-only quantised kernels dequantise on the fly and stream below the
                // 16-bit kernels' bandwidth at small batch
                let dequant = catalog::numeric_field(plan, &prec, "decode_use").unwrap_or(Range::point(1.0));
                if dequant.lo < 1.0 {
                    lat.assume(words!(
                        "{prec} weight-only kernels stream at {} of the 16-bit kernels' bandwidth",
                        pct(dequant)
                    ));
                }
                let mem = match bw {
                    Some(b) => step_bytes / (b * dequant),
                    None => {
                        lat.lack(format!("the memory bandwidth of `{}` (`bandwidth`)", dev.name));
                        Range::ZERO
                    }
                };
                let step = (step_flops / e.scale(peak)).max(mem).max(dispatch);
                basis = Some(match bw {
                    Some(_) => words!(
                        "each generated token reads {} at {} of {}'s {}/s",
                        Measure::Bytes.show_range(step_bytes),
                        pct(rt.bandwidth_use),
                        dev.name,
                        Measure::Bytes.show(dev.bandwidth.unwrap_or(0.0))
                    ),
                    None => words!("{why} of {}", dev.name),
                });
                let total = prefill + step.scale(out);
                (
                    total,
                    words!(
                        "prefill {} + {} tokens × {} per token",
                        Measure::Seconds.show_range(prefill),
                        range::count(out),
                        Measure::Seconds.show_range(step)
                    ),
                )
            }
            None => {
                let Some(fwd) = p.fwd else {
                    known = false;
                    continue;
                };
                if p.backbone.is_none() && p.class.is_none() {
                    // a head or a small custom layer: a kernel per layer, less the one of a
                    // backbone's own classifier, which its catalogued forward cost and layer
                    // count hold and its measured efficiency timed
                    let replaced =
                        net.parts.iter().filter_map(|q| q.backbone.as_ref()).find(|b| b.head_params.is_some());
                    let layers = p.layers.unwrap_or(1.0) - if replaced.is_some() { 1.0 } else { 0.0 };
                    if layers <= 0.0 {
                        if let Some(b) = replaced {
                            lat.assume(words!(
                                "the {} takes the place of `{}`'s own classifier, timed with it",
                                p.label,
                                b.name
                            ));
                        }
                        continue;
                    }
                    (rt.per_layer.scale(layers), "a small dense layer".to_string())
                } else {
                    let Some((e, why)) = eff(plan, p, &dev.class, batch) else {
                        known = false;
                        lat.lack(format!("a network class (`efficiency`) for `{}`", p.label));
                        continue;
                    };
                    let compute = fwd.scale(batch) / e.scale(peak);
                    let weights = p.params.scale(wb);
                    // weights beyond an accelerator's on-chip memory stream in every inference
                    let streamed = match dev.on_chip {
                        Some(on) => Range::new((weights.lo - on).max(0.0), (weights.hi - on).max(0.0)),
                        None => weights,
                    };
                    // activations stay in an accelerator's on-chip memory; elsewhere each
                    // layer writes its output and the next reads it
                    let act_bytes = match dev.on_chip {
                        Some(_) => Range::ZERO,
                        None => p.acts.map_or(Range::ZERO, |a| a.scale(2.0 * wb * batch)),
                    };
                    let mem = dev.bandwidth.map_or(Range::ZERO, |b| (streamed + act_bytes) / rt.bandwidth_use.scale(b));
                    let dispatch = match (p.layers, p.class.and_then(|c| dispatch(plan, c, fused, &rt))) {
                        (Some(l), Some((d, why))) => {
                            if let Some(w) = why {
                                lat.assume(w);
                            }
                            d.scale(l)
                        }
                        _ => Range::ZERO,
                    };
                    let t = compute.max(mem).max(dispatch);
                    let bound = if compute.hi >= mem.hi && compute.hi >= dispatch.hi {
                        "compute"
                    } else if mem.hi >= dispatch.hi {
                        "memory"
                    } else {
                        "dispatch"
                    };
                    basis.get_or_insert_with(|| {
                        words!("{why} reach {} of {}'s {peak_label} {prec} peak; {bound}-bound", pct(e), dev.name,)
                    });
                    (
                        t,
                        words!(
                            "{bound}-bound: {} at {} of {}; memory {}; dispatch {}",
                            Measure::Flop.show_range(fwd.scale(batch)),
                            pct(e),
                            peak_label,
                            Measure::Seconds.show_range(mem),
                            Measure::Seconds.show_range(dispatch)
                        ),
                    )
                }
            }
        };
        lat.term(p.label.clone(), time, detail);
    }
    // the efficiency ranges come from end-to-end timings (timm's benchmark, MLPerf
    // SingleStream, Coral's and the STM32 zoo's tables), which already hold the runtime's
    // fixed cost per inference: it is a floor under a tiny network, not a surcharge
    let parts = Range::sum(lat.terms.iter().map(|t| t.value));
    let top_up = Range::new((rt.overhead.lo - parts.lo).max(0.0), (rt.overhead.hi - parts.hi).max(0.0));
    if top_up.hi > 0.0 {
        lat.term("runtime", top_up, words!("up to the fixed cost per inference, `runtime {}`", dev.class));
    } else {
        lat.assume(words!(
            "the fixed cost per inference ({}, `runtime {}`) is inside the measured efficiencies",
            Measure::Seconds.show_range(rt.overhead),
            dev.class
        ));
    }
    let median = Range::sum(lat.terms.iter().map(|t| t.value));
    let pctl = percentile(plan, d);
    let tail = rt.tail(pctl);
    if let Some(q) = pctl.filter(|q| *q > 50.0) {
        lat.term(
            "tail",
            Range::new(median.lo * (tail.lo - 1.0), median.hi * (tail.hi - 1.0)),
            words!(
                "p{q} is {}× the median, `runtime {}`",
                if tail.lo == tail.hi {
                    super::range::factor(tail.lo)
                } else {
                    format!("{}–{}", super::range::factor(tail.lo), super::range::factor(tail.hi))
                },
                dev.class
            ),
        );
    }
    lat.basis = basis;
    lat.missing.extend(net.missing.iter().cloned());
    lat.assume(words!("batch {batch}"));
    if batch == 1.0 && net.parts.iter().any(|p| p.backbone.as_ref().is_some_and(|b| b.family == "llm")) {
        lat.assume("requests decoded one at a time (`batch: 1`); batched decoding shares each weight read across requests and raises throughput");
    }
    let lat = lat.from_terms();
    let lat = if known { lat } else { Estimate { value: None, ..lat } };
    let mut out = vec![("est_latency", lat.clone())];
    if lat.value.is_none() {
        return out;
    }
    let unknown_batch = matches!(plan.field(d, "batch").map(|v| &v.val), Some(Val::Unknown));
    let per = match bulk(plan, net, &dev, peak).filter(|_| unknown_batch) {
        // batch left open: the device's capacity when the server batches freely
        Some((cap, why)) => {
            thr.term("one device", cap, words!("large batches, compute-bound at {why}"));
            thr.assume("the batch is left open: large batches (MLPerf Offline-style serving)");
            cap
        }
        None => {
            let per = Range::point(batch) / median;
            thr.term("one device", per, words!("batch {batch} per {} median", Measure::Seconds.show_range(median)));
            thr.assumptions = lat.assumptions.clone();
            per
        }
    };
    let thr = thr.from_terms();
    if let Some(q) = plan.num(d, "throughput") {
        let r = (Range::point(q) / per).ceil();
        rep.term(
            "replicas",
            r,
            words!(
                "{}/s ÷ {}/s per device",
                range::count(q),
                Measure::PerSecond.show_range(per).trim_end_matches("/s")
            ),
        );
        rep.assumptions = vec!["requests spread evenly over the replicas".into()];
        out.push(("replicas", rep.from_terms()));
    }
    out.push(("est_throughput", thr));
    out
}

/// Samples per second one device computes at large batch: every part compute-bound at the
/// bulk column of its class (kernel dispatch and weight reads amortised over the batch).
fn bulk(plan: &Plan, net: &Network, dev: &catalog::Device, peak: f64) -> Option<(Range, String)> {
    let mut per_sample = Range::ZERO;
    let mut why = String::new();
    for p in &net.parts {
        let fwd = p.fwd?;
        if p.class.is_none() {
            continue;
        }
        let (e, w) = eff(plan, p, &dev.class, 1024.0)?;
        per_sample = per_sample + fwd / e.scale(peak);
        if why.is_empty() {
            why = words!("{} of {} ({w})", pct(e), super::range::rate(peak, &dev.precision));
        }
    }
    (per_sample.hi > 0.0).then(|| (Range::point(1.0) / per_sample, why))
}

/// The model is exported to a compiling runtime, or fused or compiled: each layer (with its
/// normalisation and activation) runs as one kernel.
fn compiled(plan: &Plan, d: EntityId) -> bool {
    let optimized = match plan.field(d, "optimize").map(|v| &v.val) {
        Some(Val::List(items)) => {
            items.iter().any(|i| matches!(plan.variant_of(i).map(|v| v.0), Some("fuse" | "compile")))
        }
        _ => false,
    };
    plan.variant(d, "export").is_some() || optimized
}

/// Dispatch time per layer of a network class: its kernels, the fewest when a compiler
/// fuses them, each at the runtime's launch cost; without one, the ops an eager framework
/// issues, where the class counts them, each at the cost of issuing an op from Python.
/// Returns the time and, on the eager path, what it assumes.
fn dispatch(plan: &Plan, class: EntityId, fused: bool, rt: &Runtime) -> Option<(Range, Option<String>)> {
    let k = catalog::range_field(plan, class, "kernels")?;
    if fused {
        return Some((rt.per_layer.scale(k.lo), None));
    }
    match catalog::range_field(plan, class, "eager_kernels") {
        Some(e) => {
            let op = rt.eager_op.unwrap_or(rt.per_layer);
            let why = words!(
                "an eager framework issues {} ops per layer at {} each; a compiled or fused stack (`optimize: [compile]` or `[fuse]`: torch.compile, vLLM, TensorRT-LLM) launches about {}",
                Measure::Count.show_range(e),
                Measure::Seconds.show_range(op),
                range::count(k.lo)
            );
            Some((e * op, Some(why)))
        }
        None => Some((k * rt.per_layer, None)),
    }
}
