//! The typed form of rule expressions, produced by `compile.rs` and run by `eval.rs`.

use crate::plan::Progress;
use crate::schema::{EnumId, KindId, RecordId, Ty};
use crate::source::Span;
use crate::syntax::ast::BinOp;
use crate::units::Dim;

/// The type of a rule expression.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RTy {
    Bool,
    /// counts, integers, reals and fractions (a fraction is its value: `9%` is 0.09)
    Num,
    Quantity(Dim),
    Progress,
    Str,
    Shape,
    /// a declaration of a kind
    Entity(KindId),
    Enum(EnumId),
    Record(RecordId),
    List(Box<RTy>),
    Range(Box<RTy>),
    Bound(Box<RTy>),
    Multiple(Box<RTy>),
    Estimate(Box<RTy>),
    VariantOf(KindId),
    /// a named set of enum values (`deep_families`)
    Set(EnumId),
    /// `none` or `unknown` written in a rule: compares with anything
    Missing,
    /// already reported; checks against it pass
    Error,
}

impl RTy {
    pub fn from_ty(ty: &Ty) -> RTy {
        match ty {
            Ty::Bool => RTy::Bool,
            Ty::Int | Ty::Real | Ty::Count | Ty::Fraction => RTy::Num,
            Ty::Quantity(d) => RTy::Quantity(*d),
            Ty::Progress => RTy::Progress,
            Ty::Shape => RTy::Shape,
            Ty::String => RTy::Str,
            Ty::Range(t) => RTy::Range(Box::new(RTy::from_ty(t))),
            Ty::Bound(t) => RTy::Bound(Box::new(RTy::from_ty(t))),
            Ty::Multiple(t) => RTy::Multiple(Box::new(RTy::from_ty(t))),
            Ty::Estimate(t) => RTy::Estimate(Box::new(RTy::from_ty(t))),
            Ty::VariantOf(k) => RTy::VariantOf(*k),
            Ty::List(t) => RTy::List(Box::new(RTy::from_ty(t))),
            Ty::Ref(k) => RTy::Entity(*k),
            Ty::Enum(e) => RTy::Enum(*e),
            Ty::Record(r) => RTy::Record(*r),
            Ty::Error => RTy::Error,
        }
    }

    /// The scalar an estimate or bound compares as.
    pub fn scalar(&self) -> &RTy {
        match self {
            RTy::Estimate(t) => t,
            other => other,
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TExpr {
    pub kind: TKind,
    /// the type, and where the expression is written: for the compiler, which checks the
    /// rule with them; evaluation reads neither (what it needs of a type is in `TKind` and
    /// `Binding`), so the checked stdlib's rules are stored without them
    #[serde(skip, default = "no_type")]
    pub ty: RTy,
    #[serde(skip, default = "no_span")]
    pub span: Span,
}

fn no_type() -> RTy {
    RTy::Error
}

fn no_span() -> Span {
    Span::new(crate::source::FileId(0), 0, 0)
}

/// `none`: what a lazily kept expression reads as should its bytes not decode (they were
/// written by `build.rs` from an expression, so they do) — a condition that never holds.
impl Default for TExpr {
    fn default() -> TExpr {
        TExpr { kind: TKind::Missing { unknown: false }, ty: RTy::Missing, span: no_span() }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum TKind {
    Bool(bool),
    Num(f64),
    Quantity(Dim, f64),
    Progress(Progress, f64),
    Str(crate::text::Text),
    /// `none` (`unknown: false`) or `unknown` (`unknown: true`)
    Missing {
        unknown: bool,
    },
    /// a variable: an index into the evaluation environment
    Var(usize),
    /// a bare name resolved to an enum value
    EnumValue(EnumId, u32),
    /// a named set of enum values
    Set(usize),
    List(Vec<TExpr>),
    Field(Box<TExpr>, Access),
    Not(Box<TExpr>),
    Neg(Box<TExpr>),
    Binary(BinOp, Box<TExpr>, Box<TExpr>),
    /// `x is none`, `x is unknown`, `x is smote`, `m is image`
    Is {
        value: Box<TExpr>,
        test: IsTest,
        negated: bool,
    },
    /// `any(v in xs where f: body)`; the variable is environment slot `slot`; the body of
    /// a `count` without one is `true`
    Quant {
        quant: crate::syntax::ast::Quant,
        slot: usize,
        source: Box<TExpr>,
        filter: Option<Box<TExpr>>,
        body: Box<TExpr>,
        /// the dimension of a body of quantities: a `sum` of nothing is zero of it
        unit: Option<Dim>,
    },
    Len(Box<TExpr>),
    Abs(Box<TExpr>),
    /// `round(x)`: the nearest whole number, for messages ("about 7 of 47 units")
    Round(Box<TExpr>),
    /// every declaration of a kind in the plan (`any(t in train: …)`)
    AllOf(KindId),
    /// `referrers(x, KIND)`: the declarations of a kind that refer to `x`
    Referrers(Box<TExpr>, KindId),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Access {
    /// a field of a declaration, a record, or the record an enum value carries, with its
    /// slot when the compiler could fix it (a field every variant of the kind has, a
    /// record's field)
    Field(crate::text::Text, Option<Slot>),
    /// `.low` / `.high` of an estimate or a range
    Low,
    High,
    /// `.basis` of an estimate: its dominant assumption in words
    Basis,
    /// `.value` and `.percentile` of a bound
    BoundValue,
    Percentile,
    /// `.n` and `.item` of a multiple
    MultipleN,
    MultipleItem,
}

/// Where a field sits, found once when the rule compiles instead of by name on every
/// read; it applies only to a value of that kind or record (the evaluator checks).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Slot {
    Kind(KindId, usize),
    /// a field of a kind's variants: its slot in each variant, by variant
    Variant(KindId, std::sync::Arc<[Option<usize>]>),
    Record(RecordId, usize),
    /// a positional argument of an enum value: its position in each variant, by variant
    Args(EnumId, std::sync::Arc<[Option<usize>]>),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum IsTest {
    None,
    Unknown,
    EnumVariant(EnumId, u32),
    KindVariant(KindId, u32),
}
