//! Semantic analysis: imports, names, kinds and variants, types and units.
//!
//! Input: the parsed modules of the stdlib and the user's plan. Output: a [`Plan`] with every
//! declaration resolved and every field typed, plus diagnostics. Passes accumulate
//! diagnostics and keep going; an entity whose body did not parse is kept (so names
//! resolve) but not checked.

pub mod imports;
mod typeck;

use crate::diag::{codes, one_of, suggest, Diagnostic};
use crate::fasthash::FastMap;
use crate::plan::{Entity, EntityId, Plan, Value};
use crate::schema::{self, KindId, SchemaItem};
use crate::source::{FileId, FileOrigin, SourceMap};
use crate::syntax::ast::{self, Item};
pub use typeck::DefOwner;
use typeck::{Checker, FieldSet};

pub use imports::{load_plan, Host};

/// Checks the whole program: stdlib modules first, then the user's.
pub fn check(sources: &SourceMap, modules: &[(FileId, ast::Module)], diags: &mut Vec<Diagnostic>) -> Plan {
    check_with(sources, modules, diags, |_| ()).0
}

/// What checking some modules leaves for a check of further modules to continue from,
/// besides the plan's declarations: every name declared, the schema's defaults checked and
/// the rule codes and names taken. The embedded stdlib is checked once, at build time, and
/// a run continues from its `Carry` (see `crate::prelude`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Carry {
    pub by_name: FastMap<crate::text::Text, Vec<EntityId>>,
    /// `None` until the schema's defaults are checked (once, with the first modules)
    pub defaults: Option<FastMap<(DefOwner, usize), Value>>,
    pub rule_codes: FastMap<crate::text::Text, crate::source::Span>,
    pub rule_names: FastMap<crate::text::Text, crate::source::Span>,
}

/// As [`check`], running `beside` on the schema as soon as it is loaded, on a second thread
/// when there is one, while the declarations are checked (the rules compile there).
pub fn check_with<T: Send>(
    sources: &SourceMap,
    modules: &[(FileId, ast::Module)],
    diags: &mut Vec<Diagnostic>,
    beside: impl FnOnce(&schema::Schema) -> T + Send,
) -> (Plan, T) {
    let schema = load_schema(sources, modules, diags);
    let start = |schema| Plan { schema, ..Plan::default() };
    if crate::parallel::threads() < 2 {
        let t = beside(&schema);
        return (check_onto(sources, modules, start(schema), Carry::default(), diags).0, t);
    }
    let shared = schema.clone();
    let (t, (plan, _)) = crate::parallel::both(
        move || beside(&shared),
        || check_onto(sources, modules, start(schema), Carry::default(), diags),
    );
    (plan, t)
}

/// The schema every schema item of `modules` declares.
fn load_schema(
    sources: &SourceMap,
    modules: &[(FileId, ast::Module)],
    diags: &mut Vec<Diagnostic>,
) -> std::sync::Arc<schema::Schema> {
    let stdlib_files: Vec<FileId> =
        modules.iter().map(|(f, _)| *f).filter(|f| sources.get(*f).origin == FileOrigin::Stdlib).collect();
    std::sync::Arc::new(schema::load(modules.iter().map(|(_, m)| m), &stdlib_files, diags))
}

/// As [`check`], handing back what a check of further modules continues from.
pub fn check_carry(
    sources: &SourceMap,
    modules: &[(FileId, ast::Module)],
    diags: &mut Vec<Diagnostic>,
) -> (Plan, Carry) {
    let schema = load_schema(sources, modules, diags);
    check_onto(sources, modules, Plan { schema, ..Plan::default() }, Carry::default(), diags)
}

