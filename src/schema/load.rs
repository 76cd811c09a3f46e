//! Building the [`Schema`] from schema declarations, and checking them.
//!
//! Two steps: register every name (so declarations may refer to ones further down or in
//! other files), then resolve field types, enum payloads and sets. Defaults are checked
//! later, by `sema`, with the same checker as user values.

use super::*;
use crate::diag::{codes, suggest, Diagnostic};
use crate::fasthash::FastMap as HashMap;
use crate::syntax::ast::{self, Item, PayloadDecl, TypeExprKind};

/// `stdlib_files`: the files of the standard library, for messages about clashes with it.
pub fn load<'a>(
    modules: impl IntoIterator<Item = &'a ast::Module> + Clone,
    stdlib_files: &[crate::source::FileId],
    diags: &mut Vec<Diagnostic>,
) -> Schema {
    let mut s = Schema::default();
    let mut first_span: HashMap<String, Span> = HashMap::default();

    // 1. names
    for m in modules.clone() {
        for item in &m.items {
            let (name, kind): (&ast::Ident, SchemaItem) = match item {
                Item::Kind(k) => {
                    s.kinds.push(KindDef {
                        name: k.name.name.clone().into(),
                        docs: k.docs.0.clone().into(),
                        singleton: k.singleton,
                        owner: None,
                        fields: Vec::new(),
                        variants: Vec::new(),
                        span: k.name.span,
                        slot_index: Default::default(),
                    });
                    (&k.name, SchemaItem::Kind(KindId(s.kinds.len() as u32 - 1)))
                }
                Item::Record(r) => {
                    s.records.push(RecordDef {
                        name: r.name.name.clone().into(),
                        docs: r.docs.0.clone().into(),
                        fields: Vec::new(),
                        span: r.name.span,
                    });
                    (&r.name, SchemaItem::Record(RecordId(s.records.len() as u32 - 1)))
                }
                Item::Enum(e) => {
                    s.enums.push(EnumDef {
                        name: e.name.name.clone().into(),
                        docs: e.docs.0.clone().into(),
                        variants: Vec::new(),
                        span: e.name.span,
                    });
                    (&e.name, SchemaItem::Enum(EnumId(s.enums.len() as u32 - 1)))
                }
                Item::Set(set) => {
                    s.sets.push(SetDef {
                        name: set.name.name.clone().into(),
                        docs: set.docs.0.clone().into(),
                        en: EnumId(u32::MAX),
                        values: Vec::new(),
                        span: set.name.span,
                    });
                    (&set.name, SchemaItem::Set(s.sets.len() - 1))
                }
                _ => continue,
            };
            if PRIMITIVES.contains(&name.name.as_str()) || GENERICS.contains(&name.name.as_str()) {
                diags.push(
                    Diagnostic::new(&codes::DUPLICATE, format!("`{}` is a built-in type", name.name))
                        .primary(name.span, "cannot be declared again")
                        .help("choose another name"),
                );
                continue;
            }
            match first_span.get(&name.name) {
                Some(first) => diags.push(duplicate(&name.name, name.span, *first, stdlib_files.contains(&first.file))),
                None => {
                    first_span.insert(name.name.clone(), name.span);
                    s.names.insert(name.name.clone().into(), kind);
                }
            }
        }
    }

    // 2. bodies, in the same order
    let (mut ki, mut ri, mut ei, mut si) = (0usize, 0usize, 0usize, 0usize);
    for m in modules {
        for item in &m.items {
            match item {
                Item::Kind(k) => {
                    let id = ki;
                    ki += 1;
                    let owner = k.owner.as_ref().and_then(|o| match s.names.get(o.name.as_str()) {
                        Some(SchemaItem::Kind(kid)) => Some(*kid),
                        _ => {
                            diags.push(
                                Diagnostic::new(&codes::UNKNOWN_KIND, format!("unknown kind `{}`", o.name))
                                    .primary(o.span, "no kind of this name")
                                    .help_opt(suggest::help(&o.name, s.kind_names())),
                            );
                            None
                        }
                    });
                    let fields = field_defs(&mut s, &k.fields, diags);
                    let mut seen: HashMap<&str, Span> = HashMap::default();
                    for f in &k.fields {
                        note_member(&mut seen, &f.name, diags);
                    }
                    let mut variants = Vec::new();
                    let mut vseen: HashMap<&str, Span> = HashMap::default();
                    for v in &k.variants {
                        note_member(&mut vseen, &v.name, diags);
                        let mut own = seen.clone();
                        for f in &v.fields {
                            note_member(&mut own, &f.name, diags);
                        }
                        let vf = field_defs(&mut s, &v.fields, diags);
                        variants.push(VariantDef {
                            name: v.name.name.clone().into(),
                            docs: v.docs.0.clone().into(),
                            slot_index: super::index_slots(&vf),
                            fields: vf,
                            span: v.name.span,
                        });
                    }
                    let kd = &mut s.kinds[id];
                    kd.owner = owner;
                    kd.slot_index = super::index_slots(&fields);
                    kd.fields = fields;
                    kd.variants = variants;
                }
                Item::Record(r) => {
                    let id = ri;
                    ri += 1;
                    let mut seen = HashMap::default();
                    for f in &r.fields {
                        note_member(&mut seen, &f.name, diags);
                    }
                    let fields = field_defs(&mut s, &r.fields, diags);
                    s.records[id].fields = fields;
                }
                Item::Enum(e) => {
                    let id = ei;
                    ei += 1;
                    let mut seen = HashMap::default();
                    let mut variants = Vec::new();
                    for v in &e.variants {
                        note_member(&mut seen, &v.name, diags);
                        if RESERVED.contains(&v.name.name.as_str()) {
                            let what = match v.name.name.as_str() {
                                "none" => "`none` declares an optional field absent",
                                "unknown" => "`unknown` marks a value that is not known yet",
                                _ => "`true` and `false` are boolean values",
                            };
                            diags.push(
                                Diagnostic::new(
                                    &codes::RESERVED_NAME,
                                    format!("an enum value cannot be named `{}`", v.name.name),
                                )
                                .primary(v.name.span, "reserved word")
                                .help(format!(
                                    "{what}; name the value something else, such as `no_{}`",
                                    super::snake_case(&e.name.name)
                                )),
                            );
                        }
                        let payload = match &v.payload {
                            PayloadDecl::None => PayloadDef::None,
                            PayloadDecl::Args(args) => {
                                let mut out = Vec::new();
                                let mut seen_optional = false;
                                for a in args {
                                    let ty = resolve(&s, a, diags, false);
                                    if seen_optional && !a.optional {
                                        diags.push(
                                            Diagnostic::new(
                                                &codes::BAD_TYPE,
                                                "a required argument cannot follow an optional one",
                                            )
                                            .primary(a.span, "required argument after an optional one")
                                            .help("put optional arguments (`T?`) last"),
                                        );
                                    }
                                    seen_optional |= a.optional;
                                    out.push((ty, a.optional));
                                }
                                PayloadDef::Args(out)
                            }
                            PayloadDecl::Record(fields) => {
                                let mut rseen = HashMap::default();
                                for f in fields {
                                    note_member(&mut rseen, &f.name, diags);
                                }
                                let fd = field_defs(&mut s, fields, diags);
                                s.records.push(RecordDef {
                                    name: format!("{}.{}", e.name.name, v.name.name).into(),
                                    docs: v.docs.0.clone().into(),
                                    fields: fd,
                                    span: v.name.span,
                                });
                                PayloadDef::Record(RecordId(s.records.len() as u32 - 1))
                            }
                            PayloadDecl::Named(r) => match s.names.get(r.name.as_str()) {
                                Some(SchemaItem::Record(rid)) => PayloadDef::Record(*rid),
                                Some(_) => {
                                    diags.push(
                                        Diagnostic::new(&codes::BAD_TYPE, format!("`{}` is not a record", r.name))
                                            .primary(r.span, "a named payload must be a record")
                                            .help("declare it with `record`, or write the fields inline: `value { field: Type }`"),
                                    );
                                    PayloadDef::None
                                }
                                None => {
                                    let mut d = unknown_type(&s, r);
                                    if r.name.starts_with(|c: char| c.is_ascii_lowercase()) {
                                        d = d.note(format!(
                                            "`{} {}` reads as the value `{}` carrying the record `{}`",
                                            v.name.name, r.name, v.name.name, r.name
                                        ));
                                        d = d.help(format!(
                                            "if these are two values, separate them with a comma: `{}, {}`",
                                            v.name.name, r.name
                                        ));
                                    }
                                    diags.push(d);
                                    PayloadDef::None
                                }
                            },
                        };
                        variants.push(EnumVariantDef {
                            name: v.name.name.clone().into(),
                            docs: v.docs.0.clone().into(),
                            payload,
                            span: v.name.span,
                        });
                    }
                    s.enums[id].variants = variants;
                }
                Item::Set(set) => {
                    let id = si;
                    si += 1;
                    match s.names.get(set.ty.name.as_str()) {
                        Some(SchemaItem::Enum(en)) => {
                            let en = *en;
                            let mut values = Vec::new();
                            for v in &set.values {
                                match &v.kind {
                                    ast::ValueKind::Name(n) => match s.enum_(en).variant_of(&n.name) {
                                        Some(i) => values.push(i),
                                        None => diags.push(
                                            Diagnostic::new(
                                                &codes::UNKNOWN_VALUE,
                                                format!("unknown value `{}`", n.name),
                                            )
                                            .primary(n.span, format!("not a value of `{}`", set.ty.name))
                                            .help_opt(suggest::help(
                                                &n.name,
                                                s.enum_(en).variants.iter().map(|v| &v.name),
                                            )),
                                        ),
                                    },
                                    other => diags.push(
                                        Diagnostic::new(
                                            &codes::MISMATCH,
                                            format!(
                                                "expected a value of `{}`, found {}",
                                                set.ty.name,
                                                other.describe()
                                            ),
                                        )
                                        .primary(v.span, "a set lists enum values by name"),
                                    ),
                                }
                            }
                            s.sets[id].en = en;
                            s.sets[id].values = values;
                        }
                        Some(_) => diags.push(
                            Diagnostic::new(&codes::BAD_TYPE, format!("`{}` is not an enum", set.ty.name))
                                .primary(set.ty.span, "a set groups values of an enum")
                                .help("write `set NAME: SomeEnum = [value, value]`"),
                        ),
                        None => diags.push(unknown_type(&s, &set.ty)),
                    }
                }
                _ => {}
            }
        }
    }
    s
}

