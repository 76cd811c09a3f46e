//! Forward and training FLOPs.
//!
//! Convention: FLOP, with one multiply-accumulate = 2 FLOP; attention (`QKᵀ`, `A·V`) is
//! counted. Catalog figures published as MACs are written with the `GMAC` unit, so they
//! arrive here already doubled.

use super::catalog::Backbone;
use super::network::{Input, Tuning};
use super::range::Range;
use crate::plan::Plan;

/// The spatial extent of a shape: every dimension but a trailing channel count.
fn extent(shape: &[f64]) -> f64 {
    let channels = match shape.len() {
        n if n >= 3 => shape[n - 1] <= 16.0,
        2 => shape[1] == 1.0,
        _ => false,
    };
    let dims = if channels { &shape[..shape.len() - 1] } else { shape };
    dims.iter().product()
}

/// How much larger the plan's input is than the backbone's native input (pixels, voxels,
/// frames × pixels), when both are known and comparable.
pub fn area_ratio(bb: &Backbone, input: &Input) -> Option<f64> {
    let native: Vec<f64> = bb.input.as_ref()?.iter().copied().collect::<Option<_>>()?;
    let shape = input.shape.as_ref()?;
    if shape.len() != native.len() {
        return None;
    }
    let mut r = extent(shape) / extent(&native);
    if let (Some(f), 4) = (input.frames, native.len()) {
        r *= f / native[0];
    }
    Some(r)
}

/// Tokens a ViT makes of the plan's image (its native input when the plan states none):
/// `(H/p)·(W/p) + 1` with the class token; a video transformer's space-time patches.
pub fn vit_tokens(bb: &Backbone, input: &Input) -> Option<f64> {
    let p = bb.patch?;
    let native: Vec<f64> = bb.input.as_ref()?.iter().copied().collect::<Option<_>>()?;
    if native.len() == 4 {
        // frames × height × width × channels: (T / tubelet) · (H/p) · (W/p) space-time
        // patches (Tong et al. 2022: 16 × 224² → 1,568), at the model input the plan states,
        // else at the frames it samples and the native size
        let t = bb.tubelet?;
        let stated = input.shape.clone().filter(|s| s.len() == 4 && !input.from_raw);
        let at = stated.clone().unwrap_or_else(|| native.clone());
        let frames = stated.map(|s| s[0]).or(input.frames).unwrap_or(native[0]);
        return Some((frames / t).floor() * (at[1] / p).floor() * (at[2] / p).floor());
    }
    let at = input.shape.clone().filter(|s| s.len() >= 2).unwrap_or(native);
    (at.len() >= 2).then(|| (at[0] / p).floor() * (at[1] / p).floor() + 1.0)
}

