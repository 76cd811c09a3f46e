//! The dependency graph of a plan (petgraph): declarations are nodes, references are
//! edges.
//!
//! Two kinds of edge: a *reference* (`modality cxr { from: admissions }` gives
//! `cxr → admissions`, labelled with the field) and an *attachment* (`train fusion` →
//! `model fusion`). The graph reports reference cycles and unused declarations, feeds the
//! derived fields that follow references (`model.datasets` through pooled `parts`), and is
//! printed by `mlarchc graph`.

use crate::diag::{codes, Diagnostic};
use crate::plan::{EntityId, Payload, Plan, Val, Value};
use crate::source::{FileOrigin, Span};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// a field names another declaration
    Reference,
    /// an attached declaration (`train x`) belongs to its owner (`model x`)
    Attachment,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub kind: EdgeKind,
    /// the field the reference is written in (`from`, `inputs`, `labels.source`)
    pub field: String,
    /// where the reference is written
    pub span: Option<Span>,
}

#[derive(Debug, Default)]
pub struct DepGraph {
    pub graph: DiGraph<EntityId, Edge>,
    pub node: crate::fasthash::FastMap<EntityId, NodeIndex>,
}

impl DepGraph {
    /// Declarations this one refers to (not attachments).
    pub fn references(&self, id: EntityId) -> impl Iterator<Item = (EntityId, &Edge)> {
        self.reference_edges(id, Direction::Outgoing)
    }

    /// Declarations that refer to this one.
    pub fn referrers(&self, id: EntityId) -> impl Iterator<Item = (EntityId, &Edge)> {
        self.reference_edges(id, Direction::Incoming)
    }

    /// The reference edges on one side of a declaration, with the declaration at the other end.
    fn reference_edges(&self, id: EntityId, dir: Direction) -> impl Iterator<Item = (EntityId, &Edge)> {
        self.node.get(&id).into_iter().flat_map(move |n| {
            self.graph.edges_directed(*n, dir).filter(|e| e.weight().kind == EdgeKind::Reference).map(move |e| {
                let other = if dir == Direction::Outgoing { e.target() } else { e.source() };
                (self.graph[other], e.weight())
            })
        })
    }
}

/// Builds the graph over every declaration of the plan.
pub fn build(plan: &Plan) -> DepGraph {
    let mut g = DepGraph::default();
    for (i, _) in plan.entities.iter().enumerate() {
        let id = EntityId(i as u32);
        let n = g.graph.add_node(id);
        g.node.insert(id, n);
    }
    for (i, e) in plan.entities.iter().enumerate() {
        let from = g.node[&EntityId(i as u32)];
        for (to, field, span) in written_refs(plan, e) {
            if let Some(&t) = g.node.get(&to) {
                g.graph.add_edge(from, t, Edge { kind: EdgeKind::Reference, field, span });
            }
        }
        if let Some(owner) = e.owner {
            if let Some(&t) = g.node.get(&owner) {
                g.graph.add_edge(from, t, Edge { kind: EdgeKind::Attachment, field: "for".into(), span: None });
            }
        }
    }
    g
}

/// The references a declaration's own fields make (derived back-links left out), each
/// with its field and where it is written.
pub fn written_refs(plan: &Plan, e: &crate::plan::Entity) -> Vec<(EntityId, String, Option<Span>)> {
    let kind = plan.schema.kind(e.kind);
    let mut found = Vec::new();
    for (slot, value) in plan.slots(e).enumerate() {
        let (Some(value), Some(def)) = (value, kind.field(e.variant, slot)) else {
            continue;
        };
        if !def.derived {
            refs_in(value, &def.name, &mut found);
        }
    }
    found
}

/// Every reference inside a value, with the field path it sits at.
fn refs_in(v: &Value, path: &str, out: &mut Vec<(EntityId, String, Option<Span>)>) {
    match &v.val {
        Val::Ref(id) => out.push((*id, path.to_string(), v.origin.span())),
        Val::List(items) => items.iter().for_each(|i| refs_in(i, path, out)),
        Val::Multiple { item, .. } => refs_in(item, path, out),
        Val::Bound { value, .. } => refs_in(value, path, out),
        Val::Range(a, b) | Val::Estimate(a, b) => {
            refs_in(a, path, out);
            refs_in(b, path, out);
        }
        Val::Record { fields, .. } | Val::Enum { payload: Payload::Record(_, fields), .. } => {
            for f in fields.iter().flatten() {
                refs_in(f, path, out);
            }
        }
        Val::Enum { payload: Payload::Args(args), .. } => args.iter().for_each(|a| refs_in(a, path, out)),
        _ => {}
    }
}

