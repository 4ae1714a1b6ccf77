//! Static analysis of a compiled expression: which variables and step outputs it reads.
//!
//! The AST is walked (string literals and comments are not in it, so they cannot cause false
//! positives). A variable read is recognised by rhai's own resolution: the parser gives every
//! variable declared inside the script (a `let`, a loop variable, a function parameter) an
//! index, and leaves free variables (the ones the evaluation scope provides) without one. So
//! `let item = 1; item` does not count as reading the loop item.
//!
//! Each read of a free variable is followed along its chain of `.name` / `["name"]` accesses to
//! learn the path it reads (for [`AccessPlan`]), and `steps.X` / `steps["X"]` is reported as a
//! reference to step `X` (for the validator). Reads in the main body and reads inside function
//! bodies (closures, mostly) are planned separately: the two are served differently at run time
//! (see `sandbox::FunctionData`).

use std::collections::HashSet;

use rhai::{AST, ASTFlags, ASTNode, Expr, FnPtr, Position, Stmt};

use super::Root;
use super::access::{AccessPlan, FastPath, Segment};

/// What an expression reads, found statically in the AST: used by the validator to report
/// references to unknown steps or steps that do not run before.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct References {
    /// Step ids read as `steps.X` or `steps["X"]` (a literal string index). Each with the
    /// 1-based line/column of the reference inside the expression.
    pub steps: Vec<(String, usize, usize)>,
    /// Whether `trigger` is read.
    pub trigger: bool,
    /// Whether `vars` is read.
    pub vars: bool,
    /// Whether `run` is read.
    pub run: bool,
    /// Whether `item` is read (only meaningful inside a loop body).
    pub item: bool,
    /// Whether `index` is read (only meaningful inside a loop body).
    pub index: bool,
}

impl References {
    /// Adds everything `other` reads to `self` (step references are appended in order).
    pub(crate) fn merge(&mut self, other: &References) {
        self.steps.extend(other.steps.iter().cloned());
        self.trigger |= other.trigger;
        self.vars |= other.vars;
        self.run |= other.run;
        self.item |= other.item;
        self.index |= other.index;
    }

    /// The referenced step ids in source order (an id read twice appears twice).
    pub fn step_ids(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|(id, ..)| id.as_str())
    }

    fn mark(&mut self, root: Root) {
        match root {
            Root::Trigger => self.trigger = true,
            Root::Vars => self.vars = true,
            Root::Run => self.run = true,
            Root::Item => self.item = true,
            Root::Index => self.index = true,
            // Step reads are recorded with their ids; `steps` used as a whole names no step.
            Root::Steps => {}
        }
    }
}

/// The result of analysing one AST.
#[derive(Clone, Debug, Default)]
pub(crate) struct Analysis {
    pub(crate) references: References,
    /// What the main body reads (served through the rhai scope).
    pub(crate) plan: AccessPlan,
    /// What function and closure bodies read (served by the variable resolver).
    pub(crate) function_plan: AccessPlan,
    pub(crate) fast_path: Option<FastPath>,
}

/// Analyses a compiled expression or script.
pub(crate) fn analyse(ast: &AST) -> Analysis {
    let mut walker = Walker::default();
    let mut seen_by_rhai = HashSet::new();
    let main_body = ast.statements().as_ptr_range();

    // rhai's own walk visits the main statements and every function body (closures are
    // functions too), but not every sub-expression (e.g. `break value`). So it is used for two
    // things only: to hand each top-level statement to our exhaustive walker, and to note the
    // free-variable reads it sees, as a cross-check below.
    ast.walk(&mut |path: &[ASTNode]| {
        match path {
            [ASTNode::Stmt(stmt)] => {
                walker.in_function = !main_body.contains(&std::ptr::from_ref(*stmt));
                walker.stmt(stmt);
            }
            [.., ASTNode::Expr(expr)] => {
                if let Some(root) = free_root(expr) {
                    seen_by_rhai.insert(site(root, expr.position()));
                }
            }
            _ => {}
        }
        true
    });

    if walker.unknown || !seen_by_rhai.is_subset(&walker.seen) {
        // Something was not understood: read everything whole. Slower, never wrong.
        walker.plan.read_everything();
        walker.function_plan.read_everything();
    }

    walker.references.steps.sort_by_key(|(_, line, column)| (*line, *column));
    let fast_path = fast_path(ast);
    Analysis {
        references: walker.references,
        plan: walker.plan,
        function_plan: walker.function_plan,
        fast_path,
    }
}

/// Where a free variable is read: identifies one occurrence in the source.
type Site = (Root, Option<usize>, Option<usize>);

