//! The cost model: the Complexity Budget of every model — parameters, forward and
//! training FLOPs, device-hours and money, training and inference memory, latency and
//! throughput on the deploy device — each an interval with the terms that make it up, the
//! assumptions that set its bounds, and the inputs that would tighten it.
//!
//! Pure functions over the checked plan and the catalog: the Rust code holds the formulas
//! (each citing its source), `stdlib/catalog/` every constant (efficiency ranges, bytes per
//! value and per optimiser state, runtime overheads, tail factors), so a plan can replace a
//! constant by declaring an entry of the same name.
//!
//! * `range.rs`: interval arithmetic and display, in one place;
//! * `catalog.rs`: typed reads of backbones, devices, network classes, runtimes;
//! * `network.rs`: a model as parts (backbones with their tuning, custom layers, the head);
//! * `params.rs`, `flops.rs`: parameter counts and FLOPs;
//! * `time.rs`: training compute, device-hours, wall-clock;
//! * `memory.rs`: training and inference memory;
//! * `latency.rs`: the roofline latency, its tail, throughput and replicas;
//! * `money.rs`: the project's device-hours and cost over seeds and search trials.
//!
//! `derive` calls [`run`] last, after the relational fields it reads.
//!
//! **Words on demand.** [`run`] computes the values only: the words of an estimate (its
//! terms' details, its assumptions, its `basis`) are what most of the model's time went to,
//! and `check` shows them only where a finding explains an estimate. [`Ledger::words`]
//! computes a declaration's estimates again, with their words, the first time an output
//! reads them; the model is pure, so the values are the same. Text that decides something
//! — the inputs an estimate lacks (`missing`), part labels — is always written.

/// `format!` where the estimates being computed are put in words, an empty string where
/// only their values are (see [`words`]).
macro_rules! words {
    ($($t:tt)*) => {
        if $crate::cost::words() { format!($($t)*) } else { String::new() }
    };
}

pub mod budget;
pub mod catalog;
mod flops;
mod latency;
mod memory;
mod money;
pub mod network;
mod params;
pub mod range;
mod time;

use crate::plan::{EntityId, Plan, Val, Value};
use range::{Measure, Range};
use serde::Serialize;

thread_local! {
    /// Whether the estimates this thread computes are put in words (the default) or
    /// carry their values only ([`run`]).
    static WORDS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Whether the estimates being computed on this thread are put in words.
pub(crate) fn words() -> bool {
    WORDS.with(|w| w.get())
}

/// Runs `f` with the words of estimates on or off on this thread.
fn with_words<T>(on: bool, f: impl FnOnce() -> T) -> T {
    let before = WORDS.with(|w| w.replace(on));
    let out = f();
    WORDS.with(|w| w.set(before));
    out
}

/// One additive part of an estimate: `weights 136 KB (136k params × 1 B at int8)`.
#[derive(Clone, Debug, Serialize)]
pub struct Term {
    pub label: String,
    pub value: Range,
    pub detail: String,
}

/// An estimate with everything behind it.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    pub measure: Measure,
    /// `None` when a key input is missing (see `missing`)
    pub value: Option<Range>,
    pub terms: Vec<Term>,
    /// what sets the bounds, each with its source
    pub assumptions: Vec<String>,
    /// inputs the plan does not give that the estimate needs or would tighten
    pub missing: Vec<String>,
    /// the dominant assumption, short, for messages
    pub basis: Option<String>,
}

impl Estimate {
    pub fn new(measure: Measure) -> Estimate {
        Estimate { measure, value: None, terms: Vec::new(), assumptions: Vec::new(), missing: Vec::new(), basis: None }
    }

    pub fn term(&mut self, label: impl Into<String>, value: Range, detail: impl Into<String>) {
        self.terms.push(Term { label: label.into(), value, detail: detail.into() });
    }

    /// The value as the sum of the terms.
    pub fn from_terms(mut self) -> Estimate {
        self.value = Some(Range::sum(self.terms.iter().map(|t| t.value)));
        self
    }

    pub fn assume(&mut self, a: impl Into<String>) {
        if !words() {
            return;
        }
        let a = a.into();
        if !self.assumptions.contains(&a) {
            self.assumptions.push(a);
        }
    }

    pub fn lack(&mut self, m: impl Into<String>) {
        let m = m.into();
        if !self.missing.contains(&m) {
            self.missing.push(m);
        }
    }

