//! Type and unit checking of values against the schema.
//!
//! Every field value is checked against its declared type and turned into a [`Value`]:
//! numbers into base units, names into references or enum values, records and payloads
//! into slot vectors with defaults filled in. Every mismatch is a diagnostic on the
//! offending value with a help line, and the value becomes `Val::Error` so nothing
//! downstream reports it twice.

use crate::diag::{codes, one_of, plural, suggest, Diagnostic};
use crate::fasthash::FastMap;
use crate::plan::{Entity, EntityId, Origin, Payload, Progress, Val, Value};
use crate::schema::{self, FieldDef, KindId, PayloadDef, RecordId, Schema, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, Exact, ValueKind};
use crate::units::Dim;

/// Whose fields a default belongs to: a kind (and variant) or a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DefOwner {
    Kind(KindId, Option<u32>),
    Record(RecordId),
}

pub struct Checker<'a> {
    pub schema: &'a Schema,
    pub entities: &'a [Entity],
    pub index: &'a crate::fasthash::FastMap<(KindId, String), EntityId>,
    /// every declared name, for "`x` is a model, not a dataset"
    pub by_name: &'a crate::fasthash::FastMap<crate::text::Text, Vec<EntityId>>,
    pub defaults: &'a FastMap<(DefOwner, usize), Value>,
    pub diags: &'a mut Vec<Diagnostic>,
    /// what unknown names are compared with, gathered on the first one
    pub names: Names,
}

/// The declared names of each kind (sorted) and how many the catalog holds, gathered once
/// per check on the first unknown name, and the did-you-mean budget
/// ([`suggest::NAMES_BUDGET`]): thousands of unknown names cost one pass over the names
/// each, not one per name.
pub struct Names {
    by_kind: std::cell::OnceCell<FastMap<KindId, KindNames>>,
    budget: std::cell::Cell<usize>,
}

/// A kind's declared names, sorted, and how many of them the catalog holds.
type KindNames = (std::rc::Rc<[String]>, usize);

impl Default for Names {
    fn default() -> Names {
        Names { by_kind: std::cell::OnceCell::new(), budget: std::cell::Cell::new(suggest::NAMES_BUDGET) }
    }
}

/// The fields a record-like value may have.
pub struct FieldSet<'s> {
    pub defs: Vec<(&'s FieldDef, DefOwner, usize)>,
    /// "dataset `admissions`", "the `Labels` record"
    pub what: String,
    /// for kinds with variants: the kind, to point out fields of other variants
    pub kind: Option<(KindId, Option<u32>)>,
}

