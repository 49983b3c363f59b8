//! The entity slice of a decision that adds request attributes or granted roles to the stored
//! entities, built from Cedar's core entities (the stored ones shared, not copied) without
//! recomputing the transitive closure.
//!
//! Every stored entity's ancestor set is already closed (Cedar closed the whole stored set when
//! it was loaded), and a slice is a subset of the stored set plus at most two built entities:
//! the principal, whose ancestors are its stored ancestors, the granted roles and the roles'
//! stored ancestors, and the resource, whose ancestors are its stored ancestors. So the closure
//! Cedar would compute over the slice is exactly these sets, and the slice is handed to Cedar
//! with `TCComputation::AssumeAlreadyComputed`. What Cedar's closure computation would refuse
//! (a granted role that is the principal or one of its descendants: a cycle) or extend further
//! (a resource below a principal that gains roles), a role that is not stored, take the checked path in `pdp.rs` instead, as does any slice whose shape
//! Cedar's schema check has not accepted before (see [`crate::shapes`]).

use std::collections::HashSet;
use std::sync::Arc;

use cedar_policy::{Entities, EntityUid};
use cedar_policy_core::ast::{self, PartialValue};
use cedar_policy_core::entities::{NoEntitiesSchema, TCComputation};
use cedar_policy_core::extensions::Extensions;
use smol_str::SmolStr;

use crate::authzen::Subject;
use crate::pdp::Snapshot;
use crate::values;

/// A slice that can be built for a decision: every check that could send the decision to the
/// checked path is done, nothing is built yet. It also tells the ancestors the principal and
/// the resource have in the slice, for the pre-selection, so a decision whose selected policies
/// never look an entity up needs no slice at all (see `Prefilter::entity_free`).
pub(crate) struct Plan<'a> {
    snap: &'a Snapshot,
    principal: (&'a EntityUid, &'a Subject),
    resource: (&'a EntityUid, &'a Subject),
    roles: &'a [EntityUid],
    /// The schema's action entities the schema check would add (none without a schema).
    actions: Option<&'a EntityUid>,
    /// The principal's ancestors in the slice: its stored ones, the granted roles and theirs.
    pub principal_ancestors: Vec<&'a EntityUid>,
    /// The resource's ancestors in the slice.
    pub resource_ancestors: Vec<&'a EntityUid>,
}

/// The plan of the slice for a decision, or `None` when it must take the checked path.
pub(crate) fn plan<'a>(
    snap: &'a Snapshot,
    principal: (&'a EntityUid, &'a Subject),
    resource: (&'a EntityUid, &'a Subject),
    action: &'a EntityUid,
    roles: &'a [EntityUid],
) -> Option<Plan<'a>> {
    let stored_p = snap.entities.get(principal.0);
    let stored_r = snap.entities.get(resource.0);
    // A built principal's new ancestors (the roles) would reach a resource below it only
    // through the closure computation.
    if !roles.is_empty() && stored_r.is_some_and(|r| r.core.is_descendant_of(principal.0.as_ref()))
    {
        return None;
    }
    let me: &ast::EntityUID = principal.0.as_ref();
    let mut principal_ancestors: Vec<&EntityUid> = Vec::with_capacity(8);
    principal_ancestors.extend(stored_p.iter().flat_map(|s| s.ancestors.iter()));
    for role in roles {
        let stored_role = snap.entities.get(role)?;
        let r: &ast::EntityUID = role.as_ref();
        if r == me || stored_role.core.is_descendant_of(me) {
            return None;
        }
        principal_ancestors.push(role);
        principal_ancestors.extend(stored_role.ancestors.iter());
    }
    let same = principal.0 == resource.0;
    let built_p = built(stored_p.is_some(), principal.1, roles);
    let built_r = !same && built(stored_r.is_some(), resource.1, &[]);
    if (built_p && !plain(principal.1)) || (built_r && !plain(resource.1)) {
        return None;
    }
    let resource_ancestors = if same {
        principal_ancestors.clone()
    } else {
        stored_r.iter().flat_map(|s| s.ancestors.iter()).collect()
    };
    let mut actions = None;
    if snap.bundle.schema.is_some() {
        // Only shapes Cedar's own check accepted skip it.
        snap.actions.as_ref()?;
        let mut shape = crate::shapes::scratch();
        shape.push(b'E');
        if built_p {
            let parents = stored_p
                .into_iter()
                .flat_map(|s| s.ancestors.iter())
                .chain(roles);
            let given = principal.1.attributes_ref();
            snap.shapes.entity_key(
                principal.1,
                principal.0,
                stored_p.map(|s| &s.attrs),
                &given,
                parents,
                &mut shape,
            );
        }
        if built_r {
            let given = resource.1.attributes_ref();
            snap.shapes.entity_key(
                resource.1,
                resource.0,
                stored_r.map(|s| &s.attrs),
                &given,
                stored_r.into_iter().flat_map(|s| s.ancestors.iter()),
                &mut shape,
            );
        }
        if !snap.shapes.checked(&shape) {
            return None;
        }
        crate::shapes::recycle(shape);
        actions = Some(action);
    }
    Some(Plan {
        snap,
        principal,
        resource,
        roles,
        actions,
        principal_ancestors,
        resource_ancestors,
    })
}

