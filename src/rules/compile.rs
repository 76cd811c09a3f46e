//! Compiling `rule` declarations: metadata, bindings and typed expressions.
//!
//! Expressions are checked against the schema the way values are: a field that does not
//! exist gets a did-you-mean, a comparison of a duration with a count is a type error, a
//! bare name must be a bound variable, a value of the enum on the other side, or a set.

use super::expr::{Access, IsTest, RTy, Slot, TExpr, TKind};
use super::{At, Binding, Case, Piece, Rule, RuleOption, RuleSet, Section, Status};
use crate::diag::{codes, one_of, suggest, Diagnostic, Severity};
use crate::plan::Progress;
use crate::schema::{PayloadDef, Schema, SchemaItem};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, BinOp, ExprKind, RuleItem, UnOp, ValueKind};
use crate::units::Dim;

/// Compiles every rule declaration against the schema, after the rules and gates of `set`
/// (none, or the stdlib's compiled at build time): the new rules may name its gates. A rule
/// with errors is reported and left out. Rules read only the schema, so this runs before
/// the plan's declarations are checked (beside them, see `compile` in `lib.rs`).
pub fn compile<'d>(
    mut set: RuleSet,
    schema: &Schema,
    decls: impl Iterator<Item = &'d ast::RuleDecl>,
    gates: impl Iterator<Item = &'d ast::GateDecl>,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> RuleSet {
    // a gate's conditions are checked once, with its parameters bound
    for g in super::gate::collect(schema, gates, sources, diags) {
        let mut c = Compiler { schema, sources, scope: Vec::new(), diags: Vec::new(), gates: &[] };
        for (name, kind) in &g.params {
            c.scope.push((name.clone(), RTy::Entity(*kind)));
        }
        for e in [&g.applies, &g.relax].into_iter().flatten() {
            c.condition(e);
        }
        let failed = c.diags.iter().any(Diagnostic::is_error);
        diags.extend(c.diags);
        if !failed {
            set.gates.push(g);
        }
    }
    for decl in decls {
        let origin = sources.get(decl.code.span.file).origin;
        let mut c = Compiler { schema, sources, scope: Vec::new(), diags: Vec::new(), gates: &set.gates };
        let rule = c.rule(decl, origin);
        let failed = c.diags.iter().any(Diagnostic::is_error);
        diags.extend(c.diags);
        if let (Some(rule), false) = (rule, failed) {
            set.rules.push(rule);
        }
    }
    set
}

struct Compiler<'a> {
    schema: &'a Schema,
    sources: &'a SourceMap,
    /// variables in scope: name, type; the index is the environment slot
    scope: Vec<(String, RTy)>,
    diags: Vec<Diagnostic>,
    /// the gates rules may name
    gates: &'a [super::gate::Gate],
}

/// `a and b`, `a or b` of two compiled conditions.
fn both(op: BinOp, a: TExpr, b: TExpr) -> TExpr {
    let span = a.span;
    TExpr { kind: TKind::Binary(op, Box::new(a), Box::new(b)), ty: RTy::Bool, span }
}

fn err(span: Span) -> TExpr {
    TExpr { kind: TKind::Bool(false), ty: RTy::Error, span }
}

const ITEMS: &[&str] = &[
    "section", "severity", "status", "since", "when", "escalate", "relax", "gate", "at", "message", "explain", "why",
    "source", "covers",
];

