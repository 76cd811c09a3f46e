//! Lowering pest's parse tree into the AST.
//!
//! Decodes every literal (numbers, units, escapes, shapes) and reports the problems a
//! grammar cannot express: unknown units, `4x a100`, a missing comma between two items on
//! one line, numbers out of range. Every problem becomes a diagnostic and a placeholder
//! node; lowering never fails.

use super::ast::*;
use super::number;
use super::Rule;
use crate::diag::{codes, suggest, Diagnostic};
use crate::source::{FileId, Span};
use crate::units;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::OnceLock;

/// Long input quoted in a message: its start and end around an ellipsis, with its length
/// (`99999999999999999999…99999 (10,000 characters)`), so a message stays one line.
pub fn excerpt(text: &str) -> String {
    const KEEP: usize = 24;
    let n = text.chars().count();
    if n <= 2 * KEEP + 8 {
        return text.to_string();
    }
    let head: String = text.chars().take(KEEP).collect();
    let tail: String = text.chars().skip(n - 8).collect();
    format!("{head}…{tail} ({n} characters)")
}

/// The most operators one expression may have (`and`, `not`, `+`, comparisons …).
pub const MAX_OPERATORS: usize = 256;

pub(super) struct Lowerer<'a> {
    pub file: FileId,
    /// offset of the parsed segment in the file
    pub base: usize,
    /// the whole file
    pub text: &'a str,
    pub diags: &'a mut Vec<Diagnostic>,
}

type P<'i> = Pair<'i, Rule>;

