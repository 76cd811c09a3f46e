//! The rule engine: architect checks written in `.mla` (`rule MLA201 … { … }`), compiled
//! against the schema and evaluated over the checked plan.
//!
//! * `compile.rs` turns each `rule` declaration into a [`Rule`]: bindings, a typed `when`
//!   expression, the `at` field, the message template, options and metadata. A rule that
//!   reads a field the schema lacks, compares a duration with a count, or names an unbound
//!   variable is a diagnostic when it is loaded, not a surprise at evaluation.
//! * `eval.rs` runs the rules over the plan and yields [`Finding`]s.
//! * `review.rs` applies levels (`review` block, command line), decisions and suppressions,
//!   the quick mode and baselines, and turns findings into diagnostics.

pub mod baseline;
mod compile;
pub mod eval;
pub mod expr;
pub mod gate;
pub mod review;

pub use compile::compile;
pub use eval::evaluate;

use crate::diag::Severity;
use crate::plan::EntityId;
use crate::source::{FileOrigin, Span};
use expr::TExpr;
use serde::Serialize;

/// The review sections, in the order an architect reviews them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Formulation,
    Representation,
    Architecture,
    Training,
    Evaluation,
    Compute,
    Deployment,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Formulation,
        Section::Representation,
        Section::Architecture,
        Section::Training,
        Section::Evaluation,
        Section::Compute,
        Section::Deployment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Formulation => "formulation",
            Section::Representation => "representation",
            Section::Architecture => "architecture",
            Section::Training => "training",
            Section::Evaluation => "evaluation",
            Section::Compute => "compute",
            Section::Deployment => "deployment",
        }
    }

    pub fn parse(s: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The hundreds digit of this section's codes: MLA0xx formulation … MLA6xx deployment.
    pub fn digit(self) -> u8 {
        self as u8
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Stable,
    Preview,
    Deprecated,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct RuleOption {
    pub letter: char,
    /// shared with every finding's diagnostic that shows it
    pub text: std::sync::Arc<str>,
    pub recommended: bool,
}

/// `why when COND: "…"`, `option B when COND: "…"`: advice for one case of a rule.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Case<T> {
    pub when: TExpr,
    /// the condition as written, for `mlarchc rule`
    pub condition: String,
    pub value: T,
}

/// A `for` line: each declaration of a kind, or each element of a list.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Binding {
    Kind(crate::schema::KindId),
    Each(Lazy<TExpr>),
    /// `let x = EXPR`: one value; `entity` when it is a declaration (which a finding may be
    /// about)
    Value {
        expr: Lazy<TExpr>,
        entity: bool,
    },
}

/// `at`: the declaration the finding is about, and optionally one of its fields — or an
/// element a `for … in` binds (`at: s` for `for s in d.preprocess`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum At {
    Entity {
        entity: TExpr,
        field: Option<String>,
    },
    /// the environment slot of a `for … in` variable
    Element(usize),
}

/// A piece of a message: text, or a placeholder to fill.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Piece {
    Text(String),
    Value(TExpr),
}

/// A compiled rule.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    pub code: String,
    pub name: String,
    pub section: Section,
    pub severity: Severity,
    pub status: Status,
    pub since: Option<String>,
    pub bindings: Vec<(String, Binding)>,
    /// the conjuncts of `when` (its `and`s, in order), each with the binding it waits for:
    /// 0 for none, k + 1 for binding k ([`eval::guard_levels`], fixed when compiled)
    pub when: Vec<(usize, Lazy<TExpr>)>,
    /// when this also holds, the finding is raised one level (note → warning → error)
    pub escalate: Option<Lazy<TExpr>>,
    /// when this holds, the finding is lowered one level (error → warning → note)
    pub relax: Option<Lazy<TExpr>>,
    /// the gates the rule names (`gate: deployment(p, m)`), already joined into `when`
    /// and `relax`
    pub gates: Vec<String>,
    /// the points of the review brief the rule checks (`covers: [prime_baselines]`)
    pub covers: Vec<String>,
    pub at: Option<At>,
    /// what the rule says when it fires, and its docs
    text: Lazy<RuleText>,
    /// the rule's code in its declaration
    pub span: Span,
    pub origin: FileOrigin,
}

/// What a rule says when it fires, and its documentation: read only for a finding and for
/// the rule's docs, so the built-in rules' are decoded on first use ([`Lazy`]).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RuleText {
    /// the doc comment (the long explanation, with its headings)
    pub docs: String,
    pub message: Vec<Piece>,
    /// `message when COND: "…"`: the first whose condition holds replaces `message`
    pub messages_when: Vec<(TExpr, Vec<Piece>)>,
    /// estimates whose terms and assumptions the finding lists as notes
    pub explain: Vec<TExpr>,
    /// shared with every finding's diagnostic that shows it
    pub why: std::sync::Arc<str>,
    /// `why when COND: "…"`: the first whose condition holds replaces `why`
    pub whys_when: Vec<Case<std::sync::Arc<str>>>,
    pub options: Vec<RuleOption>,
    /// `option B when COND: "…"`: replaces option B where the condition holds (the first
    /// of a letter that holds wins)
    pub options_when: Vec<Case<RuleOption>>,
    pub source: Option<String>,
}

