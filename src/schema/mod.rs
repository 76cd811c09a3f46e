//! The schema: the kinds, records, enums and sets declared in `.mla` (the stdlib's
//! `stdlib/schema/*.mla` and any the user adds), resolved into types.
//!
//! **Invariant:** the compiler core knows type *constructors* (`count`, `[T]`, `ref K`,
//! `bound<T>`…) and dimensions, never the domain: which kinds exist, which fields a dataset
//! has, which values a split takes — all of that is data read from `.mla` here.

mod load;

pub use load::load;

use crate::fasthash::FastMap;
use crate::source::Span;
use crate::syntax::ast;
use crate::text::Text;
use crate::units::Dim;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct KindId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct RecordId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct EnumId(pub u32);

/// A resolved type.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Ty {
    Bool,
    Int,
    Real,
    /// a non-negative integer, with SI suffixes
    Count,
    /// 0..1, written `9%` or `0.09`
    Fraction,
    Quantity(Dim),
    /// `500 steps`, `5 epochs`
    Progress,
    Shape,
    String,
    Range(Box<Ty>),
    Bound(Box<Ty>),
    Multiple(Box<Ty>),
    /// a `[low, high]` range computed by the compiler; derived fields only
    Estimate(Box<Ty>),
    /// the name of one of a kind's variants
    VariantOf(KindId),
    List(Box<Ty>),
    Ref(KindId),
    Enum(EnumId),
    Record(RecordId),
    /// a type that failed to resolve; checks against it always pass
    Error,
}

pub const PRIMITIVES: &[&str] = &[
    "bool",
    "int",
    "real",
    "count",
    "fraction",
    "duration",
    "frequency",
    "bytes",
    "bandwidth",
    "flop",
    "flop_rate",
    "power",
    "angle",
    "money",
    "money_rate",
    "progress",
    "shape",
    "string",
];
/// Words a user cannot use as a name: they are literal values.
pub const RESERVED: &[&str] = &["true", "false", "none", "unknown"];

pub const GENERICS: &[&str] = &["range", "bound", "multiple", "estimate", "variant"];

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct FieldDef {
    pub name: Text,
    pub docs: Text,
    pub ty: Ty,
    pub optional: bool,
    pub derived: bool,
    /// as written in the schema; checked against `ty` by `sema`
    pub default: Option<ast::Value>,
    pub span: Span,
}