impl Lowerer<'_> {
    /// The span of a pair, without the whitespace and comments pest may include at its end.
    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        let start = self.base + s.start();
        Span::new(self.file, start, trim_trivia_end(self.text, start, self.base + s.end()))
    }

    fn ident(&self, p: P) -> Ident {
        Ident { name: p.as_str().to_string(), span: self.span(&p) }
    }

    pub fn module(&mut self, file_pair: P, out: &mut Vec<Item>) {
        for p in file_pair.into_inner() {
            if p.as_rule() == Rule::EOI {
                continue;
            }
            if let Some(item) = self.item(p) {
                out.push(item);
            }
        }
    }

    fn item(&mut self, p: P) -> Option<Item> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut inner = p.into_inner().peekable();
        let docs = self.docs(&mut inner);
        Some(match rule {
            Rule::import_decl => {
                inner.next(); // `import`
                let s = inner.next()?;
                let path_span = self.span(&s);
                let path = self.string(s);
                Item::Import(Import { path, path_span, span })
            }
            Rule::decl => {
                let kind = self.ident(inner.next()?);
                let name = self.ident(inner.next()?);
                let mut variant = None;
                let mut body = None;
                for q in inner {
                    match q.as_rule() {
                        Rule::ident => variant = Some(self.ident(q)),
                        Rule::decl_body => body = Some(self.fields(q.into_inner())),
                        _ => {}
                    }
                }
                let head = kind.span.to(variant.as_ref().map_or(name.span, |v| v.span));
                Item::Decl(Decl { docs, kind, name, variant, body, head, span })
            }
            Rule::schema_kind => {
                let mut singleton = false;
                let mut name = None;
                let mut owner = None;
                let mut fields = Vec::new();
                let mut variants = Vec::new();
                let mut expect_owner = false;
                let mut members: Vec<Span> = Vec::new();
                for q in inner {
                    match q.as_rule() {
                        Rule::kw_singleton => singleton = true,
                        Rule::kw_kind => {}
                        Rule::kw_for => expect_owner = true,
                        Rule::ident if name.is_none() => name = Some(self.ident(q)),
                        Rule::ident if expect_owner => owner = Some(self.ident(q)),
                        Rule::field_decl => {
                            let f = self.field_decl(q);
                            members.push(f.span);
                            fields.push(f);
                        }
                        Rule::variant_decl => {
                            let v = self.variant_decl(q);
                            members.push(v.span);
                            variants.push(v);
                        }
                        _ => {}
                    }
                }
                self.check_separators(members.iter().copied(), "members");
                Item::Kind(KindDecl { docs, singleton, name: name?, owner, fields, variants, span })
            }
            Rule::record_decl => {
                inner.next();
                let name = self.ident(inner.next()?);
                let fields = self.field_decls(inner);
                Item::Record(RecordDecl { docs, name, fields, span })
            }
            Rule::enum_decl => {
                inner.next();
                let name = self.ident(inner.next()?);
                let variants: Vec<EnumVariant> = inner.map(|q| self.enum_variant(q)).collect();
                self.check_separators(variants.iter().map(|v| v.span), "values");
                Item::Enum(EnumDecl { docs, name, variants, span })
            }
            Rule::set_decl => {
                inner.next();
                let name = self.ident(inner.next()?);
                let ty = self.ident(inner.next()?);
                let list = inner.next()?;
                let values = match self.value(list).kind {
                    ValueKind::List(vs) => vs,
                    _ => Vec::new(),
                };
                Item::Set(SetDecl { docs, name, ty, values, span })
            }
            Rule::rule_decl => {
                inner.next();
                let code = self.ident(inner.next()?);
                let name = self.ident(inner.next()?);
                let items: Vec<RuleItem> = inner.filter_map(|q| self.rule_item(q)).collect();
                let spans: Vec<Span> = items
                    .iter()
                    .map(|i| match i {
                        RuleItem::For { span, .. }
                        | RuleItem::Let { span, .. }
                        | RuleItem::Option { span, .. }
                        | RuleItem::Field { span, .. }
                        | RuleItem::When { span, .. } => *span,
                    })
                    .collect();
                self.check_separators(spans.iter().copied(), "rule items");
                Item::Rule(std::sync::Arc::new(RuleDecl { docs, code, name, items, span }))
            }
            Rule::gate_decl => {
                inner.next();
                let name = self.ident(inner.next()?);
                let mut params = Vec::new();
                let mut items = Vec::new();
                for q in inner {
                    match q.as_rule() {
                        Rule::gate_param => {
                            let mut pq = q.into_inner();
                            let var = self.ident(pq.next()?);
                            let kind = self.ident(pq.next()?);
                            params.push((var, kind));
                        }
                        _ => {
                            if let Some(RuleItem::Field { name, value, .. }) = self.rule_item(q) {
                                items.push((name, value));
                            }
                        }
                    }
                }
                Item::Gate(std::sync::Arc::new(GateDecl { docs, name, params, items, span }))
            }
            Rule::decide_decl | Rule::allow_decl => {
                inner.next();
                let rule_ref = self.ident(inner.next()?);
                let mut target = None;
                let mut letter = None;
                let mut reason = None;
                for q in inner {
                    match q.as_rule() {
                        Rule::target => target = Some(self.target(q)),
                        Rule::option_letter => letter = Some(self.ident(q)),
                        Rule::string => {
                            let s = self.span(&q);
                            reason = Some((self.string(q), s));
                        }
                        _ => {}
                    }
                }
                let (reason, reason_span) = reason?;
                match letter {
                    Some(letter) => {
                        Item::Decide(Decide { docs, rule: rule_ref, target, letter, reason, reason_span, span })
                    }
                    None => Item::Allow(Allow { docs, rule: rule_ref, target, reason, reason_span, span }),
                }
            }
            Rule::review_decl => {
                let kw = inner.next()?;
                let head = self.span(&kw);
                let fields = self.fields(inner.next()?.into_inner());
                Item::Review(Review { docs, fields, head, span })
            }
            _ => return None,
        })
    }

    fn docs<'i>(&self, inner: &mut std::iter::Peekable<Pairs<'i, Rule>>) -> Docs {
        let mut lines: Vec<String> = Vec::new();
        while let Some(p) = inner.peek() {
            if p.as_rule() != Rule::doc {
                break;
            }
            let p = inner.next().unwrap_or_else(|| unreachable!());
            let text = p.into_inner().next().map_or("", |t| t.as_str());
            lines.push(text.strip_prefix(' ').unwrap_or(text).trim_end().to_string());
        }
        Docs(lines.join("\n"))
    }

    fn target(&self, p: P) -> Target {
        let span = self.span(&p);
        let mut ids: Vec<Ident> = p.into_inner().map(|q| self.ident(q)).collect();
        let name = ids.pop().unwrap_or(Ident { name: String::new(), span });
        Target { kind: ids.pop(), name, span }
    }

    // ── fields and values ──

    fn fields(&mut self, pairs: Pairs<Rule>) -> Vec<Field> {
        let fields: Vec<Field> = pairs.filter(|p| p.as_rule() == Rule::field).map(|p| self.field(p)).collect();
        self.check_separators(fields.iter().map(|f| f.span), "fields");
        fields
    }

    fn field(&mut self, p: P) -> Field {
        let span = self.span(&p);
        let mut inner = p.into_inner().peekable();
        let docs = self.docs(&mut inner);
        let name = self.ident(inner.next().unwrap_or_else(|| unreachable!("field has a name")));
        let value = match inner.next() {
            Some(v) => self.value(v),
            None => Value { kind: ValueKind::Error, span },
        };
        Field { docs, name, value, span }
    }

    pub(super) fn value(&mut self, p: P) -> Value {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::string => ValueKind::Str(self.string(p)),
            Rule::approx => {
                let n = p.into_inner().next().map(|q| self.numeric(q, true));
                n.map_or(ValueKind::Error, |n| n.kind)
            }
            Rule::numeric => return self.numeric(p, false),
            Rule::multiple => {
                let mut inner = p.into_inner();
                let (Some(n), Some(item)) = (inner.next(), inner.next()) else {
                    return Value { kind: ValueKind::Error, span };
                };
                let count_span = self.span(&n);
                match self.number(n.as_str(), false, None, count_span) {
                    Some(count) => ValueKind::Multiple { count: Box::new(count), count_span, item: self.ident(item) },
                    None => ValueKind::Error,
                }
            }
            Rule::bad_multiple => {
                let mut inner = p.into_inner();
                let n = inner.next().map_or("", |n| n.as_str());
                let item = inner.next().map_or("", |i| i.as_str());
                let x_at = span.start as usize + n.len();
                self.diags.push(
                    Diagnostic::new(&codes::BAD_MULTIPLE, format!("write `{n} x {item}` with spaces around `x`"))
                        .primary(Span::new(self.file, x_at, x_at + 1), "`x` needs a space on both sides")
                        .help(format!("replace with `{n} x {item}`"))
                        .note("a count times a device is written `1 x a100`; without spaces, `4x` reads as a number with a unit"),
                );
                ValueKind::Error
            }
            Rule::shape => {
                let dims: Option<Vec<Option<u64>>> = p
                    .as_str()
                    .split('x')
                    .map(|d| if d == "_" { Some(None) } else { d.parse::<u64>().ok().map(Some) })
                    .collect();
                match dims {
                    Some(dims) => ValueKind::Shape(dims),
                    None => {
                        self.diags.push(
                            Diagnostic::new(
                                &codes::NUMBER_RANGE,
                                format!("a dimension of `{}` is too large", excerpt(p.as_str())),
                            )
                            .primary(span, "out of range")
                            .help("shape dimensions must fit in 64 bits"),
                        );
                        ValueKind::Error
                    }
                }
            }
            Rule::bound => {
                let mut percentile = None;
                let mut op = BoundOp::Lt;
                let mut value = None;
                for q in p.into_inner() {
                    match q.as_rule() {
                        Rule::percentile => {
                            let digits = &q.as_str()[1..];
                            percentile = Some((percentile_value(digits), digits.to_string(), self.span(&q)));
                        }
                        Rule::bound_op => {
                            op = match q.as_str() {
                                "<=" => BoundOp::Le,
                                ">" => BoundOp::Gt,
                                ">=" => BoundOp::Ge,
                                _ => BoundOp::Lt,
                            }
                        }
                        _ => value = Some(self.value(q)),
                    }
                }
                match value {
                    Some(v) => ValueKind::Bound { percentile, op, value: Box::new(v) },
                    None => ValueKind::Error,
                }
            }
            Rule::range => {
                let mut inner = p.into_inner();
                match (inner.next(), inner.next()) {
                    (Some(a), Some(b)) => ValueKind::Range(Box::new(self.value(a)), Box::new(self.value(b))),
                    _ => ValueKind::Error,
                }
            }
            Rule::list => {
                let items: Vec<Value> = p.into_inner().map(|q| self.value(q)).collect();
                self.check_separators(items.iter().map(|v| v.span), "list items");
                ValueKind::List(items)
            }
            Rule::record => ValueKind::Record(self.fields(p.into_inner())),
            Rule::named => {
                let mut inner = p.into_inner();
                let Some(name) = inner.next() else {
                    return Value { kind: ValueKind::Error, span };
                };
                let name = self.ident(name);
                match inner.next() {
                    Some(a) if a.as_rule() == Rule::args => {
                        ValueKind::Call { name, args: a.into_inner().map(|q| self.value(q)).collect() }
                    }
                    Some(r) => ValueKind::Tagged { name, fields: self.fields(r.into_inner()) },
                    None if name.name.contains('-') => ValueKind::Kebab(name.name),
                    None => ValueKind::Name(name),
                }
            }
            Rule::kw_true => ValueKind::Bool(true),
            Rule::kw_false => ValueKind::Bool(false),
            Rule::kw_none => ValueKind::None,
            Rule::kw_unknown => ValueKind::Unknown,
            Rule::rule_code => ValueKind::Code(p.as_str().to_string()),
            Rule::ident => ValueKind::Name(self.ident(p)),
            _ => ValueKind::Error,
        };
        Value { kind, span }
    }

    /// `numeric` = number with an optional unit.
    fn numeric(&mut self, p: P, approx: bool) -> Value {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let Some(num) = inner.next() else {
            return Value { kind: ValueKind::Error, span };
        };
        let num_span = self.span(&num);
        let unit = inner.next().map(|u| (u.as_str().to_string(), self.span(&u)));
        let unit = match unit {
            None => None,
            Some((text, uspan)) => match units::lookup(&text) {
                Some(def) => Some(UnitRef { def, span: uspan }),
                None => {
                    let mut d = Diagnostic::new(&codes::UNKNOWN_UNIT, format!("unknown unit `{text}`"))
                        .primary(uspan, "not a unit mlarchc knows");
                    let shape_gap =
                        text.starts_with('x') && text[1..].starts_with(|c: char| c.is_ascii_digit() || c == 'x');
                    d = match units::confusable(&text) {
                        Some(h) => d.help(h),
                        None if shape_gap || text == "x" => d.help("a shape needs a number after each `x`, such as `224x224x3`"),
                        None => match suggest::help(&text, units::all_names()) {
                            Some(h) => d.help(h),
                            None => d.note(
                                "units are durations `ms s min h d`, frequencies `Hz kHz`, bytes `MB GB`, compute `GFLOP GMAC`, \
                                 rates `TFLOPS`, money `USD USD/h`, `%`, `deg`, `steps`, `epochs`, `tokens`, `samples`",
                            ),
                        },
                    };
                    self.diags.push(d);
                    return Value { kind: ValueKind::Error, span };
                }
            },
        };
        match self.number(num.as_str(), approx, unit, num_span) {
            Some(n) => Value { kind: ValueKind::Number(n), span },
            None => Value { kind: ValueKind::Error, span },
        }
    }

    /// Decodes a number; `None` (after a diagnostic) when it cannot be represented.
    pub(super) fn number(&mut self, text: &str, approx: bool, unit: Option<UnitRef>, span: Span) -> Option<Number> {
        let (raw, exact) = number::decode(text);
        let value = raw * unit.as_ref().map_or(1.0, |u| u.def.factor);
        let underflow =
            value == 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) && !matches!(exact, Exact::Int(_));
        if !value.is_finite() || underflow {
            let (what, help) = if underflow {
                ("too small", "numbers must be larger than about 1e-308")
            } else {
                ("too large", "numbers must stay below about 1.8e308")
            };
            self.diags.push(
                Diagnostic::new(&codes::NUMBER_RANGE, format!("the number `{}` is {what}", excerpt(text)))
                    .primary(span, "out of range")
                    .help(help),
            );
            return None;
        }
        Some(Number { text: text.to_string(), value, exact, approx, unit })
    }

    pub(super) fn string(&mut self, p: P) -> String {
        let Some(inner) = p.into_inner().next() else {
            return String::new();
        };
        match inner.as_rule() {
            Rule::triple_string => dedent(inner.into_inner().next().map_or("", |t| t.as_str())),
            _ => {
                let body = inner.into_inner().next();
                let Some(body) = body else {
                    return String::new();
                };
                let start = self.base + body.as_span().start();
                self.unescape(body.as_str(), start)
            }
        }
    }

    pub(super) fn unescape(&mut self, s: &str, start: usize) -> String {
        let mut out = String::with_capacity(s.len());
        let mut reported = false;
        let mut chars = s.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, '{')) => out.push_str("\\{"),
                Some((_, '}')) => out.push_str("\\}"),
                Some((j, other)) => {
                    out.push('\\');
                    out.push(other);
                    if reported {
                        continue;
                    }
                    reported = true;
                    let at = start + i;
                    self.diags.push(
                        Diagnostic::new(&codes::BAD_ESCAPE, format!("unknown escape `\\{other}`"))
                            .primary(Span::new(self.file, at, start + j + other.len_utf8()), "not an escape")
                            .help("the escapes are `\\n`, `\\t`, `\\r`, `\\\"`, `\\\\`, `\\{` and `\\}`; write `\\\\` for a backslash"),
                    );
                }
                None => {}
            }
        }
        out
    }

    /// Two items on one line need a comma between them.
    pub(super) fn check_separators(&mut self, spans: impl IntoIterator<Item = Span>, what: &str) {
        let mut spans = spans.into_iter();
        let Some(mut prev) = spans.next() else { return };
        for next in spans {
            let gap = self.text.get(prev.end as usize..next.start as usize).unwrap_or("");
            let gap = without_block_comments(gap);
            if !gap.contains(',') && !gap.contains('\n') {
                let at = next.start as usize;
                self.diags.push(
                    Diagnostic::new(&codes::MISSING_COMMA, format!("missing `,` between {what}"))
                        .primary(Span::new(self.file, prev.end as usize, at), "expected `,` or a new line here")
                        .help("put a comma between two items on the same line"),
                );
            }
            prev = next;
        }
    }

    // ── schema ──

    fn field_decls<'i>(&mut self, pairs: impl Iterator<Item = P<'i>>) -> Vec<FieldDecl> {
        let fields: Vec<FieldDecl> =
            pairs.filter(|p| p.as_rule() == Rule::field_decl).map(|p| self.field_decl(p)).collect();
        self.check_separators(fields.iter().map(|f| f.span), "fields");
        fields
    }

    fn field_decl(&mut self, p: P) -> FieldDecl {
        let span = self.span(&p);
        let mut inner = p.into_inner().peekable();
        let docs = self.docs(&mut inner);
        let mut derived = false;
        let mut name = None;
        let mut ty = None;
        let mut default = None;
        for q in inner {
            match q.as_rule() {
                Rule::kw_derived => derived = true,
                Rule::ident if name.is_none() => name = Some(self.ident(q)),
                Rule::type_expr => ty = Some(self.type_expr(q)),
                _ => default = Some(self.value(q)),
            }
        }
        let name = name.unwrap_or(Ident { name: String::new(), span });
        let ty = ty.unwrap_or(TypeExpr { kind: TypeExprKind::Named(name.clone()), optional: false, span });
        FieldDecl { docs, derived, name, ty, default, span }
    }

    fn variant_decl(&mut self, p: P) -> VariantDecl {
        let span = self.span(&p);
        let mut inner = p.into_inner().peekable();
        let docs = self.docs(&mut inner);
        inner.next(); // `variant`
        let name = self.ident(inner.next().unwrap_or_else(|| unreachable!()));
        let fields = self.field_decls(inner);
        VariantDecl { docs, name, fields, span }
    }

    fn type_expr(&mut self, p: P) -> TypeExpr {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let Some(t) = inner.next() else { unreachable!("a type has a body") };
        let optional = inner.next().is_some();
        let kind = match t.as_rule() {
            Rule::list_type => {
                TypeExprKind::List(Box::new(self.type_expr(t.into_inner().next().unwrap_or_else(|| unreachable!()))))
            }
            Rule::ref_type => TypeExprKind::Ref(self.ident(t.into_inner().nth(1).unwrap_or_else(|| unreachable!()))),
            Rule::generic_type => {
                let mut g = t.into_inner();
                let name = self.ident(g.next().unwrap_or_else(|| unreachable!()));
                TypeExprKind::Generic(name, Box::new(self.type_expr(g.next().unwrap_or_else(|| unreachable!()))))
            }
            _ => TypeExprKind::Named(self.ident(t.into_inner().next().unwrap_or_else(|| unreachable!()))),
        };
        TypeExpr { kind, optional, span }
    }

    fn enum_variant(&mut self, p: P) -> EnumVariant {
        let span = self.span(&p);
        let mut inner = p.into_inner().peekable();
        let docs = self.docs(&mut inner);
        let head = inner.next().unwrap_or_else(|| unreachable!());
        let mut head_inner = head.into_inner();
        let name = self.ident(head_inner.next().unwrap_or_else(|| unreachable!()));
        let mut payload = match head_inner.next() {
            Some(named) => PayloadDecl::Named(self.ident(named.into_inner().next().unwrap_or_else(|| unreachable!()))),
            None => PayloadDecl::None,
        };
        if let Some(q) = inner.next() {
            payload = match q.as_rule() {
                Rule::variant_args => PayloadDecl::Args(q.into_inner().map(|t| self.type_expr(t)).collect()),
                _ => PayloadDecl::Record(self.field_decls(q.into_inner())),
            };
        }
        EnumVariant { docs, name, payload, span }
    }

    // ── rules ──

    fn rule_item(&mut self, p: P) -> Option<RuleItem> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut inner = p.into_inner().peekable();
        let docs = self.docs(&mut inner);
        Some(match rule {
            Rule::rule_for => {
                inner.next(); // `for`
                let var = self.ident(inner.next()?);
                let next = inner.next()?;
                let source = if next.as_rule() == Rule::ident {
                    ForSource::Kind(self.ident(next))
                } else {
                    ForSource::Expr(self.expr(inner.next()?))
                };
                RuleItem::For { docs, var, source, span }
            }
            Rule::rule_let => {
                inner.next(); // `let`
                let var = self.ident(inner.next()?);
                let value = self.expr(inner.next()?);
                RuleItem::Let { docs, var, value, span }
            }
            Rule::rule_option => {
                inner.next(); // `option`
                let letter = self.ident(inner.next()?);
                let mut recommended = false;
                let mut cond = None;
                let mut text = None;
                for q in inner {
                    match q.as_rule() {
                        Rule::kw_recommended => recommended = true,
                        Rule::option_when => cond = q.into_inner().nth(1).map(|c| self.expr(c)),
                        _ => text = Some(self.expr(q)),
                    }
                }
                RuleItem::Option { docs, letter, recommended, cond, text: text?, span }
            }
            Rule::rule_field => {
                let name = self.ident(inner.next()?);
                let value = self.expr(inner.next()?);
                RuleItem::Field { docs, name, value, span }
            }
            Rule::rule_when => {
                let name = self.ident(inner.next()?);
                inner.next(); // `when`
                let cond = self.expr(inner.next()?);
                let value = self.expr(inner.next()?);
                RuleItem::When { docs, name, cond, value, span }
            }
            _ => return None,
        })
    }

    pub(super) fn expr(&mut self, p: P) -> Expr {
        let span = self.span(&p);
        if p.as_rule() != Rule::expr {
            return self.expr_primary(p);
        }
        let pairs = p.into_inner();
        // every later pass recurses over the operator tree: bound its size here, with a
        // diagnostic, rather than let a generated rule overflow the stack
        let operators = pairs
            .clone()
            .filter(|q| {
                matches!(
                    q.as_rule(),
                    Rule::op_not
                        | Rule::op_neg
                        | Rule::op_or
                        | Rule::op_and
                        | Rule::op_in
                        | Rule::op_not_in
                        | Rule::op_is
                        | Rule::op_is_not
                        | Rule::op_cmp
                        | Rule::op_add
                        | Rule::op_sub
                        | Rule::op_mul
                        | Rule::op_div
                )
            })
            .count();
        if operators > MAX_OPERATORS {
            self.diags.push(
                Diagnostic::new(
                    &codes::TOO_DEEP,
                    format!("expression too long: {operators} operators, the limit is {MAX_OPERATORS}"),
                )
                .primary(span, "this expression")
                .help("split the condition into named parts: several rules, or `escalate` and `relax` for its cases"),
            );
            return Expr { kind: ExprKind::Lit(Value { kind: ValueKind::Error, span }), span };
        }
        // The Pratt parser's closures cannot borrow `self` mutably at once, so lower the
        // primaries first and let the parser combine indices into them.
        let this = std::cell::RefCell::new(self);
        let expr = pratt()
            .map_primary(|q| this.borrow_mut().expr_primary(q))
            .map_prefix(|op, rhs| {
                let s = this.borrow().span(&op).to(rhs.span);
                let op = if op.as_rule() == Rule::op_not { UnOp::Not } else { UnOp::Neg };
                Expr { kind: ExprKind::Unary(op, Box::new(rhs)), span: s }
            })
            .map_infix(|lhs, op, rhs| {
                let s = lhs.span.to(rhs.span);
                let op = match op.as_rule() {
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_in => BinOp::In,
                    Rule::op_not_in => BinOp::NotIn,
                    Rule::op_is => BinOp::Is,
                    Rule::op_is_not => BinOp::IsNot,
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    Rule::op_div => BinOp::Div,
                    _ => match op.as_str().trim() {
                        "==" => BinOp::Eq,
                        "!=" => BinOp::Ne,
                        "<=" => BinOp::Le,
                        "<" => BinOp::Lt,
                        ">=" => BinOp::Ge,
                        _ => BinOp::Gt,
                    },
                };
                let chained = matches!(op, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
                    && matches!(
                        lhs.kind,
                        ExprKind::Binary(BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, ..)
                    );
                if chained {
                    this.borrow_mut().diags.push(
                        Diagnostic::new(&codes::SYNTAX, "comparisons cannot be chained")
                            .primary(s, "two comparisons in a row")
                            .help("write `a < b and b < c`"),
                    );
                }
                Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span: s }
            })
            .parse(pairs);
        expr.with_span(span)
    }

    fn expr_primary(&mut self, p: P) -> Expr {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::expr => return self.expr(p),
            Rule::path => ExprKind::Path(p.into_inner().map(|q| self.ident(q)).collect()),
            Rule::quantifier => {
                let mut inner = p.into_inner();
                let quant = match inner.next().map(|q| q.as_str()) {
                    Some("any") => Quant::Any,
                    Some("all") => Quant::All,
                    Some("sum") => Quant::Sum,
                    Some("min") => Quant::Min,
                    Some("max") => Quant::Max,
                    _ => Quant::Count,
                };
                let var = self.ident(inner.next().unwrap_or_else(|| unreachable!()));
                inner.next(); // `in`
                let source = self.expr(inner.next().unwrap_or_else(|| unreachable!()));
                let (mut filter, mut body) = (None, None);
                for q in inner {
                    if q.as_rule() == Rule::quant_where {
                        filter = q.into_inner().nth(1).map(|c| Box::new(self.expr(c)));
                    } else {
                        body = Some(Box::new(self.expr(q)));
                    }
                }
                ExprKind::Quant { quant, var, source: Box::new(source), filter, body }
            }
            Rule::expr_call => {
                let mut inner = p.into_inner();
                let name = self.ident(inner.next().unwrap_or_else(|| unreachable!()));
                ExprKind::Call { name, args: inner.map(|q| self.expr(q)).collect() }
            }
            Rule::expr_list => ExprKind::List(p.into_inner().map(|q| self.expr(q)).collect()),
            _ => ExprKind::Lit(self.value(p)),
        };
        Expr { kind, span }
    }
}