/// Declares, resolves and type-checks every declaration of `modules` against the loaded
/// schema, after the declarations `plan` already holds and the `carry` their check left —
/// none, or the stdlib's, checked at build time. Continuing is exact only when `modules`
/// change nothing about how the earlier ones were checked (no schema items, gates or names
/// they declare): `crate::prelude` decides.
pub fn check_onto(
    sources: &SourceMap,
    modules: &[(FileId, ast::Module)],
    mut plan: Plan,
    mut carry: Carry,
    diags: &mut Vec<Diagnostic>,
) -> (Plan, Carry) {
    let mut by_name = std::mem::take(&mut carry.by_name);
    // the declarations checked before keep their fields
    let mut bodies: Vec<Option<&[ast::Field]>> = vec![None; plan.entities.len()];

    // 1. declare every entity
    for (file, m) in modules {
        let origin = sources.get(*file).origin;
        for item in &m.items {
            if let Item::Decl(d) = item {
                if declare(&mut plan, &mut by_name, d, origin, diags).is_some() {
                    bodies.push(d.body.as_deref());
                }
            }
        }
    }

    // 2. attached kinds name their owner; singleton kinds appear once
    resolve_owners(&mut plan, diags);
    check_singletons(&plan, diags);

    // 3. defaults, then bodies
    let defaults = match carry.defaults.take() {
        Some(d) => d,
        None => {
            let d = check_defaults(&plan, &by_name, diags);
            // by kind and slot, for the slots declarations leave to their default
            plan.defaults =
                crate::plan::Defaults::new(&plan.schema, |k, v, i| d.get(&(DefOwner::Kind(k, v), i)).cloned());
            d
        }
    };
    let mut filled: Vec<Option<crate::plan::Fields>> = Vec::with_capacity(plan.entities.len());
    {
        let mut checker = Checker {
            schema: &plan.schema,
            entities: &plan.entities,
            index: &plan.index,
            by_name: &by_name,
            defaults: &defaults,
            diags,
            names: Default::default(),
        };
        for (i, e) in plan.entities.iter().enumerate() {
            match bodies[i] {
                Some(body) if !e.broken => {
                    let kname = &plan.schema.kind(e.kind).name;
                    let what = crate::units::cat(kname.as_str().to_owned(), &[" `", &e.name, "`"]);
                    let set = FieldSet::of_kind(&plan.schema, e.kind, e.variant, what);
                    filled.push(Some(checker.decl_fields(body, &set, e.head)));
                }
                _ => filled.push(None),
            }
        }
    }
    for (e, f) in plan.entities.iter_mut().zip(filled) {
        if let Some(f) = f {
            e.fields = f;
        }
    }

    plan.index_kinds();

    // 4. rules, decisions, allows, reviews are kept for the rule engine
    collect_rules(&mut plan, &mut carry, modules, sources, diags);
    carry.by_name = by_name;
    carry.defaults = Some(defaults);
    (plan, carry)
}

/// Every schema default, checked once against its field's type (so a bad default is
/// reported in the schema, never at each use).
fn check_defaults(
    plan: &Plan,
    by_name: &FastMap<crate::text::Text, Vec<EntityId>>,
    diags: &mut Vec<Diagnostic>,
) -> FastMap<(DefOwner, usize), Value> {
    let s = &plan.schema;
    let mut owners: Vec<(DefOwner, &[schema::FieldDef])> = Vec::new();
    for (k, kd) in s.kinds.iter().enumerate() {
        let kid = KindId(k as u32);
        owners.push((DefOwner::Kind(kid, None), &kd.fields));
        for (vi, v) in kd.variants.iter().enumerate() {
            owners.push((DefOwner::Kind(kid, Some(vi as u32)), &v.fields));
        }
    }
    for (r, rd) in s.records.iter().enumerate() {
        owners.push((DefOwner::Record(schema::RecordId(r as u32)), &rd.fields));
    }
    let none = FastMap::default();
    let mut checker = Checker {
        schema: s,
        entities: &plan.entities,
        index: &plan.index,
        by_name,
        defaults: &none,
        diags,
        names: Default::default(),
    };
    let mut out = FastMap::default();
    for (owner, fields) in owners {
        for (slot, def) in fields.iter().enumerate() {
            if let Some(value) = &def.default {
                let mut v = checker.value(value, &def.ty, def.optional, &def.name);
                v.origin = crate::plan::Origin::Default;
                out.insert((owner, slot), v);
            }
        }
    }
    out
}

