//! Policy pre-selection by scope: Cedar evaluates every policy of a set on every request (about
//! a microsecond each here), but a policy whose scope names a principal, action or resource the
//! request is not (or not `in`) can never apply, so leaving it out changes neither the decision
//! nor the deciding policies nor the errors. The policies that can apply are found from the
//! request's entities (the very `Entities` Cedar sees, so ancestors and granted roles count):
//! policies are indexed by the entity their principal scope names, so a request looks at the
//! few policies filed under its principal and the principal's ancestors (plus those whose
//! principal scope names no entity) instead of all of them.
//!
//! The selected policies are then evaluated here, with Cedar's own evaluator, the way Cedar's
//! `Authorizer` does it (a satisfied `forbid` denies, else a satisfied `permit` allows; a
//! policy whose evaluation fails is skipped and its error reported), but only over each
//! policy's body (its `when` and `unless` conditions): the selection above has already
//! decided its scope exactly as Cedar would (the same entities and ancestors, and a scope
//! never fails to evaluate), and Cedar's authorizer rebuilds every policy's whole condition
//! (scope and body, a dozen allocations) on every request, evaluates the scope again and
//! gathers its answer through partial-evaluation bookkeeping and hash sets.
//! `tests/equivalence.rs` holds the result to bare Cedar's on thousands of requests.

use std::borrow::Borrow;

use rustc_hash::FxHashMap as HashMap;

use cedar_policy::{
    ActionConstraint, AuthorizationError, Entities, EntityTypeName, EntityUid, Policy, PolicyId,
    PolicySet, PrincipalConstraint, Request, ResourceConstraint,
};
use cedar_policy_core::ast::{self, Effect, Expr};
use cedar_policy_core::authorizer::AuthorizationError as CoreAuthorizationError;
use cedar_policy_core::evaluator::Evaluator;
use cedar_policy_core::extensions::Extensions;

/// Bitmap words kept on the stack (256 policies); larger sets use the heap.
const INLINE_WORDS: usize = 4;

enum Scope {
    Any,
    In(EntityUid),
    Eq(EntityUid),
    Is(EntityTypeName),
    IsIn(EntityTypeName, EntityUid),
}

impl Scope {
    fn from_principal(c: PrincipalConstraint) -> Scope {
        match c {
            PrincipalConstraint::Any => Scope::Any,
            PrincipalConstraint::In(u) => Scope::In(u),
            PrincipalConstraint::Eq(u) => Scope::Eq(u),
            PrincipalConstraint::Is(t) => Scope::Is(t),
            PrincipalConstraint::IsIn(t, u) => Scope::IsIn(t, u),
        }
    }

    fn from_resource(c: ResourceConstraint) -> Scope {
        match c {
            ResourceConstraint::Any => Scope::Any,
            ResourceConstraint::In(u) => Scope::In(u),
            ResourceConstraint::Eq(u) => Scope::Eq(u),
            ResourceConstraint::Is(t) => Scope::Is(t),
            ResourceConstraint::IsIn(t, u) => Scope::IsIn(t, u),
        }
    }

    /// Whether `uid`, whose ancestors are `ancestors`, may satisfy this scope.
    fn admits<A: Borrow<EntityUid>>(&self, uid: &EntityUid, ancestors: &[A]) -> bool {
        let within =
            |target: &EntityUid| target == uid || ancestors.iter().any(|a| a.borrow() == target);
        match self {
            Scope::Any => true,
            Scope::Eq(u) => u == uid,
            Scope::In(u) => within(u),
            Scope::Is(t) => uid.type_name() == t,
            Scope::IsIn(t, u) => uid.type_name() == t && within(u),
        }
    }
}

struct Indexed {
    policy: Policy,
    id: PolicyId,
    forbid: bool,
    /// The policy's body (`when` and `unless` conditions); `None`: always satisfied.
    body: Option<Expr>,
    /// Whether evaluating the body can never look an entity up (see [`entity_free`]).
    entity_free: bool,
    /// The body's answers by the context values it reads, when it reads nothing else.
    memo: Option<crate::memo::Memo>,
    env: ast::SlotEnv,
    principal: Scope,
    action: Option<Vec<EntityUid>>,
    action_in: bool,
    resource: Scope,
}

