//! Policy pre-selection by scope: Cedar evaluates every policy of a set on every request (about
//! a microsecond each here), but a policy whose scope names a principal, action or resource the
//! request is not (or not `in`) can never apply, so leaving it out changes neither the decision
//! nor the deciding policies nor the errors. The policies that can apply are found from the
//! request's entities (the very `Entities` Cedar sees, so ancestors and granted roles count):
//! policies are indexed by the entity their principal scope names, so a request looks at the
//! few policies filed under its principal and the principal's ancestors (plus those whose
//! principal scope names no entity) instead of all of them. The resulting sub-sets are cached
//! per snapshot by their membership bitmap.

use std::borrow::Borrow;
use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap as HashMap;

use cedar_policy::{
    ActionConstraint, EntityTypeName, EntityUid, Policy, PolicySet, PrincipalConstraint,
    ResourceConstraint,
};

/// Most cached sub-sets before the cache starts over.
const CACHE_LIMIT: usize = 16_384;

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
    principal: Scope,
    action: Option<Vec<EntityUid>>,
    action_in: bool,
    resource: Scope,
}

/// The policies of a snapshot with their scopes, indexed by the entity their principal scope
/// names, and the cache of sub-sets.
pub(crate) struct Prefilter {
    policies: Vec<Indexed>,
    /// Policies whose principal scope is `in` (or `is .. in`) this entity.
    principal_in: HashMap<EntityUid, Vec<usize>>,
    /// Policies whose principal scope is `==` this entity.
    principal_eq: HashMap<EntityUid, Vec<usize>>,
    /// Policies whose principal scope names no entity (`principal` or `principal is T`).
    principal_free: Vec<usize>,
    cache: RwLock<HashMap<Vec<u64>, Arc<PolicySet>>>,
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
            policies.push(Indexed {
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
            cache: RwLock::new(HashMap::default()),
        })
    }

    /// The policies that may apply to a request of this principal, action and resource, each
    /// with its ancestors as Cedar will see them.
    pub(crate) fn select<P: Borrow<EntityUid>, R: Borrow<EntityUid>>(
        &self,
        (principal, p_anc): (&EntityUid, &[P]),
        (action, a_anc): (&EntityUid, &[&EntityUid]),
        (resource, r_anc): (&EntityUid, &[R]),
    ) -> Result<Arc<PolicySet>, String> {
        // The membership bitmap, on the stack for up to 256 policies.
        let words = self.policies.len().div_ceil(64);
        let mut inline = [0u64; INLINE_WORDS];
        let mut heap = Vec::new();
        let bits: &mut [u64] = if words <= INLINE_WORDS {
            &mut inline[..words]
        } else {
            heap.resize(words, 0);
            &mut heap
        };
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
        if let Ok(cache) = self.cache.read()
            && let Some(set) = cache.get(&*bits)
        {
            return Ok(set.clone());
        }
        let chosen = self
            .policies
            .iter()
            .enumerate()
            .filter(|(i, _)| bits[i / 64] & (1 << (i % 64)) != 0)
            .map(|(_, p)| p.policy.clone());
        let set = Arc::new(PolicySet::from_policies(chosen).map_err(|e| e.to_string())?);
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(bits.to_vec(), set.clone());
        }
        Ok(set)
    }
}