/// Forward FLOP of one sample through a backbone at the plan's input.
///
/// * Transformers with known shape: `2 · (P·T + 2·L·T·T'·d)` per sequence of T tokens
///   (catalog.md §3.1; Kaplan et al. 2020), ViT tokens `(H/p)·(W/p) + 1`, calibrated to the
///   published figure at the native input where one exists.
/// * Convolutional networks (and windowed attention): the published figure scaled by the
///   input's area (catalog.md §3.2), valid within ~2× of the native resolution.
/// * Figures per second of audio, per token or per clip: scaled by the input's length.
pub fn forward(
    _plan: &Plan,
    bb: &Backbone,
    input: &Input,
    assumptions: &mut Vec<String>,
    missing: &mut Vec<String>,
) -> Option<Range> {
    if let Some(t) = bb.transformer().filter(|_| bb.window.is_none() || bb.family == "llm") {
        if bb.modality == "image" {
            if let (Some(at), Some(native)) = (vit_tokens(bb, input), vit_tokens(bb, &Input::default())) {
                let formula = 2.0 * t.macs(at);
                // keep the published figure's convention details (patch embedding, head)
                let calib = bb
                    .flops
                    .filter(|_| bb.flops_per == "input")
                    .map(|f| f / (2.0 * t.macs(native)))
                    .filter(|r| (0.7..1.4).contains(r))
                    .unwrap_or(1.0);
                if (at - native).abs() > 0.5 {
                    assumptions.push(words!("`{}` sees {} tokens ({} at its native input)", bb.name, at, native));
                }
                return Some(Range::point(formula * calib));
            }
        } else if bb.family == "llm" || matches!(bb.modality.as_str(), "text" | "sequence" | "timeseries") {
            let Some(tok) = input.tokens else {
                missing.push(format!("the sequence length of the input to `{}` (`tokens`)", bb.name));
                return None;
            };
            return Some(Range::new(2.0 * t.macs(tok.lo), 2.0 * t.macs(tok.hi)));
        }
    }
    let Some(f) = bb.flops else {
        missing.push(format!("the forward cost (`flops`) of backbone `{}`", bb.name));
        return None;
    };
    match bb.flops_per.as_str() {
        "second" => match input.seconds {
            Some(s) => Some(Range::point(f * s)),
            None => {
                missing.push(format!("the length of the audio `{}` reads (`length`)", bb.name));
                None
            }
        },
        "token" => match input.tokens {
            Some(t) => Some(t.scale(f)),
            None => {
                missing.push(format!("the sequence length of the input to `{}` (`tokens`)", bb.name));
                None
            }
        },
        _ => {
            let ratio = area_ratio(bb, input);
            if ratio.is_none() && bb.modality == "image" && input.shape.is_none() {
                assumptions
                    .push(words!("`{}` runs at its native input (the modality states no `input` shape)", bb.name));
            }
            if let Some(r) = ratio.filter(|r| (*r - 1.0).abs() > 1e-6) {
                let at = if input.from_raw { "the raw image, as no `input` size is stated" } else { "the input" };
                assumptions.push(words!(
                    "`{}`'s forward cost scaled ×{} with the area of {at}",
                    bb.name,
                    super::range::factor(r)
                ));
            }
            Some(Range::point(f * ratio.unwrap_or(1.0)))
        }
    }
}

/// Training compute per sample over forward compute, in model FLOPs: forward + backward ≈
/// 1 + 2 for every trained weight (Kaplan et al. 2020); the last k of L blocks `1 + 2k/L`;
/// adapters and LoRA need activation gradients through the frozen base (≈ 1 forward) and
/// almost no weight gradients (Hu et al. 2022 report ~25 % faster than full fine-tuning).
/// Recomputation under activation checkpointing is hardware work, not model FLOPs: it is
/// charged to the run's time (`time.rs`).
pub fn train_multiplier(tuning: &Tuning, layers: Option<f64>) -> Range {
    match tuning {
        Tuning::Scratch | Tuning::Full => Range::point(3.0),
        Tuning::Frozen => Range::point(1.0),
        Tuning::Partial(k) => {
            let share = layers.map_or(Range::new(0.0, 1.0), |l| Range::point((k / l).min(1.0)));
            share.scale(2.0) + Range::point(1.0)
        }
        Tuning::Lora { .. } | Tuning::Adapter(_) => Range::new(2.0, 2.2),
    }
}

/// `8.18 GFLOP` for an assumption line.
pub fn show(x: f64) -> String {
    super::range::Measure::Flop.show(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backbone(name: &str) -> Backbone {
        let c = crate::check_str(crate::STDLIB_ONLY, "");
        let id = c.plan.named("backbone", name).expect("catalogued");
        Backbone::read(&c.plan, id)
    }

    /// VideoMAE ViT-B makes 1,568 tokens of a 16 × 224² clip (Tong et al. 2022), TimeSformer
    /// 8 × 196 of its 8 frames; sampling more frames than the native clip makes more tokens.
    #[test]
    fn video_transformers_count_space_time_patches() {
        let mae = backbone("videomae_vit_b");
        assert_eq!(vit_tokens(&mae, &Input::default()), Some(1568.0));
        assert_eq!(vit_tokens(&backbone("timesformer_base"), &Input::default()), Some(1568.0));
        let sampled = Input { frames: Some(32.0), ..Input::default() };
        assert_eq!(vit_tokens(&mae, &sampled), Some(3136.0));
        let stated = Input { shape: Some(vec![16.0, 112.0, 112.0, 3.0]), ..Input::default() };
        assert_eq!(vit_tokens(&mae, &stated), Some(392.0));
        // an image ViT keeps its class token
        assert_eq!(vit_tokens(&backbone("vit_b_16"), &Input::default()), Some(197.0));
    }
}
