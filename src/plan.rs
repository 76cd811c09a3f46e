//! The checked plan: every declaration with its fields resolved, typed and normalised.
//!
//! This is what later passes read (the dependency graph, the cost model, the rule engine,
//! the emitters). Values are in base units, references point at entities, enum values at
//! their variant, defaults are filled in and marked as such.

use crate::schema::{EnumId, KindId, RecordId, Schema};
use crate::source::{FileOrigin, Span};
use crate::syntax::ast;
use crate::units::Dim;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(pub u32);

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// written in a source file, here
    Written(Span),
    /// the schema's default for the field
    Default,
    /// computed by a compiler pass
    Derived,
}

impl Origin {
    pub fn span(self) -> Option<Span> {
        match self {
            Origin::Written(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub val: Val,
    pub origin: Origin,
    /// written with `~`
    pub approx: bool,
}

impl Value {
    pub fn written(val: Val, span: Span) -> Value {
        Value { val, origin: Origin::Written(span), approx: false }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Bool(bool),
    Int(i64),
    Real(f64),
    Count(u64),
    Fraction(f64),
    /// in the dimension's base unit
    Quantity(Dim, f64),
    Progress(Progress, f64),
    /// `None` for a variable dimension `_`
    Shape(Vec<Option<u64>>),
    Str(String),
    Range(Box<Value>, Box<Value>),
    Bound {
        percentile: Option<f64>,
        op: ast::BoundOp,
        value: Box<Value>,
    },
    Multiple {
        n: u64,
        item: Box<Value>,
    },
    /// a `[low, high]` estimate computed by a pass
    Estimate(Box<Value>, Box<Value>),
    VariantName(KindId, u32),
    List(Vec<Value>),
    Ref(EntityId),
    Enum {
        en: EnumId,
        variant: u32,
        payload: Payload,
    },
    Record {
        record: RecordId,
        fields: Vec<Option<Value>>,
    },
    /// `unknown`: an open question
    Unknown,
    /// `none`: declared absent
    Absent,
    /// a value that failed to check (already reported)
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Steps,
    Epochs,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    None,
    /// positional arguments; an omitted optional one is `Val::Absent`
    Args(Vec<Value>),
    Record(RecordId, Vec<Option<Value>>),
}

/// One declaration: `dataset admissions { … }`.
#[derive(Clone, Debug)]
pub struct Entity {
    pub kind: KindId,
    pub variant: Option<u32>,
    pub name: String,
    pub name_span: Span,
    /// kind, name and variant: where "missing field" findings point
    pub head: Span,
    pub span: Span,
    pub origin: FileOrigin,
    pub docs: String,
    /// for an attached kind (`train fusion`), the declaration it belongs to
    pub owner: Option<EntityId>,
    /// by slot (see `KindDef::slots`); `None` when absent and without default
    pub fields: Vec<Option<Value>>,
    /// the body did not parse; fields are unknown, checks skip it
    pub broken: bool,
}

/// The whole checked program.
#[derive(Debug, Default)]
pub struct Plan {
    pub schema: Schema,
    pub entities: Vec<Entity>,
    /// (kind, name) → entity; a user declaration shadows a catalog one
    pub index: HashMap<(KindId, String), EntityId>,
    pub rules: Vec<ast::RuleDecl>,
    pub decisions: Vec<ast::Decide>,
    pub allows: Vec<ast::Allow>,
    pub reviews: Vec<ast::Review>,
}

impl Plan {
    pub fn entity(&self, id: EntityId) -> &Entity {
        &self.entities[id.0 as usize]
    }

    pub fn lookup(&self, kind: KindId, name: &str) -> Option<EntityId> {
        self.index.get(&(kind, name.to_string())).copied()
    }

    /// A field of an entity by name, if the entity's kind and variant have it.
    pub fn field(&self, id: EntityId, name: &str) -> Option<&Value> {
        let e = self.entity(id);
        let slot = self.schema.kind(e.kind).slot_of(e.variant, name)?;
        e.fields.get(slot)?.as_ref()
    }

    /// The user's declarations (not the catalog's), in source order.
    pub fn user_entities(&self) -> impl Iterator<Item = (EntityId, &Entity)> {
        self.entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.origin == FileOrigin::User)
            .map(|(i, e)| (EntityId(i as u32), e))
    }
}
