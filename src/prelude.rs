//! The embedded stdlib, checked once at build time: its schema resolved, its catalog
//! entries type-checked, its defaults checked and its rules and gates compiled. A run
//! decodes this and checks only the user's modules on top of it (`sema::check_onto`,
//! `rules::compile` from its rules), instead of decoding the stdlib's syntax trees and checking them
//! again on every run.
//!
//! Checking the user's modules *after* the stdlib's gives the same result as checking
//! them together exactly when nothing in them changes how the stdlib is checked: they
//! declare no schema item (a `kind`, `record`, `enum` or `set` changes the schema the
//! stdlib was checked against), no gate (gates are checked as one set), and no name the
//! stdlib declares (a replaced catalog entry, or a name a stdlib reference could resolve
//! to). [`Prelude::continues`] decides; otherwise `compile` checks everything together, as for a
//! stdlib read from disk. `tests/prelude.rs` holds both ways to identical output.

use crate::diag::Diagnostic;
use crate::fasthash::FastMap;
use crate::plan::{Entity, EntityId, Plan};
use crate::rules::RuleSet;
use crate::schema::{KindId, Schema};
use crate::sema::Carry;
use crate::source::{FileId, SourceMap};
use crate::syntax::ast::{Item, Module};

/// The stdlib's modules, checked alone: what every run with the embedded stdlib continues
/// from.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Prelude {
    pub schema: Schema,
    pub entities: Vec<Entity>,
    pub index: FastMap<(KindId, String), EntityId>,
    pub defaults: crate::plan::Defaults,
    pub carry: Carry,
    pub rules: RuleSet,
}

impl Prelude {
    /// Checks the stdlib's modules alone (their sources must be in `sources` with the ids
    /// a run gives them). A stdlib with any diagnostic gives them back instead: it cannot
    /// be checked ahead of the plans it would be reported with.
    pub fn build(sources: &SourceMap, modules: &[(FileId, Module)]) -> Result<Prelude, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let (plan, carry) = crate::sema::check_carry(sources, modules, &mut diags);
        let rules = crate::rules::compile(
            RuleSet::default(),
            &plan.schema,
            rule_decls(modules),
            gate_decls(modules),
            sources,
            &mut diags,
        );
        if !diags.is_empty() {
            return Err(diags);
        }
        // nothing else holds the schema: the rules compiled from a reference to it
        let schema = std::sync::Arc::try_unwrap(plan.schema).map_err(|_| Vec::new())?;
        Ok(Prelude { schema, entities: plan.entities, index: plan.index, defaults: plan.defaults, carry, rules })
    }

    /// The plan the user's modules are checked onto: the stdlib's schema and declarations.
    pub fn into_parts(self) -> (Plan, Carry, RuleSet) {
        let plan = Plan {
            schema: std::sync::Arc::new(self.schema),
            entities: self.entities,
            index: self.index,
            defaults: self.defaults,
            ..Plan::default()
        };
        (plan, self.carry, self.rules)
    }

    /// Whether `modules` (the user's) can be checked onto this prelude with the result of
    /// checking them together with the stdlib (see the module docs).
    pub fn continues(&self, modules: &[(FileId, Module)]) -> bool {
        modules.iter().flat_map(|(_, m)| &m.items).all(|item| match item {
            Item::Kind(_) | Item::Record(_) | Item::Enum(_) | Item::Set(_) | Item::Gate(_) => false,
            Item::Decl(d) => !self.carry.by_name.contains_key(d.name.name.as_str()),
            Item::Import(_) | Item::Rule(_) | Item::Decide(_) | Item::Allow(_) | Item::Review(_) => true,
        })
    }
}

/// The `rule` declarations of `modules`, in order.
pub fn rule_decls(modules: &[(FileId, Module)]) -> impl Iterator<Item = &crate::syntax::ast::RuleDecl> {
    modules.iter().flat_map(|(_, m)| &m.items).filter_map(|i| match i {
        Item::Rule(r) => Some(r.as_ref()),
        _ => None,
    })
}

/// The `gate` declarations of `modules`, in order.
pub fn gate_decls(modules: &[(FileId, Module)]) -> impl Iterator<Item = &crate::syntax::ast::GateDecl> {
    modules.iter().flat_map(|(_, m)| &m.items).filter_map(|i| match i {
        Item::Gate(g) => Some(g.as_ref()),
        _ => None,
    })
}