/// The policies of a snapshot with their scopes, indexed by the entity their principal scope
/// names, with their conditions.
pub(crate) struct Prefilter {
    policies: Vec<Indexed>,
    /// Policies whose principal scope is `in` (or `is .. in`) this entity.
    principal_in: HashMap<EntityUid, Vec<usize>>,
    /// Policies whose principal scope is `==` this entity.
    principal_eq: HashMap<EntityUid, Vec<usize>>,
    /// Policies whose principal scope names no entity (`principal` or `principal is T`).
    principal_free: Vec<usize>,
}

/// The policies [`Prefilter::select`] chose, as a bitmap over the snapshot's policies.
pub(crate) struct Selection {
    inline: [u64; INLINE_WORDS],
    heap: Vec<u64>,
    words: usize,
}

impl Selection {
    fn new(policies: usize) -> Selection {
        let words = policies.div_ceil(64);
        Selection {
            inline: [0; INLINE_WORDS],
            heap: if words <= INLINE_WORDS {
                Vec::new()
            } else {
                vec![0; words]
            },
            words,
        }
    }

    fn bits(&self) -> &[u64] {
        if self.words <= INLINE_WORDS {
            &self.inline[..self.words]
        } else {
            &self.heap
        }
    }

    fn bits_mut(&mut self) -> &mut [u64] {
        if self.words <= INLINE_WORDS {
            &mut self.inline[..self.words]
        } else {
            &mut self.heap
        }
    }

    /// The chosen policies' indices, ascending.
    fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits().iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(w * 64 + bit)
            })
        })
    }
}

/// What the selected policies decide.
pub(crate) struct Answer<'a> {
    pub allow: bool,
    /// The deciding policies: the satisfied `forbid`s when denied by them, the satisfied
    /// `permit`s when allowed (Cedar's "reason").
    pub reasons: Vec<&'a PolicyId>,
    /// Errors of the policies whose evaluation failed (in Cedar's wording).
    pub errors: Vec<String>,
}

impl Prefilter {
    /// `None` when the set holds template-linked policies (then the full set is used).
    pub(crate) fn new(set: &PolicySet) -> Option<Prefilter> {
        let mut policies = Vec::new();
        let mut principal_in: HashMap<EntityUid, Vec<usize>> = HashMap::default();
        let mut principal_eq: HashMap<EntityUid, Vec<usize>> = HashMap::default();
        let mut principal_free = Vec::new();
        for (i, p) in set.policies().enumerate() {
            if !p.is_static() {
                return None;
            }
            let (action, action_in) = match p.action_constraint() {
                ActionConstraint::Any => (None, false),
                ActionConstraint::Eq(u) => (Some(vec![u]), false),
                ActionConstraint::In(list) => (Some(list), true),
            };
            let principal = Scope::from_principal(p.principal_constraint());
            match &principal {
                Scope::Any | Scope::Is(_) => principal_free.push(i),
                Scope::Eq(u) => principal_eq.entry(u.clone()).or_default().push(i),
                Scope::In(u) | Scope::IsIn(_, u) => {
                    principal_in.entry(u.clone()).or_default().push(i)
                }
            }
            let core: &ast::Policy = p.as_ref();
            policies.push(Indexed {
                id: p.id().clone(),
                forbid: core.effect() == Effect::Forbid,
                entity_free: core.non_scope_constraints().is_none_or(entity_free),
                memo: core
                    .non_scope_constraints()
                    .and_then(crate::memo::Memo::new),
                body: core.non_scope_constraints().map(unlocated),
                env: core.env().clone(),
                principal,
                resource: Scope::from_resource(p.resource_constraint()),
                action,
                action_in,
                policy: p.clone(),
            });
        }
        Some(Prefilter {
            policies,
            principal_in,
            principal_eq,
            principal_free,
        })
    }

