//! Gates: conditions that decide which plans a rule speaks to, written once and named by
//! the rules they apply to.
//!
//! ```text
//! gate deployment(p: project, m: model) { applies: p.purpose == product or m.deploy is not none }
//! rule MLA605 … { for p: project  for m: model  gate: deployment(p, m)  … }
//! ```
//!
//! A rule's `gate: g(a, …)` puts the gate's `applies` condition beside its own `when` and
//! its `relax` condition beside its own `relax`, with each parameter replaced by the rule's
//! argument (a variable or a path such as `d.model`). The stdlib's gates are in
//! `stdlib/rules/gates.mla`; teams may declare their own.

use crate::diag::{codes, Diagnostic};
use crate::schema::{KindId, Schema};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind};

/// A checked `gate` declaration.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Gate {
    pub name: String,
    pub docs: String,
    /// parameter names and the kinds of declaration they stand for
    pub params: Vec<(String, KindId)>,
    /// the rule runs only where this holds
    pub applies: Option<ast::Expr>,
    /// the finding is lowered one level where this holds
    pub relax: Option<ast::Expr>,
    /// the conditions as written, for `mlarchc rule` and `rules --format json`
    pub applies_text: Option<String>,
    pub relax_text: Option<String>,
    pub span: Span,
}

impl Gate {
    /// The first sentence of the docs: what the gate means, for rule docs.
    pub fn summary(&self) -> String {
        crate::schema::first_sentence(&self.docs.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// Checks the shape of every gate declaration (names, parameter kinds, items) and returns
/// the well-formed ones; their conditions are type-checked by `compile.rs`.
pub fn collect<'d>(
    schema: &Schema,
    decls: impl Iterator<Item = &'d ast::GateDecl>,
    sources: &crate::source::SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Gate> {
    let mut out: Vec<Gate> = Vec::new();
    for d in decls {
        if let Some(first) = out.iter().find(|g| g.name == d.name.name) {
            diags.push(
                Diagnostic::new(&codes::DUPLICATE, format!("gate `{}` is declared twice", d.name.name))
                    .primary(d.name.span, "declared again here")
                    .secondary(first.span, "first declared here")
                    .help("give the second gate another name"),
            );
            continue;
        }
        let mut ok = true;
        let mut params = Vec::new();
        for (var, kind) in &d.params {
            if params.iter().any(|(n, _)| n == &var.name) {
                diags.push(
                    Diagnostic::new(&codes::GATE, format!("gate parameter `{}` is named twice", var.name))
                        .primary(var.span, "named again here")
                        .help("give each parameter its own name"),
                );
                ok = false;
            }
            match schema.kind_id(&kind.name) {
                Some(k) => params.push((var.name.clone(), k)),
                None => {
                    diags.push(
                        Diagnostic::new(&codes::UNKNOWN_KIND, format!("unknown kind `{}`", kind.name))
                            .primary(kind.span, "a gate's parameter is a declaration of a kind")
                            .help_opt(crate::diag::suggest::help(&kind.name, schema.kind_names())),
                    );
                    ok = false;
                }
            }
        }
        let (mut applies, mut relax) = (None, None);
        for (name, value) in &d.items {
            let slot = match name.name.as_str() {
                "applies" => &mut applies,
                "relax" => &mut relax,
                other => {
                    diags.push(
                        Diagnostic::new(&codes::GATE, format!("`{other}` is not an item of a gate"))
                            .primary(name.span, "not a gate item")
                            .help("a gate has `applies: CONDITION` (the rule runs only where it holds) and `relax: CONDITION` (its findings are lowered one level where it holds)"),
                    );
                    ok = false;
                    continue;
                }
            };
            if slot.is_some() {
                diags.push(
                    Diagnostic::new(&codes::DUPLICATE_FIELD, format!("`{}` is given twice", name.name))
                        .primary(name.span, "given again here")
                        .help("join the two conditions with `and` or `or`"),
                );
                ok = false;
            }
            *slot = Some(value.clone());
        }
        if applies.is_none() && relax.is_none() && ok {
            diags.push(
                Diagnostic::new(&codes::GATE, format!("gate `{}` has no condition", d.name.name))
                    .primary(d.name.span, "a gate without `applies` or `relax`")
                    .help("write `applies: CONDITION` or `relax: CONDITION` in its body"),
            );
            ok = false;
        }
        if ok {
            let text = |e: &Option<ast::Expr>| {
                e.as_ref().map(|e| sources.text(e.span).split_whitespace().collect::<Vec<_>>().join(" "))
            };
            out.push(Gate {
                name: d.name.name.clone(),
                docs: d.docs.0.clone(),
                params,
                applies_text: text(&applies),
                relax_text: text(&relax),
                applies,
                relax,
                span: d.name.span,
            });
        }
    }
    out
}

/// `e` with each parameter's name replaced by its argument (`m.deploy` with `m := t.model`
/// is `t.model.deploy`). A quantifier's own variable hides a parameter of the same name.
pub fn substitute(e: &ast::Expr, with: &[(&str, &ast::Expr)]) -> ast::Expr {
    let kind = match &e.kind {
        ExprKind::Path(p) => match with.iter().find(|(n, _)| p.first().is_some_and(|h| h.name == *n)) {
            Some((_, arg)) => match &arg.kind {
                ExprKind::Path(head) => ExprKind::Path(head.iter().chain(&p[1..]).cloned().collect()),
                // only paths are accepted as arguments (see `compile.rs`)
                _ => e.kind.clone(),
            },
            None => e.kind.clone(),
        },
        ExprKind::Lit(_) => e.kind.clone(),
        ExprKind::Unary(op, x) => ExprKind::Unary(*op, Box::new(substitute(x, with))),
        ExprKind::Binary(op, a, b) => {
            ExprKind::Binary(*op, Box::new(substitute(a, with)), Box::new(substitute(b, with)))
        }
        ExprKind::Quant { quant, var, source, filter, body } => {
            let inner: Vec<(&str, &ast::Expr)> = with.iter().filter(|(n, _)| *n != var.name).copied().collect();
            ExprKind::Quant {
                quant: *quant,
                var: var.clone(),
                source: Box::new(substitute(source, with)),
                filter: filter.as_ref().map(|f| Box::new(substitute(f, &inner))),
                body: body.as_ref().map(|b| Box::new(substitute(b, &inner))),
            }
        }
        ExprKind::Call { name, args } => {
            ExprKind::Call { name: name.clone(), args: args.iter().map(|a| substitute(a, with)).collect() }
        }
        ExprKind::List(items) => ExprKind::List(items.iter().map(|i| substitute(i, with)).collect()),
    };
    ast::Expr { kind, span: e.span }
}