fn declare(
    plan: &mut Plan,
    by_name: &mut FastMap<crate::text::Text, Vec<EntityId>>,
    d: &ast::Decl,
    origin: FileOrigin,
    diags: &mut Vec<Diagnostic>,
) -> Option<EntityId> {
    let schema = &plan.schema;
    let Some(kind) = schema.kind_id(&d.kind.name) else {
        let mut diag = Diagnostic::new(&codes::UNKNOWN_KIND, format!("unknown kind of declaration `{}`", d.kind.name))
            .primary(d.kind.span, "not a declaration kind");
        diag = match schema.names.get(d.kind.name.as_str()) {
            Some(SchemaItem::Record(_)) => {
                diag.note(format!("`{}` is a record type, used as a field's value", d.kind.name))
            }
            Some(SchemaItem::Enum(_)) => {
                diag.note(format!("`{}` is an enum type, used as a field's value", d.kind.name))
            }
            Some(SchemaItem::Set(_)) => diag.note(format!("`{}` is a set of values, used by rules", d.kind.name)),
            _ => diag,
        };
        let kinds: Vec<&str> = schema.kind_names().collect();
        diag = match suggest::did_you_mean(&d.kind.name, kinds.iter()) {
            Some(s) => diag.help(format!("did you mean `{s}`?")),
            None => diag.help(format!("the kinds are {}", one_of(&kinds, "and"))),
        };
        diags.push(diag);
        return None;
    };
    let kd = schema.kind(kind);
    let broken = d.body.is_none();
    let n = d.name.name.as_str();
    let shape_like = n.split('x').count() > 1
        && n.split('x').all(|p| p == "_" || (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())));
    if schema::RESERVED.contains(&n) || shape_like {
        let why = if shape_like { "reads as a shape" } else { "is a literal value" };
        diags.push(
            Diagnostic::new(&codes::RESERVED_NAME, format!("`{n}` cannot name a declaration"))
                .primary(d.name.span, format!("`{n}` {why}, so nothing could refer to it"))
                .help("choose another name"),
        );
    }
    let variant = match (&d.variant, kd.variants.is_empty()) {
        (Some(v), false) => match kd.variant_of(&v.name) {
            Some(i) => Some(i),
            None => {
                let names: Vec<&str> = kd.variants.iter().map(|v| v.name.as_str()).collect();
                diags.push(
                    Diagnostic::new(&codes::UNKNOWN_VARIANT, format!("unknown variant `{}` of `{}`", v.name, kd.name))
                        .primary(v.span, format!("not a variant of `{}`", kd.name))
                        .help(
                            suggest::help(&v.name, names.iter())
                                .unwrap_or_else(|| format!("the variants are {}", one_of(&names, "and"))),
                        ),
                );
                None
            }
        },
        (Some(v), true) => {
            diags.push(
                Diagnostic::new(&codes::UNEXPECTED_VARIANT, format!("`{}` declarations have no variants", kd.name))
                    .primary(v.span, "remove this variant")
                    .help(format!("write `{} {} {{ … }}`", kd.name, d.name.name)),
            );
            None
        }
        (None, false) if !broken => {
            let names: Vec<&str> = kd.variants.iter().map(|v| v.name.as_str()).collect();
            diags.push(
                Diagnostic::new(&codes::MISSING_VARIANT, format!("`{}` needs a variant", d.name.name))
                    .primary(d.head, format!("a `{}` is one of several variants", kd.name))
                    .help(format!(
                        "write `{} {}: {} {{ … }}`; the variants are {}",
                        kd.name,
                        d.name.name,
                        names[0],
                        one_of(&names, "and")
                    )),
            );
            None
        }
        (None, _) => None,
    };
    // a declaration with a bad variant is still declared, but its body is not checked
    let bad_variant = !kd.variants.is_empty() && variant.is_none();
    let id = EntityId(plan.entities.len() as u32);
    let key = (kind, d.name.name.clone());
    if let Some(&prev) = plan.index.get(&key) {
        let p = plan.entity(prev);
        if p.origin == FileOrigin::Stdlib && origin == FileOrigin::User {
            diags.push(
                Diagnostic::new(
                    &codes::SHADOWS_CATALOG,
                    format!("`{}` replaces the catalog's {} of the same name", d.name.name, kd.name),
                )
                .primary(d.name.span, "this declaration is used instead of the catalog entry")
                .help("rename it if you meant a new entry rather than a replacement"),
            );
        } else {
            diags.push(
                Diagnostic::new(&codes::DUPLICATE, format!("{} `{}` is declared twice", kd.name, d.name.name))
                    .primary(d.name.span, "declared again here")
                    .secondary(p.name_span, "first declared here")
                    .help("rename or remove one of them"),
            );
            return None;
        }
    }
    plan.index.insert(key, id);
    by_name.entry(d.name.name.clone().into()).or_default().push(id);
    plan.entities.push(Entity {
        kind,
        variant,
        name: d.name.name.clone().into(),
        name_span: d.name.span,
        head: d.head,
        span: d.span,
        origin,
        docs: d.docs.0.clone().into(),
        owner: None,
        fields: Default::default(),
        broken: broken || bad_variant,
    });
    Some(id)
}

