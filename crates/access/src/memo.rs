//! Answers of context-only policy bodies, remembered by the context values they read.
//!
//! A body that names no variable but `context`, and `context` only as the start of attribute
//! paths (`context.risk.flags`, `context has ip_class`), sees nothing of a request but what
//! lies along those paths: whether each step is there, whether it is a record, and the value at
//! its end. Cedar's evaluator is deterministic, so two requests whose contexts agree along
//! every path of a body get the same answer from it. Only satisfied / not satisfied answers
//! are remembered (an error's text can name other keys of a record); a context with anything
//! but plain values (entities, extension values: only Cedar's own JSON parser makes those)
//! is never looked up.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::RwLock;

use rustc_hash::FxHashMap;

use cedar_policy_core::ast::{Expr, ExprKind, Value, ValueKind, Var};
use smol_str::SmolStr;

/// Most remembered answers per body before its memory starts over.
const LIMIT: usize = 512;

/// What a context shows along one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Step `n` is missing from the record before it.
    Missing(usize),
    /// The value before step `n` is not a record.
    NotRecord(usize, Value),
    /// The value at the end of the path.
    Found(Value),
}

/// Hashed by structure, consistent with `Value`'s equality (which ignores source locations;
/// sets and records are walked in their sorted order).
impl Hash for Step {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self {
            Step::Missing(n) => {
                0u8.hash(h);
                n.hash(h);
            }
            Step::NotRecord(n, v) => {
                1u8.hash(h);
                n.hash(h);
                hash_value(v, h);
            }
            Step::Found(v) => {
                2u8.hash(h);
                hash_value(v, h);
            }
        }
    }
}

fn hash_value<H: Hasher>(v: &Value, h: &mut H) {
    match v.value_kind() {
        ValueKind::Lit(l) => {
            0u8.hash(h);
            l.hash(h);
        }
        ValueKind::Set(set) => {
            1u8.hash(h);
            set.len().hash(h);
            set.iter().for_each(|x| hash_value(x, h));
        }
        ValueKind::Record(r) => {
            2u8.hash(h);
            r.len().hash(h);
            for (k, x) in r.iter() {
                k.hash(h);
                hash_value(x, h);
            }
        }
        // never in a context built as plain values; equal values hash alike all the same
        ValueKind::ExtensionValue(_) => 3u8.hash(h),
    }
}

/// The paths a context-only body reads, with its remembered answers.
pub(crate) struct Memo {
    paths: Vec<Vec<SmolStr>>,
    answers: RwLock<FxHashMap<Vec<Step>, bool>>,
}

impl Memo {
    /// `None` when `body` reads anything but paths into `context`.
    pub(crate) fn new(body: &Expr) -> Option<Memo> {
        let mut paths = Vec::new();
        reads(body, &mut paths).then_some(())?;
        paths.sort();
        paths.dedup();
        Some(Memo {
            paths,
            answers: RwLock::new(FxHashMap::default()),
        })
    }

    /// The key of `context` (a context built as plain values) for this body.
    pub(crate) fn key(&self, context: &BTreeMap<SmolStr, Value>) -> Vec<Step> {
        self.paths.iter().map(|p| walk(context, p)).collect()
    }

    pub(crate) fn get(&self, key: &[Step]) -> Option<bool> {
        self.answers.read().ok()?.get(key).copied()
    }

    pub(crate) fn remember(&self, key: Vec<Step>, answer: bool) {
        if let Ok(mut answers) = self.answers.write() {
            if answers.len() >= LIMIT {
                answers.clear();
            }
            answers.insert(key, answer);
        }
    }
}

/// Follow `path` from the context record.
fn walk(context: &BTreeMap<SmolStr, Value>, path: &[SmolStr]) -> Step {
    let mut record = context;
    let mut at: Option<&Value> = None;
    for (n, attr) in path.iter().enumerate() {
        if let Some(v) = at {
            match v.value_kind() {
                ValueKind::Record(r) => record = r,
                _ => return Step::NotRecord(n, v.clone()),
            }
        }
        match record.get(attr) {
            Some(v) => at = Some(v),
            None => return Step::Missing(n),
        }
    }
    match at {
        Some(v) => Step::Found(v.clone()),
        // the empty path (never recorded): the whole context
        None => Step::Found(Value::record_arc(
            std::sync::Arc::new(context.clone()),
            None,
        )),
    }
}

/// `context.a.b...` as its path.
fn chain(e: &Expr) -> Option<Vec<SmolStr>> {
    match e.expr_kind() {
        ExprKind::Var(Var::Context) => Some(Vec::new()),
        ExprKind::GetAttr { expr, attr } => {
            let mut p = chain(expr)?;
            p.push(attr.clone());
            Some(p)
        }
        _ => None,
    }
}

