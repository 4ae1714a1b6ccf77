//! n8n connections → our edges, branches and loop bodies.
//!
//! n8n connects outputs of nodes by index; what an index means depends on the node (IF: 0 true,
//! 1 false; Switch: one per rule; Split in Batches v3: 0 done, 1 loop). [`plan`] decides, for the
//! whole workflow: which node is the trigger, each node's step id, which nodes form each loop's
//! body (the nodes reached from the loop output before the connection back to the loop), every
//! edge at its level, and which steps each step may read (those upstream of it), so that every
//! expression the converter writes passes validation. Connections a flow cannot express (into a
//! trigger, across a loop boundary, closing a cycle) are dropped with a note on the node.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::kinds::{self, Family, Port};
use super::model::Workflow;
use crate::import::StepIds;

/// Ids no step may take: the expression scope's own names.
const RESERVED_IDS: [&str; 6] = ["trigger", "steps", "vars", "run", "item", "index"];

/// What a node becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// The flow's trigger.
    Trigger,
    /// A trigger beyond the first: a disabled placeholder step.
    ExtraTrigger,
    /// A step.
    Step,
    /// A sticky note: nothing.
    Sticky,
}

/// A loop node's body.
#[derive(Debug, Clone, Default)]
pub(super) struct LoopInfo {
    /// The nodes inside the body.
    pub body: BTreeSet<usize>,
}

/// An edge, at the level it belongs to (`None`: the top level; `Some(loop node)`: that body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edge {
    /// Where it lives.
    pub level: Option<usize>,
    /// From step/trigger id.
    pub from: String,
    /// To step id.
    pub to: String,
    /// The router branch.
    pub branch: Option<String>,
}

/// The synthetic router after a node with an n8n error output.
#[derive(Debug, Clone)]
pub(super) struct OutcomeRouter {
    /// The node it follows.
    pub node: usize,
    /// Its step id.
    pub id: String,
}

/// The converted flow's structure.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    /// The trigger node (`None`: the workflow has none and a manual trigger is made up).
    pub trigger: Option<usize>,
    /// The trigger's id.
    pub trigger_id: String,
    /// Each node's kind.
    pub families: Vec<Family>,
    /// Each node's role.
    pub roles: Vec<Role>,
    /// Each node's step (or trigger) id; `None` for sticky notes.
    pub ids: Vec<Option<String>>,
    /// The loop whose body holds each node (`None`: the top level).
    pub level: Vec<Option<usize>>,
    /// Loop nodes with a body.
    pub loops: BTreeMap<usize, LoopInfo>,
    /// Connected outputs of each node.
    pub linked: Vec<BTreeSet<usize>>,
    /// Links feeding each node's input with data: `(from node, output)`, loop back-links left out.
    pub inputs: Vec<Vec<(usize, usize)>>,
    /// The edges.
    pub edges: Vec<Edge>,
    /// Synthetic success/error routers.
    pub routers: Vec<OutcomeRouter>,
    /// Nodes the trigger never reaches in n8n (they never ran there).
    pub unreached: Vec<bool>,
    /// Step ids each node's expressions may read.
    pub allowed: Vec<BTreeSet<String>>,
    /// Notes about each node's connections.
    pub notes: Vec<Vec<String>>,
    /// Notes about the flow as a whole.
    pub flow_notes: Vec<String>,
}

impl Plan {
    /// The id of node `i` (empty for a sticky note, which nothing refers to).
    pub fn id(&self, i: usize) -> &str {
        self.ids.get(i).and_then(|x| x.as_deref()).unwrap_or("")
    }

    /// Whether node `i` is inside the body of loop node `l` (at any depth).
    pub fn in_body(&self, i: usize, l: usize) -> bool {
        self.loops.get(&l).is_some_and(|info| info.body.contains(&i))
    }
}