fn resolve_owners(plan: &mut Plan, diags: &mut Vec<Diagnostic>) {
    let mut owners = Vec::with_capacity(plan.entities.len());
    // the declarations of each owner kind, gathered on the first missing owner
    let mut names_of: FastMap<KindId, Vec<&str>> = FastMap::default();
    let mut budget = suggest::NAMES_BUDGET;
    for e in &plan.entities {
        let kd = plan.schema.kind(e.kind);
        let owner = kd.owner.and_then(|ok| match plan.lookup(ok, &e.name) {
            Some(o) => Some(o),
            None => {
                let oname = &plan.schema.kind(ok).name;
                let names = names_of.entry(ok).or_insert_with(|| {
                    plan.entities.iter().filter(|x| x.kind == ok).map(|x| x.name.as_str()).collect()
                });
                let mut d = Diagnostic::new(&codes::UNKNOWN_OWNER, format!("no {oname} named `{}`", e.name))
                    .primary(e.name_span, format!("`{} {}` must name {}", kd.name, e.name, a_an(oname)));
                d = match suggest::did_you_mean_within(&e.name, names.iter(), &mut budget).first() {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None if names.is_empty() => {
                        d.help(format!("declare the {oname} first: `{oname} {} {{ … }}`", e.name))
                    }
                    None if names.len() <= 8 => {
                        d.help(format!("the {oname} declarations are {}", one_of(names, "and")))
                    }
                    None => d.help(format!("declare the {oname} first: `{oname} {} {{ … }}`", e.name)),
                };
                diags.push(d.note(format!(
                    "{} `{}` declaration belongs to the {oname} of the same name",
                    a_an_word(&kd.name),
                    kd.name
                )));
                None
            }
        });
        owners.push(owner);
    }
    for (e, o) in plan.entities.iter_mut().zip(owners) {
        e.owner = o;
    }
}

/// A `singleton` kind (the `project`) appears exactly once in a plan. A program that
/// declares nothing but catalog entries, rules or schema is not a plan and needs none.
fn check_singletons(plan: &Plan, diags: &mut Vec<Diagnostic>) {
    let catalog_kinds: crate::fasthash::FastSet<KindId> =
        plan.entities.iter().filter(|e| e.origin == FileOrigin::Stdlib).map(|e| e.kind).collect();
    let user: Vec<&Entity> = plan.entities.iter().filter(|e| e.origin == FileOrigin::User).collect();
    let is_plan = user.iter().any(|e| !catalog_kinds.contains(&e.kind));
    for (k, kd) in plan.schema.kinds.iter().enumerate() {
        if !kd.singleton {
            continue;
        }
        let kid = KindId(k as u32);
        let found: Vec<&&Entity> = user.iter().filter(|e| e.kind == kid).collect();
        if found.len() > 1 {
            for extra in &found[1..] {
                diags.push(
                    Diagnostic::new(&codes::SINGLETON, format!("a plan has one `{}`, found a second", kd.name))
                        .primary(extra.head, format!("second `{}`", kd.name))
                        .secondary(found[0].head, "the first one")
                        .help(format!(
                            "merge them, or split the work into separate plans each with its own `{}`",
                            kd.name
                        )),
                );
            }
        } else if found.is_empty() && is_plan {
            if let Some(first) = user.first() {
                diags.push(
                    Diagnostic::new(&codes::SINGLETON, format!("the plan has no `{}` declaration", kd.name))
                        .primary(first.head, format!("this plan needs a `{}`", kd.name))
                        .help(format!("add `{} NAME {{ … }}` stating what is predicted and for whom", kd.name)),
                );
            }
        }
    }
}