/// Add the context paths `e` reads to `out`; `false` when it reads anything else (another
/// variable, `context` as a whole, slots, unknowns, a form not listed).
fn reads(e: &Expr, out: &mut Vec<Vec<SmolStr>>) -> bool {
    if let Some(p) = chain(e) {
        if p.is_empty() {
            return false;
        }
        out.push(p);
        return true;
    }
    match e.expr_kind() {
        ExprKind::Lit(_) => true,
        ExprKind::If {
            test_expr,
            then_expr,
            else_expr,
        } => reads(test_expr, out) && reads(then_expr, out) && reads(else_expr, out),
        ExprKind::And { left, right } | ExprKind::Or { left, right } => {
            reads(left, out) && reads(right, out)
        }
        ExprKind::UnaryApp { arg, .. } => reads(arg, out),
        ExprKind::BinaryApp { arg1, arg2, .. } => reads(arg1, out) && reads(arg2, out),
        ExprKind::ExtensionFunctionApp { args, .. } => args.iter().all(|a| reads(a, out)),
        ExprKind::HasAttr { expr, attr } => match chain(expr) {
            Some(mut p) => {
                p.push(attr.clone());
                out.push(p);
                true
            }
            None => reads(expr, out),
        },
        ExprKind::ExtHasAttr { expr, attrs } => match chain(expr) {
            Some(mut p) => {
                p.extend(attrs.iter().cloned());
                out.push(p);
                true
            }
            None => reads(expr, out),
        },
        ExprKind::GetAttr { expr, .. }
        | ExprKind::Like { expr, .. }
        | ExprKind::Is { expr, .. } => reads(expr, out),
        ExprKind::Set(items) => items.iter().all(|i| reads(i, out)),
        ExprKind::Record(fields) => fields.values().all(|v| reads(v, out)),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use cedar_policy::{Context, EntityUid, Policy, Request};
    use cedar_policy_core::ast::{self, Context as CoreContext};
    use cedar_policy_core::entities::Entities;
    use cedar_policy_core::evaluator::Evaluator;
    use cedar_policy_core::extensions::Extensions;
    use serde_json::json;
    use std::str::FromStr;
    use std::sync::Arc;

    fn body(text: &str) -> Expr {
        let p = Policy::from_str(&format!(
            "permit (principal, action, resource) when {{ {text} }};"
        ))
        .unwrap();
        let core: &ast::Policy = p.as_ref();
        core.non_scope_constraints().unwrap().clone()
    }

    #[test]
    fn only_context_paths_are_remembered() {
        for text in [
            "context == {}",
            "context.a == principal",
            "principal.level > 1",
            "resource in Group::\"g\"",
            "action == Action::\"read\"",
        ] {
            assert!(Memo::new(&body(text)).is_none(), "{text}");
        }
        let m = Memo::new(&body("context.a.b == 1 || context has x.y")).unwrap();
        assert_eq!(m.paths, vec![vec!["a", "b"], vec!["x", "y"]]);
    }

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    fn random_value(rng: &mut Rng) -> Option<serde_json::Value> {
        Some(match rng.below(9) {
            0 => return None,
            1 => json!(rng.below(4)),
            2 => json!(["x", "y", "z"][rng.below(3) as usize]),
            3 => json!(rng.below(2) == 0),
            4 => json!({"b": rng.below(3)}),
            5 => json!({"y": rng.below(4), "b": "s"}),
            6 => json!({}),
            7 => json!(["x", "F1"][..rng.below(3) as usize]),
            _ => {
                let flags = &["F1", "F2"][..rng.below(3) as usize];
                json!({"score": rng.below(100), "flags": flags})
            }
        })
    }

    /// Answers from memory are the evaluator's answers, over contexts that differ in which
    /// keys are there, whether they are records and of which type their values are.
    #[test]
    fn remembered_answers_are_the_evaluators() {
        let bodies = [
            "context.risk.score < 50",
            "context.risk.flags.contains(\"F1\") || (context has ip_class && context.ip_class == \"tor\")",
            "context has a.b && context.a.b == 1",
            "context.a has b",
            "if context has x then context.x.y > 2 else context.z like \"x*\"",
            "{k: context.a}.k == context.b",
            "context.s.containsAny([\"x\", \"y\"])",
            "context.a.b == context.x.b",
        ];
        let memos: Vec<(Expr, Memo)> = bodies
            .iter()
            .map(|t| {
                let b = body(t);
                let m = Memo::new(&b).unwrap();
                (b, m)
            })
            .collect();
        let entities = Entities::new();
        let uid = |t: &str| EntityUid::from_json(json!({"type": t, "id": "x"})).unwrap();
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (mut hits, mut answers) = (0, 0);
        for _ in 0..3000 {
            let mut ctx = serde_json::Map::new();
            for k in ["a", "b", "x", "z", "s", "risk", "ip_class"] {
                if let Some(v) = random_value(&mut rng) {
                    ctx.insert(k.into(), v);
                }
            }
            let record = crate::values::record(&ctx).unwrap();
            let context = Context::from(CoreContext::Value(Arc::new(record.clone())));
            let request =
                Request::new(uid("User"), uid("Action"), uid("Doc"), context, None).unwrap();
            let core: &ast::Request = request.as_ref();
            let eval = Evaluator::new(core.clone(), &entities, Extensions::all_available());
            for (b, memo) in &memos {
                let direct =
                    eval.interpret(b, &ast::SlotEnv::new())
                        .map(|v| match v.value_kind() {
                            ValueKind::Lit(ast::Literal::Bool(b)) => Some(*b),
                            _ => None,
                        });
                let key = memo.key(&record);
                match memo.get(&key) {
                    Some(known) => {
                        hits += 1;
                        assert_eq!(direct.as_ref().ok(), Some(&Some(known)), "{ctx:?}");
                    }
                    None => {
                        if let Ok(Some(answer)) = direct {
                            answers += 1;
                            memo.remember(key, answer);
                        }
                    }
                }
            }
        }
        assert!(
            hits > 5000 && answers > 200,
            "{hits} hits, {answers} answers"
        );
    }
}