    /// The policies that may apply to a request of this principal, action and resource, each
    /// with its ancestors as Cedar will see them.
    pub(crate) fn select<P: Borrow<EntityUid>, R: Borrow<EntityUid>>(
        &self,
        (principal, p_anc): (&EntityUid, &[P]),
        (action, a_anc): (&EntityUid, &[&EntityUid]),
        (resource, r_anc): (&EntityUid, &[R]),
    ) -> Selection {
        let mut selection = Selection::new(self.policies.len());
        let bits = selection.bits_mut();
        let mut consider = |i: usize| {
            let Some(p) = self.policies.get(i) else {
                return;
            };
            let action_ok = match &p.action {
                None => true,
                Some(list) => list
                    .iter()
                    .any(|a| a == action || (p.action_in && a_anc.contains(&a))),
            };
            if action_ok
                && p.principal.admits(principal, p_anc)
                && p.resource.admits(resource, r_anc)
            {
                bits[i / 64] |= 1 << (i % 64);
            }
        };
        self.principal_free.iter().for_each(|&i| consider(i));
        if let Some(list) = self.principal_eq.get(principal) {
            list.iter().for_each(|&i| consider(i));
        }
        for uid in std::iter::once(principal).chain(p_anc.iter().map(Borrow::borrow)) {
            if let Some(list) = self.principal_in.get(uid) {
                list.iter().for_each(|&i| consider(i));
            }
        }
        selection
    }

    /// Whether no selected policy's body can look an entity up, so that (with a context that
    /// holds no entity) the entities a decision is evaluated over cannot change its outcome.
    pub(crate) fn entity_free(&self, selection: &Selection) -> bool {
        selection
            .indices()
            .all(|i| self.policies.get(i).is_some_and(|p| p.entity_free))
    }

    /// Decides `request` over the selected policies, as Cedar's `Authorizer` would over them.
    /// `exact`: `entities` are the ones Cedar would see; otherwise they stand in for them
    /// because the selection is [`Prefilter::entity_free`], and `None` is returned when a body
    /// needs Cedar's evaluation of the whole policy (scope included, which does look entities
    /// up). `plain_context`: the request's context holds plain values only (as built in
    /// `pdp.rs`, never by Cedar's JSON parser), so context-only bodies may answer from their
    /// memory (see [`crate::memo`]).
    pub(crate) fn authorize(
        &self,
        selection: &Selection,
        request: &Request,
        entities: &Entities,
        exact: bool,
        plain_context: bool,
    ) -> Option<Answer<'_>> {
        let core: &ast::Request = request.as_ref();
        let context = match (plain_context, core.context()) {
            (true, Some(ast::Context::Value(record))) => Some(record.as_ref()),
            _ => None,
        };
        let eval = Evaluator::new(core.clone(), entities.as_ref(), Extensions::all_available());
        let mut permits: Vec<&PolicyId> = Vec::new();
        let mut forbids: Vec<&PolicyId> = Vec::new();
        let mut errors = Vec::new();
        for i in selection.indices() {
            let Some(p) = self.policies.get(i) else {
                continue;
            };
            let key = match (&p.memo, context) {
                (Some(memo), Some(context)) => Some((memo, memo.key(context))),
                _ => None,
            };
            let known = key.as_ref().and_then(|(memo, key)| memo.get(key));
            let satisfied = match (&p.body, known) {
                (None, _) => Ok(true),
                (Some(_), Some(b)) => Ok(b),
                (Some(body), None) => match eval.interpret(body, &p.env) {
                    Ok(v) => match v.value {
                        ast::ValueKind::Lit(ast::Literal::Bool(b)) => {
                            if let Some((memo, key)) = key {
                                memo.remember(key, b);
                            }
                            Ok(b)
                        }
                        // not a boolean (possible without a schema): Cedar's own
                        // evaluation of the whole condition words the error
                        _ if exact => eval.evaluate(p.policy.as_ref()),
                        _ => return None,
                    },
                    Err(e) => Err(e),
                },
            };
            match satisfied {
                Ok(true) if p.forbid => forbids.push(&p.id),
                Ok(true) => permits.push(&p.id),
                Ok(false) => {}
                Err(error) => {
                    let core = CoreAuthorizationError::PolicyEvaluationError {
                        id: p.policy.as_ref().id().clone(),
                        error,
                    };
                    errors.push(AuthorizationError::from(core).to_string());
                }
            }
        }
        let allow = forbids.is_empty() && !permits.is_empty();
        Some(Answer {
            allow,
            reasons: if allow { permits } else { forbids },
            errors,
        })
    }
}

