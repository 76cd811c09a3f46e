//! Evaluating compiled rules over the checked plan.
//!
//! Absence is a value here: a field left out, declared `none`, missing on the variant at
//! hand, or `unknown`. A comparison with an absent value is false — `!=` and `not in`
//! included — so a rule that wants to flag absence says so with `is none` or `is unknown`.
//! An estimate compares by its whole range: `latency > 50ms` holds when even the low end is
//! above; `.low` and `.high` read the ends.

use super::expr::{Access, IsTest, Slot, TExpr, TKind};
use super::{Binding, Finding, Lazy, Piece, Rule, RuleSet, State};
use crate::diag::Severity;
use crate::plan::{EntityId, Payload, Plan, Progress, Val, Value};
use crate::schema::{EnumId, KindId, RecordId};
use crate::source::FileOrigin;
use crate::syntax::ast::{BinOp, Quant};
use crate::units::cat;
use crate::units::Dim;

/// A value during evaluation, borrowing from the plan.
#[derive(Clone, Debug)]
enum V<'p> {
    Bool(bool),
    /// an `int` (a year, an offset): shown without thousands separators
    Int(i64),
    Num(f64),
    Qty(Dim, f64),
    Progress(Progress, f64),
    Str(&'p str),
    Shape(&'p [Option<u64>]),
    Entity(EntityId),
    Enum(EnumId, u32, &'p Payload),
    Record(RecordId, &'p [Option<Value>]),
    List(Vec<V<'p>>),
    /// a list the plan holds, read in place (its items become values when visited)
    Values(&'p [Value]),
    /// a range or an estimate: its ends, as the plan holds them
    Pair(&'p Value, &'p Value),
    Bound(Option<f64>, &'p Value),
    Multiple(u64, &'p Value),
    Variant(KindId, u32),
    Set(usize),
    Absent,
    Unknown,
    /// a `let` not read yet: its expression, evaluated on the first read of the variable
    /// (a rule's `let`s serve its messages and advice as much as its `when`, and most
    /// bindings never fire), and whether it is a declaration
    Lazy(&'p TExpr, bool),
}

static NO_PAYLOAD: Payload = Payload::None;

/// What a quantifier iterates: a list built during evaluation, or one the plan or the
/// index already holds.
enum Items<'p> {
    Owned(std::vec::IntoIter<V<'p>>),
    Ids(std::slice::Iter<'p, EntityId>),
    Values(std::slice::Iter<'p, Value>),
}

impl<'p> Iterator for Items<'p> {
    type Item = V<'p>;
    fn next(&mut self) -> Option<V<'p>> {
        match self {
            Items::Owned(it) => it.next(),
            Items::Ids(it) => it.next().map(|&id| V::Entity(id)),
            Items::Values(it) => it.next().map(|v| V::of(Some(v))),
        }
    }
}

/// An absent list (a plan that is not there, a field left out) is empty.
fn list_items(v: V<'_>) -> Option<Items<'_>> {
    match v {
        V::List(items) => Some(Items::Owned(items.into_iter())),
        V::Values(items) => Some(Items::Values(items.iter())),
        V::Absent => Some(Items::Owned(Vec::new().into_iter())),
        _ => None,
    }
}

impl<'p> V<'p> {
    fn of(v: Option<&'p Value>) -> V<'p> {
        let Some(v) = v else { return V::Absent };
        match &v.val {
            Val::Bool(b) => V::Bool(*b),
            Val::Int(i) => V::Int(*i),
            Val::Real(x) | Val::Fraction(x) => V::Num(*x),
            Val::Count(c) => V::Num(*c as f64),
            Val::Quantity(d, x) => V::Qty(*d, *x),
            Val::Progress(p, x) => V::Progress(*p, *x),
            Val::Shape(s) => V::Shape(s),
            Val::Str(s) => V::Str(s),
            Val::Range(a, b) | Val::Estimate(a, b) => V::Pair(a, b),
            Val::Bound { percentile, value, .. } => V::Bound(*percentile, value),
            Val::Multiple { n, item } => V::Multiple(*n, item),
            Val::VariantName(k, v) => V::Variant(*k, *v),
            Val::List(items) => V::Values(items),
            Val::Ref(id) => V::Entity(*id),
            Val::Enum { en, variant, payload } => V::Enum(*en, *variant, payload),
            Val::Record { record, fields } => V::Record(*record, fields),
            Val::Unknown | Val::Error => V::Unknown,
            Val::Absent => V::Absent,
        }
    }

    fn missing(&self) -> bool {
        matches!(self, V::Absent | V::Unknown)
    }

    fn truthy(&self) -> bool {
        matches!(self, V::Bool(true))
    }

    /// Two progress values in different units (steps, epochs) compare only through the
    /// steps per epoch, which a value does not know: they are incomparable, except that zero
    /// is zero in both.
    fn incomparable(&self, other: &V) -> bool {
        match (self, other) {
            (V::Progress(a, x), V::Progress(b, y)) => a != b && *x != 0.0 && *y != 0.0,
            _ => false,
        }
    }

    /// The number a comparison reads: numbers, quantities, progress.
    fn scalar(&self) -> Option<f64> {
        match self {
            V::Num(x) | V::Qty(_, x) | V::Progress(_, x) => Some(*x),
            V::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

/// What every rule of one evaluation shares: the declarations of each kind, and who
/// refers to whom (built on first use).
struct Index {
    by_kind: crate::fasthash::FastMap<KindId, Vec<EntityId>>,
    referrers: std::cell::OnceCell<crate::fasthash::FastMap<EntityId, Vec<EntityId>>>,
}

impl Index {
    fn new(plan: &Plan) -> Index {
        // the user's declarations of `Plan::by_kind`: a broken body, or a duplicate the
        // first declaration shadows, is not bound
        let by_kind = plan
            .by_kind
            .iter()
            .map(|(k, ids)| {
                (*k, ids.iter().copied().filter(|&id| plan.entity(id).origin == FileOrigin::User).collect::<Vec<_>>())
            })
            .filter(|(_, ids)| !ids.is_empty())
            .collect();
        Index { by_kind, referrers: std::cell::OnceCell::new() }
    }

    fn of_kind(&self, k: KindId) -> &[EntityId] {
        self.by_kind.get(&k).map_or(&[], Vec::as_slice)
    }

    /// The user's declarations whose written fields (or attachment) refer to `id`.
    fn referrers(&self, plan: &Plan, id: EntityId) -> &[EntityId] {
        let map = self.referrers.get_or_init(|| {
            let mut m: crate::fasthash::FastMap<EntityId, Vec<EntityId>> = Default::default();
            for ids in self.by_kind.values() {
                for &from in ids {
                    let e = plan.entity(from);
                    let mut to: Vec<EntityId> =
                        crate::graph::written_refs(plan, e).into_iter().map(|(t, _, _)| t).chain(e.owner).collect();
                    to.sort_unstable_by_key(|t| t.0);
                    to.dedup();
                    for t in to {
                        m.entry(t).or_default().push(from);
                    }
                }
            }
            for v in m.values_mut() {
                v.sort_unstable_by_key(|t| t.0);
            }
            m
        });
        map.get(&id).map_or(&[], Vec::as_slice)
    }
}

/// Bindings visited and quantifier items read that one rule may cost: a rule whose `for`s
/// multiply into a cartesian product stops here, with a diagnostic, instead of running for
/// minutes.
pub const MAX_STEPS: u64 = 200_000;

struct Eval<'p> {
    plan: &'p Plan,
    index: &'p Index,
    /// work done for this rule; past [`MAX_STEPS`] everything is false and binding stops
    steps: u64,
    env: Vec<V<'p>>,
    /// the bindings after a lazy `let` while it is evaluated (a stack: one `let` can read
    /// another)
    stash: Vec<V<'p>>,
    /// for `for … in` slots bound to written values: where each is written
    places: Vec<Option<Place<'p>>>,
}

/// Where a list element is written: its span, and its field and index
/// (`preprocess[1]`), put into words only for a finding.
type Place<'p> = (crate::source::Span, &'p str, usize);

impl<'p> Eval<'p> {
    /// The value of an expression. The kinds most nodes are (literals, variables, field
    /// reads, operators) are handled here; the rest in [`Eval::eval_rest`], kept out of line
    /// so that this function, entered once per node, stays small.
    fn eval(&mut self, e: &'p TExpr) -> V<'p> {
        match &e.kind {
            TKind::Bool(b) => V::Bool(*b),
            TKind::Num(x) => V::Num(*x),
            TKind::Str(s) => V::Str(s),
            TKind::Var(slot) => self.var(*slot),
            TKind::EnumValue(en, v) => V::Enum(*en, *v, &NO_PAYLOAD),
            TKind::Field(base, access) if !matches!(access, Access::Basis) => {
                let b = self.eval(base);
                self.access(b, access)
            }
            TKind::Binary(op, a, b) => self.binary(*op, a, b),
            _ => self.eval_rest(e),
        }
    }

    #[inline(never)]
    fn eval_rest(&mut self, e: &'p TExpr) -> V<'p> {
        match &e.kind {
            TKind::Quantity(d, x) => V::Qty(*d, *x),
            TKind::Progress(p, x) => V::Progress(*p, *x),
            TKind::Missing { unknown } => {
                if *unknown {
                    V::Unknown
                } else {
                    V::Absent
                }
            }
            TKind::Set(i) => V::Set(*i),
            TKind::List(items) => V::List(items.iter().map(|i| self.eval(i)).collect()),
            TKind::Field(base, Access::Basis) => match self.estimate(base) {
                Some(e) => e.basis.as_deref().map_or(V::Absent, V::Str),
                None => V::Absent,
            },
            // the kinds `eval` handles itself
            TKind::Bool(_)
            | TKind::Num(_)
            | TKind::Str(_)
            | TKind::Var(_)
            | TKind::EnumValue(..)
            | TKind::Field(..)
            | TKind::Binary(..) => self.eval(e),
            TKind::Not(x) => match self.eval(x) {
                V::Bool(b) => V::Bool(!b),
                _ => V::Absent,
            },
            TKind::Neg(x) => match self.eval(x) {
                V::Num(n) => V::Num(-n),
                V::Int(i) => V::Int(-i),
                V::Qty(d, n) => V::Qty(d, -n),
                _ => V::Absent,
            },
            TKind::Is { value, test, negated } => {
                let v = self.eval(value);
                let holds = match test {
                    IsTest::None => matches!(v, V::Absent),
                    IsTest::Unknown => matches!(v, V::Unknown),
                    IsTest::EnumVariant(en, var) => {
                        matches!(v, V::Enum(e, x, _) if e == *en && x == *var)
                    }
                    IsTest::KindVariant(_, var) => match v {
                        V::Entity(id) => self.plan.entity(id).variant == Some(*var),
                        _ => false,
                    },
                };
                if v.missing() && !matches!(test, IsTest::None | IsTest::Unknown) {
                    return V::Bool(false);
                }
                V::Bool(holds != *negated)
            }
            TKind::Quant { quant, slot, source, filter, body, unit } => {
                // an absent list (a plan that is not there, a field left out) is empty
                let Some(items) = self.items(source) else { return V::Absent };
                let mut hits = 0usize;
                let mut acc: Option<V<'p>> = None;
                for item in items {
                    self.steps += 1;
                    if self.steps > MAX_STEPS {
                        return V::Absent;
                    }
                    // a guard runs before the deeper bindings exist: pad up to the slot
                    self.env.resize(*slot, V::Absent);
                    self.env.push(item);
                    if filter.as_ref().is_some_and(|f| !self.eval(f).truthy()) {
                        continue;
                    }
                    let v = self.eval(body);
                    self.env.truncate(*slot);
                    match quant {
                        Quant::Any if v.truthy() => return V::Bool(true),
                        Quant::All if !v.truthy() => return V::Bool(false),
                        Quant::Count => hits += usize::from(v.truthy()),
                        // absent numbers are left out of a sum, a minimum and a maximum
                        Quant::Sum | Quant::Min | Quant::Max if v.scalar().is_some() => {
                            acc = Some(match acc {
                                None => v,
                                Some(a) => fold(*quant, a, v),
                            });
                        }
                        _ => {}
                    }
                }
                self.env.truncate(*slot);
                match quant {
                    Quant::Any => V::Bool(false),
                    Quant::All => V::Bool(true),
                    Quant::Count => V::Num(hits as f64),
                    // the sum of nothing is zero; the minimum of nothing is absent
                    Quant::Sum => acc.unwrap_or(match unit {
                        Some(d) => V::Qty(*d, 0.0),
                        None => V::Num(0.0),
                    }),
                    Quant::Min | Quant::Max => acc.unwrap_or(V::Absent),
                }
            }
            TKind::Abs(x) => match self.eval(x) {
                V::Num(n) => V::Num(n.abs()),
                V::Int(i) => V::Int(i.abs()),
                V::Qty(d, n) => V::Qty(d, n.abs()),
                _ => V::Absent,
            },
            TKind::Round(x) => match self.eval(x) {
                V::Num(n) => V::Num(n.round()),
                V::Int(i) => V::Int(i),
                _ => V::Absent,
            },
            TKind::AllOf(k) => V::List(self.index.of_kind(*k).iter().map(|&id| V::Entity(id)).collect()),
            TKind::Referrers(x, k) => match self.eval(x) {
                V::Entity(id) => V::List(
                    self.index
                        .referrers(self.plan, id)
                        .iter()
                        .filter(|&&r| self.plan.entity(r).kind == *k)
                        .map(|&r| V::Entity(r))
                        .collect(),
                ),
                _ => V::List(Vec::new()),
            },
            TKind::Len(x) => match self.eval(x) {
                V::List(items) => V::Num(items.len() as f64),
                V::Values(items) => V::Num(items.len() as f64),
                V::Absent => V::Num(0.0),
                _ => V::Absent,
            },
        }
    }

    /// The value of environment slot `slot`, a lazy `let` evaluated (once) on this read.
    fn var(&mut self, slot: usize) -> V<'p> {
        match self.env.get(slot) {
            Some(V::Lazy(x, _)) => {
                let x: &'p TExpr = x;
                // the `let` is evaluated as where it was written: its quantifiers use the
                // slots from its own upward, so the later bindings step aside meanwhile
                let base = self.stash.len();
                self.stash.extend(self.env.drain(slot..));
                let v = self.eval(x);
                self.env.truncate(slot);
                self.env.extend(self.stash.drain(base..));
                self.env[slot] = v.clone();
                v
            }
            Some(v) => v.clone(),
            None => V::Absent,
        }
    }

    /// The declaration bound in slot `slot`, if it holds one (a lazy `let` of a
    /// declaration's type is evaluated for it).
    fn entity_at(&mut self, slot: usize) -> Option<EntityId> {
        match self.env.get(slot)? {
            V::Entity(id) => Some(*id),
            V::Lazy(_, true) => match self.var(slot) {
                V::Entity(id) => Some(id),
                _ => None,
            },
            _ => None,
        }
    }

    /// The cost model's record behind an estimate field (`t.train_memory`), with its words.
    fn estimate(&mut self, e: &'p TExpr) -> Option<&'p crate::cost::Estimate> {
        let TKind::Field(base, Access::Field(name, _)) = &e.kind else { return None };
        match self.eval(base) {
            V::Entity(id) => self.plan.costs.words(self.plan, id, name),
            _ => None,
        }
    }

    /// The elements of a list, each with where it is written when it comes straight from a
    /// field of a declaration (`d.preprocess` → `preprocess[0]`, `preprocess[1]`, …).
    fn items_with_places(&mut self, list: &'p TExpr) -> Vec<(V<'p>, Option<Place<'p>>)> {
        if let TKind::Field(base, Access::Field(name, _)) = &list.kind {
            if let V::Entity(id) = self.eval(base) {
                if let Some(Value { val: Val::List(items), .. }) = self.plan.field(id, name) {
                    return items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (V::of(Some(v)), v.origin.span().map(|s| (s, name.as_str(), i))))
                        .collect();
                }
            }
        }
        match self.eval(list) {
            V::List(items) => items.into_iter().map(|v| (v, None)).collect(),
            V::Values(items) => items.iter().map(|v| (V::of(Some(v)), None)).collect(),
            _ => Vec::new(),
        }
    }

    fn access(&self, base: V<'p>, access: &Access) -> V<'p> {
        if let Some(v) = self.field_value(&base, access) {
            return V::of(v);
        }
        match (base, access) {
            (V::Pair(a, _), Access::Low) => V::of(Some(a)),
            (V::Pair(_, b), Access::High) => V::of(Some(b)),
            (V::Bound(_, v), Access::BoundValue) => V::of(Some(v)),
            (V::Bound(p, _), Access::Percentile) => p.map_or(V::Absent, V::Num),
            (V::Multiple(n, _), Access::MultipleN) => V::Num(n as f64),
            (V::Multiple(_, item), Access::MultipleItem) => V::of(Some(item)),
            (V::Unknown, _) => V::Unknown,
            _ => V::Absent,
        }
    }

    /// The plan's value behind a field access on a declaration, a record or an enum
    /// value's payload (`Some(None)`: the field is absent); `None` for any other access.
    fn field_value(&self, base: &V<'p>, access: &Access) -> Option<Option<&'p Value>> {
        let Access::Field(name, slot) = access else { return None };
        let in_record = |r: RecordId, fields: &'p [Option<Value>]| {
            let slot = match slot {
                Some(Slot::Record(of, s)) if *of == r => Some(*s),
                _ => self.plan.schema.record(r).slot_of(name),
            };
            slot.and_then(|s| fields.get(s)).and_then(Option::as_ref)
        };
        Some(match base {
            V::Entity(id) => {
                let e = self.plan.entity(*id);
                match slot {
                    Some(Slot::Kind(k, s)) if *k == e.kind => self.plan.slot(e, *s),
                    Some(Slot::Variant(k, by_variant)) if *k == e.kind => e
                        .variant
                        .and_then(|v| by_variant.get(v as usize).copied().flatten())
                        .and_then(|s| self.plan.slot(e, s)),
                    _ => self.plan.field(*id, name),
                }
            }
            V::Record(r, fields) => in_record(*r, fields),
            &V::Enum(en, var, payload) => match payload {
                Payload::Record(r, fields) => in_record(*r, fields),
                Payload::Args(args) => {
                    if let Some(Slot::Args(of, at)) = slot {
                        if *of == en {
                            return Some(at.get(var as usize).copied().flatten().and_then(|i| args.get(i)));
                        }
                    }
                    let s = &self.plan.schema;
                    let crate::schema::PayloadDef::Args(params) = &s.enum_(en).variants[var as usize].payload else {
                        return Some(None);
                    };
                    let i = params.iter().position(|(t, _)| crate::schema::arg_name(s, t) == *name);
                    i.and_then(|i| args.get(i))
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    /// The items a quantifier runs over, without building a list where the plan holds
    /// them (every declaration of a kind, a list field); `None` when the source is not a
    /// list (the quantifier is then absent).
    fn items(&mut self, source: &'p TExpr) -> Option<Items<'p>> {
        match &source.kind {
            TKind::AllOf(k) => return Some(Items::Ids(self.index.of_kind(*k).iter())),
            TKind::Field(base, access @ Access::Field(..)) => {
                let b = self.eval(base);
                match self.field_value(&b, access) {
                    Some(Some(Value { val: Val::List(items), .. })) => return Some(Items::Values(items.iter())),
                    Some(v) => return list_items(V::of(v)),
                    None => return list_items(self.access(b, access)),
                }
            }
            _ => {}
        }
        list_items(self.eval(source))
    }

    #[inline(never)]
    fn binary(&mut self, op: BinOp, a: &'p TExpr, b: &'p TExpr) -> V<'p> {
        // `x in [a, b, c]` against a written list: compared item by item, no list built
        if let (BinOp::In | BinOp::NotIn, TKind::List(items)) = (op, &b.kind) {
            let x = self.eval(a);
            if x.missing() {
                return V::Bool(false);
            }
            let found = items.iter().any(|i| {
                let y = self.eval(i);
                self.equal(&x, &y)
            });
            return V::Bool(found == (op == BinOp::In));
        }
        match op {
            BinOp::And => V::Bool(self.eval(a).truthy() && self.eval(b).truthy()),
            BinOp::Or => V::Bool(self.eval(a).truthy() || self.eval(b).truthy()),
            _ => {
                let (x, y) = (self.eval(a), self.eval(b));
                if x.incomparable(&y) {
                    return V::Bool(false);
                }
                match op {
                    BinOp::Eq => V::Bool(!x.missing() && !y.missing() && self.equal(&x, &y)),
                    BinOp::Ne => V::Bool(!x.missing() && !y.missing() && !self.equal(&x, &y)),
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => V::Bool(order(op, &x, &y)),
                    BinOp::In => V::Bool(!x.missing() && self.member(&x, &y)),
                    BinOp::NotIn => V::Bool(!x.missing() && !y.missing() && !self.member(&x, &y)),
                    BinOp::Add
                        if matches!(
                            (&x, &y),
                            (V::List(_) | V::Values(_) | V::Absent, V::List(_) | V::Values(_) | V::Absent)
                        ) =>
                    {
                        let mut out: Vec<V<'p>> = Vec::new();
                        let owned = |l: V<'p>| match l {
                            V::List(items) => items,
                            V::Values(items) => items.iter().map(|i| V::of(Some(i))).collect(),
                            _ => Vec::new(),
                        };
                        for v in [x, y].into_iter().flat_map(owned) {
                            if !out.iter().any(|o| self.equal(o, &v)) {
                                out.push(v);
                            }
                        }
                        V::List(out)
                    }
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => arith(op, x, y),
                    _ => V::Absent,
                }
            }
        }
    }

    fn equal(&self, x: &V, y: &V) -> bool {
        match (x, y) {
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::Str(a), V::Str(b)) => a == b,
            (V::Entity(a), V::Entity(b)) => a == b,
            (V::Enum(e1, v1, _), V::Enum(e2, v2, _)) => e1 == e2 && v1 == v2,
            (V::Variant(k1, v1), V::Variant(k2, v2)) => k1 == k2 && v1 == v2,
            (V::Pair(lo, hi), other) | (other, V::Pair(lo, hi)) if other.scalar().is_some() => {
                V::of(Some(lo)).scalar() == other.scalar() && V::of(Some(hi)).scalar() == other.scalar()
            }
            (a, b) => match (a.scalar(), b.scalar()) {
                (Some(p), Some(q)) => (p - q).abs() <= 1e-9 * p.abs().max(q.abs()).max(1.0),
                _ => false,
            },
        }
    }

    fn member(&self, x: &V, y: &V) -> bool {
        match y {
            V::List(items) => items.iter().any(|i| self.equal(x, i)),
            V::Values(items) => items.iter().any(|i| self.equal(x, &V::of(Some(i)))),
            V::Set(i) => match x {
                V::Enum(en, v, _) => {
                    let set = &self.plan.schema.sets[*i];
                    set.en == *en && set.values.contains(v)
                }
                _ => false,
            },
            _ => false,
        }
    }
}

/// One step of `sum`, `min` or `max` over two present numbers of one type.
fn fold<'p>(q: Quant, a: V<'p>, b: V<'p>) -> V<'p> {
    let (Some(x), Some(y)) = (a.scalar(), b.scalar()) else { return a };
    let pick = |keep_a: bool| if keep_a { a.clone() } else { b.clone() };
    match q {
        Quant::Min => pick(x <= y),
        Quant::Max => pick(x >= y),
        _ => match (&a, &b) {
            (V::Qty(d, _), _) => V::Qty(*d, x + y),
            (V::Int(i), V::Int(j)) => V::Int(i + j),
            _ => V::Num(x + y),
        },
    }
}

/// `<`, `<=`, `>`, `>=`; an estimate holds only when its whole range does.
fn order(op: BinOp, x: &V, y: &V) -> bool {
    let cmp = |a: f64, b: f64| match op {
        BinOp::Lt => a < b,
        BinOp::Le => a <= b,
        BinOp::Gt => a > b,
        _ => a >= b,
    };
    let ends = |v: &V| -> Option<(f64, f64)> {
        match v {
            V::Pair(lo, hi) => Some((V::of(Some(lo)).scalar()?, V::of(Some(hi)).scalar()?)),
            other => other.scalar().map(|s| (s, s)),
        }
    };
    let (Some((xl, xh)), Some((yl, yh))) = (ends(x), ends(y)) else {
        return false;
    };
    // the whole of x against the whole of y
    match op {
        BinOp::Lt | BinOp::Le => cmp(xh, yl),
        _ => cmp(xl, yh),
    }
}

fn arith<'p>(op: BinOp, x: V<'p>, y: V<'p>) -> V<'p> {
    let f = |a: f64, b: f64| match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        _ => {
            if b == 0.0 {
                f64::NAN
            } else {
                a / b
            }
        }
    };
    let r = match (&x, &y) {
        // a rate times a time is a count; a count over a rate is a time (and over a time, a rate)
        (V::Qty(Dim::Duration, a), V::Qty(Dim::Frequency, b))
        | (V::Qty(Dim::Frequency, a), V::Qty(Dim::Duration, b))
            if op == BinOp::Mul =>
        {
            V::Num(f(*a, *b))
        }
        (V::Num(a), V::Qty(Dim::Frequency, b)) if op == BinOp::Div => V::Qty(Dim::Duration, f(*a, *b)),
        (V::Num(a), V::Qty(Dim::Duration, b)) if op == BinOp::Div => V::Qty(Dim::Frequency, f(*a, *b)),
        (V::Qty(d, a), V::Qty(_, b)) if op == BinOp::Div => V::Num(f(*a, *b)),
        (V::Qty(d, a), V::Qty(_, b)) => V::Qty(*d, f(*a, *b)),
        (V::Qty(d, a), V::Num(b)) => V::Qty(*d, f(*a, *b)),
        (V::Num(a), V::Qty(d, b)) => V::Qty(*d, f(*a, *b)),
        (V::Num(a), V::Num(b)) => V::Num(f(*a, *b)),
        (V::Int(a), V::Int(b)) if op != BinOp::Div => V::Int(f(*a as f64, *b as f64) as i64),
        (a, b)
            if a.scalar().is_some() && b.scalar().is_some() && !matches!(a, V::Qty(..)) && !matches!(b, V::Qty(..)) =>
        {
            V::Num(f(a.scalar().unwrap_or(0.0), b.scalar().unwrap_or(0.0)))
        }
        _ => V::Absent,
    };
    match r.scalar() {
        Some(n) if n.is_nan() => V::Absent,
        _ => r,
    }
}

/// Runs every rule; findings in rule order, then binding order.
pub fn evaluate(plan: &Plan, rules: &RuleSet) -> Vec<Finding> {
    evaluate_bounded(plan, rules).0
}

/// The findings, and the rules that stopped at [`MAX_STEPS`] (their findings are dropped:
/// a partial answer would look complete).
///
/// Rules are independent, so on a large plan they are split over two threads
/// ([`crate::parallel::map_with`]), each with its own index, and the findings come back in
/// rule order: the output is the same as one thread's.
pub fn evaluate_bounded<'p>(plan: &'p Plan, rules: &'p RuleSet) -> (Vec<Finding>, Vec<usize>) {
    // below this many user declarations a thread costs more than it saves
    const PARALLEL_FROM: usize = 400;
    let large = plan.user_entities().nth(PARALLEL_FROM).is_some();
    let order: Vec<usize> = (0..rules.rules.len()).collect();
    let per_rule = crate::parallel::map_with(
        &order,
        if large { 2 } else { usize::MAX },
        || Index::new(plan),
        |index, &ri| {
            let rule = &rules.rules[ri];
            let mut ev = Eval { plan, index, steps: 0, env: Vec::new(), stash: Vec::new(), places: Vec::new() };
            let g = guards(rule);
            let mut found = Vec::new();
            bind(&mut ev, rule, &g, ri, 0, &mut found);
            (found, ev.steps > MAX_STEPS)
        },
    );
    let mut out = Vec::with_capacity(per_rule.iter().map(|(found, _)| found.len()).sum());
    let mut stopped = Vec::new();
    for (ri, (found, over)) in per_rule.into_iter().enumerate() {
        if over {
            // a partial answer would look complete
            stopped.push(ri);
        } else {
            out.extend(found);
        }
    }
    (out, stopped)
}

/// The conjuncts of `when` by the binding they wait for: `guards[k]` holds those whose
/// deepest variable is binding `k - 1` (`guards[0]`: none), so a nested `for` is entered
/// only for outer bindings that already pass — `for d: dataset, for t: train` with
/// `d.role == unlabeled` visits the trains of unlabelled pools only. A conjunct is decoded
/// the first time a binding reaches it.
fn guards(rule: &Rule) -> Vec<Vec<&Lazy<TExpr>>> {
    let n = rule.bindings.len();
    let mut out: Vec<Vec<&Lazy<TExpr>>> = vec![Vec::new(); n + 1];
    for (level, c) in &rule.when {
        out[(*level).min(n)].push(c);
    }
    out
}

/// `when` split into its conjuncts, each with the binding it waits for (see [`guards`]),
/// worked out once when a rule is compiled: 0 when it reads no binding, k + 1 when the
/// deepest it reads is binding k.
pub(super) fn guard_levels(when: TExpr, bindings: usize) -> Vec<(usize, Lazy<TExpr>)> {
    let mut conj = Vec::new();
    conjuncts(when, &mut conj);
    conj.into_iter().map(|c| (level(&c, bindings), Lazy::ready(c))).collect()
}

fn level(c: &TExpr, n: usize) -> usize {
    deepest(c, n).map_or(0, |s| s + 1)
}

fn conjuncts(e: TExpr, out: &mut Vec<TExpr>) {
    match e.kind {
        TKind::Binary(BinOp::And, a, b) => {
            conjuncts(*a, out);
            conjuncts(*b, out);
        }
        kind => out.push(TExpr { kind, ..e }),
    }
}

/// The deepest binding slot (below `n`) an expression reads; quantifier variables sit above.
fn deepest(e: &TExpr, n: usize) -> Option<usize> {
    let mut max: Option<usize> = None;
    let mut see = |x: Option<usize>| max = max.max(x);
    match &e.kind {
        TKind::Var(s) if *s < n => see(Some(*s)),
        TKind::List(items) => items.iter().for_each(|i| see(deepest(i, n))),
        TKind::Field(x, _)
        | TKind::Not(x)
        | TKind::Neg(x)
        | TKind::Len(x)
        | TKind::Abs(x)
        | TKind::Round(x)
        | TKind::Referrers(x, _) => see(deepest(x, n)),
        TKind::Is { value, .. } => see(deepest(value, n)),
        TKind::Binary(_, a, b) => {
            see(deepest(a, n));
            see(deepest(b, n));
        }
        TKind::Quant { source, filter, body, .. } => {
            see(deepest(source, n));
            if let Some(f) = filter {
                see(deepest(f, n));
            }
            see(deepest(body, n));
        }
        _ => {}
    }
    max
}

fn bind<'p>(
    ev: &mut Eval<'p>,
    rule: &'p Rule,
    guards: &[Vec<&'p Lazy<TExpr>>],
    ri: usize,
    depth: usize,
    out: &mut Vec<Finding>,
) {
    // what the bindings so far decide must hold before going deeper
    if !guards[depth].iter().all(|c| ev.eval(c.get()).truthy()) {
        return;
    }
    if depth == rule.bindings.len() {
        out.push(finding(ev, rule, ri));
        return;
    }
    // each item in turn, without a list of them where the index or the rule holds them
    let mut visit = |ev: &mut Eval<'p>, item: V<'p>, place: Option<Place<'p>>| {
        ev.steps += 1;
        if ev.steps > MAX_STEPS {
            return false;
        }
        ev.env.truncate(depth);
        ev.places.truncate(depth);
        ev.env.push(item);
        ev.places.push(place);
        bind(ev, rule, guards, ri, depth + 1, out);
        true
    };
    match &rule.bindings[depth].1 {
        Binding::Kind(k) => {
            let ids: &'p [EntityId] = ev.index.of_kind(*k);
            for &id in ids {
                if !visit(ev, V::Entity(id), None) {
                    return;
                }
            }
        }
        Binding::Each(list) => {
            for (item, place) in ev.items_with_places(list.get()) {
                if !visit(ev, item, place) {
                    return;
                }
            }
        }
        Binding::Value { expr, entity } => {
            if !visit(ev, V::Lazy(expr.get(), *entity), None) {
                return;
            }
        }
    }
    ev.env.truncate(depth);
    ev.places.truncate(depth);
}

fn finding<'p>(ev: &mut Eval<'p>, rule: &'p Rule, ri: usize) -> Finding {
    let plan = ev.plan;
    // the declaration and field the finding is about
    let first_entity = (0..ev.env.len()).find_map(|s| ev.entity_at(s));
    let mut element = None;
    let (entity, field) = match &rule.at {
        Some(super::At::Entity { entity, field }) => match ev.eval(entity) {
            V::Entity(id) => (Some(id), field.clone()),
            _ => (first_entity, None),
        },
        Some(super::At::Element(slot)) => {
            element = ev.places.get(*slot).cloned().flatten();
            // the element belongs to the declaration bound before it
            let owner = (0..*slot).rev().find_map(|s| ev.entity_at(s));
            (owner.or(first_entity), None)
        }
        None => (first_entity, None),
    };
    let entity = entity.unwrap_or(EntityId(0));
    let e = plan.entity(entity);
    let kind = &plan.schema.kind(e.kind).name;
    // the path pieces put together directly: a large plan has thousands of findings
    let (span, path) = match (&element, &field) {
        (Some((span, list, i)), _) => {
            (*span, cat(kind.as_str().to_owned(), &[".", &e.name, ".", list, "[", &i.to_string(), "]"]))
        }
        (None, Some(f)) => (
            plan.field(entity, f).and_then(|v| v.origin.span()).unwrap_or(e.head),
            cat(kind.as_str().to_owned(), &[".", &e.name, ".", f]),
        ),
        (None, None) => (e.head, cat(kind.as_str().to_owned(), &[".", &e.name])),
    };
    let mut severity = rule.severity;
    if rule.escalate.as_ref().is_some_and(|x| ev.eval(x.get()).truthy()) {
        severity = match severity {
            Severity::Note => Severity::Warning,
            _ => Severity::Error,
        };
    }
    if rule.relax.as_ref().is_some_and(|x| ev.eval(x.get()).truthy()) {
        severity = match severity {
            Severity::Error => Severity::Warning,
            _ => Severity::Note,
        };
    }
    let template =
        rule.text().messages_when.iter().find(|(c, _)| ev.eval(c).truthy()).map_or(&rule.text().message, |(_, t)| t);
    let mut message =
        String::with_capacity(template.iter().map(|p| if let Piece::Text(t) = p { t.len() } else { 8 }).sum());
    for p in template {
        match p {
            Piece::Text(t) => message.push_str(t),
            Piece::Value(x) => {
                let v = ev.eval(x);
                message.push_str(&render(plan, &v));
            }
        }
    }
    let mut notes = Vec::new();
    for x in &rule.text().explain {
        let Some(est) = ev.estimate(x) else { continue };
        let TKind::Field(base, Access::Field(field, _)) = &x.kind else { continue };
        let owner = match ev.eval(base) {
            V::Entity(id) => {
                let e = plan.entity(id);
                cat(plan.schema.kind(e.kind).name.as_str().to_owned(), &[" ", &e.name])
            }
            _ => continue,
        };
        let lines = est.explain();
        if let Some((first, rest)) = lines.split_first() {
            notes.push(cat(field.as_str().to_owned(), &[" of `", &owner, "`, ", &est.show(), ": ", first]));
            // two estimates of one declaration share their assumptions: say each once
            for r in rest {
                if !notes.contains(r) {
                    notes.push(r.clone());
                }
            }
        }
    }
    let advice = super::Advice {
        why: rule.text().whys_when.iter().position(|c| ev.eval(&c.when).truthy()),
        options: rule
            .text()
            .options
            .iter()
            .filter_map(|o| {
                let mut cases = rule.text().options_when.iter().enumerate().filter(|(_, c)| c.value.letter == o.letter);
                cases.find(|(_, c)| ev.eval(&c.when).truthy()).map(|(i, _)| i)
            })
            .collect(),
    };
    Finding { rule: ri, message, severity, span, entity, path, state: State::Open, notes, advice }
}

/// A value as a message shows it.
fn render(plan: &Plan, v: &V) -> String {
    match v {
        V::Bool(b) => b.to_string(),
        V::Int(i) => i.to_string(),
        V::Num(x) => number(*x),
        V::Qty(d, x) => measure(v).map_or_else(|| d.display(*x), |m| m.show(*x)),
        V::Progress(Progress::Steps, x) => format!("{} steps", number(*x)),
        V::Progress(Progress::Epochs, x) => format!("{} epochs", number(*x)),
        V::Str(s) => s.to_string(),
        V::Shape(dims) => dims.iter().map(|d| d.map_or("_".into(), |n| n.to_string())).collect::<Vec<_>>().join("x"),
        V::Entity(id) => plan.entity(*id).name.as_str().to_owned(),
        V::Enum(en, var, _) => plan.schema.enum_(*en).variants[*var as usize].name.as_str().to_owned(),
        V::Record(r, _) => plan.schema.record(*r).name.as_str().to_owned(),
        V::List(items) => items.iter().map(|i| render(plan, i)).collect::<Vec<_>>().join(", "),
        V::Values(items) => items.iter().map(|i| render(plan, &V::of(Some(i)))).collect::<Vec<_>>().join(", "),
        V::Pair(a, b) => {
            let (a, b) = (V::of(Some(a)), V::of(Some(b)));
            match (measure(&a), measure(&b), a.scalar(), b.scalar()) {
                (Some(m), Some(n), Some(lo), Some(hi)) if m == n => {
                    m.show_range(crate::cost::range::Range::new(lo, hi))
                }
                // a count estimate (a year range stays `2015 to 2023`)
                (None, None, Some(lo), Some(hi)) if matches!(a, V::Num(_)) && hi >= 10_000.0 => {
                    crate::cost::range::Measure::Count.show_range(crate::cost::range::Range::new(lo, hi))
                }
                _ => format!("{} to {}", render(plan, &a), render(plan, &b)),
            }
        }
        V::Bound(p, v) => match p {
            Some(p) => format!("p{} < {}", number(*p), render(plan, &V::of(Some(v)))),
            None => format!("< {}", render(plan, &V::of(Some(v)))),
        },
        V::Multiple(n, item) => format!("{n} x {}", render(plan, &V::of(Some(item)))),
        V::Variant(k, v) => plan.schema.kind(*k).variants[*v as usize].name.as_str().to_owned(),
        V::Set(i) => plan.schema.sets[*i].name.as_str().to_owned(),
        // evaluation forces a lazy `let` before its value is used, so none reaches here
        V::Absent | V::Lazy(..) => "none".into(),
        V::Unknown => "unknown".into(),
    }
}

/// How the cost model shows a quantity of this kind, so that estimates and the limits
/// they are compared with read alike (`340–410 KB` against `320 KB`).
fn measure(v: &V) -> Option<crate::cost::range::Measure> {
    use crate::cost::range::Measure;
    match v {
        V::Qty(Dim::Bytes, _) => Some(Measure::Bytes),
        V::Qty(Dim::Flop, _) => Some(Measure::Flop),
        V::Qty(Dim::Duration, _) => Some(Measure::Seconds),
        V::Qty(Dim::Money, _) => Some(Measure::Usd),
        _ => None,
    }
}

/// `4200` → "4,200"; `0.05` → "0.05".
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let s = crate::cost::range::thousands(x.abs() as u64);
        if x < 0.0 {
            format!("-{s}")
        } else {
            s
        }
    } else if x != 0.0 && x.abs() < 0.001 {
        format!("{x:e}")
    } else {
        crate::units::trimmed(x, 3)
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(4200.0), "4,200");
        assert_eq!(number(105_829.0), "105,829");
        assert_eq!(number(0.05), "0.05");
        assert_eq!(number(1e-4), "1e-4");
        assert_eq!(number(999.0), "999");
    }
}
