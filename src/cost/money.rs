//! The project's device-hours and money: every run of every model, seeds and search
//! trials included, at the plan's price or each device's catalog price.
//!
//! A search of `trials` followed by `seeds` runs of the chosen configuration costs
//! `trials + seeds − 1` runs; repeating every trial over every seed costs `trials × seeds`.
//! The range spans both (the rubric's CP02 counts the product).

use super::range::{self, Measure, Range};
use super::time;
use super::Estimate;
use crate::plan::{EntityId, Plan};

/// Runs of one training plan: search trials and seeds.
pub fn runs(plan: &Plan, t: EntityId) -> Range {
    let seeds = plan.num(t, "seeds").unwrap_or(1.0).max(1.0);
    let trials =
        plan.field(t, "search").and_then(|s| plan.member(s, "trials")).and_then(|v| v.number()).unwrap_or(1.0).max(1.0);
    Range::new(trials + seeds - 1.0, trials * seeds)
}

pub fn estimates(plan: &Plan, c: EntityId) -> Vec<(&'static str, Estimate)> {
    let mut hours = Estimate::new(Measure::Hours);
    let mut cost = Estimate::new(Measure::Usd);
    let price = plan.num(c, "price");
    let mut priced = true;
    for t in plan.ids_of("train") {
        let tname = plan.entity(t).name.clone();
        let Some(dh) = plan.costs.get(t, "gpu_hours").and_then(|e| e.value) else {
            hours.lack(format!("the device-hours of `train {tname}` (see its `gpu_hours`)"));
            cost.lack(format!("the device-hours of `train {tname}`"));
            continue;
        };
        let n = runs(plan, t);
        let all = dh * n;
        let how = words!(
            "{} runs × {}",
            if n.lo == n.hi { range::count(n.lo) } else { format!("{}–{}", range::count(n.lo), range::count(n.hi)) },
            Measure::Hours.show_range(dh)
        );
        hours.term(format!("train {tname}"), all, how.clone());
        let dev = time::hardware(plan, t).map(|h| h.1);
        match price.or(dev.as_ref().and_then(|d| d.cost)) {
            Some(p) => {
                // prices are per hour; device-hours are in seconds
                let usd = all.scale(p / 3600.0);
                let src = if price.is_some() { "the plan's `price`" } else { "catalog on-demand price" };
                cost.term(format!("train {tname}"), usd, words!("{how} at {} USD/h ({src})", range::count(p)));
            }
            None => {
                priced = false;
                cost.lack(format!(
                    "a price per device-hour: `compute.price`, or a `cost` for `{}`",
                    dev.map_or("the device".into(), |d| d.name)
                ));
            }
        }
    }
    if plan.ids_of("train").into_iter().any(|t| runs(plan, t).lo != runs(plan, t).hi) {
        hours.assume("a search then seeds of the chosen setting (trials + seeds − 1 runs) up to every trial over every seed (trials × seeds)");
    }
    cost.assumptions = hours.assumptions.clone();
    let hours = if hours.terms.is_empty() { hours } else { hours.from_terms() };
    let cost = if cost.terms.is_empty() || !priced { cost } else { cost.from_terms() };
    vec![("gpu_hours", hours), ("cost", cost)]
}