fn site(root: Root, position: Position) -> Site {
    (root, position.line(), position.position())
}

/// The root a variable expression reads, if it is a free (scope-provided) variable.
fn free_root(expr: &Expr) -> Option<Root> {
    match expr {
        Expr::Variable(var, short_index, _)
            if var.0.is_none() && short_index.is_none() && var.2.is_empty() =>
        {
            Root::from_name(var.1.as_str())
        }
        _ => None,
    }
}

#[derive(Default)]
struct Walker {
    references: References,
    plan: AccessPlan,
    function_plan: AccessPlan,
    /// Whether the statements being walked are a function (or closure) body.
    in_function: bool,
    /// Every free-variable occurrence seen, including closure captures (for the cross-check
    /// against rhai's walk).
    seen: HashSet<Site>,
    /// Set when a node kind unknown to this walker was met.
    unknown: bool,
}

impl Walker {
    fn stmts<'a>(&mut self, stmts: impl IntoIterator<Item = &'a Stmt>) {
        for stmt in stmts {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Noop(_) | Stmt::Export(..) | Stmt::Share(_) => {}
            Stmt::If(flow, _)
            | Stmt::While(flow, _)
            | Stmt::Do(flow, ..)
            | Stmt::TryCatch(flow, _) => {
                self.expr(&flow.expr);
                self.stmts(flow.body.statements());
                self.stmts(flow.branch.statements());
            }
            Stmt::Switch(switch, _) => {
                let (subject, cases) = &**switch;
                self.expr(subject);
                // Every case, range and default arm lives in `expressions`: condition and value.
                for arm in cases.expressions.iter() {
                    self.expr(&arm.lhs);
                    self.expr(&arm.rhs);
                }
            }
            Stmt::For(for_loop, _) => {
                let flow = &for_loop.2;
                self.expr(&flow.expr);
                self.stmts(flow.body.statements());
                self.stmts(flow.branch.statements());
            }
            Stmt::Var(declaration, ..) => self.expr(&declaration.1),
            Stmt::Assignment(assignment) => {
                self.expr(&assignment.1.lhs);
                self.expr(&assignment.1.rhs);
            }
            Stmt::FnCall(call, _) => self.call_args(&call.name, &call.args),
            Stmt::Block(block) => self.stmts(block.statements()),
            Stmt::Expr(expr) => self.expr(expr),
            Stmt::BreakLoop(value, ..) | Stmt::Return(value, ..) => {
                if let Some(value) = value {
                    self.expr(value);
                }
            }
            Stmt::Import(import, _) => self.expr(&import.0),
            _ => self.unknown = true,
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::DynamicConstant(..)
            | Expr::BoolConstant(..)
            | Expr::IntegerConstant(..)
            | Expr::FloatConstant(..)
            | Expr::CharConstant(..)
            | Expr::StringConstant(..)
            | Expr::Unit(_)
            | Expr::ThisPtr(_)
            | Expr::Property(..) => {}
            Expr::Variable(..) => {
                if let Some(root) = free_root(expr) {
                    self.read(root, expr.position(), &[]);
                }
            }
            Expr::InterpolatedString(parts, _) | Expr::Array(parts, _) => {
                for part in parts.iter() {
                    self.expr(part);
                }
            }
            Expr::Map(map, _) => {
                for (_, value) in map.0.iter() {
                    self.expr(value);
                }
            }
            Expr::Stmt(block) => self.stmts(block.statements()),
            Expr::FnCall(call, _) | Expr::MethodCall(call, _) => {
                self.call_args(&call.name, &call.args)
            }
            Expr::Dot(chain, ..) | Expr::Index(chain, ..) => {
                let op_is_index = matches!(expr, Expr::Index(..));
                match free_root(&chain.lhs) {
                    Some(root) => {
                        let mut path = Vec::new();
                        self.chain(&chain.rhs, op_is_index, &mut path, true);
                        self.read(root, chain.lhs.position(), &path);
                    }
                    None => {
                        self.expr(&chain.lhs);
                        let mut ignored = Vec::new();
                        self.chain(&chain.rhs, op_is_index, &mut ignored, false);
                    }
                }
            }
            Expr::And(operands, _) | Expr::Or(operands, _) | Expr::Coalesce(operands, _) => {
                for operand in operands.iter() {
                    self.expr(operand);
                }
            }
            Expr::Custom(custom, _) => {
                for input in custom.inputs.iter() {
                    self.expr(input);
                }
            }
            _ => self.unknown = true,
        }
    }

    /// Arguments of a call. A closure that captures a free variable is compiled to
    /// `curry(Fn("anon$…"), captured…)`: the captured variable is then read inside the closure's
    /// body (analysed separately, with its real paths, and served from its own copy), so it is not
    /// counted as a whole read here.
    fn call_args(&mut self, name: &str, args: &[Expr]) {
        let is_capture = name == "curry" && args.first().is_some_and(is_anonymous_fn_ptr);
        for (i, arg) in args.iter().enumerate() {
            if is_capture
                && i > 0
                && let Some(root) = free_root(arg)
            {
                self.seen.insert(site(root, arg.position()));
                continue;
            }
            self.expr(arg);
        }
    }

    /// Follows the rest of a `.`/`[]` chain. `rhs` is applied to the value so far with `.` or
    /// `[]` (`op_is_index`); while every step so far was a literal key, keys are appended to
    /// `path`. Sub-expressions (index expressions, method arguments) are walked as usual.
    fn chain(
        &mut self,
        rhs: &Expr,
        op_is_index: bool,
        path: &mut Vec<String>,
        mut is_static: bool,
    ) {
        // A nested Dot/Index without BREAK continues the chain; with BREAK it is a standalone
        // expression used as an index (`a[b.c]`).
        let (element, rest) = match rhs {
            Expr::Dot(next, flags, _) if !flags.intersects(ASTFlags::BREAK) => {
                (&next.lhs, Some((&next.rhs, false)))
            }
            Expr::Index(next, flags, _) if !flags.intersects(ASTFlags::BREAK) => {
                (&next.lhs, Some((&next.rhs, true)))
            }
            other => (other, None),
        };

        if is_static {
            match (op_is_index, element) {
                (false, Expr::Property(property, _)) => path.push(property.2.to_string()),
                (true, Expr::StringConstant(key, _)) => path.push(key.to_string()),
                _ => is_static = false,
            }
        }

        match element {
            Expr::Property(..) => {}
            Expr::MethodCall(call, _) => self.call_args(&call.name, &call.args),
            index_expr => self.expr(index_expr),
        }

        if let Some((next_rhs, next_is_index)) = rest {
            self.chain(next_rhs, next_is_index, path, is_static);
        }
    }

    fn read(&mut self, root: Root, position: Position, path: &[String]) {
        self.seen.insert(site(root, position));
        self.references.mark(root);
        if root == Root::Steps
            && let (Some(id), Some(line), Some(column)) =
                (path.first(), position.line(), position.position())
        {
            self.references.steps.push((id.clone(), line, column));
        }
        let plan = if self.in_function { &mut self.function_plan } else { &mut self.plan };
        plan.add(root, path);
    }
}