fn duplicate(name: &str, span: Span, first: Span, first_in_stdlib: bool) -> Diagnostic {
    let d = Diagnostic::new(&codes::DUPLICATE, format!("`{name}` is declared twice"))
        .primary(span, "declared again here")
        .secondary(first, "first declared here");
    if first_in_stdlib {
        d.help(format!("the standard library already declares `{name}`; choose another name"))
    } else {
        d.help("rename or remove one of them")
    }
}

fn note_member<'a>(seen: &mut HashMap<&'a str, Span>, name: &'a ast::Ident, diags: &mut Vec<Diagnostic>) {
    if let Some(first) = seen.get(name.name.as_str()) {
        diags.push(
            Diagnostic::new(&codes::DUPLICATE_MEMBER, format!("`{}` is declared twice", name.name))
                .primary(name.span, "declared again here")
                .secondary(*first, "first declared here")
                .help("each field and value is declared once"),
        );
    } else {
        seen.insert(&name.name, name.span);
    }
}

fn field_defs(s: &mut Schema, fields: &[ast::FieldDecl], diags: &mut Vec<Diagnostic>) -> Vec<FieldDef> {
    fields
        .iter()
        .map(|f| {
            let ty = resolve(s, &f.ty, diags, f.derived);
            if f.derived && f.default.is_some() {
                diags.push(
                    Diagnostic::new(
                        &codes::DERIVED_DEFAULT,
                        format!("derived field `{}` cannot have a default", f.name.name),
                    )
                    .primary(f.default.as_ref().map_or(f.span, |d| d.span), "the compiler computes this field")
                    .help("remove the default, or drop `derived` to let users write the field"),
                );
            }
            FieldDef {
                name: f.name.name.clone().into(),
                docs: f.docs.0.clone().into(),
                ty,
                optional: f.ty.optional,
                derived: f.derived,
                default: if f.derived { None } else { f.default.clone() },
                span: f.name.span,
            }
        })
        .collect()
}