    /// The value in words: `340–410 KB`.
    pub fn show(&self) -> String {
        self.value.map_or_else(|| "not estimated".into(), |v| self.measure.show_range(v))
    }

    /// The lines a diagnostic note or a report shows: the terms, then the assumptions.
    pub fn explain(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.terms.is_empty() {
            let parts: Vec<String> = self
                .terms
                .iter()
                .map(|t| {
                    let v = self.measure.show_range(t.value);
                    if t.detail.is_empty() {
                        crate::units::cat(t.label.clone(), &[" ", &v])
                    } else {
                        crate::units::cat(t.label.clone(), &[" ", &v, " (", &t.detail, ")"])
                    }
                })
                .collect();
            out.push(parts.join(" + "));
        }
        out.extend(self.assumptions.iter().map(|a| crate::units::cat("assumes ".into(), &[a])));
        out.extend(self.missing.iter().map(|m| crate::units::cat("not known: ".into(), &[m])));
        out
    }
}

/// The declaration whose estimates one call of the model computes together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Job {
    Model(EntityId),
    Train(EntityId),
    Deploy(EntityId),
    Compute(EntityId),
}

/// Every estimate of the plan, keyed by declaration and field, in the order computed —
/// values only, as [`run`] computes them; [`Ledger::words`] gives them with their words.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    entries: Vec<((EntityId, &'static str), Estimate, Job)>,
    index: crate::fasthash::FastMap<(EntityId, &'static str), usize>,
    /// the fields the model writes, by name: a field asked for by a name read from a rule
    /// is looked up as the model spells it
    fields: crate::fasthash::FastSet<&'static str>,
    /// each job's estimates with their words, computed on first read
    worded: crate::fasthash::FastMap<Job, std::sync::OnceLock<Vec<(&'static str, Estimate)>>>,
}

impl Ledger {
    /// An estimate's value, range ends and missing inputs; its terms' details, assumptions
    /// and basis may be empty (see [`Ledger::words`]).
    pub fn get(&self, id: EntityId, field: &str) -> Option<&Estimate> {
        self.at(id, field).map(|i| &self.entries[i].1)
    }

    fn at(&self, id: EntityId, field: &str) -> Option<usize> {
        let field: &'static str = self.fields.get(field)?;
        self.index.get(&(id, field)).copied()
    }

    /// The estimate with its words: computed again for its declaration the first time one
    /// of that declaration's estimates is read this way, then kept.
    pub fn words(&self, plan: &Plan, id: EntityId, field: &str) -> Option<&Estimate> {
        let i = self.at(id, field)?;
        let job = self.entries[i].2;
        let all = self.worded.get(&job)?.get_or_init(|| with_words(true, || self.compute(plan, job)));
        all.iter().find(|(f, _)| *f == field).map(|(_, e)| e)
    }

    /// Every estimate, values only (see [`Ledger::get`]).
    pub fn iter(&self) -> impl Iterator<Item = (EntityId, &str, &Estimate)> {
        self.entries.iter().map(|((id, f), e, _)| (*id, *f, e))
    }

    fn put(&mut self, id: EntityId, field: &'static str, e: Estimate, job: Job) {
        self.worded.entry(job).or_default();
        self.fields.insert(field);
        let key = (id, field);
        match self.index.get(&key) {
            Some(&i) => self.entries[i] = (key, e, job),
            None => {
                self.index.insert(key, self.entries.len());
                self.entries.push((key, e, job));
            }
        }
    }

    /// One job's estimates, as [`run`] computes them (with the words on or off as the
    /// thread has them).
    fn compute(&self, plan: &Plan, job: Job) -> Vec<(&'static str, Estimate)> {
        let net_of = |x: EntityId| plan.ref_of(x, "model").map(|m| network::read(plan, m));
        match job {
            Job::Model(m) => model_estimates(&network::read(plan, m)),
            Job::Train(t) => train_estimates(plan, t, net_of(t).as_ref()),
            Job::Deploy(d) => deploy_estimates(plan, d, net_of(d).as_ref()),
            Job::Compute(c) => money::estimates(plan, c),
        }
    }
}

fn train_estimates(plan: &Plan, t: EntityId, net: Option<&network::Network>) -> Vec<(&'static str, Estimate)> {
    let Some(net) = net else { return Vec::new() };
    let mut out = time::estimates(plan, t, net);
    out.push(("train_memory", memory::training(plan, t, net)));
    out
}

fn deploy_estimates(plan: &Plan, d: EntityId, net: Option<&network::Network>) -> Vec<(&'static str, Estimate)> {
    let Some(net) = net else { return Vec::new() };
    let mut out = memory::inference(plan, d, net);
    out.extend(latency::estimates(plan, d, net));
    out
}

/// Records an estimate and writes its value into the derived field.
fn record(plan: &mut Plan, id: EntityId, field: &'static str, e: Estimate, job: Job) {
    if let Some(v) = e.value {
        let val = |x: f64| match e.measure.dim() {
            Some(d) => Val::Quantity(d, x),
            None => Val::Real(x),
        };
        plan.set_derived(
            id,
            field,
            Val::Estimate(Box::new(Value::derived(val(v.lo))), Box::new(Value::derived(val(v.hi)))),
        );
    }
    plan.costs.put(id, field, e, job);
}

/// Computes every estimate of the plan.
///
/// The estimates of models, trains and deploys read the plan and the networks only, so a
/// large plan computes them on two threads ([`crate::parallel::map`]) and records them in
/// declaration order; money reads the trains' device-hours and comes after.
pub fn run(plan: &mut Plan) {
    // below this many models, trains and deploys one thread is faster
    const PARALLEL_FROM: usize = 96;
    let models = plan.ids_of("model");
    let nets: Vec<network::Network> =
        crate::parallel::map(&models, PARALLEL_FROM, |&m| with_words(false, || network::read(plan, m)));
    let by_model: crate::fasthash::FastMap<EntityId, &network::Network> = models.iter().copied().zip(&nets).collect();
    let jobs: Vec<Job> = models
        .iter()
        .copied()
        .map(Job::Model)
        .chain(plan.ids_of("train").into_iter().map(Job::Train))
        .chain(plan.ids_of("deploy").into_iter().map(Job::Deploy))
        .collect();
    let shared: &Plan = plan;
    let done = crate::parallel::map(&jobs, PARALLEL_FROM, |&job| -> Vec<(EntityId, &'static str, Estimate, Job)> {
        let plan = shared;
        let net_of = |x: EntityId| plan.ref_of(x, "model").and_then(|m| by_model.get(&m).copied());
        let (id, out) = with_words(false, || match job {
            Job::Model(m) => (m, model_estimates(by_model[&m])),
            Job::Train(t) => (t, train_estimates(plan, t, net_of(t))),
            Job::Deploy(d) => (d, deploy_estimates(plan, d, net_of(d))),
            Job::Compute(c) => (c, money::estimates(plan, c)),
        });
        out.into_iter().map(|(f, e)| (id, f, e, job)).collect()
    });
    let count: usize = done.iter().map(Vec::len).sum();
    plan.costs.entries.reserve_exact(count);
    plan.costs.index.reserve(count);
    for (id, field, e, job) in done.into_iter().flatten() {
        record(plan, id, field, e, job);
    }
    for c in plan.ids_of("compute") {
        for (field, e) in with_words(false, || money::estimates(plan, c)) {
            record(plan, c, field, e, Job::Compute(c));
        }
    }
}

fn model_estimates(net: &network::Network) -> Vec<(&'static str, Estimate)> {
    let mut total = Estimate::new(Measure::Count);
    let mut trainable = Estimate::new(Measure::Count);
    let mut fwd = Estimate::new(Measure::Flop);
    for e in [&mut total, &mut trainable, &mut fwd] {
        if let Some(c) = &net.classical {
            e.lack(c.clone());
        }
        e.missing.extend(net.missing.iter().cloned());
        e.assumptions.extend(net.assumptions.iter().cloned());
    }
    if net.classical.is_some() || net.parts.is_empty() {
        return vec![("params_total", total), ("params_trainable", trainable), ("fwd_flops", fwd)];
    }
    for p in &net.parts {
        total.term(p.label.clone(), p.params, "");
        trainable.term(p.label.clone(), p.trainable, "");
        if let Some(f) = p.fwd {
            let per =
                p.tokens.map_or(String::new(), |t| words!("one sequence of {} tokens", Measure::Count.show_range(t)));
            fwd.term(p.label.clone(), f, per);
        }
    }
    total = total.from_terms();
    trainable = trainable.from_terms();
    let fwd_known = net.fwd().is_some();
    fwd = fwd.from_terms();
    if !fwd_known {
        fwd.value = None;
    }
    fwd.assume("FLOP counted as 2 per multiply-accumulate, attention included");
    vec![("params_total", total), ("params_trainable", trainable), ("fwd_flops", fwd)]
}
