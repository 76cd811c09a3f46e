//! The checked plan: every declaration with its fields resolved, typed and normalised.
//!
//! This is what later passes read (the dependency graph, the cost model, the rule engine,
//! the emitters). Values are in base units, references point at entities, enum values at
//! their variant; a slot left to its default reads the schema's default, marked as such.

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
    pub name: crate::text::Text,
    pub name_span: Span,
    /// kind, name and variant: where "missing field" findings point
    pub head: Span,
    pub span: Span,
    pub origin: FileOrigin,
    pub docs: crate::text::Text,
    /// for an attached kind (`train fusion`), the declaration it belongs to
    pub owner: Option<EntityId>,
    /// by slot (see `KindDef::slots`); read through [`Plan::slot`], which finds the
    /// slots left to their default in [`Plan::defaults`]
    pub fields: Fields,
    /// the body did not parse; fields are unknown, checks skip it
    pub broken: bool,
}

/// A declaration's values by slot, holding only its own: a slot left to the schema's
/// default reads it from the plan's [`Defaults`], which every declaration of a kind and
/// variant shares — a large plan would otherwise hold a copy of each default per
/// declaration (at 100,000 lines, 103,000 of them, and 155,000 empty slots beside).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fields {
    /// by slot: [`Fields::ABSENT`], [`Fields::DEFAULT`] or the value's index in `own`
    at: Vec<u32>,
    own: Vec<Value>,
}

impl Fields {
    const ABSENT: u32 = u32::MAX;
    const DEFAULT: u32 = u32::MAX - 1;

    /// From the values by slot; `defaulted[slot]` where the slot takes the schema's default.
    pub fn new(values: Vec<Option<Value>>, defaulted: &[bool]) -> Fields {
        let mut own = Vec::with_capacity(values.iter().filter(|v| v.is_some()).count());
        let at = values
            .into_iter()
            .enumerate()
            .map(|(slot, v)| match v {
                Some(v) => {
                    own.push(v);
                    own.len() as u32 - 1
                }
                None if defaulted.get(slot).copied().unwrap_or(false) => Fields::DEFAULT,
                None => Fields::ABSENT,
            })
            .collect();
        Fields { at, own }
    }

    /// How many slots the declaration has (none when its body did not parse).
    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Gives `slot` a value of its own; false for a slot the declaration does not have.
    fn set(&mut self, slot: usize, value: Value) -> bool {
        let Some(at) = self.at.get_mut(slot) else { return false };
        match self.own.get_mut(*at as usize) {
            // `ABSENT` and `DEFAULT` index nothing
            Some(cell) => *cell = value,
            None => {
                *at = self.own.len() as u32;
                self.own.push(value);
            }
        }
        true
    }
}

/// The schema's defaults (checked once, by `sema`) by kind and slot: what a slot that a
/// declaration leaves to its default reads.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Defaults {
    /// by kind: the defaults of the kind's own fields, then of each variant's
    kinds: Vec<(DefaultRow, Vec<DefaultRow>)>,
}

/// The defaults of a kind's or a variant's fields, by field.
type DefaultRow = Vec<Option<Value>>;

impl Defaults {
    /// `default(kind, variant, i)`: the default of field `i` of the kind (`variant: None`)
    /// or of that variant.
    pub fn new(schema: &Schema, default: impl Fn(KindId, Option<u32>, usize) -> Option<Value>) -> Defaults {
        let of = |k: KindId, v: Option<u32>, n: usize| (0..n).map(|i| default(k, v, i)).collect::<Vec<_>>();
        let kinds = schema
            .kinds
            .iter()
            .enumerate()
            .map(|(k, kd)| {
                let k = KindId(k as u32);
                let variants =
                    kd.variants.iter().enumerate().map(|(v, vd)| of(k, Some(v as u32), vd.fields.len())).collect();
                (of(k, None, kd.fields.len()), variants)
            })
            .collect();
        Defaults { kinds }
    }

    /// The default of a slot of a declaration of `kind` and `variant` (its kind's fields
    /// come first, then its variant's).
    pub fn get(&self, kind: KindId, variant: Option<u32>, slot: usize) -> Option<&Value> {
        let (own, of_variant) = self.rows(kind, variant);
        Defaults::in_rows(own, of_variant, slot)
    }

    /// Slot `slot` of a kind's row followed by its variant's.
    fn in_rows<'a>(own: &'a [Option<Value>], of_variant: &'a [Option<Value>], slot: usize) -> Option<&'a Value> {
        match own.get(slot) {
            Some(d) => d.as_ref(),
            None => of_variant.get(slot - own.len())?.as_ref(),
        }
    }

    /// The defaults of a kind's own fields and of its variant's.
    fn rows(&self, kind: KindId, variant: Option<u32>) -> (&[Option<Value>], &[Option<Value>]) {
        let Some((own, variants)) = self.kinds.get(kind.0 as usize) else { return (&[], &[]) };
        (own, variant.and_then(|v| variants.get(v as usize)).map_or(&[], Vec::as_slice))
    }
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
    /// the schema's defaults, which the slots declarations leave to them read
    pub defaults: Defaults,
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
        self.slot(e, slot)
    }

    /// The value in a slot of a declaration (see `KindDef::slots`): its own, or the
    /// schema's default it takes; `None` when absent and without default.
    pub fn slot<'a>(&'a self, e: &'a Entity, slot: usize) -> Option<&'a Value> {
        match *e.fields.at.get(slot)? {
            Fields::ABSENT => None,
            Fields::DEFAULT => self.defaults.get(e.kind, e.variant, slot),
            i => e.fields.own.get(i as usize),
        }
    }

    /// The values of a declaration's slots, in slot order.
    pub fn slots<'a>(&'a self, e: &'a Entity) -> impl Iterator<Item = Option<&'a Value>> + 'a {
        let (own, of_variant) = self.defaults.rows(e.kind, e.variant);
        e.fields.at.iter().enumerate().map(move |(slot, &at)| match at {
            Fields::ABSENT => None,
            Fields::DEFAULT => Defaults::in_rows(own, of_variant, slot),
            i => e.fields.own.get(i as usize),
        })
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
        let variant = e.variant;
        let fields = &mut self.entities[id.0 as usize].fields;
        if fields.own.len() == fields.own.capacity() {
            // room for every derived slot still without a value of its own, at once: grown
            // one value at a time, the derived values of a large plan took twice their size
            let open = |(s, f): &(usize, &crate::schema::FieldDef)| {
                f.derived && fields.at.get(*s).is_some_and(|&a| a >= Fields::DEFAULT)
            };
            let room = kind.slots(variant).enumerate().filter(open).count();
            fields.own.reserve_exact(room);
        }
        fields.set(slot, Value { val, origin: Origin::Derived, approx: false })
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
