//! Policy pre-selection by scope: Cedar evaluates every policy of a set on every request (about
//! a microsecond each here), but a policy whose scope names a principal, action or resource the
//! request is not (or not `in`) can never apply, so leaving it out changes neither the decision
//! nor the deciding policies nor the errors. The policies that can apply are found from the
//! request's slice of entities (the very `Entities` Cedar sees, so ancestors and granted roles
//! count), and the resulting sub-sets are cached per snapshot by their membership bitmap.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cedar_policy::{
    ActionConstraint, Entities, EntityTypeName, EntityUid, Policy, PolicySet, PrincipalConstraint,
    ResourceConstraint,
};

/// Most cached sub-sets before the cache starts over.
const CACHE_LIMIT: usize = 16_384;

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

    /// Whether `uid` (with its ancestors in `entities`) may satisfy this scope.
    fn admits(&self, uid: &EntityUid, entities: &Entities) -> bool {
        let within = |target: &EntityUid| {
            target == uid
                || entities
                    .ancestors(uid)
                    .is_some_and(|mut a| a.any(|x| x == target))
        };
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

/// The policies of a snapshot with their scopes, and the cache of sub-sets.
pub(crate) struct Prefilter {
    policies: Vec<Indexed>,
    cache: Mutex<HashMap<Vec<u64>, Arc<PolicySet>>>,
}

impl Prefilter {
    /// `None` when the set holds template-linked policies (then the full set is used).
    pub(crate) fn new(set: &PolicySet) -> Option<Prefilter> {
        let mut policies = Vec::new();
        for p in set.policies() {
            if !p.is_static() {
                return None;
            }
            let (action, action_in) = match p.action_constraint() {
                ActionConstraint::Any => (None, false),
                ActionConstraint::Eq(u) => (Some(vec![u]), false),
                ActionConstraint::In(list) => (Some(list), true),
            };
            policies.push(Indexed {
                principal: Scope::from_principal(p.principal_constraint()),
                resource: Scope::from_resource(p.resource_constraint()),
                action,
                action_in,
                policy: p.clone(),
            });
        }
        Some(Prefilter {
            policies,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The policies that may apply to this request.
    pub(crate) fn select(
        &self,
        principal: &EntityUid,
        action: &EntityUid,
        resource: &EntityUid,
        entities: &Entities,
    ) -> Result<Arc<PolicySet>, String> {
        let mut bits = vec![0u64; self.policies.len().div_ceil(64)];
        for (i, p) in self.policies.iter().enumerate() {
            let action_ok = match &p.action {
                None => true,
                Some(list) => list.iter().any(|a| {
                    a == action
                        || (p.action_in
                            && entities
                                .ancestors(action)
                                .is_some_and(|mut anc| anc.any(|x| x == a)))
                }),
            };
            if action_ok
                && p.principal.admits(principal, entities)
                && p.resource.admits(resource, entities)
            {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        if let Ok(cache) = self.cache.lock()
            && let Some(set) = cache.get(&bits)
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
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(bits, set.clone());
        }
        Ok(set)
    }
}
