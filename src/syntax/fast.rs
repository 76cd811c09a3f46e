//! A hand-written parser for the common case: a segment of plan declarations
//! (`dataset d { … }`) that is well formed.
//!
//! pest spends most of a large plan's parse time in its own machinery (a state box per
//! rule attempt, the call tracker, backtracking over the value alternatives). Plan
//! declarations are most of every plan, and nearly all of them are well formed, so this
//! scanner reads them directly into the same syntax tree the lowering builds from pest's
//! pairs, with the same spans and the same lowering diagnostics (missing commas, escapes).
//!
//! **Invariant:** [`segment`] returns exactly what pest and the lowering would, or `None`.
//! It gives up on anything outside plain declarations (schema, rules, imports, decisions)
//! and on anything wrong — an unexpected character, an unknown unit, a number out of
//! range — and the caller parses that segment with pest, whose errors stay as good as they
//! are. A differential test (`tests/fast_parse.rs`) holds the two to the same trees on every
//! plan, fixture and stdlib file of the repository and on mutated plans.

use super::ast::{BoundOp, Decl, Docs, Field, Ident, Item, Number, UnitRef, Value, ValueKind};
use super::lower::{self, Lowerer};
use super::split;
use crate::diag::Diagnostic;
use crate::source::{FileId, Span};
use crate::units;

/// Parses the segment `text[start..end]` of `file`, or `None` to leave it to pest.
pub(super) fn segment(file: FileId, text: &str, start: usize, end: usize) -> Option<(Vec<Item>, Vec<Diagnostic>)> {
    let mut diags = Vec::new();
    let mut p = Parser {
        b: text.as_bytes(),
        text,
        end,
        i: start,
        lw: Lowerer { file, base: 0, text, diags: &mut diags },
        field_stack: Vec::new(),
        value_stack: Vec::new(),
    };
    let mut items = Vec::new();
    loop {
        p.skip();
        if p.i >= p.end {
            break;
        }
        items.push(Item::Decl(p.decl()?));
    }
    Some((items, diags))
}