impl<'s> FieldSet<'s> {
    pub fn of_kind(schema: &'s Schema, kind: KindId, variant: Option<u32>, what: String) -> FieldSet<'s> {
        let k = schema.kind(kind);
        let mut defs: Vec<_> = k.fields.iter().enumerate().map(|(i, f)| (f, DefOwner::Kind(kind, None), i)).collect();
        if let Some(v) = variant.and_then(|v| k.variants.get(v as usize)) {
            defs.extend(v.fields.iter().enumerate().map(|(i, f)| (f, DefOwner::Kind(kind, variant), i)));
        }
        FieldSet { defs, what, kind: Some((kind, variant)) }
    }

    pub fn of_record(schema: &'s Schema, record: RecordId, what: String) -> FieldSet<'s> {
        let r = schema.record(record);
        FieldSet {
            defs: r.fields.iter().enumerate().map(|(i, f)| (f, DefOwner::Record(record), i)).collect(),
            what,
            kind: None,
        }
    }
}

impl Checker<'_> {
    /// Checks the fields written in a body against a field set; reports unknown, duplicate,
    /// derived and missing fields. Returns values by slot, defaults filled in.
    pub fn fields(&mut self, written: &[ast::Field], set: &FieldSet, head: Span) -> Vec<Option<Value>> {
        self.fields_and_defaults(written, set, head, true).0
    }

    /// As [`Checker::fields`] for a declaration's body: its own values, the slots that take
    /// the schema's default left to the plan's defaults.
    pub fn decl_fields(&mut self, written: &[ast::Field], set: &FieldSet, head: Span) -> crate::plan::Fields {
        let (values, defaulted) = self.fields_and_defaults(written, set, head, false);
        crate::plan::Fields::new(values, &defaulted)
    }

    /// The values by slot, each default filled in when `fill`, and which slots take one.
    fn fields_and_defaults(
        &mut self,
        written: &[ast::Field],
        set: &FieldSet,
        head: Span,
        fill: bool,
    ) -> (Vec<Option<Value>>, Vec<bool>) {
        let mut out: Vec<Option<Value>> = vec![None; set.defs.len()];
        let mut defaulted = vec![false; set.defs.len()];
        let mut seen: Vec<Option<Span>> = vec![None; set.defs.len()];
        for f in written {
            let slot = match set.kind {
                // a kind's slots are its fields, then its variant's: its index finds them
                Some((k, variant)) => {
                    self.schema.kind(k).slot_of(variant, &f.name.name).filter(|s| *s < set.defs.len())
                }
                None => set.defs.iter().position(|(d, _, _)| d.name == f.name.name),
            };
            let Some(slot) = slot else {
                self.unknown_field(f, set);
                continue;
            };
            let def = set.defs[slot].0;
            if let Some(first) = seen[slot] {
                self.diags.push(
                    Diagnostic::new(&codes::DUPLICATE_FIELD, format!("field `{}` is given twice", f.name.name))
                        .primary(f.name.span, "given again here")
                        .secondary(first, "first given here")
                        .help("remove one of them"),
                );
                continue;
            }
            seen[slot] = Some(f.name.span);
            if def.derived {
                self.diags.push(
                    Diagnostic::new(&codes::DERIVED_WRITTEN, format!("`{}` is computed by the compiler", f.name.name))
                        .primary(f.name.span, "a derived field cannot be written")
                        .help(format!("remove `{}`; the compiler fills it in from the rest of the plan", f.name.name)),
                );
                continue;
            }
            out[slot] = Some(self.value(&f.value, &def.ty, def.optional, &f.name.name));
        }
        let mut missing = Vec::new();
        for (slot, (def, owner, idx)) in set.defs.iter().enumerate() {
            if out[slot].is_some() || seen[slot].is_some() {
                continue;
            }
            if let Some(d) = self.defaults.get(&(*owner, *idx)) {
                defaulted[slot] = true;
                if fill {
                    out[slot] = Some(d.clone());
                }
            } else if def.required() {
                missing.push(def);
            }
        }
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|d| d.name.as_str()).collect();
            let example: Vec<String> =
                missing.iter().map(|d| format!("{}: {}", d.name, schema::example(&d.ty))).collect();
            let mut d = Diagnostic::new(
                &codes::MISSING_FIELD,
                format!(
                    "{} is missing {} {}",
                    set.what,
                    if names.len() == 1 { "field" } else { "fields" },
                    one_of(&names, "and")
                ),
            )
            .primary(head, format!("missing {}", plural(names.len(), "required field", "required fields")))
            .help(format!("add `{}`, or write `unknown` if it is not known yet", example.join(", ")));
            for m in &missing {
                if !m.docs.is_empty() {
                    d = d.note(format!("`{}`: {}", m.name, schema::first_sentence(&m.docs)));
                }
            }
            self.diags.push(d);
        }
        (out, defaulted)
    }

    fn unknown_field(&mut self, f: &ast::Field, set: &FieldSet) {
        let names: Vec<&str> =
            set.defs.iter().filter(|(d, _, _)| !d.derived).map(|(d, _, _)| d.name.as_str()).collect();
        let mut d = Diagnostic::new(&codes::UNKNOWN_FIELD, format!("unknown field `{}`", f.name.name))
            .primary(f.name.span, format!("{} has no field of this name", set.what));
        let mut elsewhere = Vec::new();
        let mut schema_name = None;
        if let Some((kind, variant)) = set.kind {
            let k = self.schema.kind(kind);
            schema_name = Some(k.name.as_str().to_owned());
            for (i, v) in k.variants.iter().enumerate() {
                if Some(i as u32) != variant && v.fields.iter().any(|vf| vf.name == f.name.name) {
                    elsewhere.push(format!("{}: {}", k.name, v.name));
                }
            }
            if !elsewhere.is_empty() {
                d = d.note(format!("`{}` is a field of {} declarations", f.name.name, one_of(&elsewhere, "and")));
            }
        }
        // a field of a record one level down (`source` of `labels: { … }`, `weight_decay` of
        // `optimizer: adamw { … }`) belongs inside it: say where, before any look-alike
        let exact = format!("`{}` in ", f.name.name);
        let nested = self.doc_candidates(set).into_iter().find(|(label, _)| label.starts_with(&exact)).map(|(l, _)| l);
        if let Some(label) = nested {
            let inside = label[exact.len()..].to_string();
            d = d.help(format!("`{}` belongs inside a record here: write {inside}", f.name.name));
            self.diags.push(d);
            return;
        }
        match (suggest::help(&f.name.name, names.iter()), suggest::by_docs(&f.name.name, self.doc_candidates(set))) {
            (Some(h), _) => d = d.help(h),
            (None, Some(field)) => {
                d = d
                    .help(format!("did you mean {field}? its documentation mentions {}", f.name.name.replace('_', " ")))
            }
            _ if !elsewhere.is_empty() => {}
            _ if names.len() <= 12 => d = d.help(format!("the fields are {}", one_of(&names, "and"))),
            _ => {
                let target = schema_name.unwrap_or_else(|| {
                    set.what.trim_start_matches("the ").trim_matches('`').split('`').next().unwrap_or("").to_string()
                });
                d = d.help(format!("{} has {} fields; list them with `mlarchc schema {target}`", set.what, names.len()))
            }
        }
        self.diags.push(d);
    }

    /// Fields and the fields of their records and enum payloads, with their docs, as
    /// "`optimizer`" or "`lr` in `optimizer: adamw { lr: … }`".
    fn doc_candidates<'s>(&'s self, set: &'s FieldSet) -> Vec<(String, &'s str)> {
        let mut out = Vec::new();
        for (def, _, _) in set.defs.iter().filter(|(d, _, _)| !d.derived) {
            out.push((format!("`{}`", def.name), def.docs.as_str()));
            let inner = |r: RecordId, prefix: String, out: &mut Vec<(String, &'s str)>| {
                for g in &self.schema.record(r).fields {
                    out.push((format!("`{}` in `{}{{ {}: … }}`", g.name, prefix, g.name), g.docs.as_str()));
                }
            };
            match &def.ty {
                Ty::Record(r) => inner(*r, format!("{}: ", def.name), &mut out),
                Ty::Enum(e) => {
                    let en = self.schema.enum_(*e);
                    if let Some(v) = en.variants.iter().find(|v| matches!(v.payload, PayloadDef::Record(_))) {
                        if let PayloadDef::Record(r) = v.payload {
                            inner(r, format!("{}: {} ", def.name, v.name), &mut out);
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn mismatch(&mut self, v: &ast::Value, ty: &Ty, field: &str) -> Value {
        let expected = self.schema.describe(ty);
        let found = v.kind.describe();
        let mut d = Diagnostic::new(&codes::MISMATCH, format!("expected {expected}, found {found}"))
            .primary(v.span, format!("`{field}` takes {expected}"));
        d = d.help_opt(self.mismatch_help(v, ty));
        self.diags.push(d);
        err(v.span)
    }

    fn mismatch_help(&self, v: &ast::Value, ty: &Ty) -> Option<String> {
        Some(match (ty, &v.kind) {
            (Ty::List(inner), _) => {
                let one = self.schema.describe(inner);
                format!("write a list in brackets, such as `[{}]`, with {one} for each item", brief(v))
            }
            (Ty::String, ValueKind::Name(n)) => {
                format!("put text in double quotes: `\"{}\"`", n.name)
            }
            (Ty::Bound(t), _) => format!("write a bound such as `< {}`", schema::example(t)),
            (Ty::Range(_), _) => "write a range such as `2015..2023`".into(),
            (Ty::Shape, _) => "write a shape with `x` between dimensions, such as `16000x1`".into(),
            (Ty::Enum(e), ValueKind::Record(_)) => {
                let en = self.schema.enum_(*e);
                let with_record = en.variants.iter().find(|v| matches!(v.payload, PayloadDef::Record(_)));
                format!(
                    "name the value before the braces, such as `{} {{ … }}`",
                    with_record.map_or("value", |v| v.name.as_str())
                )
            }
            // `labels: Labels { … }`: a record is written by its fields alone
            (Ty::Record(r), ValueKind::Tagged { name, .. }) if self.schema.record(*r).name == name.name => {
                format!("drop the record's name: write `{{ … }}` with the fields of `{}`", name.name)
            }
            (Ty::Bool, _) => "write `true` or `false`".into(),
            (Ty::Enum(e), ValueKind::Str(text)) if self.schema.enum_(*e).variant_of(text).is_some() => {
                format!("remove the quotes: `{text}`")
            }
            (Ty::Ref(_), ValueKind::Str(text)) => format!("remove the quotes: `{text}`"),
            (Ty::Ref(k), _) => format!("write the name of a `{}` declaration", self.schema.kind(*k).name),
            (_, ValueKind::Kebab(s)) => format!("names are written with `_`, not `-`: `{}`", s.replace('-', "_")),
            _ => return None,
        })
    }

    /// Checks one value against a type. `optional` allows `none`.
    pub fn value(&mut self, v: &ast::Value, ty: &Ty, optional: bool, field: &str) -> Value {
        let here = Origin::Written(v.span);
        match &v.kind {
            ValueKind::Error => return err(v.span),
            ValueKind::Unknown => return Value { val: Val::Unknown, origin: here, approx: false },
            ValueKind::None => {
                if optional {
                    return Value { val: Val::Absent, origin: here, approx: false };
                }
                self.diags.push(
                    Diagnostic::new(&codes::NONE_REQUIRED, format!("`{field}` cannot be `none`"))
                        .primary(v.span, "`none` declares an optional value absent")
                        .help("write `unknown` if the value is not known yet"),
                );
                return err(v.span);
            }
            _ => {}
        }
        match ty {
            Ty::Error => err(v.span),
            Ty::Bool => match v.kind {
                ValueKind::Bool(b) => Value::written(Val::Bool(b), v.span),
                _ => self.mismatch(v, ty, field),
            },
            Ty::Int | Ty::Real | Ty::Count | Ty::Fraction | Ty::Quantity(_) | Ty::Progress => match &v.kind {
                ValueKind::Number(n) => self.number(n, v.span, ty, field),
                _ => self.mismatch(v, ty, field),
            },
            Ty::Shape => match &v.kind {
                ValueKind::Shape(dims) => {
                    if dims.contains(&Some(0)) {
                        self.diags.push(
                            Diagnostic::new(&codes::BAD_SHAPE, "a shape cannot have a zero dimension")
                                .primary(v.span, "zero-sized dimension")
                                .help("write `_` for a dimension that varies"),
                        );
                        return err(v.span);
                    }
                    Value::written(Val::Shape(dims.clone()), v.span)
                }
                _ => self.mismatch(v, ty, field),
            },
            Ty::String => match &v.kind {
                ValueKind::Str(s) => Value::written(Val::Str(s.clone()), v.span),
                _ => self.mismatch(v, ty, field),
            },
            Ty::Range(inner) => match &v.kind {
                ValueKind::Range(a, b) => {
                    let lo = self.value(a, inner, false, field);
                    let hi = self.value(b, inner, false, field);
                    if let (Some(x), Some(y)) = (scalar(&lo.val), scalar(&hi.val)) {
                        if x > y {
                            self.diags.push(
                                Diagnostic::new(&codes::EMPTY_RANGE, "the range starts after it ends")
                                    .primary(v.span, "start is greater than end")
                                    .help(format!(
                                        "write the smaller value first: `{}..{}`",
                                        span_text(b),
                                        span_text(a)
                                    )),
                            );
                            return err(v.span);
                        }
                    }
                    Value::written(Val::Range(Box::new(lo), Box::new(hi)), v.span)
                }
                _ => self.mismatch(v, ty, field),
            },
            Ty::Bound(inner) => match &v.kind {
                ValueKind::Bound { percentile, op, value } => {
                    if let Some((p, text, ps)) = percentile {
                        if *p <= 0.0 || *p > 100.0 {
                            self.diags.push(
                                Diagnostic::new(&codes::BAD_PERCENTILE, format!("`p{text}` is not a percentile"))
                                    .primary(*ps, "percentiles run from `p1` to `p100`")
                                    .help("write `p50`, `p95`, `p99` or `p999` (99.9%)"),
                            );
                            return err(v.span);
                        }
                    }
                    let inner_v = self.value(value, inner, false, field);
                    Value::written(
                        Val::Bound { percentile: percentile.as_ref().map(|p| p.0), op: *op, value: Box::new(inner_v) },
                        v.span,
                    )
                }
                ValueKind::Number(_) | ValueKind::Name(_) => {
                    let expected = self.schema.describe(ty);
                    let text = span_text(v);
                    self.diags.push(
                        Diagnostic::new(&codes::MISMATCH, format!("expected {expected}, found {}", v.kind.describe()))
                            .primary(v.span, "a bound needs a comparison")
                            .help(format!("write `< {text}` for an upper bound, or `p99 < {text}` for a percentile")),
                    );
                    err(v.span)
                }
                _ => self.mismatch(v, ty, field),
            },
            Ty::Multiple(inner) => match &v.kind {
                ValueKind::Multiple { count, count_span, item } => {
                    let n = match count.exact {
                        Exact::Int(n) if n.get() >= 1 && n.get() <= u64::MAX as i128 && count.unit.is_none() => {
                            n.get() as u64
                        }
                        _ => {
                            self.diags.push(
                                Diagnostic::new(
                                    &codes::ZERO_MULTIPLE,
                                    format!("`{}` is not a whole number of at least 1", count.text),
                                )
                                .primary(*count_span, "expected a count of at least 1")
                                .help(format!("write `1 x {}`", item.name)),
                            );
                            return err(v.span);
                        }
                    };
                    let iv = ast::Value { kind: ValueKind::Name(item.clone()), span: item.span };
                    let item_v = self.value(&iv, inner, false, field);
                    Value::written(Val::Multiple { n, item: Box::new(item_v) }, v.span)
                }
                _ => {
                    let item_v = self.value(v, inner, false, field);
                    if matches!(item_v.val, Val::Error) {
                        return item_v;
                    }
                    Value::written(Val::Multiple { n: 1, item: Box::new(item_v) }, v.span)
                }
            },
            Ty::Estimate(_) => self.mismatch(v, ty, field),
            Ty::VariantOf(k) => match &v.kind {
                ValueKind::Name(n) => {
                    let kind = self.schema.kind(*k);
                    match kind.variant_of(&n.name) {
                        Some(i) => Value::written(Val::VariantName(*k, i), v.span),
                        None => {
                            let names: Vec<&str> = kind.variants.iter().map(|v| v.name.as_str()).collect();
                            self.diags.push(
                                Diagnostic::new(&codes::UNKNOWN_VALUE, format!("unknown value `{}`", n.name))
                                    .primary(n.span, format!("not a variant of `{}`", kind.name))
                                    .help(
                                        suggest::help(&n.name, names.iter())
                                            .unwrap_or_else(|| format!("the variants are {}", one_of(&names, "and"))),
                                    ),
                            );
                            err(v.span)
                        }
                    }
                }
                _ => self.mismatch(v, ty, field),
            },
            Ty::List(inner) => match &v.kind {
                ValueKind::List(items) => {
                    let mut vals = Vec::with_capacity(items.len());
                    for item in items {
                        if matches!(item.kind, ValueKind::None) {
                            self.diags.push(
                                Diagnostic::new(&codes::NONE_REQUIRED, "a list item cannot be `none`")
                                    .primary(item.span, "`none` declares an optional field absent")
                                    .help(format!("remove the item; write `{field}: []` for an empty list")),
                            );
                            vals.push(err(item.span));
                            continue;
                        }
                        vals.push(self.value(item, inner, false, field));
                    }
                    self.duplicate_items(&vals);
                    Value::written(Val::List(vals), v.span)
                }
                _ => self.mismatch(v, ty, field),
            },
            Ty::Ref(k) => match &v.kind {
                ValueKind::Name(n) => self.reference(n, *k, field),
                _ => self.mismatch(v, ty, field),
            },
            Ty::Enum(e) => self.enum_value(v, *e, ty, field),
            Ty::Record(r) => match &v.kind {
                ValueKind::Record(fields) => {
                    let set =
                        FieldSet::of_record(self.schema, *r, format!("the `{}` record", self.schema.record(*r).name));
                    let vals = self.fields(fields, &set, v.span);
                    Value::written(Val::Record { record: *r, fields: vals }, v.span)
                }
                _ => self.mismatch(v, ty, field),
            },
        }
    }

    fn number(&mut self, n: &ast::Number, span: Span, ty: &Ty, field: &str) -> Value {
        let approx = n.approx;
        let unit_dim = n.unit.as_ref().map(|u| u.def.dim);
        let mk = |val: Val| Value { val, origin: Origin::Written(span), approx };
        match (ty, unit_dim) {
            (Ty::Int, None) => match n.exact {
                Exact::Int(i) if i64::try_from(i.get()).is_ok() => mk(Val::Int(i.get() as i64)),
                Exact::Int(_) | Exact::TooLarge => self.overflow(n, span, "an integer"),
                Exact::Fractional => {
                    self.diags.push(
                        Diagnostic::new(&codes::MISMATCH, format!("expected an integer, found `{}`", n.text))
                            .primary(span, format!("`{field}` takes a whole number"))
                            .help(format!("round it, such as `{}`", n.value.round())),
                    );
                    err(span)
                }
            },
            (Ty::Real, None) => mk(Val::Real(n.value)),
            (Ty::Count, None | Some(Dim::CountNoun)) => match n.exact {
                Exact::Int(i) if i.get() < 0 => {
                    self.diags.push(
                        Diagnostic::new(&codes::NOT_A_COUNT, format!("a count cannot be negative, found `{}`", n.text))
                            .primary(span, format!("`{field}` counts something"))
                            .help("write zero or a positive whole number"),
                    );
                    err(span)
                }
                Exact::Int(i) if i.get() <= u64::MAX as i128 => mk(Val::Count(i.get() as u64)),
                Exact::Int(_) | Exact::TooLarge => self.overflow(n, span, "a count"),
                Exact::Fractional => {
                    self.diags.push(
                        Diagnostic::new(
                            &codes::NOT_A_COUNT,
                            format!("a count must be a whole number, found `{}`", n.text),
                        )
                        .primary(span, format!("`{field}` counts something"))
                        .help("write a whole number; `4.2k` is fine because it is 4,200"),
                    );
                    err(span)
                }
            },
            (Ty::Fraction, Some(Dim::Percent) | None) => {
                let pct = unit_dim == Some(Dim::Percent);
                let f = n.value;
                if (0.0..=1.0).contains(&f) {
                    return mk(Val::Fraction(f));
                }
                let mut d = Diagnostic::new(
                    &codes::FRACTION_RANGE,
                    format!("`{}{}` is not between 0% and 100%", n.text, if pct { "%" } else { "" }),
                )
                .primary(span, format!("`{field}` is a fraction"));
                if !pct && f > 1.0 && f <= 100.0 {
                    d = d.help(format!("did you mean `{}%`?", n.text));
                } else {
                    d = d.help("write a percentage such as `9%` or a fraction such as `0.09`");
                }
                self.diags.push(d);
                err(span)
            }
            (Ty::Quantity(want), Some(have)) if *want == have => {
                if n.value < 0.0 {
                    self.diags.push(
                        Diagnostic::new(&codes::NEGATIVE, format!("{} cannot be negative", want.phrase()))
                            .primary(span, format!("`{field}` is an amount, not a change"))
                            .help(format!(
                                "write `{}`",
                                n.text.trim_start_matches('-').to_string() + n.unit.as_ref().map_or("", |u| u.def.name)
                            )),
                    );
                    return err(span);
                }
                mk(Val::Quantity(*want, n.value))
            }
            (Ty::Progress, Some(Dim::Steps | Dim::Epochs)) => {
                let unit = if unit_dim == Some(Dim::Steps) { Progress::Steps } else { Progress::Epochs };
                if n.value < 0.0 {
                    self.diags.push(
                        Diagnostic::new(&codes::NEGATIVE, "training progress cannot be negative")
                            .primary(span, "negative")
                            .help("write zero or more steps or epochs"),
                    );
                    return err(span);
                }
                mk(Val::Progress(unit, n.value))
            }
            (Ty::Quantity(want), None) => {
                let mut d =
                    Diagnostic::new(&codes::MISSING_UNIT, format!("expected {}, found a number", want.phrase()))
                        .primary(span, "this number has no unit");
                let suffix = n.text.chars().last().filter(|c| matches!(c, 'k' | 'M' | 'B' | 'T'));
                d = match (want, suffix) {
                    (Dim::Bytes, Some(c)) => d.help(format!(
                        "`{c}` after a number is a count suffix ({}); bytes need a unit such as `{}GB`",
                        match c {
                            'k' => "thousand",
                            'M' => "million",
                            'B' => "billion",
                            _ => "trillion",
                        },
                        n.text.trim_end_matches(c)
                    )),
                    _ => d.help(format!("add a unit: {}", unit_choices(*want, &n.text))),
                };
                self.diags.push(d);
                err(span)
            }
            (Ty::Progress, None) => {
                self.diags.push(
                    Diagnostic::new(&codes::MISSING_UNIT, "expected training progress, found a number")
                        .primary(span, "this number has no unit")
                        .help(format!("add `steps` or `epochs`, such as `{} steps`", n.text)),
                );
                err(span)
            }
            (_, Some(have)) => {
                let unit = n.unit.as_ref().map_or("", |u| u.def.name);
                let expected = self.schema.describe(ty);
                let mut d =
                    Diagnostic::new(&codes::WRONG_DIMENSION, format!("expected {expected}, found {}", have.phrase()))
                        .primary(span, format!("`{unit}` measures {}", have.phrase()));
                d = match ty {
                    Ty::Quantity(want) => {
                        d.help(format!("write {} with a unit such as `{}`", want.phrase(), want.example()))
                    }
                    Ty::Count
                        if matches!(have, Dim::Steps | Dim::Epochs)
                            && field.starts_with(unit.trim_end_matches('s')) =>
                    {
                        d.help(format!("`{field}` already counts {unit}; write `{}`", n.text))
                    }
                    Ty::Count | Ty::Int | Ty::Real => d.help(format!("write a plain number, such as `{}`", n.text)),
                    Ty::Fraction => d.help("write a percentage such as `9%`"),
                    Ty::Progress => d.help(format!("write `{} steps` or `{} epochs`", n.text, n.text)),
                    _ => d,
                };
                self.diags.push(d);
                err(span)
            }
            (_, None) => {
                let v = ast::Value { kind: ValueKind::Number(n.clone()), span };
                self.mismatch(&v, ty, field)
            }
        }
    }

    fn overflow(&mut self, n: &ast::Number, span: Span, what: &str) -> Value {
        let largest = if what == "a count" {
            "the largest count is 18,446,744,073,709,551,615 (about `18_446_744T`)"
        } else {
            "the largest integer is 9,223,372,036,854,775,807 (about `9_223_372T`)"
        };
        self.diags.push(
            Diagnostic::new(&codes::COUNT_OVERFLOW, format!("`{}` is too large for {what}", n.text))
                .primary(span, "does not fit in 64 bits")
                .help(largest),
        );
        err(span)
    }

    fn reference(&mut self, n: &ast::Ident, kind: KindId, field: &str) -> Value {
        if let Some(id) = self.index.get(&(kind, n.name.clone())) {
            return Value::written(Val::Ref(*id), n.span);
        }
        let kname = &self.schema.kind(kind).name;
        if let Some(others) = self.by_name.get(n.name.as_str()) {
            if let Some(other) = others.first() {
                let e = &self.entities[other.0 as usize];
                let okind = &self.schema.kind(e.kind).name;
                let mut d = Diagnostic::new(
                    &codes::WRONG_KIND,
                    format!("`{}` is a {okind}, but `{field}` needs a {kname}", n.name),
                )
                .primary(n.span, format!("expected the name of a {kname}"));
                if e.origin == crate::source::FileOrigin::User {
                    d = d.secondary(e.name_span, format!("`{}` is declared as a {okind} here", n.name));
                }
                let names = self.names_of(kind);
                d = d.help_opt(self.help(&n.name, &names));
                self.diags.push(d);
                return err(n.span);
            }
        }
        let names = self.names_of(kind);
        let mut d = Diagnostic::new(&codes::UNKNOWN_NAME, format!("unknown {kname} `{}`", n.name))
            .primary(n.span, format!("no {kname} of this name"));
        d = match self.help(&n.name, &names) {
            Some(h) => d.help(h),
            None if names.is_empty() => d.help(format!("declare it: `{kname} {} {{ … }}`", n.name)),
            None if names.len() <= 8 => d.help(format!("the {kname} declarations are {}", one_of(&names, "and"))),
            None => d.help(format!("declare it with `{kname} {} {{ … }}`", n.name)),
        };
        let in_catalog = self.by_kind().get(&kind).map_or(0, |(_, c)| *c);
        if in_catalog > 0 {
            d = d.note(format!(
                "`mlarchc catalog {kname}` lists the {in_catalog} {kname} entries the catalog knows; a plan may declare its own"
            ));
        }
        self.diags.push(d);
        err(n.span)
    }

    /// A value of a type to show in an example: a real name where the plan has one.
    fn example_of(&self, ty: &Ty) -> String {
        match ty {
            Ty::Ref(k) => self.names_of(*k).first().cloned().unwrap_or_else(|| "NAME".into()),
            Ty::Enum(e) => self.schema.enum_(*e).variants.first().map_or("…".into(), |v| v.name.as_str().to_owned()),
            Ty::String => "\"…\"".into(),
            other => schema::example(other),
        }
    }

    /// Warns about a reference or a plain enum value listed twice.
    fn duplicate_items(&mut self, vals: &[Value]) {
        // a reference or a plain enum value, as a key: where each was first listed
        fn key(v: &Value) -> Option<(bool, u32, u32)> {
            match &v.val {
                Val::Ref(id) => Some((false, id.0, 0)),
                Val::Enum { en, variant, payload: Payload::None } => Some((true, en.0, *variant)),
                _ => None,
            }
        }
        // a short list is scanned; a long one (thousands of references) looked up
        const SCAN_UP_TO: usize = 16;
        let mut first_at: FastMap<(bool, u32, u32), usize> = FastMap::default();
        for (i, v) in vals.iter().enumerate() {
            let Some(k) = key(v) else { continue };
            let first = if vals.len() <= SCAN_UP_TO {
                vals[..i].iter().position(|w| key(w) == Some(k)).unwrap_or(i)
            } else {
                *first_at.entry(k).or_insert(i)
            };
            if first != i {
                let (key, first) = (&v.val, &vals[first]);
                let name = match key {
                    Val::Ref(id) => self.entities[id.0 as usize].name.as_str().to_owned(),
                    Val::Enum { en, variant, .. } => {
                        self.schema.enum_(*en).variants[*variant as usize].name.as_str().to_owned()
                    }
                    _ => continue,
                };
                if let (Some(here), Some(there)) = (v.origin.span(), first.origin.span()) {
                    self.diags.push(
                        Diagnostic::new(&codes::DUPLICATE_ITEM, format!("`{name}` is listed twice"))
                            .primary(here, "listed again here")
                            .secondary(there, "first listed here")
                            .help("remove the repeated item"),
                    );
                }
            }
        }
    }

    /// The declared names of a kind, sorted.
    fn names_of(&self, kind: KindId) -> std::rc::Rc<[String]> {
        self.by_kind().get(&kind).map_or_else(|| std::rc::Rc::from([]), |(n, _)| n.clone())
    }

    fn by_kind(&self) -> &FastMap<KindId, KindNames> {
        self.names.by_kind.get_or_init(|| {
            let mut names: FastMap<KindId, Vec<String>> = FastMap::default();
            for (k, n) in self.index.keys() {
                names.entry(*k).or_default().push(n.clone());
            }
            let mut catalog: FastMap<KindId, usize> = FastMap::default();
            for e in self.entities.iter().filter(|e| e.origin == crate::source::FileOrigin::Stdlib) {
                *catalog.entry(e.kind).or_default() += 1;
            }
            for k in catalog.keys() {
                names.entry(*k).or_default();
            }
            names
                .into_iter()
                .map(|(k, mut v)| {
                    v.sort();
                    (k, (std::rc::Rc::from(v), catalog.get(&k).copied().unwrap_or(0)))
                })
                .collect()
        })
    }

    /// The did-you-mean help for an unknown declaration name, within the run's budget.
    fn help(&self, name: &str, names: &[String]) -> Option<String> {
        let mut budget = self.names.budget.get();
        let help = suggest::help_within(name, names.iter(), &mut budget);
        self.names.budget.set(budget);
        help
    }

    fn enum_value(&mut self, v: &ast::Value, e: schema::EnumId, ty: &Ty, field: &str) -> Value {
        let (name, args, fields): (&ast::Ident, Option<&[ast::Value]>, Option<&[ast::Field]>) = match &v.kind {
            ValueKind::Name(n) => (n, None, None),
            ValueKind::Call { name, args } => (name, Some(args), None),
            ValueKind::Tagged { name, fields } => (name, None, Some(fields)),
            _ => return self.mismatch(v, ty, field),
        };
        let en = self.schema.enum_(e);
        let Some(vi) = en.variant_of(&name.name) else {
            let mut names: Vec<&str> = Vec::new();
            for v in &en.variants {
                if !names.contains(&v.name.as_str()) && !crate::schema::RESERVED.contains(&v.name.as_str()) {
                    names.push(&v.name);
                }
            }
            let mut d = Diagnostic::new(&codes::UNKNOWN_VALUE, format!("unknown value `{}`", name.name))
                .primary(name.span, format!("not a value of `{}`", en.name));
            let docs = en.variants.iter().map(|v| (v.name.as_str(), v.docs.as_str()));
            d = match (suggest::help(&name.name, names.iter()), suggest::by_docs(&name.name, docs)) {
                (Some(h), _) => d.help(h),
                (None, Some(v)) => {
                    d.help(format!("did you mean `{v}`? its documentation mentions {}", name.name.replace('_', " ")))
                }
                _ if names.len() <= 10 => d.help(format!("`{field}` takes {}", one_of(&names, "or"))),
                _ => d.help(format!(
                    "`{field}` takes one of {} values of `{}`, such as {}; list them with `mlarchc schema {}`",
                    names.len(),
                    en.name,
                    one_of(&names[..4], "or"),
                    en.name
                )),
            };
            if self.by_name.contains_key(name.name.as_str()) {
                d = d.note(format!(
                    "`{}` is the name of a declaration; `{field}` takes a value of `{}` here",
                    name.name, en.name
                ));
            }
            self.diags.push(d);
            return err(v.span);
        };
        let variant = &en.variants[vi as usize];
        let payload = match (&variant.payload, args, fields) {
            (PayloadDef::None, None, None) => Payload::None,
            (PayloadDef::Args(params), args, None) => {
                let args = args.unwrap_or(&[]);
                let required = params.iter().filter(|(_, opt)| !opt).count();
                if args.len() < required || args.len() > params.len() {
                    let count = if required == params.len() {
                        plural(required, "argument", "arguments")
                    } else if required == 0 {
                        format!("at most {}", plural(params.len(), "argument", "arguments"))
                    } else {
                        format!("{required} to {} arguments", params.len())
                    };
                    let words: Vec<String> = params
                        .iter()
                        .map(|(t, o)| format!("{}{}", self.schema.describe(t), if *o { " (optional)" } else { "" }))
                        .collect();
                    let example: Vec<String> =
                        params.iter().filter(|(_, o)| !o || required == 0).map(|(t, _)| self.example_of(t)).collect();
                    let example = if example.is_empty() {
                        name.name.clone()
                    } else {
                        format!("{}({})", name.name, example.join(", "))
                    };
                    self.diags.push(
                        Diagnostic::new(&codes::ARITY, format!("`{}` takes {count}, found {}", name.name, args.len()))
                            .primary(v.span, format!("`{}` takes {}", name.name, words.join(", then ")))
                            .help(format!("write it like `{example}`")),
                    );
                    return err(v.span);
                }
                let mut out = Vec::new();
                for (i, (pty, opt)) in params.iter().enumerate() {
                    match args.get(i) {
                        Some(a) => out.push(self.value(a, pty, *opt, &name.name)),
                        None => out.push(Value { val: Val::Absent, origin: Origin::Default, approx: false }),
                    }
                }
                Payload::Args(out)
            }
            (PayloadDef::Record(r), None, fields) => {
                let set = FieldSet::of_record(self.schema, *r, crate::units::cat("`".into(), &[&name.name, "`"]));
                let vals = self.fields(fields.unwrap_or(&[]), &set, v.span);
                Payload::Record(*r, vals)
            }
            (payload, args, fields) => {
                let (what, help) = match payload {
                    PayloadDef::None => {
                        ("takes no arguments or fields".to_string(), format!("write just `{}`", name.name))
                    }
                    PayloadDef::Args(p) => (
                        "takes arguments in parentheses, not fields".to_string(),
                        format!(
                            "write it like `{}({})`",
                            name.name,
                            p.iter().map(|(t, _)| self.example_of(t)).collect::<Vec<_>>().join(", ")
                        ),
                    ),
                    PayloadDef::Record(_) => {
                        ("takes fields in braces, not arguments".to_string(), format!("write `{} {{ … }}`", name.name))
                    }
                };
                let _ = (args, fields);
                self.diags.push(
                    Diagnostic::new(&codes::NO_PAYLOAD, format!("`{}` {what}", name.name))
                        .primary(v.span, "written with the wrong form")
                        .help(help),
                );
                return err(v.span);
            }
        };
        Value::written(Val::Enum { en: e, variant: vi, payload }, v.span)
    }
}

fn err(span: Span) -> Value {
    Value { val: Val::Error, origin: Origin::Written(span), approx: false }
}

fn scalar(v: &Val) -> Option<f64> {
    match v {
        Val::Int(i) => Some(*i as f64),
        Val::Real(x) | Val::Fraction(x) | Val::Quantity(_, x) => Some(*x),
        Val::Count(c) => Some(*c as f64),
        _ => None,
    }
}

fn span_text(v: &ast::Value) -> String {
    match &v.kind {
        ValueKind::Number(n) => format!("{}{}", n.text, n.unit.as_ref().map_or("", |u| u.def.name)),
        ValueKind::Name(n) => n.name.clone(),
        _ => "…".into(),
    }
}

fn brief(v: &ast::Value) -> String {
    match &v.kind {
        ValueKind::Name(n) => n.name.clone(),
        ValueKind::Number(_) => span_text(v),
        ValueKind::Str(s) => format!("\"{s}\""),
        _ => "…".into(),
    }
}

/// Common units of a dimension, applied to the number the user wrote.
fn unit_choices(dim: Dim, text: &str) -> String {
    let units: &[&str] = match dim {
        Dim::Duration => &["ms", "s", "min", "h", "d"],
        Dim::Frequency => &["Hz", "kHz", "MHz"],
        Dim::Bytes => &["KB", "MB", "GB"],
        Dim::Bandwidth => &["MB/s", "GB/s"],
        Dim::Flop => &["GFLOP", "GMAC", "TFLOP"],
        Dim::FlopRate => &["GFLOPS", "TFLOPS", "TOPS"],
        Dim::Power => &["mW", "W"],
        Dim::Angle => &["deg", "rad"],
        Dim::Money => &["USD"],
        Dim::MoneyRate => &["USD/h"],
        _ => &[],
    };
    let with: Vec<String> = units.iter().map(|u| format!("{text}{u}")).collect();
    one_of(&with, "or")
}
