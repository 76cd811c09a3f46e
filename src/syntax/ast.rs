//! The syntax tree of one `.mla` file.
//!
//! Owned data with the project's own [`Span`]s; no pest types leak out of `syntax`. Literals
//! are already decoded here (numbers to exact values, units looked up in the unit table,
//! string escapes resolved), so later passes never look at source text again.

use crate::source::Span;
use crate::units::UnitDef;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// Doc comments (`///`) attached to the item that follows them, joined by newlines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Docs(pub String);

impl Docs {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Module {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Item {
    Import(Import),
    Decl(Decl),
    Kind(KindDecl),
    Record(RecordDecl),
    Enum(EnumDecl),
    Set(SetDecl),
    /// shared, not copied, by the plan that collects it (rule bodies are large)
    Rule(std::sync::Arc<RuleDecl>),
    /// `gate deployment(p: project, m: model) { applies: … }`
    Gate(std::sync::Arc<GateDecl>),
    Decide(Decide),
    Allow(Allow),
    Review(Review),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Import {
    pub path: String,
    pub path_span: Span,
    pub span: Span,
}

/// `kind name[: variant] { fields }`. A declaration whose body did not parse keeps its
/// head (`body: None`) so references to it still resolve and no follow-up errors appear.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Decl {
    pub docs: Docs,
    pub kind: Ident,
    pub name: Ident,
    pub variant: Option<Ident>,
    pub body: Option<Vec<Field>>,
    /// from the kind to the name (or variant): where "missing field" errors point
    pub head: Span,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Field {
    pub docs: Docs,
    pub name: Ident,
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ValueKind {
    Bool(bool),
    /// `none`: an optional field declared absent
    None,
    /// `unknown`: satisfies "required", read as absent by rules, listed as an open question
    Unknown,
    Number(Number),
    Shape(Vec<Option<u64>>),
    Str(String),
    Range(Box<Value>, Box<Value>),
    /// `p99 < 200ms`
    Bound {
        /// `p99` → 99, `p999` → 99.9, as written after the `p`
        percentile: Option<(f64, String, Span)>,
        op: BoundOp,
        value: Box<Value>,
    },
    List(Vec<Value>),
    Record(Vec<Field>),
    /// `gbdt(labs)`
    Call {
        name: Ident,
        args: Vec<Value>,
    },
    /// `adamw { lr: 1e-3 }`
    Tagged {
        name: Ident,
        fields: Vec<Field>,
    },
    /// `1 x a100`
    Multiple {
        /// boxed: the other forms are smaller than a number, so every value would pay for it
        count: Box<Number>,
        count_span: Span,
        item: Ident,
    },
    Name(Ident),
    /// `scratch-deep-tiny-n`: only meaningful where a rule is named
    Kebab(String),
    /// `MLA201`, `MLA4xx`
    Code(String),
    /// a literal that was already reported (bad unit, bad escape); checked as anything
    Error,
}

impl ValueKind {
    /// What the value is, in words, for "expected …, found …".
    pub fn describe(&self) -> String {
        match self {
            ValueKind::Bool(_) => "a boolean".into(),
            ValueKind::None => "`none`".into(),
            ValueKind::Unknown => "`unknown`".into(),
            ValueKind::Number(n) => n.describe(),
            ValueKind::Shape(_) => "a shape".into(),
            ValueKind::Str(_) => "a string".into(),
            ValueKind::Range(..) => "a range".into(),
            ValueKind::Bound { .. } => "a bound".into(),
            ValueKind::List(_) => "a list".into(),
            ValueKind::Record(_) => "a record".into(),
            ValueKind::Call { name, .. } => format!("`{}(…)`", name.name),
            ValueKind::Tagged { name, .. } => format!("`{} {{ … }}`", name.name),
            ValueKind::Multiple { .. } => "a multiple".into(),
            ValueKind::Name(id) => format!("the name `{}`", id.name),
            ValueKind::Kebab(s) => format!("the name `{s}`"),
            ValueKind::Code(s) => format!("the rule code `{s}`"),
            ValueKind::Error => "an invalid value".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BoundOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl BoundOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BoundOp::Lt => "<",
            BoundOp::Le => "<=",
            BoundOp::Gt => ">",
            BoundOp::Ge => ">=",
        }
    }
}

/// A numeric literal, decoded.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Number {
    /// the literal as written, without `~` and unit
    pub text: String,
    /// the value in the unit's base unit (`200ms` → 0.2)
    pub value: f64,
    /// the literal without its unit, as an exact integer when it is one
    pub exact: Exact,
    pub approx: bool,
    pub unit: Option<UnitRef>,
}

impl Number {
    pub fn describe(&self) -> String {
        match &self.unit {
            None => "a number".into(),
            Some(u) => u.def.dim.phrase().into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exact {
    Int(Wide),
    /// has a fractional part (`4.5`, `1e-3`)
    Fractional,
    /// too large for an exact integer
    TooLarge,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnitRef {
    #[serde(with = "unit_by_name")]
    pub def: &'static UnitDef,
    pub span: Span,
}

/// An `i128` kept as two words, so that a number literal, and every syntax tree node that
/// holds one, is aligned to 8 bytes rather than 16: a field of a body took 256 bytes with
/// the padding, 184 without (and a boxed multiple count).
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wide([u64; 2]);

impl Wide {
    pub fn get(self) -> i128 {
        (((self.0[0] as u128) << 64) | self.0[1] as u128) as i128
    }
}

impl From<i128> for Wide {
    fn from(v: i128) -> Wide {
        let u = v as u128;
        Wide([(u >> 64) as u64, u as u64])
    }
}

impl std::fmt::Debug for Wide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// A unit is stored by its spelling and looked up again when read back.
mod unit_by_name {
    use crate::units::{lookup, UnitDef};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(def: &&'static UnitDef, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(def.name)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static UnitDef, D::Error> {
        let name = String::deserialize(d)?;
        lookup(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown unit {name}")))
    }
}

// ── schema declarations ──

/// `[singleton] kind name [for owner] { fields, variant v { … } }`
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KindDecl {
    pub docs: Docs,
    pub singleton: bool,
    pub name: Ident,
    pub owner: Option<Ident>,
    pub fields: Vec<FieldDecl>,
    pub variants: Vec<VariantDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VariantDecl {
    pub docs: Docs,
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

/// `[derived] name: Type [= default]`
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FieldDecl {
    pub docs: Docs,
    pub derived: bool,
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Value>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub optional: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum TypeExprKind {
    Named(Ident),
    List(Box<TypeExpr>),
    Ref(Ident),
    Generic(Ident, Box<TypeExpr>),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordDecl {
    pub docs: Docs,
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnumDecl {
    pub docs: Docs,
    pub name: Ident,
    pub variants: Vec<EnumVariant>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnumVariant {
    pub docs: Docs,
    pub name: Ident,
    pub payload: PayloadDecl,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum PayloadDecl {
    None,
    /// `by_group(string)`, `rotate(angle?)`
    Args(Vec<TypeExpr>),
    /// `pca { fit_on: FitOn, keep: count? }`
    Record(Vec<FieldDecl>),
    /// `impute Fit`
    Named(Ident),
}

/// `set name: Enum = [values]`
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SetDecl {
    pub docs: Docs,
    pub name: Ident,
    pub ty: Ident,
    pub values: Vec<Value>,
    pub span: Span,
}

// ── rules, decisions, configuration ──

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RuleDecl {
    pub docs: Docs,
    pub code: Ident,
    pub name: Ident,
    pub items: Vec<RuleItem>,
    pub span: Span,
}

/// `gate NAME(VAR: KIND, …) { applies: EXPR, relax: EXPR }`: a condition that rules name in
/// their `gate:` item instead of each writing it out.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GateDecl {
    pub docs: Docs,
    pub name: Ident,
    /// the parameters: a variable and the kind of declaration it stands for
    pub params: Vec<(Ident, Ident)>,
    /// `applies: …`, `relax: …`
    pub items: Vec<(Ident, Expr)>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum RuleItem {
    /// `for m: model` binds each declaration of a kind; `for i in m.inputs` each element.
    For { docs: Docs, var: Ident, source: ForSource, span: Span },
    /// `let x = EXPR`: a value computed once for the bindings before it, named
    Let { docs: Docs, var: Ident, value: Expr, span: Span },
    /// `option A recommended: "…"`; with `when COND` it replaces the option of its letter
    /// where the condition holds
    Option { docs: Docs, letter: Ident, recommended: bool, cond: Option<Expr>, text: Expr, span: Span },
    /// `when: …`, `message: "…"`, `section: training`, …
    Field { docs: Docs, name: Ident, value: Expr, span: Span },
    /// `message when COND: "…"`
    When { docs: Docs, name: Ident, cond: Expr, value: Expr, span: Span },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ForSource {
    Kind(Ident),
    Expr(Expr),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ExprKind {
    Lit(Value),
    /// `m.n_train`
    Path(Vec<Ident>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `any(v in xs: cond)`
    /// `any(x in xs where F: B)`: `where` filters, the body is a condition (a number for
    /// `sum`, `min` and `max`); `count` may leave the body out
    Quant {
        quant: Quant,
        var: Ident,
        source: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Option<Box<Expr>>,
    },
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
    List(Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quant {
    Any,
    All,
    Count,
    Sum,
    Min,
    Max,
}

/// `decide CODE [on TARGET]: LETTER because "…"`
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Decide {
    pub docs: Docs,
    pub rule: Ident,
    pub target: Option<Target>,
    pub letter: Ident,
    pub reason: String,
    pub reason_span: Span,
    pub span: Span,
}

/// `allow CODE [on TARGET] because "…"`
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Allow {
    pub docs: Docs,
    pub rule: Ident,
    pub target: Option<Target>,
    pub reason: String,
    pub reason_span: Span,
    pub span: Span,
}

/// `fusion` or `deploy.fusion`
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Target {
    pub kind: Option<Ident>,
    pub name: Ident,
    pub span: Span,
}

/// `review { mode: quick, deny: [MLA4xx] }`
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Review {
    pub docs: Docs,
    pub fields: Vec<Field>,
    pub head: Span,
    pub span: Span,
}
