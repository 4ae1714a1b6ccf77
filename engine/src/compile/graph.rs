//! The DAG of one level of a flow (the top level, or one loop body): node indices, edges, cycle and
//! reachability checks, and a topological order.

use std::collections::HashMap;

use petgraph::algo::{has_path_connecting, tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::flow::Edge;
use crate::validate::Problem;

/// An edge into a node: the parent's index and, for router edges, the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incoming {
    pub from: usize,
    pub branch: Option<String>,
}

/// The shape of one graph level.
#[derive(Debug, Default)]
pub(crate) struct Shape {
    /// Incoming edges per node.
    pub parents: Vec<Vec<Incoming>>,
    /// Children per node (deduplicated).
    pub children: Vec<Vec<usize>>,
    /// A topological order (every node after its parents); empty when there is a cycle.
    pub order: Vec<usize>,
    graph: DiGraph<(), ()>,
}

impl Shape {
    /// Whether `ancestor` runs before `node` on every path that reaches `node` through it (i.e. there
    /// is a path from `ancestor` to `node`).
    pub fn is_upstream(&self, ancestor: usize, node: usize) -> bool {
        ancestor != node
            && has_path_connecting(
                &self.graph,
                NodeIndex::new(ancestor),
                NodeIndex::new(node),
                None,
            )
    }
}

/// Builds the shape of a level. `ids[i]` is node i's id; `root` is the trigger's index at the top
/// level (every step must be reachable from it); in a loop body there is no root and entry steps are
/// those without incoming edges. `edge_path` gives the JSON path prefix of the edges (`edges` or
/// `steps[3].edges`).
pub(crate) fn build(
    ids: &[&str],
    node_paths: &[String],
    edges: &[Edge],
    edge_path: &str,
    root: Option<usize>,
    elsewhere: &dyn Fn(&str) -> bool,
    problems: &mut Vec<Problem>,
) -> Shape {
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let n = ids.len();
    let mut shape = Shape {
        parents: vec![Vec::new(); n],
        children: vec![Vec::new(); n],
        order: Vec::new(),
        graph: DiGraph::with_capacity(n, edges.len()),
    };
    for _ in 0..n {
        shape.graph.add_node(());
    }
    let mut edge_of_pair: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, e) in edges.iter().enumerate() {
        let path = format!("{edge_path}[{i}]");
        let endpoint = |id: &str, field: &str, problems: &mut Vec<Problem>| -> Option<usize> {
            match index.get(id) {
                Some(&ix) => Some(ix),
                None if elsewhere(id) => {
                    problems.push(Problem::new(
                        format!("{path}.{field}"),
                        format!("`{id}` is not in this part of the flow: edges cannot cross a loop body's boundary"),
                    ));
                    None
                }
                None => {
                    problems.push(Problem::new(
                        format!("{path}.{field}"),
                        format!("edge refers to unknown node `{id}`"),
                    ));
                    None
                }
            }
        };
        let from = endpoint(&e.from, "from", problems);
        let to = endpoint(&e.to, "to", problems);
        let (Some(from), Some(to)) = (from, to) else { continue };
        if Some(to) == root {
            problems.push(Problem::new(format!("{path}.to"), "no edge may lead into the trigger"));
            continue;
        }
        if from == to {
            problems.push(Problem::new(path, format!("cycle: `{}` leads to itself", e.from)));
            continue;
        }
        if let Some(first) = edge_of_pair.get(&(from, to))
            && edges[*first].branch == e.branch
        {
            problems.push(Problem::new(path, format!("duplicate of {edge_path}[{first}]")));
            continue;
        }
        edge_of_pair.insert((from, to), i);
        shape.parents[to].push(Incoming { from, branch: e.branch.clone() });
        if !shape.children[from].contains(&to) {
            shape.children[from].push(to);
            shape.graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
        }
    }

    match toposort(&shape.graph, None) {
        Ok(order) => shape.order = order.into_iter().map(NodeIndex::index).collect(),
        Err(_) => {
            for scc in tarjan_scc(&shape.graph) {
                if scc.len() > 1 {
                    let mut members: Vec<usize> = scc.iter().map(|n| n.index()).collect();
                    members.sort_unstable();
                    let names: Vec<String> =
                        members.iter().map(|&m| format!("`{}`", ids[m])).collect();
                    problems.push(Problem::new(
                        node_paths[members[0]].clone(),
                        format!(
                            "cycle between {}: a flow must not loop back (use a loop step)",
                            names.join(", ")
                        ),
                    ));
                }
            }
        }
    }

    if let Some(root) = root {
        for (i, path) in node_paths.iter().enumerate() {
            if i != root
                && !has_path_connecting(&shape.graph, NodeIndex::new(root), NodeIndex::new(i), None)
            {
                problems.push(Problem::new(
                    path.clone(),
                    format!(
                        "step `{}` is unreachable: no path leads to it from the trigger `{}`",
                        ids[i], ids[root]
                    ),
                ));
            }
        }
    }
    shape
}
