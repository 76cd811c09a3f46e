//! The checked plan: every declaration with its fields resolved, typed and normalised.
//!
//! This is what later passes read (the dependency graph, the cost model, the rule engine,
//! the emitters). Values are in base units, references point at entities, enum values at
//! their variant, defaults are filled in and marked as such.

use crate::schema::{EnumId, KindId, RecordId, Schema};
use crate::source::{FileOrigin, Span};
use crate::syntax::ast;
use crate::units::Dim;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct EntityId(pub u32);

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

    pub fn derived(val: Val) -> Value {
        Value { val, origin: Origin::Derived, approx: false }
    }

    /// The number a value holds: a count, integer, real, fraction, or a quantity in its base
    /// unit.
    pub fn number(&self) -> Option<f64> {
        match self.val {
            Val::Count(c) => Some(c as f64),
            Val::Int(i) => Some(i as f64),
            Val::Real(x) | Val::Fraction(x) | Val::Quantity(_, x) => Some(x),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Progress {
    Steps,
    Epochs,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Payload {
    None,
    /// positional arguments; an omitted optional one is `Val::Absent`
    Args(Vec<Value>),
    Record(RecordId, Vec<Option<Value>>),
}

/// One declaration: `dataset admissions { … }`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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
    /// shared with work that needs only the schema (rule compilation runs beside sema)
    pub schema: std::sync::Arc<Schema>,
    pub entities: Vec<Entity>,
    /// (kind, name) → entity; a user declaration shadows a catalog one
    pub index: crate::fasthash::FastMap<(KindId, String), EntityId>,
    pub decisions: Vec<ast::Decide>,
    pub allows: Vec<ast::Allow>,
    pub reviews: Vec<ast::Review>,
    /// the cost model's estimates with their terms and assumptions (`crate::cost`)
    pub costs: crate::cost::Ledger,
    /// each kind's declarations that a name resolves to (not broken, not shadowed), in
    /// declaration order: filled by sema once the declarations are final
    pub by_kind: crate::fasthash::FastMap<KindId, Vec<EntityId>>,
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

    /// Every checked declaration of the kind named `kind`, in declaration order, without
    /// the catalog entries a user declaration replaces.
    pub fn ids_of(&self, kind: &str) -> Vec<EntityId> {
        self.of_kind(kind).to_vec()
    }

    /// The declarations of a kind (see [`Plan::by_kind`]).
    pub fn of_kind(&self, kind: &str) -> &[EntityId] {
        self.schema.kind_id(kind).and_then(|k| self.by_kind.get(&k)).map_or(&[], Vec::as_slice)
    }

    /// Fills [`Plan::by_kind`] from the declarations as they stand.
    pub fn index_kinds(&mut self) {
        // a declaration its name resolves to is one the index holds (under its own name)
        let mut resolves = vec![false; self.entities.len()];
        for id in self.index.values() {
            if let Some(r) = resolves.get_mut(id.0 as usize) {
                *r = true;
            }
        }
        let mut by_kind: crate::fasthash::FastMap<KindId, Vec<EntityId>> = Default::default();
        for (i, e) in self.entities.iter().enumerate() {
            let id = EntityId(i as u32);
            if !e.broken && resolves[i] {
                by_kind.entry(e.kind).or_default().push(id);
            }
        }
        self.by_kind = by_kind;
    }

    /// The declaration of kind `kind` named `name` (a user declaration replaces the catalog's).
    pub fn named(&self, kind: &str, name: &str) -> Option<EntityId> {
        self.lookup(self.schema.kind_id(kind)?, name).filter(|id| !self.entity(*id).broken)
    }

    /// The declarations a reference or list-of-references field names.
    pub fn refs(&self, id: EntityId, field: &str) -> Vec<EntityId> {
        match self.field(id, field).map(|v| &v.val) {
            Some(Val::Ref(r)) => vec![*r],
            Some(Val::List(items)) => {
                items.iter().filter_map(|i| if let Val::Ref(r) = i.val { Some(r) } else { None }).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The declaration a reference field names.
    pub fn ref_of(&self, id: EntityId, field: &str) -> Option<EntityId> {
        match self.field(id, field)?.val {
            Val::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// A number field: a count, integer, real, fraction, or a quantity in its base unit.
    pub fn num(&self, id: EntityId, field: &str) -> Option<f64> {
        self.field(id, field).and_then(Value::number)
    }

    /// A boolean field.
    pub fn flag(&self, id: EntityId, field: &str) -> Option<bool> {
        match self.field(id, field)?.val {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The name of the enum value a field holds, with its payload.
    /// The kind variant a declaration was written with (`modality cxr: image` → `image`).
    pub fn kind_variant(&self, id: EntityId) -> Option<&str> {
        let e = self.entity(id);
        e.variant.map(|v| self.schema.kind(e.kind).variants[v as usize].name.as_str())
    }

    pub fn variant(&self, id: EntityId, field: &str) -> Option<(&str, &Payload)> {
        self.variant_of(self.field(id, field)?)
    }

    /// The name of an enum value, with its payload.
    pub fn variant_of<'a>(&'a self, v: &'a Value) -> Option<(&'a str, &'a Payload)> {
        match &v.val {
            Val::Enum { en, variant, payload } => {
                Some((self.schema.enum_(*en).variants[*variant as usize].name.as_str(), payload))
            }
            _ => None,
        }
    }

    /// A field of a record value (`search.trials`, a `peaks` item's `rate`).
    pub fn member<'a>(&'a self, v: &'a Value, name: &str) -> Option<&'a Value> {
        let Val::Record { record, fields } = &v.val else { return None };
        fields.get(self.schema.record(*record).slot_of(name)?)?.as_ref()
    }

    /// Writes a derived field if the entity's kind declares it as derived; false otherwise.
    pub fn set_derived(&mut self, id: EntityId, name: &str, val: Val) -> bool {
        let e = &self.entities[id.0 as usize];
        let kind = self.schema.kind(e.kind);
        let Some(slot) = kind.slot_of(e.variant, name) else {
            return false;
        };
        if !kind.field(e.variant, slot).is_some_and(|f| f.derived) {
            return false;
        }
        match self.entities[id.0 as usize].fields.get_mut(slot) {
            Some(cell) => {
                *cell = Some(Value { val, origin: Origin::Derived, approx: false });
                true
            }
            None => false,
        }
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