impl Compiler<'_> {
    fn rule(&mut self, decl: &ast::RuleDecl, origin: crate::source::FileOrigin) -> Option<Rule> {
        let mut section = None;
        let mut severity = None;
        let mut status = Status::Stable;
        let mut since = None;
        let mut bindings = Vec::new();
        let mut when = None;
        let mut escalate = None;
        let mut relax = None;
        let mut gated: Vec<(String, Option<TExpr>, Option<TExpr>)> = Vec::new();
        let mut covers = Vec::new();
        let mut at_expr = None;
        let mut message = None;
        let mut explain = Vec::new();
        let mut why = None;
        let mut source = None;
        let mut options: Vec<(RuleOption, Span)> = Vec::new();
        let mut seen: Vec<(String, Span)> = Vec::new();

        // bindings first, so `when` may come before or after them
        for item in &decl.items {
            if let RuleItem::Let { var, value, .. } = item {
                let x = self.expr(value, None);
                let ty = x.ty.clone();
                self.check_not_bound(
                    var,
                    "already bound by an earlier `for` or `let`",
                    "give each `for` and `let` its own name",
                );
                let entity = matches!(ty, RTy::Entity(_));
                bindings.push((var.name.clone(), Binding::Value { expr: super::Lazy::ready(x), entity }));
                self.scope.push((var.name.clone(), ty));
                continue;
            }
            if let RuleItem::For { var, source: src, .. } = item {
                let ty = match src {
                    ast::ForSource::Kind(k) => match self.schema.kind_id(&k.name) {
                        Some(kid) => {
                            bindings.push((var.name.clone(), Binding::Kind(kid)));
                            RTy::Entity(kid)
                        }
                        None => {
                            self.diags.push(
                                Diagnostic::new(&codes::UNKNOWN_KIND, format!("unknown kind `{}`", k.name))
                                    .primary(k.span, "`for NAME: KIND` binds each declaration of a kind")
                                    .help_opt(suggest::help(&k.name, self.schema.kind_names())),
                            );
                            RTy::Error
                        }
                    },
                    ast::ForSource::Expr(e) => {
                        let list = self.expr(e, None);
                        let elem =
                            self.element_type(&list, "`for … in` needs", "write `for x: KIND` to bind declarations");
                        bindings.push((var.name.clone(), Binding::Each(super::Lazy::ready(list))));
                        elem
                    }
                };
                self.check_not_bound(var, "already bound by an earlier `for`", "give each `for` its own name");
                self.scope.push((var.name.clone(), ty));
            }
        }
        let mut messages_when = Vec::new();
        let mut whys_when = Vec::new();
        let mut options_when: Vec<(Case<RuleOption>, Span)> = Vec::new();
        for item in &decl.items {
            match item {
                RuleItem::For { .. } | RuleItem::Let { .. } => {}
                RuleItem::When { name, cond, value, .. } => match name.name.as_str() {
                    "message" => {
                        let c = self.condition(cond);
                        if let Some(t) = self.template(value) {
                            messages_when.push((c, t));
                        }
                    }
                    "why" => {
                        let c = self.condition(cond);
                        if let Some(t) = self.string_lit(value, "`why`") {
                            whys_when.push(Case {
                                when: c,
                                condition: self.sources.text(cond.span).to_string(),
                                value: t.into(),
                            });
                        }
                    }
                    _ => {
                        self.diags.push(
                            Diagnostic::new(
                                &codes::RULE_UNKNOWN_ITEM,
                                format!("`{} when` is not a rule item", name.name),
                            )
                            .primary(name.span, "only `message`, `why` and options take a condition")
                            .help("write `message when CONDITION: \"…\"` (or `why when`, `option B when`) for a text that fits one case"),
                        );
                    }
                },
                RuleItem::Option { letter, recommended, cond, text, span, .. } => {
                    let Some(t) = self.string_lit(text, "an option") else {
                        continue;
                    };
                    let l = letter.name.chars().next().unwrap_or('?');
                    let o = RuleOption { letter: l, text: t.into(), recommended: *recommended };
                    match cond {
                        Some(c) => {
                            let when = self.condition(c);
                            let condition = self.sources.text(c.span).to_string();
                            options_when.push((Case { when, condition, value: o }, *span));
                        }
                        None => options.push((o, *span)),
                    }
                }
                RuleItem::Field { name, value, .. } => {
                    if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name.name) {
                        self.diags.push(
                            Diagnostic::new(&codes::DUPLICATE_FIELD, format!("`{}` is given twice", name.name))
                                .primary(name.span, "given again here")
                                .secondary(*first, "first given here")
                                .help("remove one of them"),
                        );
                        continue;
                    }
                    seen.push((name.name.clone(), name.span));
                    match name.name.as_str() {
                        "section" => {
                            section = self
                                .word(value, "section", &Section::ALL.map(|s| s.as_str()))
                                .and_then(|w| Section::parse(&w));
                        }
                        "severity" => {
                            severity =
                                self.word(value, "severity", &["error", "warning", "note"]).map(|w| match w.as_str() {
                                    "error" => Severity::Error,
                                    "warning" => Severity::Warning,
                                    _ => Severity::Note,
                                });
                        }
                        "status" => {
                            status = match self.word(value, "status", &["stable", "preview", "deprecated"]).as_deref() {
                                Some("preview") => Status::Preview,
                                Some("deprecated") => Status::Deprecated,
                                _ => Status::Stable,
                            }
                        }
                        "since" => since = self.string_lit(value, "`since`"),
                        "when" => when = Some(self.condition(value)),
                        "escalate" => escalate = Some(self.condition(value)),
                        "relax" => relax = Some(self.condition(value)),
                        "gate" => gated = self.gates_of(value),
                        "covers" => covers = self.covers(value),
                        "at" => at_expr = Some(value),
                        "message" => message = Some(value),
                        "explain" => explain = self.explain(value),
                        "why" => why = self.string_lit(value, "`why`"),
                        "source" => source = self.string_lit(value, "`source`"),
                        other => {
                            self.diags.push(
                                Diagnostic::new(&codes::RULE_UNKNOWN_ITEM, format!("unknown rule item `{other}`"))
                                    .primary(name.span, "not a rule item")
                                    .help(suggest::help(other, ITEMS).unwrap_or_else(|| {
                                        format!("a rule has `for`, `option` and {}", one_of(ITEMS, "and"))
                                    })),
                            );
                        }
                    }
                }
            }
        }
        let at = at_expr.and_then(|e| self.at(e));
        let message = message.and_then(|m| self.template(m));
        // a gate's conditions join the rule's own
        let mut gates = Vec::new();
        for (name, applies, relaxes) in gated {
            gates.push(name);
            if let Some(a) = applies {
                when = when.map(|w| both(BinOp::And, w, a));
            }
            if let Some(r) = relaxes {
                relax = Some(match relax {
                    Some(x) => both(BinOp::Or, x, r),
                    None => r,
                });
            }
        }

        // what every rule must have
        let head = decl.code.span.to(decl.name.span);
        let mut missing = Vec::new();
        if section.is_none() && !seen.iter().any(|(n, _)| n == "section") {
            missing.push("section");
        }
        if severity.is_none() && !seen.iter().any(|(n, _)| n == "severity") {
            missing.push("severity");
        }
        if bindings.is_empty() && !decl.items.iter().any(|i| matches!(i, RuleItem::For { .. })) {
            missing.push("for");
        }
        if when.is_none() {
            missing.push("when");
        }
        if message.is_none() && !seen.iter().any(|(n, _)| n == "message") {
            missing.push("message");
        }
        if why.is_none() && !seen.iter().any(|(n, _)| n == "why") {
            missing.push("why");
        }
        if !missing.is_empty() {
            self.diags.push(
                Diagnostic::new(&codes::RULE_METADATA, format!("rule `{}` is missing {}", decl.code.name, one_of(&missing, "and")))
                    .primary(head, "incomplete rule")
                    .help("a rule needs `section`, `severity`, one or more `for`, `when`, `message`, `why` and two or three options"),
            );
        }
        self.check_options(&options, head);
        // a conditional option replaces the option of its letter, and keeps its standing
        let mut cases = Vec::new();
        for (mut case, span) in options_when {
            let o = &mut case.value;
            match options.iter().find(|(d, _)| d.letter == o.letter) {
                Some((d, _)) if o.recommended && !d.recommended => self.diags.push(
                    Diagnostic::new(&codes::RULE_METADATA, format!("option `{}` is not the recommended one", o.letter))
                        .primary(span, "`recommended` on a case of an option that is not recommended")
                        .help("the recommended option is the first one, `A`; remove `recommended` here"),
                ),
                Some((d, _)) => {
                    o.recommended = d.recommended;
                    cases.push(case);
                }
                None => self.diags.push(
                    Diagnostic::new(
                        &codes::RULE_METADATA,
                        format!("`option {} when` has no option `{}` to replace", o.letter, o.letter),
                    )
                    .primary(span, "a case of an option the rule does not have")
                    .help(format!(
                        "write the option itself first: `option {}: \"…\"`, then the cases that replace it",
                        o.letter
                    )),
                ),
            }
        }
        // the code's hundreds digit names the section (MLA9xx is free for teams)
        if let (Some(sec), Some(d)) = (section, decl.code.name.as_bytes().get(3)) {
            let digit = d.wrapping_sub(b'0');
            if digit != 9 && digit != sec.digit() && decl.code.name.len() == 6 {
                let expected = Section::ALL.get(digit as usize).map_or("another section", |s| s.as_str());
                self.diags.push(
                    Diagnostic::new(&codes::RULE_METADATA, format!("`{}` is a code of the {expected} section, not {}", decl.code.name, sec.as_str()))
                        .primary(decl.code.span, format!("codes of the {} section are `MLA{}xx`", sec.as_str(), sec.digit()))
                        .help("section codes are MLA0xx formulation, MLA1xx representation, MLA2xx architecture, MLA3xx training, MLA4xx evaluation, MLA5xx compute, MLA6xx deployment, MLA9xx your own rules"),
                );
            }
        }
        let when = super::eval::guard_levels(when?, bindings.len());
        Some(Rule {
            code: decl.code.name.clone(),
            name: decl.name.name.replace('-', "_"),
            section: section?,
            severity: severity?,
            status,
            since,
            bindings,
            when,
            escalate: escalate.map(super::Lazy::ready),
            relax: relax.map(super::Lazy::ready),
            gates,
            covers,
            at,
            text: super::Lazy::ready(super::RuleText {
                docs: decl.docs.0.clone(),
                message: message?,
                messages_when,
                explain,
                why: why?.into(),
                whys_when,
                options: options.into_iter().map(|(o, _)| o).collect(),
                options_when: cases,
                source,
            }),
            span: decl.code.span,
            origin,
        })
    }

    /// E0503 when a `for` or `let` names a variable already in scope.
    fn check_not_bound(&mut self, var: &ast::Ident, label: &str, help: &str) {
        if self.scope.iter().any(|(n, _)| *n == var.name) {
            self.diags.push(
                Diagnostic::new(&codes::RULE_UNBOUND, format!("`{}` is bound twice", var.name))
                    .primary(var.span, label)
                    .help(help),
            );
        }
    }

    /// `covers: [prime_baselines, metric_suite]`: values of the `BriefPoint` enum, the
    /// points of the review brief the rule checks.
    fn covers(&mut self, value: &ast::Expr) -> Vec<String> {
        let en = match self.schema.names.get("BriefPoint") {
            Some(SchemaItem::Enum(e)) => *e,
            _ => {
                self.diags.push(
                    Diagnostic::new(
                        &codes::RULE_METADATA,
                        "`covers` names points of the review brief, and this stdlib declares none",
                    )
                    .primary(value.span, "no `enum BriefPoint` to check these against")
                    .help("declare `enum BriefPoint { … }`, or leave `covers` out"),
                );
                return Vec::new();
            }
        };
        let ExprKind::List(items) = &value.kind else {
            self.type_error(
                value.span,
                "`covers` is a list of brief points".into(),
                "write `covers: [prime_baselines]`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let name = match &item.kind {
                ExprKind::Path(p) if p.len() == 1 => &p[0],
                _ => {
                    self.type_error(item.span, "a brief point is a name".into(), "write a value of `BriefPoint`");
                    continue;
                }
            };
            let def = self.schema.enum_(en);
            if def.variant_of(&name.name).is_none() {
                self.diags.push(
                    Diagnostic::new(
                        &codes::RULE_METADATA,
                        format!("`{}` is not a point of the review brief", name.name),
                    )
                    .primary(name.span, "not a `BriefPoint`")
                    .help_opt(suggest::help(&name.name, def.variants.iter().map(|v| v.name.as_str()))),
                );
                continue;
            }
            out.push(name.name.clone());
        }
        out
    }

    /// `gate: g(a, …)` or `gate: [g(a), h(b, c)]`: each gate named, with its conditions
    /// for this rule's bindings.
    fn gates_of(&mut self, value: &ast::Expr) -> Vec<(String, Option<TExpr>, Option<TExpr>)> {
        let calls: Vec<&ast::Expr> = match &value.kind {
            ExprKind::List(items) => items.iter().collect(),
            _ => vec![value],
        };
        let mut out = Vec::new();
        for call in calls {
            let ExprKind::Call { name, args } = &call.kind else {
                self.diags.push(
                    Diagnostic::new(&codes::GATE, "`gate` names a gate with its arguments")
                        .primary(call.span, "not a gate")
                        .help("write `gate: deployment(p, m)`, or a list `gate: [process(p), benchmark(p)]`"),
                );
                continue;
            };
            let Some(gate) = self.gates.iter().find(|g| g.name == name.name) else {
                let names = self.gates.iter().map(|g| g.name.as_str());
                self.diags.push(
                    Diagnostic::new(&codes::GATE, format!("no gate is called `{}`", name.name))
                        .primary(name.span, "unknown gate")
                        .help(suggest::help(&name.name, names).unwrap_or_else(|| {
                            let all: Vec<&str> = self.gates.iter().map(|g| g.name.as_str()).collect();
                            format!("the gates are {}", one_of(&all, "and"))
                        })),
                );
                continue;
            };
            if args.len() != gate.params.len() {
                let wanted: Vec<String> =
                    gate.params.iter().map(|(n, k)| format!("{n}: {}", self.schema.kind(*k).name)).collect();
                self.diags.push(
                    Diagnostic::new(
                        &codes::GATE,
                        format!(
                            "gate `{}` takes {} argument{}, found {}",
                            gate.name,
                            wanted.len(),
                            if wanted.len() == 1 { "" } else { "s" },
                            args.len()
                        ),
                    )
                    .primary(call.span, "wrong number of arguments")
                    .secondary(gate.span, format!("declared as `{}({})`", gate.name, wanted.join(", ")))
                    .help("pass one bound variable or path per parameter, in order"),
                );
                continue;
            }
            let mut fine = true;
            for (arg, (pname, kind)) in args.iter().zip(&gate.params) {
                let kname = &self.schema.kind(*kind).name;
                if !matches!(arg.kind, ExprKind::Path(_)) {
                    self.diags.push(
                        Diagnostic::new(
                            &codes::GATE,
                            format!("the argument for `{pname}` is not a variable or a path"),
                        )
                        .primary(arg.span, format!("a {kname} is expected here"))
                        .help("pass a variable the rule binds, such as `m`, or a path such as `t.model`"),
                    );
                    fine = false;
                    continue;
                }
                let t = self.expr(arg, None);
                if !matches!(&t.ty, RTy::Entity(k) if k == kind) && t.ty != RTy::Error {
                    let found = self.describe(&t.ty);
                    self.diags.push(
                        Diagnostic::new(
                            &codes::GATE,
                            format!("gate `{}` needs a {kname} for `{pname}`, found {found}", gate.name),
                        )
                        .primary(arg.span, format!("expected a {kname}"))
                        .help(format!("bind one with `for x: {kname}` and pass `x`, or pass a path that leads to one")),
                    );
                    fine = false;
                }
            }
            if !fine {
                continue;
            }
            let with: Vec<(&str, &ast::Expr)> = gate.params.iter().map(|(n, _)| n.as_str()).zip(args).collect();
            let (applies, relax) = (gate.applies.clone(), gate.relax.clone());
            let name = gate.name.clone();
            let applies = applies.map(|e| self.condition(&super::gate::substitute(&e, &with)));
            let relax = relax.map(|e| self.condition(&super::gate::substitute(&e, &with)));
            out.push((name, applies, relax));
        }
        out
    }

    fn check_options(&mut self, options: &[(RuleOption, Span)], head: Span) {
        let problem = if options.len() < 2 || options.len() > 3 {
            Some(format!("a rule offers two or three options, found {}", options.len()))
        } else if let Some((o, _)) =
            options.iter().enumerate().find(|(i, (o, _))| o.letter != (b'A' + *i as u8) as char).map(|(_, o)| o)
        {
            Some(format!("option `{}` is out of order: options are lettered `A`, `B`, `C`", o.letter))
        } else if !options[0].0.recommended {
            Some("the first option must be the recommended one".to_string())
        } else if options.iter().skip(1).any(|(o, _)| o.recommended) {
            Some("only the first option is recommended".to_string())
        } else {
            None
        };
        if let Some(p) = problem {
            let span = options.first().map_or(head, |(_, s)| *s);
            self.diags.push(
                Diagnostic::new(&codes::RULE_OPTIONS, p).primary(span, "options of this rule").help(
                    "write `option A recommended: \"…\"`, then `option B: \"…\"` and, if needed, `option C: \"…\"`",
                ),
            );
        }
    }

    /// A string literal (message texts, `why`, `source`, options).
    fn string_lit(&mut self, e: &ast::Expr, what: &str) -> Option<String> {
        match &e.kind {
            ExprKind::Lit(ast::Value { kind: ValueKind::Str(s), .. }) => Some(s.clone()),
            _ => {
                self.type_error(e.span, format!("{what} is text in quotes"), "write it as a string: `\"…\"`");
                None
            }
        }
    }

    /// A bare word out of a fixed list (`section: training`).
    fn word(&mut self, e: &ast::Expr, what: &str, allowed: &[&str]) -> Option<String> {
        let ExprKind::Path(p) = &e.kind else {
            self.type_error(
                e.span,
                format!("`{what}` is one of {}", one_of(allowed, "or")),
                "write the word without quotes",
            );
            return None;
        };
        let w = p.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(".");
        if allowed.contains(&w.as_str()) {
            return Some(w);
        }
        self.diags.push(
            Diagnostic::new(&codes::RULE_METADATA, format!("unknown {what} `{w}`"))
                .primary(e.span, format!("not a {what}"))
                .help(suggest::help(&w, allowed).unwrap_or_else(|| format!("`{what}` is {}", one_of(allowed, "or")))),
        );
        None
    }

    fn condition(&mut self, e: &ast::Expr) -> TExpr {
        let t = self.expr(e, None);
        if !matches!(t.ty, RTy::Bool | RTy::Error) {
            self.type_error(
                t.span,
                format!("a condition must be true or false, found {}", self.describe(&t.ty)),
                "compare it, such as `x > 10` or `x is none`",
            );
        }
        t
    }

    fn at(&mut self, e: &ast::Expr) -> Option<At> {
        let ExprKind::Path(p) = &e.kind else {
            self.type_error(
                e.span,
                "`at` names a declaration or one of its fields".into(),
                "write a path such as `m.init`",
            );
            return None;
        };
        let whole = self.path(p, e.span, None);
        if matches!(whole.ty, RTy::Entity(_)) {
            return Some(At::Entity { entity: whole, field: None });
        }
        if let (TKind::Var(slot), [_]) = (&whole.kind, p.as_slice()) {
            // an element bound by `for x in list`
            return Some(At::Element(*slot));
        }
        if matches!(whole.ty, RTy::Error) {
            return None;
        }
        if p.len() >= 2 {
            let prefix = self.path(&p[..p.len() - 1], p[0].span.to(p[p.len() - 2].span), None);
            if matches!(prefix.ty, RTy::Entity(_)) {
                return Some(At::Entity { entity: prefix, field: Some(p[p.len() - 1].name.clone()) });
            }
        }
        self.type_error(
            e.span,
            "`at` names a declaration or one of its fields".into(),
            "point at a field of a declaration, such as `m.init`; the finding lands on its value",
        );
        None
    }

    /// `explain: [t.train_memory, d.est_latency]`: estimates whose terms and assumptions the
    /// finding lists as notes.
    fn explain(&mut self, e: &ast::Expr) -> Vec<TExpr> {
        let items: Vec<&ast::Expr> = match &e.kind {
            ExprKind::List(items) => items.iter().collect(),
            _ => vec![e],
        };
        let mut out = Vec::new();
        for item in items {
            let t = self.expr(item, None);
            match (&t.kind, &t.ty) {
                (_, RTy::Error) => {}
                (TKind::Field(_, Access::Field(..)), RTy::Estimate(_)) => out.push(t),
                _ => self.type_error(
                    t.span,
                    format!("`explain` lists estimates, found {}", self.describe(&t.ty)),
                    "name derived estimate fields, such as `t.train_memory` or `d.est_latency`",
                ),
            }
        }
        out
    }

    fn template(&mut self, e: &ast::Expr) -> Option<Vec<Piece>> {
        let text = self.string_lit(e, "`message`")?;
        // offsets map onto the source only for plain strings without escapes before them
        let raw_start = e.span.start as usize + 1;
        let mut pieces = Vec::new();
        let mut buf = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if matches!(chars.peek(), Some((_, '{' | '}'))) => {
                    if let Some((_, ch)) = chars.next() {
                        buf.push(ch);
                    }
                }
                '{' => {
                    let rest = &text[i + 1..];
                    let Some(close) = rest.find('}') else {
                        self.diags.push(
                            Diagnostic::new(&codes::RULE_PLACEHOLDER, "unclosed placeholder in the message")
                                .primary(self.inner_span(e.span, raw_start + i, 1), "`{` opens a placeholder")
                                .help("close it with `}`, or write `\\{` for a brace"),
                        );
                        return None;
                    };
                    let inner = &rest[..close];
                    let span = self.inner_span(e.span, raw_start + i, close + 2);
                    pieces.push(Piece::Text(std::mem::take(&mut buf)));
                    // most placeholders are a plain path (`m`, `m.n_train`): read it
                    // directly rather than through the expression parser
                    let parsed = match plain_path(inner, span) {
                        Some(p) => Ok(p),
                        None => crate::syntax::parse_expr(span.file, inner),
                    };
                    match parsed {
                        Ok(mut pe) => {
                            relocate(&mut pe, span);
                            let before = self.diags.len();
                            let t = self.expr(&pe, None);
                            for d in &mut self.diags[before..] {
                                d.code = codes::RULE_PLACEHOLDER.code.to_string();
                            }
                            pieces.push(Piece::Value(t));
                        }
                        Err(_) => {
                            self.diags.push(
                                Diagnostic::new(
                                    &codes::RULE_PLACEHOLDER,
                                    format!("`{{{inner}}}` is not a placeholder"),
                                )
                                .primary(span, "expected a variable or a path such as `m.n_train`")
                                .help("placeholders name a bound variable or one of its fields"),
                            );
                        }
                    }
                    for _ in 0..inner.chars().count() + 1 {
                        chars.next();
                    }
                }
                other => buf.push(other),
            }
        }
        pieces.push(Piece::Text(buf));
        Some(pieces)
    }

    /// A span inside a string literal, clamped to the literal.
    fn inner_span(&self, lit: Span, start: usize, len: usize) -> Span {
        let end = (start + len).min(lit.end as usize);
        let start = start.min(end);
        let text = &self.sources.get(lit.file).text;
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            Span::new(lit.file, start, end)
        } else {
            lit
        }
    }

    /// The element type of a list that a `for … in` or a quantifier runs over.
    fn element_type(&mut self, list: &TExpr, needs: &str, help: &str) -> RTy {
        match &list.ty {
            RTy::List(t) => (**t).clone(),
            RTy::Error => RTy::Error,
            other => {
                let msg = format!("{needs} a list, found {}", self.describe(other));
                self.type_error(list.span, msg, help);
                RTy::Error
            }
        }
    }

    fn type_error(&mut self, span: Span, msg: String, help: &str) {
        self.diags.push(Diagnostic::new(&codes::RULE_TYPE, msg).primary(span, "wrong type here").help(help));
    }

    fn describe(&self, ty: &RTy) -> String {
        match ty {
            RTy::Bool => "true or false".into(),
            RTy::Num => "a number".into(),
            RTy::Quantity(d) => d.phrase().into(),
            RTy::Progress => "training progress".into(),
            RTy::Str => "a string".into(),
            RTy::Shape => "a shape".into(),
            RTy::Entity(k) => format!("a `{}`", self.schema.kind(*k).name),
            RTy::Enum(e) => format!("a value of `{}`", self.schema.enum_(*e).name),
            RTy::Record(r) => format!("a `{}` record", self.schema.record(*r).name),
            RTy::List(t) => format!("a list of {}", self.describe(t)),
            RTy::Range(t) => format!("a range of {}", self.describe(t)),
            RTy::Bound(t) => format!("a bound on {}", self.describe(t)),
            RTy::Multiple(t) => format!("a multiple of {}", self.describe(t)),
            RTy::Estimate(t) => format!("an estimate of {}", self.describe(t)),
            RTy::VariantOf(k) => format!("a variant of `{}`", self.schema.kind(*k).name),
            RTy::Set(e) => format!("a set of `{}` values", self.schema.enum_(*e).name),
            RTy::Missing => "`none`".into(),
            RTy::Error => "a value".into(),
        }
    }

    // ── expressions ──

    fn expr(&mut self, e: &ast::Expr, expect: Option<&RTy>) -> TExpr {
        let span = e.span;
        match &e.kind {
            ExprKind::Lit(v) => self.literal(v),
            ExprKind::Path(p) => self.path(p, span, expect),
            ExprKind::List(items) => {
                let elem = expect.and_then(|t| if let RTy::List(x) = t { Some((**x).clone()) } else { None });
                let items: Vec<TExpr> = items.iter().map(|i| self.expr(i, elem.as_ref())).collect();
                let ty = RTy::List(Box::new(items.first().map_or(RTy::Error, |i| i.ty.clone())));
                TExpr { kind: TKind::List(items), ty, span }
            }
            ExprKind::Unary(UnOp::Not, x) => {
                let x = self.condition(x);
                TExpr { kind: TKind::Not(Box::new(x)), ty: RTy::Bool, span }
            }
            ExprKind::Unary(UnOp::Neg, x) => {
                let x = self.expr(x, None);
                if !matches!(x.ty, RTy::Num | RTy::Quantity(_) | RTy::Error) {
                    self.type_error(
                        x.span,
                        format!("cannot negate {}", self.describe(&x.ty)),
                        "only numbers and quantities have a sign",
                    );
                }
                let ty = x.ty.clone();
                TExpr { kind: TKind::Neg(Box::new(x)), ty, span }
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span),
            ExprKind::Quant { quant, var, source, filter, body } => {
                self.quantifier(*quant, var, source, filter.as_deref(), body.as_deref(), span)
            }
            ExprKind::Call { name, args } if name.name == "abs" && args.len() == 1 => {
                let x = self.expr(&args[0], None);
                if !matches!(x.ty, RTy::Num | RTy::Quantity(_) | RTy::Error) {
                    self.type_error(
                        x.span,
                        format!("`abs` takes a number or a quantity, found {}", self.describe(&x.ty)),
                        "`abs(a - b)` is the distance between two numbers",
                    );
                }
                let ty = x.ty.clone();
                TExpr { kind: TKind::Abs(Box::new(x)), ty, span }
            }
            ExprKind::Call { name, args } if name.name == "round" && args.len() == 1 => {
                let x = self.expr(&args[0], None);
                if !matches!(x.ty, RTy::Num | RTy::Error) {
                    self.type_error(
                        x.span,
                        format!("`round` takes a number, found {}", self.describe(&x.ty)),
                        "`round(d.n * d.test)` is the nearest whole number",
                    );
                }
                TExpr { kind: TKind::Round(Box::new(x)), ty: RTy::Num, span }
            }
            ExprKind::Call { name, args } if name.name == "referrers" => self.referrers(name, args, span),
            ExprKind::Call { name, args } => {
                if name.name == "len" && args.len() == 1 {
                    let x = self.expr(&args[0], None);
                    if !matches!(x.ty, RTy::List(_) | RTy::Error) {
                        self.type_error(
                            x.span,
                            format!("`len` takes a list, found {}", self.describe(&x.ty)),
                            "`len(m.inputs)` counts the items of a list",
                        );
                    }
                    return TExpr { kind: TKind::Len(Box::new(x)), ty: RTy::Num, span };
                }
                self.diags.push(
                    Diagnostic::new(&codes::RULE_TYPE, format!("unknown function `{}`", name.name))
                        .primary(name.span, "not a function of the rule language")
                        .help("the functions are `len(list)`, `abs(x)`, `round(x)`, `referrers(x, KIND)` and the quantifiers `any(x in list: …)`, `all`, `count`, `sum`, `min` and `max`"),
                );
                err(span)
            }
        }
    }

    /// `any(x in SOURCE where FILTER: BODY)` and its siblings. SOURCE is a list, or the
    /// name of a kind for every declaration of it (`any(t in train: …)`).
    fn quantifier(
        &mut self,
        quant: ast::Quant,
        var: &ast::Ident,
        source: &ast::Expr,
        filter: Option<&ast::Expr>,
        body: Option<&ast::Expr>,
        span: Span,
    ) -> TExpr {
        use ast::Quant as Q;
        let src = match &source.kind {
            ExprKind::Path(p) if p.len() == 1 && !self.is_var(source) => match self.schema.kind_id(&p[0].name) {
                Some(k) => TExpr { kind: TKind::AllOf(k), ty: RTy::List(Box::new(RTy::Entity(k))), span: source.span },
                None => self.expr(source, None),
            },
            _ => self.expr(source, None),
        };
        let elem = self.element_type(
            &src,
            "a quantifier runs over",
            "write `any(x in LIST: condition)` or `any(x in KIND: condition)`",
        );
        let slot = self.scope.len();
        self.scope.push((var.name.clone(), elem));
        let filter = filter.map(|f| Box::new(self.condition(f)));
        let body = match (quant, body) {
            (Q::Any | Q::All, Some(b)) => Some(self.condition(b)),
            (Q::Count, b) => b.map(|b| self.condition(b)),
            (Q::Sum | Q::Min | Q::Max, Some(b)) => {
                let v = self.expr(b, None);
                if !matches!(v.ty.scalar(), RTy::Num | RTy::Quantity(_) | RTy::Error) {
                    self.type_error(
                        v.span,
                        format!("`{}` adds up numbers, found {}", quant_str(quant), self.describe(&v.ty)),
                        "write `sum(d in m.datasets: d.n)`: the part after `:` is the number to add up",
                    );
                }
                Some(v)
            }
            (_, None) => {
                self.type_error(
                    span,
                    format!("`{}` needs a body after `:`", quant_str(quant)),
                    match quant {
                        Q::Sum | Q::Min | Q::Max => "write `sum(x in LIST: x.n)`",
                        _ => "write `any(x in LIST: condition)`; only `count` may leave it out",
                    },
                );
                None
            }
        };
        self.scope.pop();
        let ty = match quant {
            Q::Count => RTy::Num,
            Q::Any | Q::All => RTy::Bool,
            // a body that is no number was reported; its sum compares with anything
            _ => body.as_ref().map_or(RTy::Error, |b| match b.ty.scalar() {
                t @ (RTy::Num | RTy::Quantity(_)) => t.clone(),
                _ => RTy::Error,
            }),
        };
        let body = Box::new(body.unwrap_or(TExpr { kind: TKind::Bool(true), ty: RTy::Bool, span }));
        let unit = match body.ty {
            RTy::Quantity(d) => Some(d),
            _ => None,
        };
        TExpr { kind: TKind::Quant { quant, slot, source: Box::new(src), filter, body, unit }, ty, span }
    }

    /// `referrers(d, train)`: the declarations of a kind whose fields refer to `d`.
    fn referrers(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span) -> TExpr {
        let kind = match args.get(1).map(|a| &a.kind) {
            Some(ExprKind::Path(p)) if args.len() == 2 && p.len() == 1 => match self.schema.kind_id(&p[0].name) {
                Some(k) => k,
                None => {
                    self.diags.push(
                        Diagnostic::new(&codes::UNKNOWN_KIND, format!("unknown kind `{}`", p[0].name))
                            .primary(p[0].span, "`referrers(x, KIND)` lists the declarations of a kind")
                            .help_opt(suggest::help(&p[0].name, self.schema.kind_names())),
                    );
                    return err(span);
                }
            },
            _ => {
                self.type_error(
                    name.span,
                    "`referrers` takes a declaration and a kind".into(),
                    "write `referrers(d, train)`: every `train` that refers to `d`",
                );
                return err(span);
            }
        };
        let target = self.expr(&args[0], None);
        if !matches!(target.ty, RTy::Entity(_) | RTy::Error) {
            self.type_error(
                target.span,
                format!("`referrers` needs a declaration, found {}", self.describe(&target.ty)),
                "write `referrers(d, train)` with `d` bound to a declaration",
            );
        }
        TExpr { kind: TKind::Referrers(Box::new(target), kind), ty: RTy::List(Box::new(RTy::Entity(kind))), span }
    }

    fn literal(&mut self, v: &ast::Value) -> TExpr {
        let span = v.span;
        let (kind, ty) = match &v.kind {
            ValueKind::Bool(b) => (TKind::Bool(*b), RTy::Bool),
            ValueKind::Str(s) => (TKind::Str(s.clone().into()), RTy::Str),
            ValueKind::None => (TKind::Missing { unknown: false }, RTy::Missing),
            ValueKind::Unknown => (TKind::Missing { unknown: true }, RTy::Missing),
            ValueKind::Number(n) => match n.unit.as_ref().map(|u| u.def.dim) {
                None | Some(Dim::CountNoun) | Some(Dim::Percent) => (TKind::Num(n.value), RTy::Num),
                Some(Dim::Steps) => (TKind::Progress(Progress::Steps, n.value), RTy::Progress),
                Some(Dim::Epochs) => (TKind::Progress(Progress::Epochs, n.value), RTy::Progress),
                Some(d) => (TKind::Quantity(d, n.value), RTy::Quantity(d)),
            },
            ValueKind::Error => return err(span),
            other => {
                self.type_error(
                    span,
                    format!("{} cannot be used in a rule expression", other.describe()),
                    "use numbers, quantities, strings, names and lists",
                );
                return err(span);
            }
        };
        TExpr { kind, ty, span }
    }

    fn path(&mut self, p: &[ast::Ident], span: Span, expect: Option<&RTy>) -> TExpr {
        let first = &p[0];
        let mut cur = if let Some(slot) = self.scope.iter().rposition(|(n, _)| *n == first.name) {
            TExpr { kind: TKind::Var(slot), ty: self.scope[slot].1.clone(), span: first.span }
        } else if p.len() == 1 {
            return self.bare_name(first, expect);
        } else {
            self.unbound(first, expect);
            return err(span);
        };
        for seg in &p[1..] {
            cur = self.access(cur, seg);
            if matches!(cur.ty, RTy::Error) {
                return err(span);
            }
        }
        cur.span = span;
        cur
    }

    /// A name that is not a variable: a value of the expected enum, a kind variant, a set.
    fn bare_name(&mut self, id: &ast::Ident, expect: Option<&RTy>) -> TExpr {
        if matches!(expect, Some(RTy::Error)) {
            return err(id.span); // the other side was already reported
        }
        let elem = match expect {
            Some(RTy::List(t)) => Some(&**t),
            other => other,
        };
        if let Some(RTy::Enum(e)) = elem {
            if let Some(v) = self.schema.enum_(*e).variant_of(&id.name) {
                return TExpr { kind: TKind::EnumValue(*e, v), ty: RTy::Enum(*e), span: id.span };
            }
        }
        if let Some(SchemaItem::Set(i)) = self.schema.names.get(id.name.as_str()) {
            let en = self.schema.sets[*i].en;
            return TExpr { kind: TKind::Set(*i), ty: RTy::Set(en), span: id.span };
        }
        self.unbound(id, expect);
        err(id.span)
    }

    fn unbound(&mut self, id: &ast::Ident, expect: Option<&RTy>) {
        let mut candidates: Vec<String> = self.scope.iter().map(|(n, _)| n.clone()).collect();
        let mut d = Diagnostic::new(&codes::RULE_UNBOUND, format!("`{}` is not bound", id.name));
        if let Some(RTy::Enum(e)) = expect.map(|t| match t {
            RTy::List(x) => &**x,
            other => other,
        }) {
            let en = self.schema.enum_(*e);
            candidates.extend(en.variants.iter().map(|v| v.name.as_str().to_owned()));
            d = d.primary(id.span, format!("not a variable, and not a value of `{}`", en.name));
        } else {
            d = d.primary(id.span, "not a variable of this rule");
        }
        d = match suggest::help(&id.name, candidates.iter()) {
            Some(h) => d.help(h),
            None if self.scope.is_empty() => d.help("bind it first with `for NAME: KIND`"),
            None => d.help(format!(
                "the variables here are {}",
                one_of(&self.scope.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), "and")
            )),
        };
        self.diags.push(d);
    }

    fn access(&mut self, base: TExpr, seg: &ast::Ident) -> TExpr {
        let name = seg.name.as_str();
        let span = base.span.to(seg.span);
        let found: Result<(Access, RTy), Vec<String>> = match &base.ty {
            RTy::Error | RTy::Missing => return err(span),
            RTy::Entity(k) => {
                let kd = self.schema.kind(*k);
                let all = || kd.fields.iter().chain(kd.variants.iter().flat_map(|v| v.fields.iter()));
                match all().find(|f| f.name == name) {
                    Some(f) => {
                        let slot = match kd.slot_index.get(name) {
                            Some(&s) => Some(Slot::Kind(*k, s)),
                            None => Some(Slot::Variant(
                                *k,
                                kd.variants
                                    .iter()
                                    .map(|v| v.slot_index.get(name).map(|i| kd.fields.len() + i))
                                    .collect(),
                            )),
                        };
                        Ok((Access::Field(name.into(), slot), RTy::from_ty(&f.ty)))
                    }
                    None => Err(all().map(|f| f.name.as_str().to_owned()).collect()),
                }
            }
            RTy::Record(r) => {
                let rd = self.schema.record(*r);
                match rd.fields.iter().position(|f| f.name == name) {
                    Some(i) => {
                        Ok((Access::Field(name.into(), Some(Slot::Record(*r, i))), RTy::from_ty(&rd.fields[i].ty)))
                    }
                    None => Err(rd.fields.iter().map(|f| f.name.as_str().to_owned()).collect()),
                }
            }
            RTy::Enum(e) => {
                // the fields of the records values carry, and positional arguments by the
                // name of their type (`pretrained(ref backbone, Tuning)`: `.backbone`, `.tuning`)
                // the first variant that has the field gives its type; every name only for
                // the error
                let schema = self.schema;
                let fields = || {
                    schema.enum_(*e).variants.iter().flat_map(
                        move |v| -> Vec<(std::borrow::Cow<'_, str>, &crate::schema::Ty)> {
                            match &v.payload {
                                PayloadDef::Record(r) => {
                                    schema.record(*r).fields.iter().map(|f| (f.name.as_str().into(), &f.ty)).collect()
                                }
                                PayloadDef::Args(args) => {
                                    args.iter().map(|(t, _)| (crate::schema::arg_name(schema, t).into(), t)).collect()
                                }
                                PayloadDef::None => Vec::new(),
                            }
                        },
                    )
                };
                match fields().find(|(n, _)| n == name) {
                    Some((_, ty)) => {
                        let variants = &schema.enum_(*e).variants;
                        let args = |v: &crate::schema::EnumVariantDef| match &v.payload {
                            PayloadDef::Args(args) => {
                                args.iter().position(|(t, _)| crate::schema::arg_name(schema, t) == name)
                            }
                            _ => None,
                        };
                        // a record field of an enum's values needs no argument positions
                        let slot = variants
                            .iter()
                            .any(|v| matches!(v.payload, PayloadDef::Args(_)))
                            .then(|| Slot::Args(*e, variants.iter().map(args).collect()));
                        Ok((Access::Field(name.into(), slot), RTy::from_ty(ty)))
                    }
                    None => Err(fields().map(|(n, _)| n.into_owned()).collect()),
                }
            }
            RTy::Estimate(t) => match name {
                "low" => Ok((Access::Low, (**t).clone())),
                "high" => Ok((Access::High, (**t).clone())),
                "basis" => Ok((Access::Basis, RTy::Str)),
                _ => Err(vec!["low".into(), "high".into(), "basis".into()]),
            },
            RTy::Range(t) => match name {
                "low" => Ok((Access::Low, (**t).clone())),
                "high" => Ok((Access::High, (**t).clone())),
                _ => Err(vec!["low".into(), "high".into()]),
            },
            RTy::Bound(t) => match name {
                "value" => Ok((Access::BoundValue, (**t).clone())),
                "percentile" => Ok((Access::Percentile, RTy::Num)),
                _ => Err(vec!["value".into(), "percentile".into()]),
            },
            RTy::Multiple(t) => match name {
                "n" => Ok((Access::MultipleN, RTy::Num)),
                "item" => Ok((Access::MultipleItem, (**t).clone())),
                _ => Err(vec!["n".into(), "item".into()]),
            },
            other => {
                let help = if matches!(other, RTy::List(_)) {
                    "a list has no fields: use `any(x in list: …)`, `all(…)`, `count(…)` or `len(list)`"
                } else {
                    "only declarations, records, enum values with fields, estimates, bounds and multiples have fields"
                };
                self.diags.push(
                    Diagnostic::new(
                        &codes::RULE_UNKNOWN_FIELD,
                        format!("{} has no field `{name}`", self.describe(other)),
                    )
                    .primary(seg.span, "no such field")
                    .help(help),
                );
                return err(span);
            }
        };
        match found {
            Ok((access, ty)) => TExpr { kind: TKind::Field(Box::new(base), access), ty, span },
            Err(names) => {
                let what = self.describe(&base.ty);
                self.diags.push(
                    Diagnostic::new(&codes::RULE_UNKNOWN_FIELD, format!("{what} has no field `{name}`"))
                        .primary(seg.span, "no such field")
                        .help(suggest::help(name, names.iter()).unwrap_or_else(|| {
                            let mut n = names.clone();
                            n.sort();
                            n.dedup();
                            n.truncate(12);
                            format!("its fields include {}", one_of(&n, "and"))
                        })),
                );
                err(span)
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &ast::Expr, r: &ast::Expr, span: Span) -> TExpr {
        let bare = |e: &ast::Expr| matches!(&e.kind, ExprKind::Path(p) if p.len() == 1);
        match op {
            BinOp::And | BinOp::Or => {
                let (a, b) = (self.condition(l), self.condition(r));
                TExpr { kind: TKind::Binary(op, Box::new(a), Box::new(b)), ty: RTy::Bool, span }
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                // a bare name takes its meaning from the other side
                let (a, b) = if bare(l) && !bare(r) && !self.is_var(l) {
                    let b = self.expr(r, None);
                    let a = self.expr(l, Some(&b.ty));
                    (a, b)
                } else {
                    let a = self.expr(l, None);
                    let b = self.expr(r, Some(&a.ty));
                    (a, b)
                };
                let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
                self.comparable(&a, &b, ordered);
                TExpr { kind: TKind::Binary(op, Box::new(a), Box::new(b)), ty: RTy::Bool, span }
            }
            BinOp::In | BinOp::NotIn => {
                let (a, b) = if matches!(r.kind, ExprKind::List(_)) {
                    let a = self.expr(l, None);
                    let b = self.expr(r, Some(&RTy::List(Box::new(a.ty.clone()))));
                    (a, b)
                } else {
                    let b = self.expr(r, None);
                    let elem = match &b.ty {
                        RTy::List(t) => Some((**t).clone()),
                        RTy::Set(e) => Some(RTy::Enum(*e)),
                        _ => None,
                    };
                    let a = self.expr(l, elem.as_ref());
                    (a, b)
                };
                match (&a.ty, &b.ty) {
                    (_, RTy::Error) | (RTy::Error, _) => {}
                    (x, RTy::List(t)) => {
                        if !self.compatible(x, t) {
                            self.type_error(
                                a.span,
                                format!("{} cannot be in {}", self.describe(x), self.describe(&b.ty)),
                                "compare values of the same type",
                            );
                        }
                    }
                    (RTy::Enum(x), RTy::Set(y)) if x == y => {}
                    (x, RTy::Set(_)) => {
                        self.type_error(
                            a.span,
                            format!("{} cannot be in {}", self.describe(x), self.describe(&b.ty)),
                            "a set holds values of one enum",
                        );
                    }
                    (_, other) => {
                        self.type_error(
                            b.span,
                            format!("`in` needs a list or a set, found {}", self.describe(other)),
                            "write `x in [a, b]`, `x in some_set` or `x in d.list_field`",
                        );
                    }
                }
                TExpr { kind: TKind::Binary(op, Box::new(a), Box::new(b)), ty: RTy::Bool, span }
            }
            BinOp::Is | BinOp::IsNot => {
                let a = self.expr(l, None);
                let test = match &r.kind {
                    ExprKind::Lit(ast::Value { kind: ValueKind::None, .. }) => Some(IsTest::None),
                    ExprKind::Lit(ast::Value { kind: ValueKind::Unknown, .. }) => Some(IsTest::Unknown),
                    ExprKind::Path(p) if p.len() == 1 => self.variant_test(&a, &p[0]),
                    _ => {
                        self.type_error(
                            r.span,
                            "`is` tests for `none`, `unknown` or a variant".into(),
                            "write `x is none`, `x is unknown` or `x is smote`",
                        );
                        None
                    }
                };
                match test {
                    Some(test) => TExpr {
                        kind: TKind::Is { value: Box::new(a), test, negated: op == BinOp::IsNot },
                        ty: RTy::Bool,
                        span,
                    },
                    None => err(span),
                }
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let a = self.expr(l, None);
                let b = self.expr(r, None);
                let ty = match (op, &a.ty, &b.ty) {
                    (_, RTy::Error, _) | (_, _, RTy::Error) => RTy::Error,
                    (_, RTy::Num, RTy::Num) => RTy::Num,
                    (BinOp::Add | BinOp::Sub, RTy::Quantity(x), RTy::Quantity(y)) if x == y => RTy::Quantity(*x),
                    (BinOp::Mul, RTy::Quantity(x), RTy::Num) | (BinOp::Mul, RTy::Num, RTy::Quantity(x)) => {
                        RTy::Quantity(*x)
                    }
                    (BinOp::Div, RTy::Quantity(x), RTy::Num) => RTy::Quantity(*x),
                    (BinOp::Div, RTy::Quantity(x), RTy::Quantity(y)) if x == y => RTy::Num,
                    // a rate times a time is a count: `10s * 250Hz`, `frames / fps`
                    (BinOp::Mul, RTy::Quantity(Dim::Duration), RTy::Quantity(Dim::Frequency))
                    | (BinOp::Mul, RTy::Quantity(Dim::Frequency), RTy::Quantity(Dim::Duration)) => RTy::Num,
                    (BinOp::Div, RTy::Num, RTy::Quantity(Dim::Frequency)) => RTy::Quantity(Dim::Duration),
                    (BinOp::Div, RTy::Num, RTy::Quantity(Dim::Duration)) => RTy::Quantity(Dim::Frequency),
                    // `a + b` of two lists: the items of both, each once
                    (BinOp::Add, RTy::List(x), RTy::List(y)) if self.compatible(x, y) => a.ty.clone(),
                    (_, x, y) => {
                        self.type_error(
                            span,
                            format!(
                                "cannot combine {} and {} with `{}`",
                                self.describe(x),
                                self.describe(y),
                                op_str(op)
                            ),
                            "arithmetic works on numbers and on quantities of the same dimension",
                        );
                        RTy::Error
                    }
                };
                TExpr { kind: TKind::Binary(op, Box::new(a), Box::new(b)), ty, span }
            }
        }
    }

    fn is_var(&self, e: &ast::Expr) -> bool {
        matches!(&e.kind, ExprKind::Path(p) if self.scope.iter().any(|(n, _)| *n == p[0].name))
    }

    fn variant_test(&mut self, a: &TExpr, v: &ast::Ident) -> Option<IsTest> {
        match &a.ty {
            RTy::Enum(e) => match self.schema.enum_(*e).variant_of(&v.name) {
                Some(i) => Some(IsTest::EnumVariant(*e, i)),
                None => {
                    let names: Vec<&str> = self.schema.enum_(*e).variants.iter().map(|v| v.name.as_str()).collect();
                    self.diags.push(
                        Diagnostic::new(&codes::UNKNOWN_VALUE, format!("unknown value `{}`", v.name))
                            .primary(v.span, format!("not a value of `{}`", self.schema.enum_(*e).name))
                            .help_opt(suggest::help(&v.name, names.iter())),
                    );
                    None
                }
            },
            RTy::Entity(k) => match self.schema.kind(*k).variant_of(&v.name) {
                Some(i) => Some(IsTest::KindVariant(*k, i)),
                None => {
                    let kd = self.schema.kind(*k);
                    let names: Vec<&str> = kd.variants.iter().map(|v| v.name.as_str()).collect();
                    self.diags.push(
                        Diagnostic::new(
                            &codes::UNKNOWN_VARIANT,
                            format!("unknown variant `{}` of `{}`", v.name, kd.name),
                        )
                        .primary(v.span, format!("not a variant of `{}`", kd.name))
                        .help(suggest::help(&v.name, names.iter()).unwrap_or_else(|| {
                            if names.is_empty() {
                                format!("`{}` has no variants", kd.name)
                            } else {
                                format!("the variants are {}", one_of(&names, "and"))
                            }
                        })),
                    );
                    None
                }
            },
            RTy::Error => None,
            other => {
                let d = self.describe(other);
                self.type_error(
                    a.span,
                    format!("{d} has no variants to test"),
                    "`is` tests enum values and declarations with variants, or `none` and `unknown`",
                );
                None
            }
        }
    }

    fn compatible(&self, a: &RTy, b: &RTy) -> bool {
        match (a.scalar(), b.scalar()) {
            (RTy::Error, _) | (_, RTy::Error) | (RTy::Missing, _) | (_, RTy::Missing) => true,
            (RTy::Quantity(x), RTy::Quantity(y)) => x == y,
            (x, y) => x == y,
        }
    }

    fn comparable(&mut self, a: &TExpr, b: &TExpr, ordered: bool) {
        if !self.compatible(&a.ty, &b.ty) {
            let help = match (a.ty.scalar(), b.ty.scalar()) {
                (RTy::Quantity(d), RTy::Num) | (RTy::Num, RTy::Quantity(d)) => {
                    format!("give the number a unit, such as `{}`", d.example())
                }
                _ => "compare values of the same type".to_string(),
            };
            self.type_error(
                b.span,
                format!("cannot compare {} with {}", self.describe(&a.ty), self.describe(&b.ty)),
                &help,
            );
            return;
        }
        if ordered && !matches!(a.ty.scalar(), RTy::Num | RTy::Quantity(_) | RTy::Progress | RTy::Error | RTy::Missing)
        {
            self.type_error(
                a.span,
                format!("{} has no order", self.describe(&a.ty)),
                "`<` and `>` compare numbers and quantities; use `==`, `in` or `is` here",
            );
        }
    }
}

fn quant_str(q: ast::Quant) -> &'static str {
    match q {
        ast::Quant::Any => "any",
        ast::Quant::All => "all",
        ast::Quant::Count => "count",
        ast::Quant::Sum => "sum",
        ast::Quant::Min => "min",
        ast::Quant::Max => "max",
    }
}