fn unknown_type(s: &Schema, id: &ast::Ident) -> Diagnostic {
    let names = PRIMITIVES.iter().chain(GENERICS.iter()).copied().chain(
        s.names
            .iter()
            .filter(|(_, v)| matches!(v, SchemaItem::Record(_) | SchemaItem::Enum(_)))
            .map(|(k, _)| k.as_str()),
    );
    Diagnostic::new(&codes::UNKNOWN_TYPE, format!("unknown type `{}`", id.name))
        .primary(id.span, "no type of this name")
        .help_opt(suggest::help(&id.name, names))
}

/// Resolves a type expression; `derived` permits `estimate<T>`.
fn resolve(s: &Schema, t: &ast::TypeExpr, diags: &mut Vec<Diagnostic>, derived: bool) -> Ty {
    resolve_inner(s, t, diags, derived, true)
}

fn resolve_inner(s: &Schema, t: &ast::TypeExpr, diags: &mut Vec<Diagnostic>, derived: bool, top: bool) -> Ty {
    if t.optional && !top {
        diags.push(
            Diagnostic::new(&codes::BAD_TYPE, "only a field or an argument can be optional")
                .primary(t.span, "`?` is not allowed inside another type")
                .help("write `[T]?` for an optional list, not `[T?]`"),
        );
    }
    match &t.kind {
        TypeExprKind::Named(id) => {
            let n = id.name.as_str();
            if let Some(d) = crate::units::Dim::from_type_name(n) {
                return Ty::Quantity(d);
            }
            match n {
                "bool" => Ty::Bool,
                "int" => Ty::Int,
                "real" => Ty::Real,
                "count" => Ty::Count,
                "fraction" => Ty::Fraction,
                "progress" => Ty::Progress,
                "shape" => Ty::Shape,
                "string" => Ty::String,
                _ => match s.names.get(n) {
                    Some(SchemaItem::Record(r)) => Ty::Record(*r),
                    Some(SchemaItem::Enum(e)) => Ty::Enum(*e),
                    Some(SchemaItem::Kind(_)) => {
                        diags.push(
                            Diagnostic::new(&codes::BAD_TYPE, format!("`{n}` is a kind, not a type"))
                                .primary(id.span, "a field cannot hold a declaration")
                                .help(format!("refer to one by name with `ref {n}`")),
                        );
                        Ty::Error
                    }
                    Some(SchemaItem::Set(_)) => {
                        diags.push(
                            Diagnostic::new(&codes::BAD_TYPE, format!("`{n}` is a set, not a type"))
                                .primary(id.span, "sets are for rules")
                                .help("use the enum the set is drawn from"),
                        );
                        Ty::Error
                    }
                    None => {
                        if GENERICS.contains(&n) {
                            diags.push(
                                Diagnostic::new(&codes::BAD_TYPE, format!("`{n}` needs a type argument"))
                                    .primary(id.span, format!("write `{n}<T>`")),
                            );
                        } else {
                            diags.push(unknown_type(s, id));
                        }
                        Ty::Error
                    }
                },
            }
        }
        TypeExprKind::List(inner) => Ty::List(Box::new(resolve_inner(s, inner, diags, false, false))),
        TypeExprKind::Ref(k) => match s.names.get(k.name.as_str()) {
            Some(SchemaItem::Kind(kid)) => Ty::Ref(*kid),
            _ => {
                diags.push(
                    Diagnostic::new(&codes::UNKNOWN_KIND, format!("unknown kind `{}`", k.name))
                        .primary(k.span, "`ref` must name a declaration kind")
                        .help_opt(suggest::help(&k.name, s.kind_names())),
                );
                Ty::Error
            }
        },
        TypeExprKind::Generic(g, inner) => {
            if g.name == "variant" {
                let TypeExprKind::Named(k) = &inner.kind else {
                    diags.push(
                        Diagnostic::new(&codes::BAD_TYPE, "`variant<K>` takes a kind name")
                            .primary(inner.span, "expected a kind name"),
                    );
                    return Ty::Error;
                };
                return match s.kind_id(&k.name) {
                    Some(kid) => Ty::VariantOf(kid),
                    None => {
                        diags.push(
                            Diagnostic::new(&codes::UNKNOWN_KIND, format!("unknown kind `{}`", k.name))
                                .primary(k.span, "`variant<K>` takes a kind name")
                                .help_opt(suggest::help(&k.name, s.kind_names())),
                        );
                        Ty::Error
                    }
                };
            }
            let arg = resolve_inner(s, inner, diags, false, false);
            match g.name.as_str() {
                "range" => Ty::Range(Box::new(arg)),
                "bound" => Ty::Bound(Box::new(arg)),
                "multiple" => Ty::Multiple(Box::new(arg)),
                "estimate" if derived => Ty::Estimate(Box::new(arg)),
                "estimate" => {
                    diags.push(
                        Diagnostic::new(&codes::BAD_TYPE, "`estimate<T>` is only for derived fields")
                            .primary(g.span, "users cannot write estimates")
                            .help("mark the field `derived`, or use a `range<T>`"),
                    );
                    Ty::Error
                }
                other => {
                    diags.push(
                        Diagnostic::new(&codes::UNKNOWN_TYPE, format!("unknown generic type `{other}`"))
                            .primary(g.span, "no generic type of this name")
                            .help_opt(suggest::help(other, GENERICS.iter().copied())),
                    );
                    Ty::Error
                }
            }
        }
    }
}