fn collect_rules(
    plan: &mut Plan,
    carry: &mut Carry,
    modules: &[(FileId, ast::Module)],
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) {
    for (file, m) in modules {
        let user = sources.get(*file).origin == FileOrigin::User;
        for item in &m.items {
            match item {
                Item::Rule(r) => {
                    if !is_rule_code(&r.code.name) {
                        diags.push(bad_code(&r.code, "a rule's code is `MLA` and three digits, such as `MLA901`"));
                    }
                    let name = r.name.name.replace('-', "_");
                    for (key, seen, what) in
                        [(r.code.name.clone(), &mut carry.rule_codes, "code"), (name, &mut carry.rule_names, "name")]
                    {
                        let span = if what == "code" { r.code.span } else { r.name.span };
                        if let Some(first) = seen.get(key.as_str()) {
                            diags.push(
                                Diagnostic::new(&codes::DUPLICATE, format!("rule {what} `{key}` is used twice"))
                                    .primary(span, "used again here")
                                    .secondary(*first, "first used here")
                                    .help("each rule has its own code and name; MLA9xx is reserved for your own rules"),
                            );
                        } else {
                            seen.insert(key.into(), span);
                        }
                    }
                }
                Item::Decide(d) if user => {
                    check_rule_ref(&d.rule, diags);
                    check_reason(&d.reason, d.reason_span, "decision", diags);
                    plan.decisions.push(d.clone());
                }
                Item::Allow(a) if user => {
                    check_rule_ref(&a.rule, diags);
                    check_reason(&a.reason, a.reason_span, "suppression", diags);
                    plan.allows.push(a.clone());
                }
                Item::Review(r) if user => plan.reviews.push(r.clone()),
                _ => {}
            }
        }
    }
}

fn check_reason(reason: &str, span: crate::source::Span, what: &str, diags: &mut Vec<Diagnostic>) {
    if reason.trim().is_empty() {
        diags.push(
            Diagnostic::new(&codes::EMPTY_REASON, format!("a {what} needs a reason"))
                .primary(span, "empty reason")
                .help("say why in words; the reason is shown in reports and decision records"),
        );
    }
}

/// "a model", "an evaluate".
fn a_an(word: &str) -> String {
    format!("{} {word}", a_an_word(word))
}

fn a_an_word(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn is_rule_code(s: &str) -> bool {
    s.len() == 6 && s.starts_with("MLA") && s[3..].bytes().all(|b| b.is_ascii_digit())
}

fn check_rule_ref(r: &ast::Ident, diags: &mut Vec<Diagnostic>) {
    let n = &r.name;
    if n.starts_with("MLA")
        && n.len() > 3
        && n[3..].bytes().all(|b| b.is_ascii_digit() || b == b'x')
        && !is_rule_code(n)
    {
        diags.push(bad_code(r, "rule codes are `MLA` and three digits, such as `MLA201`"));
    }
}

fn bad_code(code: &ast::Ident, help: &str) -> Diagnostic {
    Diagnostic::new(&codes::BAD_RULE_CODE, format!("`{}` is not a rule code", code.name))
        .primary(code.span, "malformed code")
        .help(help)
}