/// Whether the entity of `uid` is built for the decision rather than taken as stored.
fn built(stored: bool, given: &Subject, roles: &[EntityUid]) -> bool {
    !stored || given.has_attributes() || !roles.is_empty()
}

/// Whether every request attribute of `given` becomes a Cedar value directly.
fn plain(given: &Subject) -> bool {
    given.attributes_ref().values().all(values::plain)
}

impl Plan<'_> {
    /// Whether the slice holds the schema's action entities (it does with a schema).
    pub(crate) fn has_actions(&self) -> bool {
        self.actions.is_some()
    }

    /// The slice: the built principal and resource, their stored ancestors, the granted roles
    /// and theirs, and (with a schema) the action entities the schema check would add.
    pub(crate) fn build(&self) -> Option<Entities> {
        let snap = self.snap;
        let (principal, resource) = (self.principal, self.resource);
        // A handful of entities: a linear scan beats hashing.
        let mut seen: Vec<&EntityUid> = Vec::with_capacity(8);
        let mut list: Vec<Arc<ast::Entity>> = Vec::with_capacity(8);
        list.push(entity(snap, principal.0, principal.1, self.roles)?);
        seen.push(principal.0);
        if insert(&mut seen, resource.0) {
            list.push(entity(snap, resource.0, resource.1, &[])?);
        }
        push_ancestors(snap, principal.0, &mut seen, &mut list);
        push_ancestors(snap, resource.0, &mut seen, &mut list);
        for role in self.roles {
            if insert(&mut seen, role) {
                list.push(snap.entities.get(role)?.core.clone());
            }
            push_ancestors(snap, role, &mut seen, &mut list);
        }
        if let Some(action) = self.actions {
            for (a, e) in snap.action_closure(action) {
                if !seen.contains(&a) {
                    list.push(e.clone());
                }
            }
        }
        let core = cedar_policy_core::entities::Entities::new()
            .add_entities(
                list,
                None::<&NoEntitiesSchema>,
                TCComputation::AssumeAlreadyComputed,
                Extensions::all_available(),
            )
            .ok()?;
        Some(Entities::from(core))
    }
}

/// Add `uid` to `seen`; `false` when it was there.
fn insert<'a>(seen: &mut Vec<&'a EntityUid>, uid: &'a EntityUid) -> bool {
    if seen.contains(&uid) {
        return false;
    }
    seen.push(uid);
    true
}

/// The stored ancestors of `uid` not yet in the slice.
fn push_ancestors<'a>(
    snap: &'a Snapshot,
    uid: &EntityUid,
    seen: &mut Vec<&'a EntityUid>,
    out: &mut Vec<Arc<ast::Entity>>,
) {
    if let Some(stored) = snap.entities.get(uid) {
        for a in &stored.ancestors {
            if insert(seen, a)
                && let Some(anc) = snap.entities.get(a)
            {
                out.push(anc.core.clone());
            }
        }
    }
}

/// The principal's or resource's entity: the stored one as it is, or the stored attributes with
/// the request's over them and the stored ancestors plus the granted roles and theirs.
fn entity(
    snap: &Snapshot,
    uid: &EntityUid,
    given: &Subject,
    roles: &[EntityUid],
) -> Option<Arc<ast::Entity>> {
    let stored = snap.entities.get(uid);
    if !built(stored.is_some(), given, roles)
        && let Some(s) = stored
    {
        return Some(s.core.clone());
    }
    let given_attrs = given.attributes_ref();
    let core = stored.map(|s| s.core.as_ref());
    let mut attrs: values::Attrs = core
        .map(|e| e.attrs().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    for (k, v) in given_attrs.iter() {
        attrs.insert(SmolStr::new(k), PartialValue::from(values::value(v)?));
    }
    let mut parents: HashSet<ast::EntityUID> = core
        .map(|e| e.parents().cloned().collect())
        .unwrap_or_default();
    let mut indirect: HashSet<ast::EntityUID> = core
        .map(|e| e.indirect_ancestors().cloned().collect())
        .unwrap_or_default();
    let me: &ast::EntityUID = uid.as_ref();
    for role in roles {
        let r: &ast::EntityUID = role.as_ref();
        let stored_role = snap.entities.get(role)?;
        if r == me || stored_role.core.is_descendant_of(me) {
            return None;
        }
        if !indirect.contains(r) {
            parents.insert(r.clone());
        }
    }
    for role in roles {
        if let Some(stored_role) = snap.entities.get(role) {
            for a in stored_role.core.ancestors() {
                if !parents.contains(a) {
                    indirect.insert(a.clone());
                }
            }
        }
    }
    Some(Arc::new(ast::Entity::new_with_attr_partial_value(
        me.clone(),
        attrs,
        indirect,
        parents,
        [],
    )))
}