/// A value kept encoded (bincode) until it is first read: the embedded stdlib's rule texts,
/// most of which a run never shows, and the parts of its rules' conditions (`when`'s
/// conjuncts, the bindings, `escalate` and `relax`), which a run reads only as far as a
/// plan takes each rule. A value made in this run is ready at once.
pub struct Lazy<T> {
    cell: std::sync::OnceLock<T>,
    /// read in place from the embedded stdlib's checked state, which lives as long as the
    /// program (decoding elsewhere from copies them)
    bytes: std::borrow::Cow<'static, [u8]>,
}

impl<T: serde::de::DeserializeOwned + Default> Lazy<T> {
    pub fn ready(value: T) -> Lazy<T> {
        Lazy { cell: std::sync::OnceLock::from(value), bytes: std::borrow::Cow::Borrowed(&[]) }
    }

    pub fn get(&self) -> &T {
        // the bytes were written by `build.rs` from a value of this type; should they not
        // decode, the rule reads as one without text rather than stopping the run
        self.cell.get_or_init(|| bincode::deserialize(&self.bytes).unwrap_or_default())
    }
}

impl<T: Clone> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        Lazy { cell: self.cell.clone(), bytes: self.bytes.clone() }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cell.get() {
            Some(v) => v.fmt(f),
            None => write!(f, "<{} bytes, not decoded>", self.bytes.len()),
        }
    }
}

impl<T: Serialize + serde::de::DeserializeOwned + Default> Serialize for Lazy<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = bincode::serialize(self.get()).map_err(serde::ser::Error::custom)?;
        s.serialize_bytes(&bytes)
    }
}

impl<'de, T> serde::Deserialize<'de> for Lazy<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = std::borrow::Cow<'static, [u8]>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("encoded bytes")
            }
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Self::Value, E> {
                Ok(crate::text::embedded_part(v).map_or_else(|| v.to_vec().into(), std::borrow::Cow::Borrowed))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(v.to_vec().into())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Self::Value, E> {
                Ok(v.into())
            }
        }
        Ok(Lazy { cell: std::sync::OnceLock::new(), bytes: d.deserialize_bytes(Bytes)? })
    }
}

impl Rule {
    /// What the rule says when it fires, and its docs.
    pub fn text(&self) -> &RuleText {
        self.text.get()
    }

    /// The first sentence of the docs, or the why.
    pub fn summary(&self) -> String {
        let paragraph: Vec<&str> = self
            .text()
            .docs
            .lines()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        let first = crate::schema::first_sentence(&paragraph.join(" "));
        if first.is_empty() {
            crate::schema::first_sentence(&self.text().why)
        } else {
            first
        }
    }

    /// The why a finding shows: the case its plan matched, or the rule's own.
    pub fn why_of(&self, a: &Advice) -> &std::sync::Arc<str> {
        a.why.map_or(&self.text().why, |i| &self.text().whys_when[i].value)
    }

    /// The options a finding shows, in letter order: each replaced by the case its plan
    /// matched, if any.
    pub fn options_of(&self, a: &Advice) -> Vec<&RuleOption> {
        self.text()
            .options
            .iter()
            .map(|o| {
                a.options
                    .iter()
                    .map(|&i| &self.text().options_when[i].value)
                    .find(|c| c.letter == o.letter)
                    .unwrap_or(o)
            })
            .collect()
    }

    /// Does `selector` (a code in any case, a name in snake or kebab case) name this rule?
    pub fn is_named(&self, selector: &str) -> bool {
        self.code.eq_ignore_ascii_case(selector) || self.name == selector.replace('-', "_")
    }
}

/// Every rule of a program, stdlib and user rules together.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// the gates rules name, stdlib and teams' together
    pub gates: Vec<gate::Gate>,
}

impl RuleSet {
    pub fn find(&self, selector: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.is_named(selector))
    }

    pub fn gate(&self, name: &str) -> Option<&gate::Gate> {
        self.gates.iter().find(|g| g.name == name)
    }
}

/// What became of a finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    Open,
    /// `decide CODE …: LETTER because "…"`
    Decided {
        letter: char,
        option: String,
        reason: String,
    },
    /// `allow CODE … because "…"`
    Allowed {
        reason: String,
    },
    /// present in the baseline file
    Baselined,
}

/// Which conditional `why` and options a finding's plan matched (indices into
/// [`RuleText::whys_when`] and [`RuleText::options_when`]); empty: the rule's own advice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Advice {
    pub why: Option<usize>,
    pub options: Vec<usize>,
}

impl Advice {
    /// `MLA108` for the rule's own advice, `MLA108/w0o1` for a case: findings with the same
    /// key read the same why and options.
    pub fn key(&self, code: &str) -> String {
        if self.why.is_none() && self.options.is_empty() {
            return code.to_string();
        }
        let mut k = format!("{code}/");
        if let Some(w) = self.why {
            k.push_str(&format!("w{w}"));
        }
        for o in &self.options {
            k.push_str(&format!("o{o}"));
        }
        k
    }
}

/// One rule firing on one binding of the plan.
#[derive(Clone, Debug)]
pub struct Finding {
    /// index into [`RuleSet::rules`]
    pub rule: usize,
    pub message: String,
    /// the rule's severity, raised by `escalate`; levels may change it again
    pub severity: Severity,
    pub span: Span,
    /// the declaration the finding is about
    pub entity: EntityId,
    /// `model.fusion.init`: the stable key of the finding (no line numbers)
    pub path: String,
    pub state: State,
    /// the terms and assumptions of the estimates the rule explains
    pub notes: Vec<String>,
    /// the case of `why` and options this finding's plan matched
    pub advice: Advice,
}