fn is_anonymous_fn_ptr(expr: &Expr) -> bool {
    match expr {
        Expr::DynamicConstant(value, _) => {
            value.read_lock::<FnPtr>().is_some_and(|f| f.fn_name().starts_with("anon$"))
        }
        _ => false,
    }
}

/// Recognises an expression that is only a path from a root variable.
fn fast_path(ast: &AST) -> Option<FastPath> {
    if ast.iter_fn_def().next().is_some() {
        return None;
    }
    let [Stmt::Expr(expr)] = ast.statements() else {
        return None;
    };
    if let Some(root) = free_root(expr) {
        return Some(FastPath { root, segments: Vec::new() });
    }
    let (chain, op_is_index) = match &**expr {
        Expr::Dot(chain, ..) => (chain, false),
        Expr::Index(chain, ..) => (chain, true),
        _ => return None,
    };
    let root = free_root(&chain.lhs)?;
    let mut segments = Vec::new();
    let mut rhs = &chain.rhs;
    let mut op_is_index = op_is_index;
    loop {
        let (element, rest) = match rhs {
            Expr::Dot(next, flags, _) if !flags.intersects(ASTFlags::BREAK) => {
                (&next.lhs, Some((&next.rhs, false)))
            }
            Expr::Index(next, flags, _) if !flags.intersects(ASTFlags::BREAK) => {
                (&next.lhs, Some((&next.rhs, true)))
            }
            other => (other, None),
        };
        segments.push(match (op_is_index, element) {
            (false, Expr::Property(property, _)) => Segment::Key(property.2.to_string()),
            (true, Expr::StringConstant(key, _)) => Segment::Key(key.to_string()),
            (true, Expr::IntegerConstant(index, _)) => Segment::Index(*index),
            _ => return None,
        });
        match rest {
            Some((next_rhs, next_is_index)) => {
                rhs = next_rhs;
                op_is_index = next_is_index;
            }
            None => break,
        }
    }
    Some(FastPath { root, segments })
}