trait WithSpan {
    fn with_span(self, span: Span) -> Expr;
}

impl WithSpan for Expr {
    fn with_span(mut self, span: Span) -> Expr {
        self.span = span;
        self
    }
}

fn pratt() -> &'static PrattParser<Rule> {
    static P: OnceLock<PrattParser<Rule>> = OnceLock::new();
    P.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_cmp, Assoc::Left)
                | Op::infix(Rule::op_in, Assoc::Left)
                | Op::infix(Rule::op_not_in, Assoc::Left)
                | Op::infix(Rule::op_is, Assoc::Left)
                | Op::infix(Rule::op_is_not, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
    })
}

/// `99` → 99; `999` → 99.9 and `9999` → 99.99 (the SRE convention for the nines above
/// 99); anything else over 100 stays over 100 and is reported by the type checker.
pub(super) fn percentile_value(digits: &str) -> f64 {
    let n: f64 = digits.parse().unwrap_or(f64::MAX);
    if n > 100.0 && digits.len() >= 3 && digits.bytes().all(|b| b == b'9') {
        100.0 - 10f64.powi(2 - digits.len() as i32)
    } else {
        n
    }
}

/// The text with `/* … */` comments removed (a comma inside one separates nothing).
fn without_block_comments(gap: &str) -> std::borrow::Cow<'_, str> {
    if !gap.contains("/*") {
        return std::borrow::Cow::Borrowed(gap);
    }
    let mut out = String::new();
    let mut rest = gap;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i + 2..].find("*/").map_or("", |j| &rest[i + 2 + j + 2..]);
        out.push(' ');
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Moves `end` back over trailing whitespace and comments.
fn trim_trivia_end(text: &str, start: usize, mut end: usize) -> usize {
    loop {
        let trimmed = text[start..end].trim_end();
        end = start + trimmed.len();
        if let Some(body) = trimmed.strip_suffix("*/") {
            match body.rfind("/*") {
                Some(open) => {
                    end = start + open;
                    continue;
                }
                None => return end,
            }
        }
        // a `//` comment that runs to the end of the last line?
        let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        match line_comment_start(&trimmed[line_start..]) {
            Some(c) => end = start + line_start + c,
            None => return end,
        }
    }
}

/// Where a `//` comment starts in one line, skipping strings.
fn line_comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Removes the common indentation of a `"""` string and its first and last blank lines.
pub(super) fn dedent(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let start = usize::from(lines.first().is_some_and(|l| l.trim().is_empty()));
    let end = lines.len() - usize::from(lines.len() > start && lines.last().is_some_and(|l| l.trim().is_empty()));
    let body = &lines[start..end.max(start)];
    let indent =
        body.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    body.iter().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect::<Vec<_>>().join("\n")
}