/// Plans the flow for `wf`.
pub(super) fn plan(wf: &Workflow) -> Plan {
    let n = wf.nodes.len();
    let families: Vec<Family> = wf.nodes.iter().map(kinds::family).collect();
    let mut linked = vec![BTreeSet::new(); n];
    for l in &wf.links {
        linked[l.from].insert(l.output);
    }
    let mut flow_notes = Vec::new();
    let mut notes = vec![Vec::new(); n];

    let candidates: Vec<usize> =
        (0..n).filter(|&i| matches!(families[i], Family::Trigger(_))).collect();
    let trigger = candidates
        .iter()
        .copied()
        .find(|&i| !wf.nodes[i].disabled && !linked[i].is_empty())
        .or_else(|| candidates.iter().copied().find(|&i| !wf.nodes[i].disabled))
        .or_else(|| candidates.first().copied());
    let roles: Vec<Role> = (0..n)
        .map(|i| match families[i] {
            Family::Sticky => Role::Sticky,
            _ if Some(i) == trigger => Role::Trigger,
            Family::Trigger(_) => Role::ExtraTrigger,
            _ => Role::Step,
        })
        .collect();
    match trigger {
        None => flow_notes.push(
            "The workflow has no trigger node; a manual trigger starts the flow and feeds the \
             nodes that had no input."
                .into(),
        ),
        Some(t) if candidates.len() > 1 => flow_notes.push(format!(
            "A flow has one trigger: “{}” starts this one; the other triggers are disabled \
             placeholders (import their branches as separate flows).",
            wf.nodes[t].name
        )),
        Some(_) => {}
    }
    if !wf.other_links.is_empty() {
        flow_notes.push(format!(
            "Connections other than main data connections (AI sub-nodes and tools) are not \
             converted: {}.",
            wf.other_links.join("; ")
        ));
    }

    let mut alloc = StepIds::new(RESERVED_IDS);
    let trigger_id = alloc.allocate(trigger.map_or("Manual trigger", |t| &wf.nodes[t].name));
    let ids: Vec<Option<String>> = (0..n)
        .map(|i| match roles[i] {
            Role::Trigger => Some(trigger_id.clone()),
            Role::Sticky => None,
            _ => Some(alloc.allocate(&wf.nodes[i].name)),
        })
        .collect();

    let successors = |i: usize| wf.links.iter().filter(move |l| l.from == i).map(|l| l.to);
    let reach = |starts: Vec<usize>, stop: &dyn Fn(usize) -> bool| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<usize> = starts.into_iter().filter(|s| !stop(*s)).collect();
        while let Some(x) = queue.pop_front() {
            if !seen.insert(x) {
                continue;
            }
            for y in successors(x) {
                if !stop(y) && !seen.contains(&y) {
                    queue.push_back(y);
                }
            }
        }
        seen
    };

    let mut loops = BTreeMap::new();
    for i in (0..n).filter(|&i| families[i] == Family::Loop) {
        let (body_out, done_out) = kinds::loop_outputs(&wf.nodes[i]);
        let starts = |o: usize| -> Vec<usize> {
            wf.links.iter().filter(|l| l.from == i && l.output == o).map(|l| l.to).collect()
        };
        let done = match done_out {
            Some(o) => reach(starts(o), &|x| x == i || Some(x) == trigger),
            None => BTreeSet::new(),
        };
        let body = reach(starts(body_out), &|x| x == i || Some(x) == trigger || done.contains(&x));
        if !body.is_empty() {
            loops.insert(i, LoopInfo { body });
        }
    }
    let level: Vec<Option<usize>> = (0..n)
        .map(|j| {
            loops
                .iter()
                .filter(|(_, info)| info.body.contains(&j))
                .min_by_key(|(_, info)| info.body.len())
                .map(|(l, _)| *l)
        })
        .collect();

    let reached = match trigger {
        Some(t) => reach(vec![t], &|_| false),
        None => {
            let roots: Vec<usize> = (0..n)
                .filter(|&i| roles[i] != Role::Sticky && !wf.links.iter().any(|l| l.to == i))
                .collect();
            reach(roots, &|_| false)
        }
    };
    let unreached: Vec<bool> =
        (0..n).map(|i| roles[i] == Role::Step && !reached.contains(&i)).collect();

    let mut ports: Vec<Vec<Port>> =
        wf.nodes.iter().enumerate().map(|(i, node)| kinds::ports(node, &linked[i])).collect();
    for (i, p) in ports.iter_mut().enumerate() {
        if roles[i] == Role::Trigger || roles[i] == Role::ExtraTrigger {
            p.iter_mut().for_each(|port| *port = Port::Plain);
        }
        if families[i] == Family::Loop && !loops.contains_key(&i) {
            for port in p.iter_mut().filter(|p| **p == Port::LoopBody) {
                *port = Port::Drop("the loop output leads nowhere the loop could repeat".into());
            }
        }
    }
    let mut routers = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        if p.iter().any(|port| matches!(port, Port::Outcome(_))) {
            let id = alloc.allocate(&format!("{} outcome", wf.nodes[i].name));
            routers.push(OutcomeRouter { node: i, id });
        }
    }
    let router_of = |i: usize| routers.iter().find(|r| r.node == i).map(|r| r.id.clone());

    let mut edges: Vec<Edge> = Vec::new();
    let push = |edges: &mut Vec<Edge>, e: Edge| {
        if !edges.contains(&e) {
            edges.push(e);
        }
    };
    for r in &routers {
        let from = ids[r.node].clone().unwrap_or_default();
        push(&mut edges, Edge { level: level[r.node], from, to: r.id.clone(), branch: None });
    }
    let mut inputs = vec![Vec::new(); n];
    for l in &wf.links {
        let (f, t) = (l.from, l.to);
        let (Some(from_id), Some(to_id)) = (ids[f].clone(), ids[t].clone()) else { continue };
        if loops.get(&t).is_some_and(|info| info.body.contains(&f)) {
            // The connection back to the loop node: the loop repeats by itself.
            continue;
        }
        inputs[t].push((f, l.output));
        if roles[t] == Role::Trigger {
            notes[f].push(format!(
                "Its connection into the trigger “{}” is dropped: nothing can lead into a trigger.",
                wf.nodes[t].name
            ));
            continue;
        }
        let port = ports[f].get(l.output).cloned().unwrap_or(Port::Plain);
        let (from, branches): (String, Vec<Option<String>>) = match port {
            Port::Drop(why) => {
                notes[f].push(format!(
                    "Output {} (to “{}”) is not converted: {why}.",
                    l.output, wf.nodes[t].name
                ));
                continue;
            }
            Port::LoopBody => {
                if level[t] != Some(f) {
                    notes[f].push(format!(
                        "“{}” is not inside this loop's body, so its connection is dropped.",
                        wf.nodes[t].name
                    ));
                }
                continue;
            }
            Port::Plain => (from_id, vec![None]),
            Port::Branches(b) => (from_id, b.into_iter().map(Some).collect()),
            Port::Outcome(b) => (router_of(f).unwrap_or(from_id), vec![Some(b.to_owned())]),
        };
        if level[f] != level[t] {
            notes[f].push(format!(
                "Its connection to “{}” crosses a loop's boundary, which a flow cannot express; \
                 dropped.",
                wf.nodes[t].name
            ));
            continue;
        }
        for branch in branches {
            push(
                &mut edges,
                Edge { level: level[t], from: from.clone(), to: to_id.clone(), branch },
            );
        }
    }

    let index_of = |id: &str| ids.iter().position(|x| x.as_deref() == Some(id));
    break_cycles(&mut edges, &trigger_id, |from, to| {
        if let Some(i) =
            index_of(from).or_else(|| routers.iter().find(|r| r.id == from).map(|r| r.node))
        {
            let target = index_of(to).map_or(to.to_owned(), |t| wf.nodes[t].name.clone());
            notes[i].push(format!(
                "Its connection back to “{target}” would make a cycle, which a flow cannot have \
                 (repeat work with a loop step); dropped."
            ));
        }
    });

    // Every top-level step must be reachable from the trigger: nodes that were not (unconnected
    // in n8n, after another trigger, or cut off by a dropped connection) follow it directly.
    loop {
        let reachable = reachable_from(&edges, None, &trigger_id);
        let missing: Vec<usize> = (0..n)
            .filter(|&i| {
                matches!(roles[i], Role::Step | Role::ExtraTrigger)
                    && level[i].is_none()
                    && ids[i].as_ref().is_some_and(|id| !reachable.contains(id))
            })
            .collect();
        let has_parent =
            |i: usize| edges.iter().any(|e| e.level.is_none() && Some(&e.to) == ids[i].as_ref());
        let Some(&pick) = missing.iter().find(|&&i| !has_parent(i)).or(missing.first()) else {
            break;
        };
        if !unreached[pick] && roles[pick] == Role::Step {
            notes[pick].push(
                "Its incoming connections could not be converted, so it follows the trigger \
                 directly."
                    .into(),
            );
        }
        let to = ids[pick].clone().unwrap_or_default();
        edges.push(Edge { level: None, from: trigger_id.clone(), to, branch: None });
    }

    let allowed = allowed_reads(&ids, &level, &edges, &trigger_id);
    Plan {
        trigger,
        trigger_id,
        families,
        roles,
        ids,
        level,
        loops,
        linked,
        inputs,
        edges,
        routers,
        unreached,
        allowed,
        notes,
        flow_notes,
    }
}