/// `e` without source locations. Cedar's evaluator stamps every value it makes with the
/// location of the expression that made it (a reference count up and down, per step); the
/// locations only serve diagnostics' labels, never an error's text or a value, so the bodies
/// evaluated per decision are kept without them.
fn unlocated(e: &Expr) -> Expr {
    use ast::{ExprBuilder, ExprKind};
    use cedar_policy_core::expr_builder::ExprBuilder as _;
    use std::sync::Arc;
    let sub = |e: &Arc<Expr>| Arc::new(unlocated(e));
    let kind = match e.expr_kind() {
        ExprKind::If {
            test_expr,
            then_expr,
            else_expr,
        } => ExprKind::If {
            test_expr: sub(test_expr),
            then_expr: sub(then_expr),
            else_expr: sub(else_expr),
        },
        ExprKind::And { left, right } => ExprKind::And {
            left: sub(left),
            right: sub(right),
        },
        ExprKind::Or { left, right } => ExprKind::Or {
            left: sub(left),
            right: sub(right),
        },
        ExprKind::UnaryApp { op, arg } => ExprKind::UnaryApp {
            op: *op,
            arg: sub(arg),
        },
        ExprKind::BinaryApp { op, arg1, arg2 } => ExprKind::BinaryApp {
            op: *op,
            arg1: sub(arg1),
            arg2: sub(arg2),
        },
        ExprKind::ExtensionFunctionApp { fn_name, args } => ExprKind::ExtensionFunctionApp {
            fn_name: fn_name.clone(),
            args: Arc::new(args.iter().map(unlocated).collect()),
        },
        ExprKind::GetAttr { expr, attr } => ExprKind::GetAttr {
            expr: sub(expr),
            attr: attr.clone(),
        },
        ExprKind::HasAttr { expr, attr } => ExprKind::HasAttr {
            expr: sub(expr),
            attr: attr.clone(),
        },
        ExprKind::ExtHasAttr { expr, attrs } => ExprKind::ExtHasAttr {
            expr: sub(expr),
            attrs: attrs.clone(),
        },
        ExprKind::Like { expr, pattern } => ExprKind::Like {
            expr: sub(expr),
            pattern: pattern.clone(),
        },
        ExprKind::Is { expr, entity_type } => ExprKind::Is {
            expr: sub(expr),
            entity_type: entity_type.clone(),
        },
        ExprKind::Set(items) => ExprKind::Set(Arc::new(items.iter().map(unlocated).collect())),
        ExprKind::Record(fields) => ExprKind::Record(Arc::new(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), unlocated(v)))
                .collect(),
        )),
        other => other.clone(),
    };
    ExprBuilder::new().with_expr_kind(kind)
}

/// Whether evaluating `body` can never look an entity up, given a context that holds no entity
/// (the context built as values in `pdp.rs` never does): Cedar's evaluator consults its entities
/// only for `in` (the left side's ancestors), tags, and attributes of an entity (`.`, `has`).
/// Attribute access is allowed here only on `context` and records within it; anything else
/// (an entity's attributes, `in`, tags, slots, unknowns, any form not listed) counts as
/// looking entities up. Conservative: `false` only costs the entity slice.
fn entity_free(body: &Expr) -> bool {
    use ast::{BinaryOp, ExprKind, Var};
    /// An expression that yields `context` or a value inside it, never an entity.
    fn in_context(e: &Expr) -> bool {
        match e.expr_kind() {
            ExprKind::Var(Var::Context) => true,
            ExprKind::GetAttr { expr, .. } => in_context(expr),
            _ => false,
        }
    }
    match body.expr_kind() {
        ExprKind::Lit(_) | ExprKind::Var(_) => true,
        ExprKind::If {
            test_expr,
            then_expr,
            else_expr,
        } => entity_free(test_expr) && entity_free(then_expr) && entity_free(else_expr),
        ExprKind::And { left, right } | ExprKind::Or { left, right } => {
            entity_free(left) && entity_free(right)
        }
        ExprKind::UnaryApp { arg, .. } => entity_free(arg),
        ExprKind::BinaryApp { op, arg1, arg2 } => {
            !matches!(op, BinaryOp::In | BinaryOp::GetTag | BinaryOp::HasTag)
                && entity_free(arg1)
                && entity_free(arg2)
        }
        ExprKind::ExtensionFunctionApp { args, .. } => args.iter().all(entity_free),
        ExprKind::GetAttr { expr, .. }
        | ExprKind::HasAttr { expr, .. }
        | ExprKind::ExtHasAttr { expr, .. } => in_context(expr),
        ExprKind::Like { expr, .. } | ExprKind::Is { expr, .. } => entity_free(expr),
        ExprKind::Set(items) => items.iter().all(entity_free),
        ExprKind::Record(fields) => fields.values().all(entity_free),
        _ => false,
    }
}