struct Parser<'t, 'd> {
    b: &'t [u8],
    text: &'t str,
    end: usize,
    i: usize,
    lw: Lowerer<'d>,
    /// the fields and the items of the lists being read, innermost last: each body, list
    /// and argument list is moved out into a vector of its exact length when it closes
    /// (growing each by doubling left a quarter of a large plan's tree unused)
    field_stack: Vec<Field>,
    value_stack: Vec<Value>,
}

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl Parser<'_, '_> {
    fn peek(&self) -> u8 {
        if self.i < self.end {
            self.b[self.i]
        } else {
            0
        }
    }

    fn at(&self, k: usize) -> u8 {
        let j = self.i + k;
        if j < self.end {
            self.b[j]
        } else {
            0
        }
    }

    fn starts(&self, s: &str) -> bool {
        self.b[self.i..self.end].starts_with(s.as_bytes())
    }

    fn span(&self, from: usize) -> Span {
        Span::new(self.lw.file, from, self.i)
    }

    fn is_doc(&self) -> bool {
        self.starts("///") && self.at(3) != b'/'
    }

    /// Whitespace and comments, as pest's implicit `(WHITESPACE | COMMENT)*`; stops at a
    /// doc comment, which is not trivia.
    fn skip(&mut self) {
        loop {
            let c = self.peek();
            if c == b' ' || (b'\t'..=b'\r').contains(&c) {
                self.i += 1;
            } else if c != b'/' && c != 0xef {
                // most tokens end here: no comment and no byte-order mark starts otherwise
                return;
            } else if self.starts("\u{feff}") {
                self.i += 3;
            } else if self.starts("//") && !self.is_doc() {
                while self.i < self.end && self.b[self.i] != b'\n' {
                    self.i += 1;
                }
            } else if self.starts("/*") {
                match self.text[self.i + 2..self.end].find("*/") {
                    Some(k) => self.i += 2 + k + 2,
                    // unterminated: split.rs reported it; let pest see the rest
                    None => return,
                }
            } else {
                return;
            }
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek() == c).then(|| self.i += 1)
    }

    fn ident(&mut self) -> Option<Ident> {
        let from = self.i;
        if !ident_start(self.peek()) {
            return None;
        }
        while ident_char(self.peek()) {
            self.i += 1;
        }
        Some(Ident { name: self.text[from..self.i].to_string(), span: self.span(from) })
    }

    /// `/// text` lines before a declaration or a field.
    fn docs(&mut self) -> Docs {
        let mut lines: Vec<String> = Vec::new();
        while self.is_doc() {
            let from = self.i + 3;
            while self.i < self.end && self.b[self.i] != b'\n' {
                self.i += 1;
            }
            let t = &self.text[from..self.i];
            lines.push(t.strip_prefix(' ').unwrap_or(t).trim_end().to_string());
            self.skip();
        }
        Docs(lines.join("\n"))
    }

    fn decl(&mut self) -> Option<Decl> {
        let from = self.i;
        let docs = self.docs();
        let kind = self.ident()?;
        if split::KEYWORDS.contains(&kind.name.as_str()) {
            return None;
        }
        self.skip();
        let name = self.ident()?;
        self.skip();
        let mut variant = None;
        if self.eat(b':').is_some() {
            self.skip();
            variant = Some(self.ident()?);
            self.skip();
        }
        self.eat(b'{')?;
        let body = self.fields(b'}')?;
        let head = kind.span.to(variant.as_ref().map_or(name.span, |v| v.span));
        Some(Decl { docs, kind, name, variant, body: Some(body), head, span: self.span(from) })
    }

    /// Fields up to and including `close`.
    fn fields(&mut self, close: u8) -> Option<Vec<Field>> {
        let mark = self.field_stack.len();
        loop {
            self.skip();
            if self.eat(close).is_some() {
                break;
            }
            let from = self.i;
            let docs = self.docs();
            let name = self.ident()?;
            self.skip();
            self.eat(b':')?;
            self.skip();
            let value = self.value()?;
            let span = self.span(from);
            self.field_stack.push(Field { docs, name, value, span });
            self.skip();
            if self.peek() == b',' {
                self.i += 1;
            }
        }
        let fields: Vec<Field> = self.field_stack.drain(mark..).collect();
        self.lw.check_separators(fields.iter().map(|f| f.span), "fields");
        Some(fields)
    }

    fn value(&mut self) -> Option<Value> {
        let from = self.i;
        let c = self.peek();
        let kind = match c {
            b'"' => ValueKind::Str(self.string()?),
            b'[' => {
                self.i += 1;
                let mark = self.value_stack.len();
                loop {
                    self.skip();
                    if self.eat(b']').is_some() {
                        break;
                    }
                    let item = self.value()?;
                    self.value_stack.push(item);
                    self.skip();
                    if self.peek() == b',' {
                        self.i += 1;
                    }
                }
                let items: Vec<Value> = self.value_stack.drain(mark..).collect();
                self.lw.check_separators(items.iter().map(|v| v.span), "list items");
                ValueKind::List(items)
            }
            b'{' => {
                self.i += 1;
                ValueKind::Record(self.fields(b'}')?)
            }
            b'<' | b'>' => return self.bound(None, from),
            b'p' if self.at(1).is_ascii_digit() => {
                let mut k = 1;
                while self.at(k).is_ascii_digit() {
                    k += 1;
                }
                if !ident_char(self.at(k)) {
                    let save = self.i;
                    self.i += k;
                    let pspan = self.span(from);
                    self.skip();
                    if matches!(self.peek(), b'<' | b'>') {
                        let digits = self.text[from + 1..from + k].to_string();
                        return self.bound(Some((lower::percentile_value(&digits), digits, pspan)), from);
                    }
                    self.i = save;
                }
                self.named()?
            }
            b'~' => {
                self.i += 1;
                let n = self.numeric(true)?;
                return self.maybe_range(Value { kind: ValueKind::Number(n), span: self.span(from) }, from);
            }
            b'0'..=b'9' | b'-' => return self.digits_value(from),
            b'_' if matches!(self.at(1), b'x' | b'0'..=b'9' | b'_') && self.shape_len().is_some() => {
                return self.shape(from);
            }
            _ if ident_start(c) => self.word()?,
            _ => return None,
        };
        Some(Value { kind, span: self.span(from) })
    }

    /// `true`, `none`, `MLA201`, or a name with or without arguments or fields.
    fn word(&mut self) -> Option<ValueKind> {
        for (kw, v) in [
            ("true", ValueKind::Bool(true)),
            ("false", ValueKind::Bool(false)),
            ("none", ValueKind::None),
            ("unknown", ValueKind::Unknown),
        ] {
            if self.starts(kw) && !ident_char(self.at(kw.len())) {
                self.i += kw.len();
                return Some(v);
            }
        }
        if self.starts("MLA")
            && self.at(3).is_ascii_digit()
            && matches!(self.at(4), b'0'..=b'9' | b'x')
            && matches!(self.at(5), b'0'..=b'9' | b'x')
            && !ident_char(self.at(6))
        {
            let code = self.text[self.i..self.i + 6].to_string();
            self.i += 6;
            return Some(ValueKind::Code(code));
        }
        self.named()
    }

    /// `value_name ~ (args | record)?`.
    fn named(&mut self) -> Option<ValueKind> {
        let from = self.i;
        if !ident_start(self.peek()) {
            return None;
        }
        while ident_char(self.peek()) {
            self.i += 1;
        }
        while self.peek() == b'-' && ident_char(self.at(1)) {
            self.i += 1;
            while ident_char(self.peek()) {
                self.i += 1;
            }
        }
        let name = Ident { name: self.text[from..self.i].to_string(), span: self.span(from) };
        let after = self.i;
        self.skip();
        match self.peek() {
            b'(' => {
                self.i += 1;
                let mark = self.value_stack.len();
                self.skip();
                if self.eat(b')').is_none() {
                    loop {
                        let arg = self.value()?;
                        self.value_stack.push(arg);
                        self.skip();
                        if self.eat(b',').is_some() {
                            self.skip();
                            if self.eat(b')').is_some() {
                                break;
                            }
                            continue;
                        }
                        self.eat(b')')?;
                        break;
                    }
                }
                let args = self.value_stack.drain(mark..).collect();
                Some(ValueKind::Call { name, args })
            }
            b'{' => {
                self.i += 1;
                Some(ValueKind::Tagged { name, fields: self.fields(b'}')? })
            }
            _ => {
                self.i = after;
                Some(if name.name.contains('-') { ValueKind::Kebab(name.name) } else { ValueKind::Name(name) })
            }
        }
    }

    /// `percentile? bound_op (approx | numeric)`, from `from`.
    fn bound(&mut self, percentile: Option<(f64, String, Span)>, from: usize) -> Option<Value> {
        let op = if self.starts("<=") {
            self.i += 2;
            BoundOp::Le
        } else if self.starts(">=") {
            self.i += 2;
            BoundOp::Ge
        } else if self.eat(b'<').is_some() {
            BoundOp::Lt
        } else {
            self.eat(b'>')?;
            BoundOp::Gt
        };
        self.skip();
        let value = self.range_end()?;
        let kind = ValueKind::Bound { percentile, op, value: Box::new(value) };
        Some(Value { kind, span: self.span(from) })
    }

    /// A value starting with a digit or `-`: `1 x a100`, `512x512x3`, `2015..2023`, `200ms`.
    fn digits_value(&mut self, from: usize) -> Option<Value> {
        let nlen = self.number_len()?;
        let after_num = self.i + nlen;
        // `1 x a100`
        let mut j = after_num;
        while j < self.end && matches!(self.b[j], b' ' | b'\t') {
            j += 1;
        }
        if j > after_num && j < self.end && self.b[j] == b'x' {
            let mut k = j + 1;
            while k < self.end && matches!(self.b[k], b' ' | b'\t') {
                k += 1;
            }
            if k > j + 1 && k < self.end && ident_start(self.b[k]) {
                let text = &self.text[self.i..after_num];
                let count_span = Span::new(self.lw.file, self.i, after_num);
                self.i = k;
                let item = self.ident()?;
                let count = self.lw.number(text, false, None, count_span)?;
                return Some(Value {
                    kind: ValueKind::Multiple { count: Box::new(count), count_span, item },
                    span: self.span(from),
                });
            }
        }
        // `4x a100` is an error with a fix-it: pest reports it
        if after_num < self.end && self.b[after_num] == b'x' {
            let mut k = after_num + 1;
            while k < self.end && matches!(self.b[k], b' ' | b'\t') {
                k += 1;
            }
            if k > after_num + 1 && k < self.end && ident_start(self.b[k]) {
                return None;
            }
        }
        if self.shape_len().is_some() {
            return self.shape(from);
        }
        let n = self.numeric(false)?;
        self.maybe_range(Value { kind: ValueKind::Number(n), span: self.span(from) }, from)
    }

    /// After a range end: `..` and the other end make a range (pest tries `range` first,
    /// and a range end is an approximate or a plain number).
    fn maybe_range(&mut self, first: Value, from: usize) -> Option<Value> {
        let save = self.i;
        self.skip();
        if !self.starts("..") {
            self.i = save;
            return Some(first);
        }
        self.i += 2;
        self.skip();
        let second = self.range_end()?;
        Some(Value { kind: ValueKind::Range(Box::new(first), Box::new(second)), span: self.span(from) })
    }

    /// `approx | numeric`: the value of a bound and each end of a range.
    fn range_end(&mut self) -> Option<Value> {
        let from = self.i;
        let approx = self.eat(b'~').is_some();
        if !approx && !matches!(self.peek(), b'0'..=b'9' | b'-') {
            return None;
        }
        let n = self.numeric(approx)?;
        Some(Value { kind: ValueKind::Number(n), span: self.span(from) })
    }

    /// The length of a shape (`512x512x3`, `_x_x3`) at the cursor, if one is there.
    fn shape_len(&self) -> Option<usize> {
        let dim = |k: usize| -> usize {
            if self.at(k) == b'_' {
                return 1;
            }
            let mut n = 0;
            while self.at(k + n).is_ascii_digit() {
                n += 1;
            }
            n
        };
        let mut k = dim(0);
        if k == 0 {
            return None;
        }
        let mut parts = 1;
        while self.at(k) == b'x' {
            let d = dim(k + 1);
            if d == 0 {
                break;
            }
            k += 1 + d;
            parts += 1;
        }
        (parts > 1 && !ident_char(self.at(k))).then_some(k)
    }

    fn shape(&mut self, from: usize) -> Option<Value> {
        let len = self.shape_len()?;
        let text = &self.text[self.i..self.i + len];
        let dims: Option<Vec<Option<u64>>> =
            text.split('x').map(|d| if d == "_" { Some(None) } else { d.parse::<u64>().ok().map(Some) }).collect();
        self.i += len;
        Some(Value { kind: ValueKind::Shape(dims?), span: self.span(from) })
    }

    /// The length of a `number` token at the cursor: `-`? digits (`.` digits)? (exponent |
    /// k/M/B/T not followed by a name character or `/`)?
    fn number_len(&self) -> Option<usize> {
        let mut k = usize::from(self.peek() == b'-');
        let digits = |mut k: usize| -> Option<usize> {
            if !self.at(k).is_ascii_digit() {
                return None;
            }
            k += 1;
            loop {
                if self.at(k).is_ascii_digit() {
                    k += 1;
                } else if self.at(k) == b'_' && self.at(k + 1).is_ascii_digit() {
                    k += 2;
                } else {
                    return Some(k);
                }
            }
        };
        k = digits(k)?;
        if self.at(k) == b'.' {
            if let Some(k2) = digits(k + 1) {
                k = k2;
            }
        }
        if matches!(self.at(k), b'e' | b'E') {
            let mut e = k + 1;
            if matches!(self.at(e), b'+' | b'-') {
                e += 1;
            }
            if self.at(e).is_ascii_digit() {
                while self.at(e).is_ascii_digit() {
                    e += 1;
                }
                return Some(e);
            }
        }
        if matches!(self.at(k), b'k' | b'M' | b'B' | b'T') && !ident_char(self.at(k + 1)) && self.at(k + 1) != b'/' {
            k += 1;
        }
        Some(k)
    }

    /// The length of a `unit` token at offset `k` from the cursor.
    fn unit_len(&self, k: usize) -> Option<usize> {
        if self.at(k) == b'%' {
            return Some(1);
        }
        if !self.at(k).is_ascii_alphabetic() {
            return None;
        }
        let mut n = 1;
        while self.at(k + n).is_ascii_alphanumeric() {
            n += 1;
        }
        if self.at(k + n) == b'/' && self.at(k + n + 1).is_ascii_alphabetic() {
            n += 1;
            while self.at(k + n).is_ascii_alphabetic() {
                n += 1;
            }
        }
        Some(n)
    }

    /// `number ~ (unit | spaced_unit)?`, lowered: the number in its unit's base unit.
    fn numeric(&mut self, approx: bool) -> Option<Number> {
        let nlen = self.number_len()?;
        let nstart = self.i;
        let num_span = Span::new(self.lw.file, nstart, nstart + nlen);
        let mut unit = None;
        if let Some(u) = self.unit_len(nlen) {
            unit = Some((nlen, u));
        } else {
            // `500 steps`: spaces, not a stop word, a unit, then not a name or a `:`
            let mut k = nlen;
            while matches!(self.at(k), b' ' | b'\t') {
                k += 1;
            }
            if k > nlen {
                let stop = ["x", "and", "or", "not", "in", "is", "because", "on"].iter().any(|w| {
                    self.b[(self.i + k).min(self.end)..self.end].starts_with(w.as_bytes())
                        && !ident_char(self.at(k + w.len()))
                });
                if !stop {
                    if let Some(u) = self.unit_len(k) {
                        let mut t = k + u;
                        let next_is_name = ident_char(self.at(t));
                        while matches!(self.at(t), b' ' | b'\t') {
                            t += 1;
                        }
                        if !next_is_name && self.at(t) != b':' {
                            unit = Some((k, u));
                        }
                    }
                }
            }
        }
        let text = &self.text[nstart..nstart + nlen];
        let unit = match unit {
            None => {
                self.i = nstart + nlen;
                None
            }
            Some((k, u)) => {
                let name = &self.text[nstart + k..nstart + k + u];
                // an unknown unit gets pest's path and its did-you-mean
                let def = units::lookup(name)?;
                self.i = nstart + k + u;
                Some(UnitRef { def, span: Span::new(self.lw.file, nstart + k, nstart + k + u) })
            }
        };
        let before = self.lw.diags.len();
        let n = self.lw.number(text, approx, unit, num_span);
        if self.lw.diags.len() != before {
            return None;
        }
        n
    }

    fn string(&mut self) -> Option<String> {
        if self.starts("\"\"\"") {
            let from = self.i + 3;
            let k = self.text[from..self.end].find("\"\"\"")?;
            self.i = from + k + 3;
            return Some(lower::dedent(&self.text[from..from + k]));
        }
        self.i += 1;
        let from = self.i;
        loop {
            match self.peek() {
                b'"' => break,
                b'\\' if self.at(1) != b'\n' && self.i + 1 < self.end => self.i += 2,
                b'\n' | 0 if self.i >= self.end || self.b[self.i] == b'\n' => return None,
                _ => self.i += 1,
            }
        }
        let body = &self.text[from..self.i];
        self.i += 1;
        // a `\` before a multi-byte character: let pest and the lowering handle it
        if !self.text.is_char_boundary(from) || !body.is_char_boundary(body.len()) {
            return None;
        }
        Some(self.lw.unescape(body, from))
    }
}