fn op_str(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        _ => "/",
    }
}

/// `m.n_train` as a path expression, if the text is one: identifiers joined by dots, none
/// of them a keyword of the expression language.
fn plain_path(text: &str, span: Span) -> Option<ast::Expr> {
    const KEYWORDS: &[&str] = &["and", "or", "not", "in", "is", "where", "true", "false", "none", "unknown"];
    let mut idents = Vec::new();
    for seg in text.split('.') {
        let ok = seg.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !KEYWORDS.contains(&seg);
        if !ok {
            return None;
        }
        idents.push(ast::Ident { name: seg.to_string(), span });
    }
    Some(ast::Expr { kind: ExprKind::Path(idents), span })
}

/// Moves the spans of an expression parsed out of a message string onto the string.
fn relocate(e: &mut ast::Expr, to: Span) {
    e.span = to;
    match &mut e.kind {
        ExprKind::Path(p) => p.iter_mut().for_each(|i| i.span = to),
        ExprKind::Unary(_, x) => relocate(x, to),
        ExprKind::Binary(_, a, b) => {
            relocate(a, to);
            relocate(b, to);
        }
        ExprKind::Quant { var, source, filter, body, .. } => {
            var.span = to;
            relocate(source, to);
            for x in [filter, body].into_iter().flatten() {
                relocate(x, to);
            }
        }
        ExprKind::Call { name, args } => {
            name.span = to;
            args.iter_mut().for_each(|a| relocate(a, to));
        }
        ExprKind::List(items) => items.iter_mut().for_each(|a| relocate(a, to)),
        ExprKind::Lit(v) => v.span = to,
    }
}