/// Step ids reachable from `start` at `level`.
fn reachable_from(edges: &[Edge], level: Option<usize>, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([start.to_owned()]);
    while let Some(x) = queue.pop_front() {
        if !seen.insert(x.clone()) {
            continue;
        }
        for e in edges.iter().filter(|e| e.level == level && e.from == x) {
            queue.push_back(e.to.clone());
        }
    }
    seen
}

/// Removes the edges that close a cycle (found depth first from the trigger, then from every
/// other node in order), calling `dropped(from, to)` for each.
fn break_cycles(edges: &mut Vec<Edge>, trigger_id: &str, mut dropped: impl FnMut(&str, &str)) {
    let levels: BTreeSet<Option<usize>> = edges.iter().map(|e| e.level).collect();
    let mut remove = BTreeSet::new();
    for level in levels {
        let mut nodes: Vec<&str> = vec![trigger_id];
        for e in edges.iter().filter(|e| e.level == level) {
            for id in [e.from.as_str(), e.to.as_str()] {
                if !nodes.contains(&id) {
                    nodes.push(id);
                }
            }
        }
        // 0 = unvisited, 1 = on the stack, 2 = done.
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        for &root in &nodes {
            if state.get(root).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
            state.insert(root, 1);
            while let Some((node, next)) = stack.pop() {
                let out: Vec<usize> = edges
                    .iter()
                    .enumerate()
                    .filter(|(k, e)| e.level == level && e.from == node && !remove.contains(k))
                    .map(|(k, _)| k)
                    .collect();
                if let Some(&k) = out.get(next) {
                    stack.push((node, next + 1));
                    let to = edges[k].to.as_str();
                    match state.get(to).copied().unwrap_or(0) {
                        1 => {
                            remove.insert(k);
                        }
                        0 => {
                            state.insert(to, 1);
                            stack.push((to, 0));
                        }
                        _ => {}
                    }
                } else {
                    state.insert(node, 2);
                }
            }
        }
    }
    for &k in &remove {
        dropped(&edges[k].from, &edges[k].to);
    }
    let mut k = 0;
    edges.retain(|_| {
        k += 1;
        !remove.contains(&(k - 1))
    });
}

/// For each node, the step ids upstream of it (at its level and, for loop bodies, upstream of
/// each enclosing loop), plus the trigger.
fn allowed_reads(
    ids: &[Option<String>],
    level: &[Option<usize>],
    edges: &[Edge],
    trigger_id: &str,
) -> Vec<BTreeSet<String>> {
    let ancestors = |lv: Option<usize>, id: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([id.to_owned()]);
        while let Some(x) = queue.pop_front() {
            for e in edges.iter().filter(|e| e.level == lv && e.to == x) {
                if seen.insert(e.from.clone()) {
                    queue.push_back(e.from.clone());
                }
            }
        }
        seen
    };
    (0..ids.len())
        .map(|i| {
            let Some(id) = ids[i].as_deref() else { return BTreeSet::new() };
            let mut allowed = ancestors(level[i], id);
            let mut lv = level[i];
            let mut guard = 0;
            while let Some(l) = lv {
                if let Some(loop_id) = ids[l].as_deref() {
                    allowed.extend(ancestors(level[l], loop_id));
                }
                lv = level[l];
                guard += 1;
                if guard > ids.len() {
                    break;
                }
            }
            allowed.insert(trigger_id.to_owned());
            allowed
        })
        .collect()
}