/// Reference cycles and unused declarations among the user's declarations. Unused
/// declarations are reported only for a plan without errors, as lints are: in a broken plan
/// they are mostly echoes of the errors.
pub fn check(plan: &Plan, g: &DepGraph, diags: &mut Vec<Diagnostic>) {
    let report_unused = !diags.iter().any(Diagnostic::is_error);
    let user = |id: EntityId| plan.entity(id).origin == FileOrigin::User;
    let label = |id: EntityId| {
        let e = plan.entity(id);
        format!("{} `{}`", plan.schema.kind(e.kind).name, e.name)
    };

    // cycles: strongly connected components over references
    let refs_only = g.graph.filter_map(|_, n| Some(*n), |_, e| (e.kind == EdgeKind::Reference).then(|| e.clone()));
    for scc in tarjan_scc(&refs_only) {
        let self_loop = scc.len() == 1 && refs_only.find_edge(scc[0], scc[0]).is_some();
        if scc.len() < 2 && !self_loop {
            continue;
        }
        let mut members: Vec<EntityId> = scc.iter().map(|n| refs_only[*n]).collect();
        members.sort();
        if !members.iter().any(|m| user(*m)) {
            continue;
        }
        // report at a reference inside the cycle, written in the first member
        let first = members[0];
        let edge = refs_only
            .edges_directed(g.node[&first], Direction::Outgoing)
            .find(|e| members.contains(&refs_only[e.target()]));
        let Some(edge) = edge else { continue };
        let next = refs_only[edge.target()];
        let chain = if self_loop {
            format!("`{}` names `{}` itself", edge.weight().field, plan.entity(first).name)
        } else {
            let names: Vec<String> = members.iter().map(|m| format!("`{}`", plan.entity(*m).name)).collect();
            format!("{} → back to `{}`", names.join(" → "), plan.entity(first).name)
        };
        let span = edge.weight().span.unwrap_or(plan.entity(first).name_span);
        diags.push(
            Diagnostic::new(
                &codes::REFERENCE_CYCLE,
                if self_loop {
                    format!("{} refers to itself", label(first))
                } else {
                    format!("reference cycle between {} and {}", label(first), label(next))
                },
            )
            .primary(span, format!("`{}` refers to `{}` here", edge.weight().field, plan.entity(next).name))
            .note(chain)
            .help("a declaration cannot depend on itself, directly or through others; break the cycle"),
        );
    }

    // unused: not reachable from the plan's roots
    let roots: Vec<EntityId> = plan
        .user_entities()
        .filter(|(_, e)| {
            let k = plan.schema.kind(e.kind);
            k.singleton || k.owner.is_some() || plan.schema.kinds.iter().any(|o| o.owner == Some(e.kind))
        })
        .map(|(id, _)| id)
        .collect();
    if roots.is_empty() || !report_unused {
        return;
    }
    let mut reached = vec![false; plan.entities.len()];
    let mut stack = roots;
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut reached[id.0 as usize], true) {
            continue;
        }
        stack.extend(g.references(id).map(|(t, _)| t));
    }
    for (id, e) in plan.user_entities() {
        if reached[id.0 as usize] || plan.index.get(&(e.kind, e.name.as_str().to_owned())) != Some(&id) {
            continue;
        }
        let kname = &plan.schema.kind(e.kind).name;
        let used_by: Vec<String> = g.referrers(id).map(|(r, _)| format!("`{}`", plan.entity(r).name)).collect();
        let mut d = Diagnostic::new(&codes::UNUSED, format!("{kname} `{}` is never used", e.name))
            .primary(e.name_span, "nothing in the plan leads here")
            .help("refer to it from the plan, or remove it if it is left over");
        if !used_by.is_empty() {
            let (verb, rest) = if used_by.len() == 1 { ("refers", "it is") } else { ("refer", "they are") };
            d = d.note(format!("only {} {verb} to it, and {rest} unused too", used_by.join(", ")));
        }
        diags.push(d);
    }
}

/// The graph in Graphviz `dot`, user declarations only (catalog entries they use included).
pub fn to_dot(plan: &Plan, g: &DepGraph) -> String {
    let (nodes, edges) = visible(plan, g);
    let mut out = String::from("digraph plan {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    for id in &nodes {
        let e = plan.entity(*id);
        let kind = &plan.schema.kind(e.kind).name;
        let style = if e.origin == FileOrigin::Stdlib { ", style=dashed" } else { "" };
        let _ = writeln!(out, "  {} [label=\"{kind}\\n{}\"{style}];", node_id(plan, *id), e.name);
    }
    for (a, b, edge) in &edges {
        let style = if edge.kind == EdgeKind::Attachment { ", style=dotted" } else { "" };
        let _ = writeln!(out, "  {} -> {} [label=\"{}\"{style}];", node_id(plan, *a), node_id(plan, *b), edge.field);
    }
    out.push_str("}\n");
    out
}

/// The graph as a Mermaid flowchart.
pub fn to_mermaid(plan: &Plan, g: &DepGraph) -> String {
    let (nodes, edges) = visible(plan, g);
    let mut out = String::from("flowchart LR\n");
    for id in &nodes {
        let e = plan.entity(*id);
        let kind = &plan.schema.kind(e.kind).name;
        let _ = writeln!(out, "  {}[\"{kind} {}\"]", node_id(plan, *id), e.name);
    }
    for (a, b, edge) in &edges {
        let arrow = if edge.kind == EdgeKind::Attachment { "-.->" } else { "-->" };
        let _ = writeln!(out, "  {} {arrow}|{}| {}", node_id(plan, *a), edge.field, node_id(plan, *b));
    }
    out
}

type Visible<'g> = (Vec<EntityId>, Vec<(EntityId, EntityId, &'g Edge)>);

fn visible<'g>(plan: &Plan, g: &'g DepGraph) -> Visible<'g> {
    let mut shown = vec![false; plan.entities.len()];
    let mut edges = Vec::new();
    for e in g.graph.edge_references() {
        let (a, b) = (g.graph[e.source()], g.graph[e.target()]);
        let seen = edges
            .iter()
            .any(|(x, y, w): &(EntityId, EntityId, &Edge)| *x == a && *y == b && w.field == e.weight().field);
        if plan.entity(a).origin == FileOrigin::User && !seen {
            shown[a.0 as usize] = true;
            shown[b.0 as usize] = true;
            edges.push((a, b, e.weight()));
        }
    }
    for (id, _) in plan.user_entities() {
        shown[id.0 as usize] = true;
    }
    let nodes = (0..plan.entities.len() as u32).map(EntityId).filter(|id| shown[id.0 as usize]).collect();
    (nodes, edges)
}

fn node_id(plan: &Plan, id: EntityId) -> String {
    let e = plan.entity(id);
    format!("{}_{}", plan.schema.kind(e.kind).name, e.name)
}