impl FieldDef {
    /// Must a declaration write this field?
    pub fn required(&self) -> bool {
        !self.optional && self.default.is_none() && !self.derived
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct KindDef {
    pub name: Text,
    pub docs: Text,
    /// exactly one per plan (`singleton kind project`)
    pub singleton: bool,
    /// `kind train for model`: declarations take the name of a `model`
    pub owner: Option<KindId>,
    pub fields: Vec<FieldDef>,
    pub variants: Vec<VariantDef>,
    pub span: Span,
    /// slot of each of `fields` by name (see `index_slots`)
    pub slot_index: FastMap<Text, usize>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct VariantDef {
    pub name: Text,
    pub docs: Text,
    pub fields: Vec<FieldDef>,
    pub span: Span,
    /// position of each of `fields` by name
    pub slot_index: FastMap<Text, usize>,
}

/// Position of each field by name; the first wins, as a scan in order would find it.
pub fn index_slots(fields: &[FieldDef]) -> FastMap<Text, usize> {
    let mut m = FastMap::default();
    for (i, f) in fields.iter().enumerate() {
        m.entry(f.name.clone()).or_insert(i);
    }
    m
}

impl KindDef {
    /// The fields of a declaration of this kind with the given variant, in slot order:
    /// the kind's own fields, then the variant's.
    pub fn slots(&self, variant: Option<u32>) -> impl Iterator<Item = &FieldDef> {
        let extra = variant.and_then(|v| self.variants.get(v as usize)).map(|v| v.fields.as_slice()).unwrap_or(&[]);
        self.fields.iter().chain(extra.iter())
    }

    /// The slot of field `name`: a lookup in the kind's index, then the variant's (the
    /// field lookup every rule and estimate makes; a scan of ~40 names was ~10 % of a check).
    pub fn slot_of(&self, variant: Option<u32>, name: &str) -> Option<usize> {
        if let Some(&i) = self.slot_index.get(name) {
            return Some(i);
        }
        let v = self.variants.get(variant? as usize)?;
        v.slot_index.get(name).map(|i| self.fields.len() + i)
    }

    pub fn field(&self, variant: Option<u32>, slot: usize) -> Option<&FieldDef> {
        self.slots(variant).nth(slot)
    }

    pub fn variant_of(&self, name: &str) -> Option<u32> {
        self.variants.iter().position(|v| v.name == name).map(|i| i as u32)
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct RecordDef {
    /// `Labels`, or `Step.pca` for the inline record of an enum value
    pub name: Text,
    pub docs: Text,
    pub fields: Vec<FieldDef>,
    pub span: Span,
}

impl RecordDef {
    pub fn slot_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct EnumDef {
    pub name: Text,
    pub docs: Text,
    pub variants: Vec<EnumVariantDef>,
    pub span: Span,
}

impl EnumDef {
    pub fn variant_of(&self, name: &str) -> Option<u32> {
        self.variants.iter().position(|v| v.name == name).map(|i| i as u32)
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct EnumVariantDef {
    pub name: Text,
    pub docs: Text,
    pub payload: PayloadDef,
    pub span: Span,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub enum PayloadDef {
    None,
    /// positional arguments; `true` marks an optional one (only trailing ones may be)
    Args(Vec<(Ty, bool)>),
    Record(RecordId),
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct SetDef {
    pub name: Text,
    pub docs: Text,
    pub en: EnumId,
    pub values: Vec<u32>,
    pub span: Span,
}

/// What a schema-level name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SchemaItem {
    Kind(KindId),
    Record(RecordId),
    Enum(EnumId),
    Set(usize),
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    pub kinds: Vec<KindDef>,
    pub records: Vec<RecordDef>,
    pub enums: Vec<EnumDef>,
    pub sets: Vec<SetDef>,
    pub names: FastMap<Text, SchemaItem>,
}

impl Schema {
    pub fn kind(&self, id: KindId) -> &KindDef {
        &self.kinds[id.0 as usize]
    }

    pub fn record(&self, id: RecordId) -> &RecordDef {
        &self.records[id.0 as usize]
    }

    pub fn enum_(&self, id: EnumId) -> &EnumDef {
        &self.enums[id.0 as usize]
    }

    pub fn kind_id(&self, name: &str) -> Option<KindId> {
        match self.names.get(name) {
            Some(SchemaItem::Kind(k)) => Some(*k),
            _ => None,
        }
    }

    pub fn kind_names(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().map(|k| k.name.as_str())
    }

    /// The type in words, for "expected …, found …".
    pub fn describe(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "`true` or `false`".into(),
            Ty::Int => "an integer".into(),
            Ty::Real => "a number".into(),
            Ty::Count => "a count".into(),
            Ty::Fraction => "a fraction such as `9%`".into(),
            Ty::Quantity(d) => d.phrase().into(),
            Ty::Progress => "training progress such as `500 steps`".into(),
            Ty::Shape => "a shape such as `512x512x3`".into(),
            Ty::String => "a string".into(),
            Ty::Range(t) => format!("a range of {}", self.describe_plural(t)),
            Ty::Bound(t) => format!("a bound on {} such as `< {}`", self.describe(t), example(t)),
            Ty::Multiple(t) => self.describe(t),
            Ty::Estimate(t) => format!("an estimate of {}", self.describe(t)),
            Ty::VariantOf(k) => format!("a variant of `{}`", self.kind(*k).name),
            Ty::List(t) => format!("a list of {}", self.describe_plural(t)),
            Ty::Ref(k) => format!("the name of a `{}`", self.kind(*k).name),
            Ty::Enum(e) => format!("a value of `{}`", self.enum_(*e).name),
            Ty::Record(r) => format!("a `{}` record", self.record(*r).name),
            Ty::Error => "a value".into(),
        }
    }

    fn describe_plural(&self, ty: &Ty) -> String {
        match ty {
            Ty::Ref(k) => format!("`{}` names", self.kind(*k).name),
            Ty::Enum(e) => format!("`{}` values", self.enum_(*e).name),
            Ty::Record(r) => format!("`{}` records", self.record(*r).name),
            Ty::Count => "counts".into(),
            Ty::Int => "integers".into(),
            Ty::Real => "numbers".into(),
            Ty::String => "strings".into(),
            Ty::Fraction => "fractions".into(),
            Ty::Quantity(d) => format!("{} values", d.type_name().replace('_', " ")),
            other => self.describe(other),
        }
    }

    /// The type as written in the schema language: `[ref model]`, `bound<duration>`.
    pub fn spell(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "bool".into(),
            Ty::Int => "int".into(),
            Ty::Real => "real".into(),
            Ty::Count => "count".into(),
            Ty::Fraction => "fraction".into(),
            Ty::Quantity(d) => d.type_name().into(),
            Ty::Progress => "progress".into(),
            Ty::Shape => "shape".into(),
            Ty::String => "string".into(),
            Ty::Range(t) => format!("range<{}>", self.spell(t)),
            Ty::Bound(t) => format!("bound<{}>", self.spell(t)),
            Ty::Multiple(t) => format!("multiple<{}>", self.spell(t)),
            Ty::Estimate(t) => format!("estimate<{}>", self.spell(t)),
            Ty::VariantOf(k) => format!("variant<{}>", self.kind(*k).name),
            Ty::List(t) => format!("[{}]", self.spell(t)),
            Ty::Ref(k) => format!("ref {}", self.kind(*k).name),
            Ty::Enum(e) => self.enum_(*e).name.as_str().to_owned(),
            Ty::Record(r) => self.record(*r).name.as_str().to_owned(),
            Ty::Error => "?".into(),
        }
    }
}

/// The name a positional argument is read by in rules: its type's name in snake_case
/// (`ref backbone` → `backbone`, `Tuning` → `tuning`, `count` → `count`).
pub fn arg_name(s: &Schema, ty: &Ty) -> String {
    let name = match ty {
        Ty::Ref(k) => s.kind(*k).name.as_str().to_owned(),
        Ty::List(t) | Ty::Multiple(t) => return arg_name(s, t),
        other => s.spell(other),
    };
    snake_case(&name)
}

/// `LabelSource` → `label_source`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The first sentence of a doc comment, over as many lines as it takes, without its
/// closing period (for notes and one-line listings).
pub fn first_sentence(docs: &str) -> String {
    let joined = docs.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let end = joined.find(". ").map_or(joined.len(), |i| i + 1);
    joined[..end].trim_end_matches('.').to_string()
}

/// A literal of a type, for help lines.
pub fn example(ty: &Ty) -> String {
    match ty {
        Ty::Quantity(d) => d.example().into(),
        Ty::Count | Ty::Int => "100".into(),
        Ty::Real => "…".into(),
        Ty::Fraction => "9%".into(),
        Ty::Progress => "500 steps".into(),
        _ => "…".into(),
    }
}
